import Fastify from 'fastify';

export interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A real HTTP server standing in for a CRM's webhook endpoint. */
export async function startReceiver() {
  const received: Received[] = [];
  let failuresLeft = 0;
  let failStatus = 500;
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/hook', async (request, reply) => {
    received.push({ headers: request.headers, body: request.body as string });
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      return reply.status(failStatus).send('nope');
    }
    return reply.status(204).send();
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `${address}/hook`,
    received,
    failNext(n: number, status = 500) {
      failuresLeft = n;
      failStatus = status;
    },
    close: () => app.close(),
  };
}

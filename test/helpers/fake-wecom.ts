import Fastify from 'fastify';

/** How the fake robot answers one request. */
export type WecomReply =
  | { errcode: number; errmsg?: string }
  | { httpStatus: number; body: string }
  | { hangMs: number };

export interface WecomMessage {
  key: string | undefined;
  contentType: string | undefined;
  body: { msgtype: string; markdown?: { content: string } };
}

/**
 * A real HTTP server speaking the WeCom group-robot protocol (`POST /cgi-bin/webhook/send?key=`):
 * HTTP 200 with `{"errcode":0,"errmsg":"ok"}`, or the replies queued with `replyNext`, in order.
 */
export async function startFakeWecom() {
  const received: WecomMessage[] = [];
  const queued: WecomReply[] = [];
  const app = Fastify({ logger: false });
  app.post('/cgi-bin/webhook/send', async (request, reply) => {
    received.push({ key: (request.query as { key?: string }).key, contentType: request.headers['content-type'], body: request.body as WecomMessage['body'] });
    const next = queued.shift() ?? { errcode: 0, errmsg: 'ok' };
    if ('hangMs' in next) {
      await new Promise((r) => setTimeout(r, next.hangMs));
      return reply.send({ errcode: 0, errmsg: 'ok' });
    }
    if ('httpStatus' in next) return reply.status(next.httpStatus).type('text/plain').send(next.body);
    return reply.send({ errcode: next.errcode, errmsg: next.errmsg ?? (next.errcode === 0 ? 'ok' : 'error') });
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: (key = 'robot-key') => `${address}/cgi-bin/webhook/send?key=${key}`,
    received,
    replyNext(...replies: WecomReply[]) {
      queued.push(...replies);
    },
    reset() {
      received.length = 0;
      queued.length = 0;
    },
    close: () => app.close(),
  };
}

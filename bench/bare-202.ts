// The ceiling for bench:signals: a bare Fastify route that parses the same JSON body and answers 202.
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
app.post('/v1/signals/events', async (_request, reply) => reply.status(202).send({ accepted: 0 }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));

import closeWithGrace from 'close-with-grace';
import Fastify from 'fastify';
import { buildApp, loggerOptions } from './app.js';
import { loadConfig } from './config.js';
import { startRuntime } from './runtime.js';

const config = loadConfig();
// A throwaway instance gives us Fastify's configured pino logger before the app exists.
const log = Fastify({ logger: loggerOptions(config.LOG_LEVEL) }).log;
const runtime = await startRuntime(config, log, { workers: config.RUN_WORKERS });
const app = await buildApp(runtime, log);
app.addHook('onClose', async () => runtime.close());

closeWithGrace({ delay: 30_000 }, async ({ signal, err }) => {
  if (err) log.error({ err }, 'shutting down after an error');
  else log.info({ signal }, 'shutting down');
  await app.close(); // drains HTTP, then closes the queue and the database
});

await app.listen({ port: config.PORT, host: config.HOST });
log.info(
  { db: runtime.db.kind, queue: runtime.queue.kind, workers: config.RUN_WORKERS, transcribe: config.TRANSCRIBE_PROVIDER },
  `dealsense listening on http://${config.HOST}:${config.PORT} (API docs at /docs)`,
);

// A worker process: consumes the BullMQ queues with the same processors the API can run in-process.
// Start as many as you like, on as many machines as you like: `npm run worker`.
import closeWithGrace from 'close-with-grace';
import Fastify from 'fastify';
import { loggerOptions } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { startRuntime } from '../src/runtime.js';

const config = loadConfig();
const log = Fastify({ logger: loggerOptions(config.LOG_LEVEL) }).log.child({ role: 'worker' });
if (!config.REDIS_URL) {
  log.error('REDIS_URL is not set: without Redis the API runs jobs in-process and needs no worker');
  process.exit(1);
}
const runtime = await startRuntime(config, log, { workers: true });
closeWithGrace({ delay: 60_000 }, async ({ signal }) => {
  log.info({ signal }, 'worker stopping: finishing running jobs');
  await runtime.close();
});
log.info({ db: runtime.db.kind, queue: runtime.queue.kind }, 'worker started');

import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import { seedAdminKey } from './platform/auth.js';
import { openDb, type Db } from './platform/db.js';
import { migrate } from './platform/migrate.js';
import { createQueue, type JobQueue } from './platform/queue.js';
import { Storage } from './platform/storage.js';
import { recordingProcessors, type ProcessorDeps } from './recordings/processors.js';
import { requeueUnfinished } from './recordings/service.js';
import { dispatch, undispatchedEvents } from './platform/outbox.js';
import { deliverEvent } from './webhooks/delivery.js';
import { analysisProcessors } from './analysis/processors.js';
import { checkSla, rescheduleSla } from './assignment/service.js';
import { inquiryJob, requeueInquiryJobs } from './inquiries/jobs.js';
import { createThemePool, type ThemePool } from './inquiries/theme-pool.js';
import { coachingProcessors } from './coaching/processors.js';
import { scheduleTick } from './coaching/interventions.js';
import { createPushBus, type PushBus } from './signals/bus.js';
import { requeueRecentSignals, scheduleIntentDecay, signalsProcessor, type SignalsJob } from './signals/evaluate.js';
import { rescheduleReleases } from './signals/pushes.js';

export interface Runtime {
  config: Config;
  db: Db;
  queue: JobQueue;
  storage: Storage;
  log: FastifyBaseLogger;
  /** Announces delivered pushes to live streams (Redis pub/sub across processes, else in-process). */
  bus: PushBus;
  /** Worker threads for theme clustering (started on first use). */
  themePool: ThemePool;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Start the job processors in this process (API with embedded queue, or a worker). */
  workers: boolean;
  /** Tests: in-memory PGlite instead of DATA_DIR. */
  inMemoryDb?: boolean;
  speechProvider?: ProcessorDeps['speechProvider'];
}

/** Opens the database (migrated), the queue and storage; the same for the API and for workers. */
export async function startRuntime(config: Config, log: FastifyBaseLogger, opts: RuntimeOptions): Promise<Runtime> {
  const db = await openDb({ databaseUrl: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, dataDir: config.DATA_DIR, inMemory: opts.inMemoryDb });
  try {
    const applied = await migrate(db);
    if (applied.length) log.info({ applied }, 'migrations applied');
    await seedAdminKey(db, config.ADMIN_API_KEY);
  } catch (err) {
    await db.close();
    throw err;
  }
  const queue = createQueue({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX, attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS, lockMs: config.JOB_LOCK_MS, logger: log });
  const storage = new Storage(config.DATA_DIR);
  const bus = createPushBus({ redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX });
  const themePool = createThemePool(config.THEMES_WORKER_THREADS);
  const runtime: Runtime = {
    config, db, queue, storage, log, bus, themePool,
    async close() {
      // together: the queue waits for its running jobs, and stopping the pool ends a long clustering
      // at once (that job fails and is queued again on the next start)
      await Promise.all([queue.close(), themePool.close()]);
      await bus.close();
      await db.close();
    },
  };
  if (opts.workers) {
    queue.work({
      ...recordingProcessors({ ...runtime, speechProvider: opts.speechProvider }),
      ...analysisProcessors(runtime),
      deliver: (job) => deliverEvent({ ...runtime, timeoutMs: config.DELIVERY_TIMEOUT_MS }, job),
      sla: (job) => checkSla(runtime, job.data as { tenantId: string; leadId: string; round: number }),
      maps: (job) => inquiryJob(runtime, job),
      ...coachingProcessors(runtime),
      signals: (job) => signalsProcessor(runtime, job as typeof job & { data: SignalsJob }),
    }, {
      // the clustering of a maps job runs on a pool thread, so the queue may run one job per thread
      maps: config.THEMES_WORKER_THREADS,
    });
    // The embedded queue forgets its jobs on restart; with BullMQ this catches a crash between the
    // row insert and the enqueue (re-adding a job BullMQ still knows is a no-op).
    {
      const n = await requeueUnfinished(runtime);
      if (n) log.info({ recordings: n }, 'unfinished recordings queued again');
      const events = await undispatchedEvents(db);
      await dispatch(queue, events);
      if (events.length) log.info({ events: events.length }, 'undelivered events queued again');
      await rescheduleSla(runtime);
      await requeueInquiryJobs(runtime);
      await scheduleTick(runtime);
      await rescheduleReleases(runtime);
      await requeueRecentSignals(runtime);
      await scheduleIntentDecay(queue, config.SIGNALS_INTENT_DECAY_HOURS * 3_600_000);
    }
  }
  return runtime;
}

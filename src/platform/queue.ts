import { Queue, Worker, UnrecoverableError, type Job } from 'bullmq';
import pLimit from 'p-limit';
import type { FastifyBaseLogger as Logger } from 'fastify';

export const QUEUE_NAMES = ['audio', 'transcribe', 'analyze', 'deliver', 'sla', 'maps', 'coaching', 'signals'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobContext<T = Record<string, unknown>> {
  id: string;
  queue: QueueName;
  data: T;
  /** 1-based attempt number. */
  attempt: number;
  isLastAttempt: boolean;
  progress(percent: number): Promise<void>;
}

export type Processor = (job: JobContext<any>) => Promise<void>;
export type Processors = Partial<Record<QueueName, Processor>>;

/** Thrown by a processor when retrying cannot help (bad input, missing configuration). */
export class PermanentError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface JobQueue {
  readonly kind: 'bullmq' | 'in-process';
  /** Adds a job (run after `delayMs` if given); a second add with the same jobId is ignored while the first is pending or running. */
  add(queue: QueueName, data: object, jobId: string, opts?: { delayMs?: number }): Promise<void>;
  /** Starts consuming every queue that has a processor. */
  work(processors: Processors, concurrency?: Partial<Record<QueueName, number>>): void;
  ping(): Promise<boolean>;
  /** Stops taking jobs and waits for running ones to finish. */
  close(): Promise<void>;
}

export interface QueueOptions {
  redisUrl?: string;
  prefix: string;
  attempts: number;
  backoffMs: number;
  lockMs: number;
  logger: Logger;
}

export function createQueue(opts: QueueOptions): JobQueue {
  return opts.redisUrl ? new BullQueue(opts.redisUrl, opts) : new InProcessQueue(opts);
}

const DEFAULT_CONCURRENCY: Record<QueueName, number> = { audio: 2, transcribe: 2, analyze: 2, deliver: 4, sla: 4, maps: 1, coaching: 1, signals: 4 };

class BullQueue implements JobQueue {
  readonly kind = 'bullmq' as const;
  private queues = new Map<QueueName, Queue>();
  private workers: Worker[] = [];

  constructor(
    private url: string,
    private opts: QueueOptions,
  ) {}

  private queue(name: QueueName): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, {
        connection: { url: this.url, maxRetriesPerRequest: null },
        prefix: this.opts.prefix,
        defaultJobOptions: {
          attempts: this.opts.attempts,
          backoff: { type: 'exponential', delay: this.opts.backoffMs },
          removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
          removeOnFail: { age: 30 * 24 * 3600 },
        },
      });
      this.queues.set(name, q);
    }
    return q;
  }

  async add(name: QueueName, data: object, jobId: string, opts: { delayMs?: number } = {}) {
    await this.queue(name).add(name, data, { jobId, delay: Math.max(0, opts.delayMs ?? 0) });
  }

  work(processors: Processors, concurrency: Partial<Record<QueueName, number>> = {}) {
    for (const [name, processor] of Object.entries(processors) as [QueueName, Processor][]) {
      const worker = new Worker(
        name,
        async (job: Job) => {
          const attempts = job.opts.attempts ?? 1;
          try {
            await processor({
              id: job.id ?? '',
              queue: name,
              data: job.data,
              attempt: job.attemptsMade + 1,
              isLastAttempt: job.attemptsMade + 1 >= attempts,
              progress: (p) => job.updateProgress(p),
            });
          } catch (err) {
            if (err instanceof PermanentError) throw new UnrecoverableError(err.message);
            throw err;
          }
        },
        {
          connection: { url: this.url, maxRetriesPerRequest: null },
          prefix: this.opts.prefix,
          concurrency: concurrency[name] ?? DEFAULT_CONCURRENCY[name],
          // A killed worker's lock runs out after lockMs; the job is then stalled and handed to another worker.
          lockDuration: this.opts.lockMs,
          stalledInterval: Math.max(500, Math.floor(this.opts.lockMs / 2)),
          maxStalledCount: 3,
        },
      );
      worker.on('failed', (job, err) => this.opts.logger.warn({ queue: name, jobId: job?.id, err: err.message }, 'job attempt failed'));
      worker.on('error', (err) => this.opts.logger.error({ queue: name, err: err.message }, 'worker error'));
      this.workers.push(worker);
    }
  }

  /** A real round trip to Redis, bounded so /health answers even when Redis hangs. */
  async ping() {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 2000)));
    const counts = this.queue('audio').getJobCounts('waiting').then(() => true);
    try {
      return await Promise.race([counts, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close() {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

/**
 * Runs jobs inside this process with the same retry/backoff semantics as BullMQ.
 * Jobs live in memory only: on start-up the service re-enqueues unfinished work from the database.
 */
class InProcessQueue implements JobQueue {
  readonly kind = 'in-process' as const;
  private processors: Processors = {};
  private limits = new Map<QueueName, ReturnType<typeof pLimit>>();
  private known = new Set<string>();
  private running = new Set<Promise<void>>();
  private timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private opts: QueueOptions) {}

  async add(name: QueueName, data: object, jobId: string, opts: { delayMs?: number } = {}) {
    if (this.closed) throw new Error('queue is closed');
    const key = `${name}/${jobId}`;
    if (this.known.has(key)) return;
    this.known.add(key);
    this.schedule(name, data, jobId, 1, opts.delayMs ?? 0);
  }

  work(processors: Processors, concurrency: Partial<Record<QueueName, number>> = {}) {
    this.processors = { ...this.processors, ...processors };
    for (const name of Object.keys(processors) as QueueName[]) {
      this.limits.set(name, pLimit(concurrency[name] ?? DEFAULT_CONCURRENCY[name]));
    }
  }

  private schedule(name: QueueName, data: object, jobId: string, attempt: number, delayMs: number) {
    const start = () => {
      const limit = this.limits.get(name);
      const processor = this.processors[name];
      if (!limit || !processor) {
        this.opts.logger.error({ queue: name, jobId }, 'no processor registered for queue');
        return;
      }
      const p = limit(() => this.runOnce(name, processor, data, jobId, attempt)).finally(() => this.running.delete(p));
      this.running.add(p);
    };
    if (delayMs <= 0) return start();
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.closed) start();
    }, delayMs);
    this.timers.add(t);
  }

  private async runOnce(name: QueueName, processor: Processor, data: object, jobId: string, attempt: number) {
    if (this.closed) return;
    const isLastAttempt = attempt >= this.opts.attempts;
    const key = `${name}/${jobId}`;
    try {
      await processor({ id: jobId, queue: name, data: data as Record<string, unknown>, attempt, isLastAttempt, progress: async () => {} });
      // Finished ids are forgotten so a long-running process does not grow without bound;
      // the processors are idempotent, so a later add of the same id is harmless.
      this.known.delete(key);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.opts.logger.warn({ queue: name, jobId, attempt, err: message }, 'job attempt failed');
      if (err instanceof PermanentError || isLastAttempt) {
        this.known.delete(key);
        return;
      }
      this.schedule(name, data, jobId, attempt + 1, this.opts.backoffMs * 2 ** (attempt - 1));
    }
  }

  async ping() {
    return !this.closed;
  }

  async close() {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

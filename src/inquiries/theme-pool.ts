/**
 * One worker-thread pool per runtime for theme clustering (piscina). Clustering 12,000 inquiries
 * is over a minute of synchronous CPU work; run on the main thread it would stall every HTTP
 * request of the API process (the embedded queue runs jobs there) and, with BullMQ, the job's
 * lock renewal. Threads start on the first task (an app that never clusters starts none), leave
 * after IDLE_MS without work, and are stopped by `close()` so the process can exit.
 */
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { ClusterThemesResult, ThemeItem } from './themes.js';
import type { ClusterWindowTask } from './theme-worker.js';

export interface ThemePool {
  /** Vectorises and clusters the items in a worker thread (theme-worker.ts); `onProgress` gets each stage's percentage. */
  clusterWindow(items: ThemeItem[], opts: { seed: number; onProgress?: (percent: number) => Promise<void> }): Promise<ClusterThemesResult>;
  /** Stops the threads; a task still running rejects. */
  close(): Promise<void>;
}

/** A thread without work for this long exits (its jieba dictionary and vocabulary go with it). */
const IDLE_MS = 60_000;
const ENTRY = new URL('./theme-worker-entry.mjs', import.meta.url).href;

export function createThemePool(threads: number): ThemePool {
  let pool: Piscina | undefined;
  let closed = false;
  return {
    async clusterWindow(items, { seed, onProgress }) {
      if (closed) throw new Error('theme pool is closed');
      pool ??= new Piscina({ filename: ENTRY, minThreads: 0, maxThreads: threads, idleTimeout: IDLE_MS });
      const channel = new MessageChannel();
      // progress writes are chained and awaited, and none starts after the result: a late one would
      // set a finished theme set back to "running"
      let done = false;
      let writes = Promise.resolve();
      channel.port1.on('message', (percent: number) => {
        if (!done && onProgress) writes = writes.then(() => onProgress(percent)).catch(() => undefined);
      });
      try {
        const task: ClusterWindowTask = { items, seed, progress: channel.port2 };
        return (await pool.run(task, { transferList: [channel.port2] })) as ClusterThemesResult;
      } finally {
        done = true;
        channel.port1.close();
        await writes;
      }
    },
    async close() {
      closed = true;
      await pool?.destroy();
    },
  };
}

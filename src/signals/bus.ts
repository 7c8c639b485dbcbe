import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';

/** A delivered push as announced to live streams: enough to filter; the stream reads the row itself. */
export interface PushAnnouncement {
  tenantId: string;
  pushId: string;
  seq: number;
  repId: string | null;
}

/**
 * Tells every process serving `GET /v1/pushes/stream` that a push was delivered. With Redis the
 * announcement crosses processes (the worker that wrote the push is rarely the API process holding
 * the stream); without Redis everything runs in one process and an EventEmitter is enough.
 */
export interface PushBus {
  publish(a: PushAnnouncement): Promise<void>;
  subscribe(listener: (a: PushAnnouncement) => void): () => void;
  close(): Promise<void>;
}

export function createPushBus(opts: { redisUrl?: string; prefix: string }): PushBus {
  return opts.redisUrl ? new RedisPushBus(opts.redisUrl, `${opts.prefix}:pushes`) : new LocalPushBus();
}

class LocalPushBus implements PushBus {
  private emitter = new EventEmitter().setMaxListeners(0);
  async publish(a: PushAnnouncement) {
    this.emitter.emit('push', a);
  }
  subscribe(listener: (a: PushAnnouncement) => void) {
    this.emitter.on('push', listener);
    return () => void this.emitter.off('push', listener);
  }
  async close() {
    this.emitter.removeAllListeners();
  }
}

class RedisPushBus implements PushBus {
  private pub?: Redis;
  private sub?: Redis;
  private subscribed?: Promise<unknown>;
  private local = new LocalPushBus();

  constructor(
    private url: string,
    private channel: string,
  ) {}

  async publish(a: PushAnnouncement) {
    this.pub ??= new Redis(this.url, { maxRetriesPerRequest: 3 });
    await this.pub.publish(this.channel, JSON.stringify(a));
  }

  subscribe(listener: (a: PushAnnouncement) => void) {
    // One subscriber connection per process, connected when the first stream opens.
    if (!this.sub) {
      this.sub = new Redis(this.url, { maxRetriesPerRequest: null });
      this.sub.on('message', (_channel: string, message: string) => {
        try {
          void this.local.publish(JSON.parse(message) as PushAnnouncement);
        } catch {
          /* not ours */
        }
      });
      this.sub.on('error', () => undefined);
      this.subscribed = this.sub.subscribe(this.channel);
    }
    return this.local.subscribe(listener);
  }

  /** Resolves once the subscription is live (streams replay from the table after this, so nothing falls in between). */
  ready(): Promise<unknown> {
    return this.subscribed ?? Promise.resolve();
  }

  async close() {
    await this.local.close();
    await Promise.all([this.pub?.quit().catch(() => undefined), this.sub?.quit().catch(() => undefined)]);
  }
}

/** Waits until announcements published from now on will reach this process's listeners. */
export async function busReady(bus: PushBus): Promise<void> {
  if (bus instanceof RedisPushBus) await bus.ready();
}

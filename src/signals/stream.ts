import type { FastifyReply, FastifyRequest } from 'fastify';
import { busReady, type PushAnnouncement } from './bus.js';
import { pushView, type SignalsDeps } from './pushes.js';
import * as repo from './repo.js';

const HEARTBEAT_MS = 15_000;
const PAGE = 500;

/** Open streams, so shutdown can end them (a server does not close while responses are open). */
const open = new Set<() => void>();

export function closeAllStreams(): void {
  for (const end of [...open]) end();
}

/**
 * `GET /v1/pushes/stream`. Delivery numbers become visible in order per tenant (see
 * `lockTenantSeq`), so the stream keeps one cursor: an announcement only wakes it up, and it then
 * sends every delivered push after the cursor from the table, in order. Nothing falls between
 * announcements, and a client reconnecting with `Last-Event-ID` (the SSE `id`, the push's
 * delivery number) resumes exactly where it stopped. Without it, the stream starts from now.
 */
export async function openPushStream(
  deps: SignalsDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  opts: { tenantId: string; repId?: string; after?: number },
): Promise<void> {
  let cursor = 0;
  let chain = Promise.resolve();
  let closed = false;
  let pending = false;
  // Announcements before the stream is set up are remembered and handled right after.
  let ready = false;
  let missed = false;

  // Subscribed before the starting point is read, so a push delivered in between is not missed.
  const unsubscribe = deps.bus.subscribe((a: PushAnnouncement) => {
    if (a.tenantId === opts.tenantId && (!opts.repId || a.repId === opts.repId)) catchUp();
  });
  await busReady(deps.bus);
  try {
    cursor = opts.after ?? (await repo.maxSeq(deps.db, opts.tenantId));
  } catch (err) {
    unsubscribe();
    throw err;
  }

  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
  });
  res.write('retry: 3000\n\n');

  function catchUp() {
    if (!ready) {
      missed = true;
      return;
    }
    // Announcements arriving while a catch-up is queued are covered by it.
    if (pending || closed) return;
    pending = true;
    chain = chain
      .then(async () => {
        pending = false;
        for (;;) {
          const rows = await repo.pushesAfter(deps.db, opts.tenantId, cursor, opts.repId, PAGE);
          for (const p of rows) {
            if (closed) return;
            res.write(`id: ${p.seq}\nevent: push\ndata: ${JSON.stringify(pushView(p))}\n\n`);
            cursor = Number(p.seq);
          }
          if (rows.length < PAGE) return;
        }
      })
      .catch((err) => {
        pending = false;
        request.log.warn({ err: (err as Error).message }, 'push stream catch-up failed');
      });
  }

  const heartbeat = setInterval(() => !closed && res.write(': ping\n\n'), HEARTBEAT_MS);
  const end = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
    open.delete(end);
    res.end();
  };
  open.add(end);
  request.raw.on('close', end);
  res.on('error', end);
  ready = true;
  if (opts.after !== undefined || missed) catchUp();
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import { busReady, type PushAnnouncement } from './bus.js';
import { pushView, type SignalsDeps } from './pushes.js';
import * as repo from './repo.js';

const HEARTBEAT_MS = 15_000;
const REPLAY_PAGE = 500;
/** Ids remembered per stream to drop a push both replayed and announced. */
const REMEMBERED = 10_000;

/** Open streams, so shutdown can end them (a server does not close while responses are open). */
const open = new Set<() => void>();

export function closeAllStreams(): void {
  for (const end of [...open]) end();
}

/**
 * `GET /v1/pushes/stream`: subscribes first, then replays delivered pushes after `after` from the
 * table, then forwards live announcements, in one ordered chain. A push both replayed and
 * announced is sent once. The SSE `id` is the push's delivery sequence number, so a client that
 * reconnects with `Last-Event-ID` gets exactly what it missed.
 */
export async function openPushStream(
  deps: SignalsDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  opts: { tenantId: string; repId?: string; after?: number },
): Promise<void> {
  const sent = new Set<string>();
  let chain = Promise.resolve();
  let closed = false;

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

  const send = (p: repo.PushRow) => {
    if (closed || sent.has(p.id)) return;
    sent.add(p.id);
    if (sent.size > REMEMBERED) sent.delete(sent.values().next().value!);
    res.write(`id: ${p.seq}\nevent: push\ndata: ${JSON.stringify(pushView(p))}\n\n`);
  };
  const enqueue = (fn: () => Promise<void>) => {
    chain = chain.then(fn).catch((err) => {
      request.log.warn({ err: (err as Error).message }, 'push stream step failed');
    });
  };

  const unsubscribe = deps.bus.subscribe((a: PushAnnouncement) => {
    if (a.tenantId !== opts.tenantId || (opts.repId && a.repId !== opts.repId)) return;
    enqueue(async () => {
      const row = await repo.findPush(deps.db, opts.tenantId, a.pushId);
      if (row && row.status === 'delivered') send(row);
    });
  });
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

  await busReady(deps.bus);
  if (opts.after !== undefined) {
    const after = opts.after;
    enqueue(async () => {
      let cursor = after;
      for (;;) {
        const rows = await repo.pushesAfter(deps.db, opts.tenantId, cursor, opts.repId, REPLAY_PAGE);
        for (const r of rows) send(r);
        if (rows.length < REPLAY_PAGE || closed) break;
        cursor = Number(rows[rows.length - 1]!.seq);
      }
    });
  }
}

import type { FastifyBaseLogger } from 'fastify';
import { sendWecomMarkdown } from '../channels/wecom.js';
import type { Db } from '../platform/db.js';
import type { JobContext } from '../platform/queue.js';
import * as repo from './repo.js';
import { sign } from './signing.js';

export interface DeliveryDeps {
  db: Db;
  log: FastifyBaseLogger;
  timeoutMs?: number;
}

/**
 * Job "deliver": POSTs one outbox event to every subscribed endpoint, and its WeCom message (if
 * any) to the group robot. Each target has its own delivery row: one that already succeeded is
 * skipped on a retry, so each gets the event once; failures are retried with the queue's
 * backoff and marked failed after the last attempt.
 */
export async function deliverEvent(deps: DeliveryDeps, job: JobContext<{ eventId: string }>): Promise<void> {
  const event = await repo.findEvent(deps.db, job.data.eventId);
  if (!event || event.dispatched_at) return;
  const deliveries = (await repo.deliveriesFor(deps.db, event)).filter((d) => d.status === 'pending');
  const body = JSON.stringify({ id: event.id, type: event.type, createdAt: new Date(event.created_at).toISOString(), tenantId: event.tenant_id, data: event.payload });
  const failures: string[] = [];
  for (const d of deliveries) {
    const outcome = await post(d.url, body, {
      'content-type': 'application/json',
      'user-agent': 'dealsense-webhooks/1',
      'x-dealsense-event': event.type,
      // Stable across retries: receivers can drop a delivery they already processed.
      'x-dealsense-delivery': d.id,
      'x-dealsense-signature': sign(d.secret, body, Math.floor(Date.now() / 1000)),
    }, deps.timeoutMs ?? 10_000);
    if (outcome.ok) {
      await repo.recordAttempt(deps.db, d.id, { status: 'delivered', httpStatus: outcome.status });
    } else {
      await repo.recordAttempt(deps.db, d.id, { status: job.isLastAttempt ? 'failed' : 'pending', httpStatus: outcome.status, error: outcome.error });
      failures.push(`${d.url}: ${outcome.error}`);
    }
  }
  if (event.wecom) {
    const failure = await deliverWecom(deps, event, job.isLastAttempt);
    if (failure) failures.push(failure);
  }
  if (failures.length && !job.isLastAttempt) throw new Error(`webhook delivery failed: ${failures.join('; ')}`);
  if (failures.length) deps.log.warn({ eventId: event.id, failures }, 'webhook delivery gave up');
  await repo.markDispatched(deps.db, event.id);
}

/** Sends the event's WeCom message unless an earlier attempt got `errcode 0`; returns the failure, if any. */
async function deliverWecom(deps: DeliveryDeps, event: repo.EventRow, isLastAttempt: boolean): Promise<string | undefined> {
  const delivery = await repo.channelDeliveryFor(deps.db, event, 'wecom');
  if (delivery.status !== 'pending') return undefined;
  const outcome = await sendWecomMarkdown(event.wecom!.webhookUrl, event.wecom!.markdown, deps.timeoutMs ?? 10_000);
  if (outcome.ok) {
    await repo.recordChannelAttempt(deps.db, delivery.id, { status: 'delivered', httpStatus: outcome.status });
    return undefined;
  }
  await repo.recordChannelAttempt(deps.db, delivery.id, { status: isLastAttempt ? 'failed' : 'pending', httpStatus: outcome.status, error: outcome.error });
  // The robot URL carries its key: name the channel, not the URL.
  return `wecom: ${outcome.error}`;
}

async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number) {
  try {
    const res = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.ok ? { ok: true as const, status: res.status } : { ok: false as const, status: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    return { ok: false as const, status: undefined, error: (err as Error).name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : (err as Error).message };
  }
}

import { randomUUID } from 'node:crypto';
import type { Queryable } from './db.js';
import type { JobQueue } from './queue.js';

export const EVENT_TYPES = ['recording.analyzed', 'push.created', 'lead.assigned', 'coaching.intervention'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface NewEvent {
  tenantId: string;
  type: EventType;
  /** Names the fact (e.g. `recording.analyzed:<id>:<run>`): a retried job cannot record it twice. */
  dedupeKey: string;
  payload: Record<string, unknown>;
  /** Also post this markdown to a WeCom group robot. Stored beside the payload, never in the signed CRM body. */
  wecom?: { webhookUrl: string; markdown: string };
}

/**
 * Records an event for the outside world. Call it inside the transaction that makes the change,
 * then `dispatch` the returned id after commit. Returns undefined when the fact was already recorded.
 */
export async function recordEvent(q: Queryable, e: NewEvent): Promise<string | undefined> {
  const rows = await q.query<{ id: string }>(
    `INSERT INTO outbox_events (id, tenant_id, type, dedupe_key, payload, wecom) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant_id, dedupe_key) DO NOTHING RETURNING id`,
    [randomUUID(), e.tenantId, e.type, e.dedupeKey, JSON.stringify(e.payload), e.wecom ? JSON.stringify(e.wecom) : null],
  );
  return rows[0]?.id;
}

/** Queues delivery of recorded events; the job id is the event id, so dispatching twice is harmless. */
export async function dispatch(queue: JobQueue, eventIds: (string | undefined)[]): Promise<void> {
  for (const id of eventIds) if (id) await queue.add('deliver', { eventId: id }, id);
}

/** Events a crash left undispatched (recorded, but the job never ran or never finished). */
export async function undispatchedEvents(q: Queryable, maxAgeHours = 72): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `SELECT id FROM outbox_events WHERE dispatched_at IS NULL AND created_at > now() - make_interval(hours => $1) ORDER BY created_at`,
    [maxAgeHours],
  );
  return rows.map((r) => r.id);
}

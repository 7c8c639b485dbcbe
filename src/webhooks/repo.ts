import { randomUUID } from 'node:crypto';
import type { Queryable } from '../platform/db.js';

export interface EndpointRow {
  id: string;
  tenant_id: string;
  url: string;
  events: string[];
  secret: string;
  active: boolean;
  created_at: Date;
}

export interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
}

export interface EventRow {
  id: string;
  tenant_id: string;
  type: string;
  payload: Record<string, unknown>;
  /** A WeCom group-robot message to send with the event (never part of the CRM payload). */
  wecom: { webhookUrl: string; markdown: string } | null;
  created_at: Date;
  dispatched_at: Date | null;
}

/** Delivery of an event through a channel other than the CRM webhooks (one per event and channel). */
export interface ChannelDeliveryRow {
  id: string;
  tenant_id: string;
  event_id: string;
  channel: 'wecom';
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
}

export async function insertEndpoint(q: Queryable, e: Pick<EndpointRow, 'tenant_id' | 'url' | 'events' | 'secret'>): Promise<EndpointRow> {
  const rows = await q.query<EndpointRow>(
    'INSERT INTO webhook_endpoints (id, tenant_id, url, events, secret) VALUES ($1, $2, $3, $4, $5) RETURNING *',
    [randomUUID(), e.tenant_id, e.url, e.events, e.secret],
  );
  return rows[0]!;
}

export async function listEndpoints(q: Queryable, tenantId: string): Promise<EndpointRow[]> {
  return q.query<EndpointRow>('SELECT * FROM webhook_endpoints WHERE tenant_id = $1 AND active ORDER BY created_at', [tenantId]);
}

export async function findEndpoint(q: Queryable, tenantId: string, id: string): Promise<EndpointRow | undefined> {
  return (await q.query<EndpointRow>('SELECT * FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2 AND active', [tenantId, id]))[0];
}

/** Soft delete: the delivery log stays readable. */
export async function deactivateEndpoint(q: Queryable, tenantId: string, id: string): Promise<boolean> {
  const rows = await q.query('UPDATE webhook_endpoints SET active = false WHERE tenant_id = $1 AND id = $2 AND active RETURNING id', [tenantId, id]);
  return rows.length > 0;
}

/** An outbox event; with `tenantId`, only if it is that tenant's. */
export async function findEvent(q: Queryable, id: string, tenantId?: string): Promise<EventRow | undefined> {
  return (await q.query<EventRow>('SELECT * FROM outbox_events WHERE id = $1 AND ($2::text IS NULL OR tenant_id = $2)', [id, tenantId ?? null]))[0];
}

/** Creates the delivery rows for every active endpoint subscribed to the event (once), and returns them with their endpoint. */
export async function deliveriesFor(q: Queryable, event: EventRow): Promise<(DeliveryRow & { url: string; secret: string })[]> {
  await q.query(
    `INSERT INTO webhook_deliveries (id, tenant_id, event_id, endpoint_id)
     SELECT gen_random_uuid(), e.tenant_id, $1, e.id FROM webhook_endpoints e
     WHERE e.tenant_id = $2 AND e.active AND $3 = ANY(e.events)
     ON CONFLICT (event_id, endpoint_id) DO NOTHING`,
    [event.id, event.tenant_id, event.type],
  );
  return q.query(
    `SELECT d.*, e.url, e.secret FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
     WHERE d.event_id = $1 ORDER BY d.created_at`,
    [event.id],
  );
}

type AttemptOutcome = { status: DeliveryRow['status']; httpStatus?: number; error?: string };

/** One delivery attempt on a webhook or channel delivery row (both tables keep the same columns). */
async function recordAttemptIn(q: Queryable, table: 'webhook_deliveries' | 'channel_deliveries', id: string, outcome: AttemptOutcome): Promise<void> {
  await q.query(
    `UPDATE ${table} SET status = $2, attempts = attempts + 1, last_status = $3, last_error = $4,
       delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END, updated_at = now()
     WHERE id = $1`,
    [id, outcome.status, outcome.httpStatus ?? null, outcome.error ?? null],
  );
}

export const recordAttempt = (q: Queryable, id: string, outcome: AttemptOutcome) => recordAttemptIn(q, 'webhook_deliveries', id, outcome);

export async function markDispatched(q: Queryable, eventId: string): Promise<void> {
  await q.query('UPDATE outbox_events SET dispatched_at = now() WHERE id = $1', [eventId]);
}

export async function listDeliveries(q: Queryable, tenantId: string, endpointId: string, limit: number): Promise<(DeliveryRow & { type: string })[]> {
  return q.query(
    `SELECT d.*, ev.type FROM webhook_deliveries d JOIN outbox_events ev ON ev.id = d.event_id
     WHERE d.tenant_id = $1 AND d.endpoint_id = $2 ORDER BY d.created_at DESC LIMIT $3`,
    [tenantId, endpointId, limit],
  );
}

/** The event's delivery row for a channel, created on first use. */
export async function channelDeliveryFor(q: Queryable, event: EventRow, channel: ChannelDeliveryRow['channel']): Promise<ChannelDeliveryRow> {
  await q.query(
    `INSERT INTO channel_deliveries (id, tenant_id, event_id, channel) VALUES ($1, $2, $3, $4)
     ON CONFLICT (event_id, channel) DO NOTHING`,
    [randomUUID(), event.tenant_id, event.id, channel],
  );
  return (await q.query<ChannelDeliveryRow>('SELECT * FROM channel_deliveries WHERE event_id = $1 AND channel = $2', [event.id, channel]))[0]!;
}

export const recordChannelAttempt = (q: Queryable, id: string, outcome: AttemptOutcome) => recordAttemptIn(q, 'channel_deliveries', id, outcome);

/** A channel's delivery log for a tenant, newest first; optionally one event's or one status only. */
export async function listChannelDeliveries(
  q: Queryable,
  tenantId: string,
  channel: ChannelDeliveryRow['channel'],
  filter: { eventId?: string; status?: ChannelDeliveryRow['status']; limit: number },
): Promise<(ChannelDeliveryRow & { type: string })[]> {
  return q.query(
    `SELECT d.*, ev.type FROM channel_deliveries d JOIN outbox_events ev ON ev.id = d.event_id
     WHERE d.tenant_id = $1 AND d.channel = $2 AND ($3::uuid IS NULL OR d.event_id = $3) AND ($4::text IS NULL OR d.status = $4)
     ORDER BY d.created_at DESC LIMIT $5`,
    [tenantId, channel, filter.eventId ?? null, filter.status ?? null, filter.limit],
  );
}

import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { knownRepIds } from '../assignment/service.js';
import type { Db } from '../platform/db.js';
import type { JobQueue } from '../platform/queue.js';
import { addMonths, monthStart } from './months.js';
import * as repo from './repo.js';

/** CRM activity events (POST /v1/activities). Types and their required fields, exactly as the issue lists them. */
export const ACTIVITY_TYPES = [
  'lead_assigned', 'first_touch', 'quote_submitted', 'quote_feedback', 'value_metric_updated', 'task_created',
  'task_responded', 'stage_changed', 'rep_departed', 'customer_handed_over',
] as const;
export const STAGES = ['response', 'need_clarified', 'demo_accepted', 'contract_signed', 'lost'] as const;

export const MAX_BATCH = 1000;

const ref = z.string().trim().min(1).max(200);
const base = {
  id: ref,
  at: z.iso.datetime({ offset: true }),
};

export const activitySchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('lead_assigned'), repId: ref, leadId: ref }).strict(),
  z.object({ ...base, type: z.literal('first_touch'), repId: ref, leadId: ref, channel: z.string().max(50).optional() }).strict(),
  z.object({ ...base, type: z.literal('quote_submitted'), repId: ref, leadId: ref, quoteId: ref, amount: z.number().nonnegative().optional() }).strict(),
  z.object({ ...base, type: z.literal('quote_feedback'), leadId: ref, quoteId: ref, repId: ref.optional() }).strict(),
  z.object({ ...base, type: z.literal('value_metric_updated'), repId: ref, leadId: ref, metric: z.string().max(100).optional(), value: z.number().optional() }).strict(),
  z.object({ ...base, type: z.literal('task_created'), repId: ref, taskId: ref, leadId: ref.optional(), department: z.string().max(100).optional() }).strict(),
  z.object({ ...base, type: z.literal('task_responded'), taskId: ref, repId: ref.optional() }).strict(),
  z.object({ ...base, type: z.literal('stage_changed'), leadId: ref, stage: z.enum(STAGES), repId: ref.optional() }).strict(),
  z.object({ ...base, type: z.literal('rep_departed'), repId: ref }).strict(),
  z.object({ ...base, type: z.literal('customer_handed_over'), repId: ref, toRepId: ref, leadId: ref }).strict(),
]);

export const activitiesBody = z.object({ activities: z.array(activitySchema).min(1).max(MAX_BATCH) }).strict();

export type Activity = z.infer<typeof activitySchema>;
type Typed<T extends Activity['type']> = Extract<Activity, { type: T }>;

export interface Rejected {
  index: number;
  id: string;
  field: string;
  code: 'unknown_rep' | 'future_timestamp' | 'too_old';
  message: string;
}

export interface IngestResult {
  accepted: number;
  duplicates: string[];
  rejected: Rejected[];
}

export interface ActivityDeps {
  db: Db;
  queue: JobQueue;
}

// Clocks disagree; a day ahead is a wrong timezone or a bad import, not a clock skew.
const FUTURE_SLACK_MS = 24 * 3600_000;
const EARLIEST = Date.UTC(2000, 0, 1);

/**
 * Stores a batch: each event once (by id), the derived per-customer tables updated in the same
 * transaction with "earliest time wins" / additive upserts, so late and out-of-order events end in
 * the same state as in-order ones. Events naming a rep this tenant does not have are listed in
 * `rejected` and stored nowhere; the rest are kept. The rep-months they touch are marked for the
 * recompute job (stored health, interventions).
 */
export async function ingestActivities(deps: ActivityDeps, tenantId: string, events: Activity[], now = new Date()): Promise<IngestResult> {
  const rejected: Rejected[] = [];
  const duplicates: string[] = [];
  const repIds = new Set<string>();
  for (const e of events) {
    if ('repId' in e && e.repId) repIds.add(e.repId);
    if (e.type === 'customer_handed_over') repIds.add(e.toRepId);
  }
  const known = await knownRepIds(deps.db, tenantId, [...repIds]);
  const seen = new Set<string>();
  const valid: Activity[] = [];
  events.forEach((e, index) => {
    const t = Date.parse(e.at);
    const reject = (field: string, code: Rejected['code'], message: string) => rejected.push({ index, id: e.id, field, code, message });
    if ('repId' in e && e.repId && !known.has(e.repId)) return reject(`activities.${index}.repId`, 'unknown_rep', `repId ${e.repId} is not a rep of this tenant (PUT /v1/reps/:id first)`);
    if (e.type === 'customer_handed_over' && !known.has(e.toRepId)) return reject(`activities.${index}.toRepId`, 'unknown_rep', `toRepId ${e.toRepId} is not a rep of this tenant`);
    if (t > now.getTime() + FUTURE_SLACK_MS) return reject(`activities.${index}.at`, 'future_timestamp', `at ${e.at} is more than a day in the future`);
    if (t < EARLIEST) return reject(`activities.${index}.at`, 'too_old', `at ${e.at} is before 2000-01-01`);
    if (seen.has(e.id)) return void duplicates.push(e.id);
    seen.add(e.id);
    valid.push(e);
  });
  if (valid.length === 0) return { accepted: 0, duplicates, rejected };

  const { fresh } = await deps.db.tx(async (q) => {
    const inserted = await repo.insertActivities(q, tenantId, valid);
    const fresh = valid.filter((e) => inserted.has(e.id));
    const dirty = await applyDerived(q, tenantId, fresh);
    await repo.markDirty(q, tenantId, [...dirty.values()].filter((d) => d.month.getTime() <= monthStart(now).getTime()));
    return { fresh };
  });
  for (const e of valid) if (!fresh.includes(e)) duplicates.push(e.id);
  if (fresh.length > 0) await deps.queue.add('coaching', { kind: 'recompute', tenantId }, `recompute.${tenantId}.${randomUUID()}`);
  return { accepted: fresh.length, duplicates, rejected };
}

const of = <T extends Activity['type']>(events: Activity[], type: T) => events.filter((e): e is Typed<T> => e.type === type);
const earliest = (a: Date | undefined, b: Date) => (a && a <= b ? a : b);

/** Updates the derived tables for newly stored events; returns the rep-months they affect. */
async function applyDerived(q: Parameters<typeof repo.insertActivities>[0], tenantId: string, events: Activity[]) {
  const dirty = new Map<string, { repId: string; month: Date }>();
  const mark = (repId: string | undefined | null, at: Date, months: number[] = [0]) => {
    if (!repId) return;
    for (const k of months) {
      const month = addMonths(monthStart(at), k);
      dirty.set(`${repId}|${month.toISOString()}`, { repId, month });
    }
  };
  const at = (e: Activity) => new Date(e.at);

  // Customer relationships: assignment, first touch, handover (keyed lead|rep; earliest wins within the batch too).
  const rel = new Map<string, repo.LeadRepPatch>();
  const patch = (leadId: string, repId: string) => {
    const k = `${leadId}\u0000${repId}`;
    let p = rel.get(k);
    if (!p) rel.set(k, (p = { leadId, repId }));
    return p;
  };
  for (const e of of(events, 'lead_assigned')) {
    const p = patch(e.leadId, e.repId);
    p.assignedAt = earliest(p.assignedAt, at(e));
    p.source = 'crm';
    // First touch (this month) and the customer base of the rolling quarter (grace period included).
    mark(e.repId, at(e), [0, 1, 2, 3]);
  }
  for (const e of of(events, 'first_touch')) {
    const p = patch(e.leadId, e.repId);
    p.firstTouchAt = earliest(p.firstTouchAt, at(e));
    mark(e.repId, at(e), [-1, 0]);
  }
  for (const e of of(events, 'customer_handed_over')) {
    const from = patch(e.leadId, e.repId);
    from.handedOverAt = earliest(from.handedOverAt, at(e));
    from.handedTo ??= e.toRepId;
    const to = patch(e.leadId, e.toRepId);
    to.assignedAt = earliest(to.assignedAt, at(e));
    to.source ??= 'handover';
    mark(e.repId, at(e), [0, 1, 2, 3]);
    mark(e.toRepId, at(e), [0, 1, 2, 3]);
  }
  await repo.upsertLeadReps(q, tenantId, [...rel.values()]);

  // Quotes and tasks: the reply may come before the request (out of order); both sides upsert one row.
  const quotes = new Map<string, repo.QuotePatch>();
  for (const e of [...of(events, 'quote_submitted'), ...of(events, 'quote_feedback')]) {
    let p = quotes.get(e.quoteId);
    if (!p) quotes.set(e.quoteId, (p = { quoteId: e.quoteId }));
    p.leadId ??= e.leadId;
    if (e.type === 'quote_submitted') {
      p.repId = e.repId;
      p.submittedAt = earliest(p.submittedAt, at(e));
    } else p.feedbackAt = earliest(p.feedbackAt, at(e));
  }
  for (const r of await repo.upsertQuotes(q, tenantId, [...quotes.values()])) if (r.submittedAt) mark(r.repId, r.submittedAt);

  const tasks = new Map<string, repo.TaskPatch>();
  for (const e of [...of(events, 'task_created'), ...of(events, 'task_responded')]) {
    let p = tasks.get(e.taskId);
    if (!p) tasks.set(e.taskId, (p = { taskId: e.taskId }));
    if (e.type === 'task_created') {
      p.repId = e.repId;
      p.leadId = e.leadId;
      p.createdAt = earliest(p.createdAt, at(e));
    } else p.respondedAt = earliest(p.respondedAt, at(e));
  }
  for (const r of await repo.upsertTasks(q, tenantId, [...tasks.values()])) if (r.createdAt) mark(r.repId, r.createdAt);

  const values = new Map<string, { repId: string; leadId: string; month: Date; updates: number }>();
  for (const e of of(events, 'value_metric_updated')) {
    const month = monthStart(at(e));
    const k = `${e.repId}\u0000${e.leadId}\u0000${month.toISOString()}`;
    const v = values.get(k);
    if (v) v.updates++;
    else values.set(k, { repId: e.repId, leadId: e.leadId, month, updates: 1 });
    mark(e.repId, at(e), [0, 1, 2]);
  }
  await repo.addValueUpdates(q, tenantId, [...values.values()]);

  const stages = new Map<string, repo.StagePatch>();
  for (const e of of(events, 'stage_changed')) {
    let p = stages.get(e.leadId);
    if (!p) stages.set(e.leadId, (p = { leadId: e.leadId }));
    p[e.stage] = earliest(p[e.stage], at(e));
  }
  await repo.upsertStages(q, tenantId, [...stages.values()]);
  // Stage times onto the customer-rep rows; a lost customer leaves the rep's customer base (value metrics, handover).
  const touchedLeads = new Set([...stages.keys(), ...[...rel.values()].map((p) => p.leadId)]);
  for (const r of await repo.syncStages(q, tenantId, [...touchedLeads])) if (r.lostAt) mark(r.repId, new Date(r.lostAt), [0, 1, 2, 3]);

  const departures = new Map<string, Date>();
  for (const e of of(events, 'rep_departed')) departures.set(e.repId, earliest(departures.get(e.repId), at(e)));
  await repo.upsertDepartures(q, tenantId, [...departures].map(([repId, departedAt]) => ({ repId, departedAt })));
  for (const [repId, d] of departures) mark(repId, d);
  // A handover completes (part of) the departed rep's departure month.
  const handedFrom = [...new Set(of(events, 'customer_handed_over').map((e) => e.repId))];
  for (const d of await repo.departuresOf(q, tenantId, handedFrom)) mark(d.repId, d.departedAt);
  return dirty;
}

import type { Queryable } from '../platform/db.js';
import { monthDate } from './months.js';

/** Stores events not seen before; returns the ids that were new. */
export async function insertActivities(
  q: Queryable,
  tenantId: string,
  events: { id: string; type: string; repId?: string; leadId?: string; at: string }[],
): Promise<Set<string>> {
  const rows = await q.query<{ id: string }>(
    `INSERT INTO coaching_activities (tenant_id, id, type, rep_id, lead_id, occurred_at, payload)
     SELECT $1, e.id, e.type, e.rep_id, e.lead_id, e.at, e.payload::jsonb
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[]) AS e(id, type, rep_id, lead_id, at, payload)
     ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id`,
    [
      tenantId, events.map((e) => e.id), events.map((e) => e.type), events.map((e) => e.repId ?? null), events.map((e) => e.leadId ?? null),
      events.map((e) => e.at), events.map((e) => JSON.stringify(e)),
    ],
  );
  return new Set(rows.map((r) => r.id));
}

export interface LeadRepPatch {
  leadId: string;
  repId: string;
  assignedAt?: Date;
  source?: 'crm' | 'handover';
  firstTouchAt?: Date;
  handedOverAt?: Date;
  handedTo?: string;
}

// least()/coalesce() keep the earliest time whichever order events arrive in.
export async function upsertLeadReps(q: Queryable, tenantId: string, rows: LeadRepPatch[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO coaching_lead_reps (tenant_id, lead_id, rep_id, assigned_at, source, first_touch_at, handed_over_at, handed_to)
     SELECT $1, x.lead_id, x.rep_id, x.assigned_at, x.source, x.first_touch_at, x.handed_over_at, x.handed_to
     FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::text[])
       AS x(lead_id, rep_id, assigned_at, source, first_touch_at, handed_over_at, handed_to)
     ON CONFLICT (tenant_id, lead_id, rep_id) DO UPDATE SET
       assigned_at = least(coaching_lead_reps.assigned_at, EXCLUDED.assigned_at),
       source = CASE WHEN EXCLUDED.source = 'crm' THEN 'crm' ELSE coalesce(coaching_lead_reps.source, EXCLUDED.source) END,
       first_touch_at = least(coaching_lead_reps.first_touch_at, EXCLUDED.first_touch_at),
       handed_over_at = least(coaching_lead_reps.handed_over_at, EXCLUDED.handed_over_at),
       handed_to = coalesce(coaching_lead_reps.handed_to, EXCLUDED.handed_to)`,
    [
      tenantId, rows.map((r) => r.leadId), rows.map((r) => r.repId), rows.map((r) => r.assignedAt ?? null), rows.map((r) => r.source ?? null),
      rows.map((r) => r.firstTouchAt ?? null), rows.map((r) => r.handedOverAt ?? null), rows.map((r) => r.handedTo ?? null),
    ],
  );
}

/**
 * Copies the customers' stage times onto their customer-rep rows (earliest wins): for leads whose
 * stages just changed, and for relationships that just appeared for a lead with earlier stages
 * (out of order). Returns the rows of lost customers among them (their rep-months need a recompute).
 */
export async function syncStages(q: Queryable, tenantId: string, leadIds: string[]): Promise<{ repId: string; lostAt: Date | null }[]> {
  if (leadIds.length === 0) return [];
  return q.query(
    `UPDATE coaching_lead_reps r SET responded_at = least(r.responded_at, s.responded_at), need_at = least(r.need_at, s.need_at),
       demo_at = least(r.demo_at, s.demo_at), signed_at = least(r.signed_at, s.signed_at), lost_at = least(r.lost_at, s.lost_at)
     FROM coaching_lead_stages s
     WHERE r.tenant_id = $1 AND r.lead_id = ANY($2::text[]) AND s.tenant_id = $1 AND s.lead_id = r.lead_id
       AND (r.responded_at IS DISTINCT FROM least(r.responded_at, s.responded_at) OR r.need_at IS DISTINCT FROM least(r.need_at, s.need_at)
         OR r.demo_at IS DISTINCT FROM least(r.demo_at, s.demo_at) OR r.signed_at IS DISTINCT FROM least(r.signed_at, s.signed_at)
         OR r.lost_at IS DISTINCT FROM least(r.lost_at, s.lost_at))
     RETURNING r.rep_id AS "repId", r.lost_at AS "lostAt"`,
    [tenantId, leadIds],
  );
}

export interface QuotePatch {
  quoteId: string;
  repId?: string;
  leadId?: string;
  submittedAt?: Date;
  feedbackAt?: Date;
}

export async function upsertQuotes(q: Queryable, tenantId: string, rows: QuotePatch[]): Promise<{ repId: string | null; submittedAt: Date | null }[]> {
  if (rows.length === 0) return [];
  return q.query(
    `INSERT INTO coaching_quotes (tenant_id, quote_id, rep_id, lead_id, submitted_at, feedback_at)
     SELECT $1, x.quote_id, x.rep_id, x.lead_id, x.submitted_at, x.feedback_at
     FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[]) AS x(quote_id, rep_id, lead_id, submitted_at, feedback_at)
     ON CONFLICT (tenant_id, quote_id) DO UPDATE SET
       rep_id = coalesce(EXCLUDED.rep_id, coaching_quotes.rep_id), lead_id = coalesce(coaching_quotes.lead_id, EXCLUDED.lead_id),
       submitted_at = least(coaching_quotes.submitted_at, EXCLUDED.submitted_at), feedback_at = least(coaching_quotes.feedback_at, EXCLUDED.feedback_at)
     RETURNING rep_id AS "repId", submitted_at AS "submittedAt"`,
    [tenantId, rows.map((r) => r.quoteId), rows.map((r) => r.repId ?? null), rows.map((r) => r.leadId ?? null), rows.map((r) => r.submittedAt ?? null), rows.map((r) => r.feedbackAt ?? null)],
  );
}

export interface TaskPatch {
  taskId: string;
  repId?: string;
  leadId?: string;
  createdAt?: Date;
  respondedAt?: Date;
}

export async function upsertTasks(q: Queryable, tenantId: string, rows: TaskPatch[]): Promise<{ repId: string | null; createdAt: Date | null }[]> {
  if (rows.length === 0) return [];
  return q.query(
    `INSERT INTO coaching_tasks (tenant_id, task_id, rep_id, lead_id, created_at, responded_at)
     SELECT $1, x.task_id, x.rep_id, x.lead_id, x.created_at, x.responded_at
     FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[]) AS x(task_id, rep_id, lead_id, created_at, responded_at)
     ON CONFLICT (tenant_id, task_id) DO UPDATE SET
       rep_id = coalesce(EXCLUDED.rep_id, coaching_tasks.rep_id), lead_id = coalesce(coaching_tasks.lead_id, EXCLUDED.lead_id),
       created_at = least(coaching_tasks.created_at, EXCLUDED.created_at), responded_at = least(coaching_tasks.responded_at, EXCLUDED.responded_at)
     RETURNING rep_id AS "repId", created_at AS "createdAt"`,
    [tenantId, rows.map((r) => r.taskId), rows.map((r) => r.repId ?? null), rows.map((r) => r.leadId ?? null), rows.map((r) => r.createdAt ?? null), rows.map((r) => r.respondedAt ?? null)],
  );
}

export async function addValueUpdates(q: Queryable, tenantId: string, rows: { repId: string; leadId: string; month: Date; updates: number }[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO coaching_value_updates (tenant_id, rep_id, lead_id, month, updates)
     SELECT $1, x.rep_id, x.lead_id, x.month, x.updates FROM unnest($2::text[], $3::text[], $4::date[], $5::int[]) AS x(rep_id, lead_id, month, updates)
     ON CONFLICT (tenant_id, rep_id, month, lead_id) DO UPDATE SET updates = coaching_value_updates.updates + EXCLUDED.updates`,
    [tenantId, rows.map((r) => r.repId), rows.map((r) => r.leadId), rows.map((r) => monthDate(r.month)), rows.map((r) => r.updates)],
  );
}

export interface StagePatch {
  leadId: string;
  response?: Date;
  need_clarified?: Date;
  demo_accepted?: Date;
  contract_signed?: Date;
  lost?: Date;
}

export async function upsertStages(q: Queryable, tenantId: string, rows: StagePatch[]): Promise<void> {
  if (rows.length === 0) return;
  const col = (k: keyof Omit<StagePatch, 'leadId'>) => rows.map((r) => r[k] ?? null);
  await q.query(
    `INSERT INTO coaching_lead_stages (tenant_id, lead_id, responded_at, need_at, demo_at, signed_at, lost_at)
     SELECT $1, x.* FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[])
       AS x(lead_id, responded_at, need_at, demo_at, signed_at, lost_at)
     ON CONFLICT (tenant_id, lead_id) DO UPDATE SET
       responded_at = least(coaching_lead_stages.responded_at, EXCLUDED.responded_at), need_at = least(coaching_lead_stages.need_at, EXCLUDED.need_at),
       demo_at = least(coaching_lead_stages.demo_at, EXCLUDED.demo_at), signed_at = least(coaching_lead_stages.signed_at, EXCLUDED.signed_at),
       lost_at = least(coaching_lead_stages.lost_at, EXCLUDED.lost_at)`,
    [tenantId, rows.map((r) => r.leadId), col('response'), col('need_clarified'), col('demo_accepted'), col('contract_signed'), col('lost')],
  );
}

export async function upsertDepartures(q: Queryable, tenantId: string, rows: { repId: string; departedAt: Date }[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO coaching_departures (tenant_id, rep_id, departed_at) SELECT $1, x.rep_id, x.at FROM unnest($2::text[], $3::timestamptz[]) AS x(rep_id, at)
     ON CONFLICT (tenant_id, rep_id) DO UPDATE SET departed_at = least(coaching_departures.departed_at, EXCLUDED.departed_at)`,
    [tenantId, rows.map((r) => r.repId), rows.map((r) => r.departedAt)],
  );
}

export async function departuresOf(q: Queryable, tenantId: string, repIds: string[]): Promise<{ repId: string; departedAt: Date }[]> {
  if (repIds.length === 0) return [];
  return q.query(`SELECT rep_id AS "repId", departed_at AS "departedAt" FROM coaching_departures WHERE tenant_id = $1 AND rep_id = ANY($2::text[])`, [tenantId, repIds]);
}

// ---- recompute bookkeeping ----

export async function markDirty(q: Queryable, tenantId: string, rows: { repId: string; month: Date }[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO coaching_dirty (tenant_id, rep_id, month) SELECT $1, x.rep_id, x.month FROM unnest($2::text[], $3::date[]) AS x(rep_id, month)
     ON CONFLICT (tenant_id, rep_id, month) DO UPDATE SET marked_at = now()`,
    [tenantId, rows.map((r) => r.repId), rows.map((r) => monthDate(r.month))],
  );
}

// marked_at travels as text: a JS Date would drop the microseconds and the mark would never match again.
export async function dirtyRepMonths(q: Queryable, tenantId: string, limit = 5000): Promise<{ repId: string; month: string; markedAt: string }[]> {
  return q.query(
    `SELECT rep_id AS "repId", to_char(month, 'YYYY-MM') AS month, marked_at::text AS "markedAt" FROM coaching_dirty WHERE tenant_id = $1 ORDER BY rep_id, month LIMIT $2`,
    [tenantId, limit],
  );
}

/** Clears the marks that were read (a mark set again meanwhile has a later time and stays). */
export async function clearDirty(q: Queryable, tenantId: string, rows: { repId: string; month: string; markedAt: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await q.query(
    `DELETE FROM coaching_dirty d USING unnest($2::text[], $3::text[], $4::timestamptz[]) AS x(rep_id, month, marked_at)
     WHERE d.tenant_id = $1 AND d.rep_id = x.rep_id AND d.month = to_date(x.month, 'YYYY-MM') AND d.marked_at <= x.marked_at`,
    [tenantId, rows.map((r) => r.repId), rows.map((r) => r.month), rows.map((r) => r.markedAt)],
  );
}

export async function tenantsWithReps(q: Queryable): Promise<string[]> {
  return (await q.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM coaching_activities')).map((r) => r.tenant_id);
}

export async function saveHealthMonth(q: Queryable, tenantId: string, repId: string, month: string, score: number | null, metrics: unknown): Promise<void> {
  await q.query(
    `INSERT INTO coaching_health_months (tenant_id, rep_id, month, score, metrics) VALUES ($1, $2, to_date($3, 'YYYY-MM'), $4, $5)
     ON CONFLICT (tenant_id, rep_id, month) DO UPDATE SET score = EXCLUDED.score, metrics = EXCLUDED.metrics, computed_at = now()`,
    [tenantId, repId, month, score, JSON.stringify(metrics)],
  );
}

export async function healthHistory(q: Queryable, tenantId: string, repId: string): Promise<{ month: string; score: number | null }[]> {
  return q.query(
    `SELECT to_char(month, 'YYYY-MM') AS month, score FROM coaching_health_months WHERE tenant_id = $1 AND rep_id = $2 ORDER BY month`,
    [tenantId, repId],
  );
}

/** Each rep's stored score of their latest closed month (ranking top performers; the open month is still moving). */
export async function latestScores(q: Queryable, tenantId: string, repIds: string[], now = new Date()): Promise<Map<string, number>> {
  if (repIds.length === 0) return new Map();
  const rows = await q.query<{ rep_id: string; score: number }>(
    `SELECT DISTINCT ON (rep_id) rep_id, score FROM coaching_health_months
     WHERE tenant_id = $1 AND rep_id = ANY($2::text[]) AND score IS NOT NULL AND month < $3::date ORDER BY rep_id, month DESC`,
    [tenantId, repIds, now.toISOString().slice(0, 7) + '-01'],
  );
  return new Map(rows.map((r) => [r.rep_id, Number(r.score)]));
}

/** Of these reps, those without a health snapshot of `month` computed after the month ended. */
export async function repsNeedingClose(q: Queryable, tenantId: string, repIds: string[], month: Date): Promise<string[]> {
  if (repIds.length === 0) return [];
  const done = await q.query<{ rep_id: string }>(
    `SELECT rep_id FROM coaching_health_months WHERE tenant_id = $1 AND rep_id = ANY($2::text[]) AND month = $3::date
       AND computed_at >= ($3::date + interval '1 month')`,
    [tenantId, repIds, monthDate(month)],
  );
  const skip = new Set(done.map((r) => r.rep_id));
  return repIds.filter((id) => !skip.has(id));
}

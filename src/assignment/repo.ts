import { randomUUID } from 'node:crypto';
import type { Queryable } from '../platform/db.js';

export interface RepRow {
  id: string;
  name: string;
  email: string | null;
  industries: string[];
  skills: string[];
  capacity: number;
  active: boolean;
  timezone: string;
  working_hours: unknown;
  wecom_webhook: string | null;
  team?: string | null;
  manager_id?: string | null;
  open_leads: number;
  last_assigned_at: Date | null;
  updated_at: Date;
}

export interface LeadRow {
  tenant_id: string;
  id: string;
  source: string;
  industry: string;
  budget_band: string | null;
  tech_need: string | null;
  region: string | null;
  intent_score: number | null;
  concerns: string[];
  company: string | null;
  contact_name: string | null;
  status: 'assigned' | 'pool' | 'closed';
  rep_id: string | null;
  assigned_at: Date | null;
  first_touch_at: Date | null;
  sla_deadline: Date | null;
  sla_state: 'pending' | 'met' | 'breached' | null;
  sla_round: number;
  created_at: Date;
}

export type LogKind = 'auto' | 'pool' | 'import' | 'override' | 'claim' | 'sla_reassign' | 'sla_escalate';

export interface LogRow {
  id: string;
  lead_id: string;
  kind: LogKind;
  rep_id: string | null;
  previous_rep_id: string | null;
  rule_version: number | null;
  score: number | null;
  industry_match: number | null;
  breakdown: unknown;
  reasons: string[];
  candidates: unknown;
  note: string | null;
  actor: string | null;
  created_at: Date;
}

export async function upsertRep(q: Queryable, tenantId: string, r: Omit<RepRow, 'open_leads' | 'last_assigned_at' | 'updated_at'>): Promise<RepRow> {
  const rows = await q.query<RepRow>(
    `INSERT INTO reps (tenant_id, id, name, email, industries, skills, capacity, active, timezone, working_hours, wecom_webhook, team, manager_id)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)
     ON CONFLICT (tenant_id, id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, industries = EXCLUDED.industries,
       skills = EXCLUDED.skills, capacity = EXCLUDED.capacity, active = EXCLUDED.active, timezone = EXCLUDED.timezone,
       working_hours = EXCLUDED.working_hours, wecom_webhook = EXCLUDED.wecom_webhook, team = EXCLUDED.team, manager_id = EXCLUDED.manager_id, updated_at = now()
     RETURNING *`,
    [tenantId, r.id, r.name, r.email, r.industries, r.skills, r.capacity, r.active, r.timezone, JSON.stringify(r.working_hours ?? null), r.wecom_webhook, r.team ?? null, r.manager_id ?? null],
  );
  return rows[0]!;
}

export async function listReps(q: Queryable, tenantId: string): Promise<RepRow[]> {
  return q.query<RepRow>('SELECT * FROM reps WHERE tenant_id = $1 ORDER BY id', [tenantId]);
}

/** What scoring needs of every rep, as one JSON value: no per-row, per-column parsing in the driver. */
export async function listRepProfiles(q: Queryable, tenantId: string): Promise<
  { id: string; name: string; industries: string[]; skills: string[]; capacity: number; open_leads: number; active: boolean; last_assigned_ms: number | null }[]
> {
  const rows = await q.query<{ j: string }>(
    `SELECT coalesce(json_agg(json_build_array(id, name, industries, skills, capacity, open_leads, active, extract(epoch FROM last_assigned_at) * 1000) ORDER BY id), '[]')::text AS j
     FROM reps WHERE tenant_id = $1`,
    [tenantId],
  );
  return (JSON.parse(rows[0]!.j) as [string, string, string[], string[], number, number, boolean, number | null][]).map((r) => ({
    id: r[0], name: r[1], industries: r[2], skills: r[3], capacity: r[4], open_leads: r[5], active: r[6], last_assigned_ms: r[7],
  }));
}

export async function findRep(q: Queryable, tenantId: string, id: string): Promise<RepRow | undefined> {
  return (await q.query<RepRow>('SELECT * FROM reps WHERE tenant_id = $1 AND id = $2', [tenantId, id]))[0];
}

/**
 * Takes one slot of a rep's capacity, atomically: the row-level condition is what keeps
 * concurrent assignments from pushing a rep past capacity (no table lock needed).
 */
export async function takeSlot(q: Queryable, tenantId: string, repId: string): Promise<boolean> {
  const rows = await q.query(
    `UPDATE reps SET open_leads = open_leads + 1, last_assigned_at = clock_timestamp()
     WHERE tenant_id = $1 AND id = $2 AND active AND open_leads < capacity RETURNING id`,
    [tenantId, repId],
  );
  return rows.length > 0;
}

/** Like takeSlot, but for imports and overrides, which a manager may push past capacity. */
export async function forceSlot(q: Queryable, tenantId: string, repId: string): Promise<void> {
  await q.query(`UPDATE reps SET open_leads = open_leads + 1, last_assigned_at = clock_timestamp() WHERE tenant_id = $1 AND id = $2`, [tenantId, repId]);
}

export async function releaseSlot(q: Queryable, tenantId: string, repId: string): Promise<void> {
  await q.query('UPDATE reps SET open_leads = greatest(open_leads - 1, 0) WHERE tenant_id = $1 AND id = $2', [tenantId, repId]);
}

/** Inserts the lead unless it exists; returns false for a repeat (the first request decided it). */
export async function insertLead(q: Queryable, l: Omit<LeadRow, 'created_at' | 'first_touch_at' | 'sla_round'>): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO leads (tenant_id, id, source, industry, budget_band, tech_need, region, intent_score, concerns, company, contact_name,
       status, rep_id, assigned_at, sla_deadline, sla_state, sla_round)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16, CASE WHEN $13::text IS NULL THEN 0 ELSE 1 END)
     ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id`,
    [l.tenant_id, l.id, l.source, l.industry, l.budget_band, l.tech_need, l.region, l.intent_score, l.concerns, l.company, l.contact_name,
      l.status, l.rep_id, l.assigned_at, l.sla_deadline, l.sla_state],
  );
  return rows.length > 0;
}

export async function findLead(q: Queryable, tenantId: string, id: string, forUpdate = false): Promise<LeadRow | undefined> {
  return (await q.query<LeadRow>(`SELECT * FROM leads WHERE tenant_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [tenantId, id]))[0];
}

/** Moves a lead to a rep and starts a new SLA round. */
export async function setOwner(q: Queryable, tenantId: string, leadId: string, repId: string, slaDeadline: Date | null): Promise<number> {
  const rows = await q.query<{ sla_round: number }>(
    `UPDATE leads SET status = 'assigned', rep_id = $3, assigned_at = now(), first_touch_at = NULL, sla_deadline = $4,
       sla_state = CASE WHEN $4::timestamptz IS NULL THEN NULL ELSE 'pending' END, sla_round = sla_round + 1
     WHERE tenant_id = $1 AND id = $2 RETURNING sla_round`,
    [tenantId, leadId, repId, slaDeadline],
  );
  return rows[0]!.sla_round;
}

export async function markTouched(q: Queryable, tenantId: string, leadId: string, at: Date): Promise<LeadRow | undefined> {
  const rows = await q.query<LeadRow>(
    `UPDATE leads SET first_touch_at = coalesce(first_touch_at, $3),
       sla_state = CASE WHEN sla_state = 'pending' AND $3 <= sla_deadline THEN 'met' ELSE sla_state END
     WHERE tenant_id = $1 AND id = $2 RETURNING *`,
    [tenantId, leadId, at],
  );
  return rows[0];
}

/** Claims the SLA breach of one round exactly once (a retried or duplicated job gets false). */
export async function claimBreach(q: Queryable, tenantId: string, leadId: string, round: number): Promise<LeadRow | undefined> {
  const rows = await q.query<LeadRow>(
    `UPDATE leads SET sla_state = 'breached'
     WHERE tenant_id = $1 AND id = $2 AND sla_round = $3 AND sla_state = 'pending' AND first_touch_at IS NULL AND sla_deadline <= now()
     RETURNING *`,
    [tenantId, leadId, round],
  );
  return rows[0];
}

export async function pendingSla(q: Queryable): Promise<Pick<LeadRow, 'tenant_id' | 'id' | 'sla_round' | 'sla_deadline'>[]> {
  return q.query(`SELECT tenant_id, id, sla_round, sla_deadline FROM leads WHERE sla_state = 'pending'`);
}

export async function insertLog(q: Queryable, tenantId: string, e: Omit<LogRow, 'id' | 'created_at'>): Promise<string> {
  const id = randomUUID();
  await q.query(
    `INSERT INTO assignment_log (id, tenant_id, lead_id, kind, rep_id, previous_rep_id, rule_version, score, industry_match, breakdown, reasons, candidates, note, actor)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
    [id, tenantId, e.lead_id, e.kind, e.rep_id, e.previous_rep_id, e.rule_version, e.score, e.industry_match,
      e.breakdown === null ? null : JSON.stringify(e.breakdown), e.reasons, e.candidates === null ? null : JSON.stringify(e.candidates), e.note, e.actor],
  );
  return id;
}

export async function latestLog(q: Queryable, tenantId: string, leadId: string): Promise<LogRow | undefined> {
  return (await q.query<LogRow>('SELECT * FROM assignment_log WHERE tenant_id = $1 AND lead_id = $2 ORDER BY created_at DESC LIMIT 1', [tenantId, leadId]))[0];
}

export async function queryLog(
  q: Queryable,
  tenantId: string,
  f: { repId?: string; from?: Date; to?: Date; kind?: LogKind; ruleVersion?: number; limit: number },
): Promise<LogRow[]> {
  return q.query<LogRow>(
    `SELECT * FROM assignment_log WHERE tenant_id = $1
       AND ($2::text IS NULL OR rep_id = $2) AND ($3::timestamptz IS NULL OR created_at >= $3) AND ($4::timestamptz IS NULL OR created_at < $4)
       AND ($5::text IS NULL OR kind = $5) AND ($6::int IS NULL OR rule_version = $6)
     ORDER BY created_at DESC LIMIT $7`,
    [tenantId, f.repId ?? null, f.from ?? null, f.to ?? null, f.kind ?? null, f.ruleVersion ?? null, f.limit],
  );
}

export async function latestRules(q: Queryable, tenantId: string): Promise<{ version: number; rules: unknown } | undefined> {
  return (await q.query<{ version: number; rules: unknown }>(
    'SELECT version, rules FROM assignment_rule_sets WHERE tenant_id = $1 ORDER BY version DESC LIMIT 1',
    [tenantId],
  ))[0];
}

export async function saveRules(q: Queryable, tenantId: string, rules: unknown, actor: string): Promise<number> {
  const rows = await q.query<{ version: number }>(
    `INSERT INTO assignment_rule_sets (tenant_id, version, rules, created_by)
     SELECT $1, coalesce(max(version), 0) + 1, $2, $3 FROM assignment_rule_sets WHERE tenant_id = $1 RETURNING version`,
    [tenantId, JSON.stringify(rules), actor],
  );
  return rows[0]!.version;
}

export async function insertOutcomes(
  q: Queryable,
  tenantId: string,
  rows: { id: string; leadId?: string; repId: string; segment: string; result: 'won' | 'lost'; closedAt: Date }[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await q.query(
    `INSERT INTO lead_outcomes (tenant_id, id, lead_id, rep_id, segment, result, closed_at)
     SELECT $1, o.id, o.lead_id, o.rep_id, o.segment, o.result, o.closed_at
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[]) AS o(id, lead_id, rep_id, segment, result, closed_at)
     ON CONFLICT (tenant_id, id) DO NOTHING RETURNING id`,
    [tenantId, rows.map((r) => r.id), rows.map((r) => r.leadId ?? null), rows.map((r) => r.repId), rows.map((r) => r.segment), rows.map((r) => r.result), rows.map((r) => r.closedAt)],
  );
  return inserted.length;
}

/** Outcomes of the window (since, until], counted per rep and segment in the database. */
export async function outcomeTallies(q: Queryable, tenantId: string, since: Date, until: Date) {
  return q.query<{ repId: string; segment: string; won: number; n: number }>(
    `SELECT rep_id AS "repId", segment, (count(*) FILTER (WHERE result = 'won'))::int AS won, count(*)::int AS n
     FROM lead_outcomes WHERE tenant_id = $1 AND closed_at > $2 AND closed_at <= $3 GROUP BY rep_id, segment`,
    [tenantId, since, until],
  );
}

/** Closes a lead (an outcome arrived) and frees its rep's slot once. */
export async function closeLead(q: Queryable, tenantId: string, leadId: string): Promise<string | null> {
  const rows = await q.query<{ rep_id: string | null }>(
    `UPDATE leads SET status = 'closed', sla_state = CASE WHEN sla_state = 'pending' THEN NULL ELSE sla_state END
     WHERE tenant_id = $1 AND id = $2 AND status = 'assigned' RETURNING rep_id`,
    [tenantId, leadId],
  );
  return rows[0]?.rep_id ?? null;
}

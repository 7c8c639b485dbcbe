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

/** Pending first-touch deadlines of a tenant that have passed, oldest first. */
export async function dueSla(q: Queryable, tenantId: string, limit: number): Promise<Pick<LeadRow, 'id' | 'sla_round'>[]> {
  return q.query(
    `SELECT id, sla_round FROM leads WHERE sla_state = 'pending' AND sla_deadline <= now() AND first_touch_at IS NULL AND tenant_id = $1 ORDER BY sla_deadline LIMIT $2`,
    [tenantId, limit],
  );
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

// ---- the hot path: one round trip to read a tenant's state, one statement to assign ----

export interface AssignmentSnapshot {
  versions: { reps: number; rules: number; outcomes: number };
  rules: { version: number; rules: unknown } | null;
  reps: { id: string; name: string; industries: string[]; skills: string[]; capacity: number; open_leads: number; active: boolean; last_assigned_ms: number | null; wecom_webhook: string | null }[];
}

/** Version counters, the latest rule set and every rep, read in one statement (one snapshot). */
export async function assignmentSnapshot(q: Queryable, tenantId: string): Promise<AssignmentSnapshot> {
  const rows = await q.query<{ j: string }>(
    `SELECT json_build_array(
       (SELECT json_build_array(reps, rules, outcomes) FROM assignment_versions WHERE tenant_id = $1),
       (SELECT json_build_object('version', version, 'rules', rules) FROM assignment_rule_sets WHERE tenant_id = $1 ORDER BY version DESC LIMIT 1),
       (SELECT coalesce(json_agg(json_build_array(id, name, industries, skills, capacity, open_leads, active, extract(epoch FROM last_assigned_at) * 1000, wecom_webhook) ORDER BY id), '[]')
          FROM reps WHERE tenant_id = $1)
     )::text AS j`,
    [tenantId],
  );
  const [v, rules, reps] = JSON.parse(rows[0]!.j) as [[number, number, number] | null, { version: number; rules: unknown } | null, [string, string, string[], string[], number, number, boolean, number | null, string | null][]];
  return {
    versions: { reps: v?.[0] ?? 0, rules: v?.[1] ?? 0, outcomes: v?.[2] ?? 0 },
    rules,
    reps: reps.map((r) => ({ id: r[0], name: r[1], industries: r[2], skills: r[3], capacity: r[4], open_leads: r[5], active: r[6], last_assigned_ms: r[7], wecom_webhook: r[8] })),
  };
}

type NewLeadRow = Omit<LeadRow, 'created_at' | 'first_touch_at' | 'sla_round' | 'status' | 'rep_id' | 'assigned_at' | 'sla_deadline' | 'sla_state'>;

const LEAD_COLUMNS = 'tenant_id, id, source, industry, budget_band, tech_need, region, intent_score, concerns, company, contact_name';
const LEAD_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'float8', 'text[]', 'text', 'text'];
/** $1 is the tenant; the lead's columns follow from $`from` on, typed (the values pass through INSERT … SELECT). */
const leadValues = (from: number) => ['$1::text', ...LEAD_TYPES.map((t, i) => `$${from + i}::${t}`)].join(', ');
const leadParams = (l: NewLeadRow) => [l.id, l.source, l.industry, l.budget_band, l.tech_need, l.region, l.intent_score, l.concerns, l.company, l.contact_name];
// The counters the caller decided on ($3 reps, $4 rules); a tenant without a row is at 0.
const CURRENT_VERSIONS = `cur AS (
  SELECT coalesce(max(reps), 0)::int AS reps, coalesce(max(rules), 0)::int AS rules, coalesce(max(outcomes), 0)::int AS outcomes
  FROM assignment_versions WHERE tenant_id = $1)`;

/** One lead of a batch for `assignMany`: the rep decided on and everything written when its slot is taken. */
export interface AssignItem {
  repId: string;
  lead: NewLeadRow;
  slaDeadline: Date;
  log: Pick<LogRow, 'rule_version' | 'score' | 'industry_match' | 'breakdown' | 'reasons' | 'candidates' | 'actor'>;
  event: { dedupeKey: string; payload: Record<string, unknown>; wecom?: { webhookUrl: string; markdown: string } };
}

/** One lead of a batch for `assignMany` that goes to the pool (no eligible rep, or a source not assigned automatically). */
export interface PoolItem {
  lead: NewLeadRow;
  log: Pick<LogRow, 'rule_version' | 'reasons' | 'candidates' | 'note' | 'actor'>;
}

export interface RepSeen {
  open: number;
  capacity: number;
  active: boolean;
  lastAssignedMs: number | null;
}

export interface BatchResult {
  versions: { reps: number; rules: number; outcomes: number };
  /** The pool items were written (all of them: only the counters can stop them). */
  pooled: boolean;
  /** Per item, in order. */
  items: {
    /** The slot was taken and the lead, its log row and its outbox event written. */
    assigned: boolean;
    /** The rep as the database has it: after the update when assigned, else as it stood. */
    rep: RepSeen | null;
    /** The brief's outbox event when it has somewhere to go (dispatch it after commit); null when there is nothing to deliver. */
    eventId: string | null;
  }[];
}

/**
 * Assigns a batch of new leads in one statement — one round trip and one commit for all of them.
 * For each rep the batch names, its slots are taken only if the rep is active, has room for all
 * of the batch's leads for it (all or none of them), and the reps/rules counters are the ones
 * the decisions were made on; then each lead whose rep's slots were taken is inserted with its
 * log row and its `lead.assigned` outbox event (recorded as already dispatched when no endpoint
 * is subscribed and the rep has no WeCom hook: what the delivery job would conclude). Leads whose
 * rep had no room are not written and answer `assigned: false`. Pool items (leads no rep can take)
 * are filed in the pool with their log row in the same statement, under the same counters check.
 * A lead id that exists (or appears twice) raises a unique violation (23505) and the statement
 * is undone as a whole.
 */
export async function assignMany(
  q: Queryable,
  tenantId: string,
  versions: { reps: number; rules: number },
  items: AssignItem[],
  pools: PoolItem[] = [],
): Promise<BatchResult> {
  const poolInput = pools.map((p) => ({
    id: p.lead.id, source: p.lead.source, industry: p.lead.industry, budget_band: p.lead.budget_band, tech_need: p.lead.tech_need, region: p.lead.region,
    intent_score: p.lead.intent_score, concerns: p.lead.concerns, company: p.lead.company, contact_name: p.lead.contact_name,
    log_id: randomUUID(), rule_version: p.log.rule_version, reasons: p.log.reasons, candidates: p.log.candidates, note: p.log.note, actor: p.log.actor,
  }));
  const input = items.map((a, i) => ({
    ord: i, rep_id: a.repId, id: a.lead.id, source: a.lead.source, industry: a.lead.industry, budget_band: a.lead.budget_band, tech_need: a.lead.tech_need,
    region: a.lead.region, intent_score: a.lead.intent_score, concerns: a.lead.concerns, company: a.lead.company, contact_name: a.lead.contact_name,
    sla_deadline: a.slaDeadline.toISOString(), log_id: randomUUID(), rule_version: a.log.rule_version, score: a.log.score, industry_match: a.log.industry_match,
    breakdown: a.log.breakdown, reasons: a.log.reasons, candidates: a.log.candidates, actor: a.log.actor,
    event_id: randomUUID(), dedupe_key: a.event.dedupeKey, payload: a.event.payload, wecom: a.event.wecom ?? null,
  }));
  const rows = await q.query<{ j: string }>(
    `WITH ${CURRENT_VERSIONS},
     x AS (
       SELECT * FROM jsonb_to_recordset($4::jsonb) AS x(
         ord int, rep_id text, id text, source text, industry text, budget_band text, tech_need text, region text, intent_score float8,
         concerns text[], company text, contact_name text, sla_deadline timestamptz, log_id uuid, rule_version int, score float8,
         industry_match float8, breakdown jsonb, reasons text[], candidates jsonb, actor text, event_id uuid, dedupe_key text, payload jsonb, wecom jsonb)
     ),
     want AS (SELECT rep_id, count(*)::int AS k FROM x GROUP BY rep_id),
     slot AS (
       UPDATE reps r SET open_leads = r.open_leads + want.k, last_assigned_at = clock_timestamp()
       FROM want, cur
       WHERE r.tenant_id = $1 AND r.id = want.rep_id AND r.active AND r.open_leads + want.k <= r.capacity AND cur.reps = $2 AND cur.rules = $3
       RETURNING r.id, r.open_leads, r.capacity, r.active, r.last_assigned_at
     ),
     lead AS (
       INSERT INTO leads (${LEAD_COLUMNS}, status, rep_id, assigned_at, sla_deadline, sla_state, sla_round)
       SELECT $1, x.id, x.source, x.industry, x.budget_band, x.tech_need, x.region, x.intent_score, coalesce(x.concerns, '{}'), x.company, x.contact_name,
         'assigned', x.rep_id, slot.last_assigned_at, x.sla_deadline, 'pending', 1
       FROM x JOIN slot ON slot.id = x.rep_id
       RETURNING id
     ),
     log AS (
       INSERT INTO assignment_log (id, tenant_id, lead_id, kind, rep_id, rule_version, score, industry_match, breakdown, reasons, candidates, actor)
       SELECT x.log_id, $1, x.id, 'auto', x.rep_id, x.rule_version, x.score, x.industry_match, x.breakdown, coalesce(x.reasons, '{}'), x.candidates, x.actor
       FROM x JOIN lead ON lead.id = x.id
     ),
     subscribed AS (
       SELECT EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.tenant_id = $1 AND e.active AND 'lead.assigned' = ANY(e.events)) AS any
     ),
     ev AS (
       INSERT INTO outbox_events (id, tenant_id, type, dedupe_key, payload, wecom, dispatched_at)
       SELECT x.event_id, $1, 'lead.assigned', x.dedupe_key, x.payload, x.wecom,
         CASE WHEN subscribed.any OR x.wecom IS NOT NULL THEN NULL ELSE now() END
       FROM x JOIN lead ON lead.id = x.id JOIN slot ON slot.id = x.rep_id CROSS JOIN subscribed
       ON CONFLICT (tenant_id, dedupe_key) DO NOTHING
       RETURNING id, dispatched_at IS NULL AS deliver
     ),
     px AS (
       SELECT * FROM jsonb_to_recordset($5::jsonb) AS p(
         id text, source text, industry text, budget_band text, tech_need text, region text, intent_score float8, concerns text[],
         company text, contact_name text, log_id uuid, rule_version int, reasons text[], candidates jsonb, note text, actor text)
     ),
     plead AS (
       INSERT INTO leads (${LEAD_COLUMNS}, status, sla_round)
       SELECT $1, px.id, px.source, px.industry, px.budget_band, px.tech_need, px.region, px.intent_score, coalesce(px.concerns, '{}'), px.company, px.contact_name,
         'pool', 0
       FROM px, cur WHERE cur.reps = $2 AND cur.rules = $3
       RETURNING id
     ),
     plog AS (
       INSERT INTO assignment_log (id, tenant_id, lead_id, kind, rule_version, reasons, candidates, note, actor)
       SELECT px.log_id, $1, px.id, 'pool', px.rule_version, coalesce(px.reasons, '{}'), px.candidates, px.note, px.actor
       FROM px JOIN plead ON plead.id = px.id
     )
     SELECT json_build_array(
       cur.reps, cur.rules, cur.outcomes,
       (SELECT coalesce(json_agg(json_build_array(id, open_leads, capacity, active, extract(epoch FROM last_assigned_at) * 1000)), '[]') FROM slot),
       (SELECT coalesce(json_agg(json_build_array(r.id, r.open_leads, r.capacity, r.active, extract(epoch FROM r.last_assigned_at) * 1000)), '[]')
          FROM reps r JOIN want ON r.tenant_id = $1 AND r.id = want.rep_id WHERE r.id NOT IN (SELECT id FROM slot)),
       (SELECT coalesce(json_agg(id), '[]') FROM ev WHERE deliver),
       (SELECT count(*) FROM plead)
     )::text AS j FROM cur`,
    [tenantId, versions.reps, versions.rules, JSON.stringify(input), JSON.stringify(poolInput)],
    // Planning this statement costs more PostgreSQL CPU than running it for a few leads.
    { name: 'assignment.assign_many.v3' },
  );
  type RepTuple = [string, number, number, boolean, number | null];
  const [reps, rules, outcomes, taken, untaken, toDeliver, pooled] = JSON.parse(rows[0]!.j) as [number, number, number, RepTuple[], RepTuple[], string[], number];
  const seen = new Map<string, { rep: RepSeen; taken: boolean }>();
  for (const [list, ok] of [[taken, true], [untaken, false]] as const) {
    for (const r of list) seen.set(r[0], { rep: { open: r[1], capacity: r[2], active: r[3], lastAssignedMs: r[4] }, taken: ok });
  }
  const deliver = new Set(toDeliver);
  return {
    versions: { reps, rules, outcomes },
    pooled: pooled === pools.length && (pools.length === 0 || (reps === versions.reps && rules === versions.rules)),
    items: input.map((x) => {
      const s = seen.get(x.rep_id);
      return { assigned: s?.taken ?? false, rep: s?.rep ?? null, eventId: s?.taken && deliver.has(x.event_id) ? x.event_id : null };
    }),
  };
}


import type { FastifyBaseLogger } from 'fastify';
import { leadBriefMarkdown } from '../channels/lead-brief.js';
import { recentReading, type RecentReading } from '../signals/reading.js';
import type { Config } from '../config.js';
import { isUniqueViolation, type Db, type Queryable } from '../platform/db.js';
import { AppError, notFound } from '../platform/errors.js';
import { dispatch, recordEvent } from '../platform/outbox.js';
import type { JobQueue } from '../platform/queue.js';
import { assignInBatch, poolInBatch, type ItemResult } from './batcher.js';
import * as repo from './repo.js';
import { defaultRuleSet, validateRuleSet, type RuleSet } from './rules.js';
import { decide, industryMatch, type Decision, type LeadInput } from './scoring.js';
import { bumpLoad, invalidate, noteVersions, release, reload, reserve, tenantState } from './state.js';

export interface AssignmentDeps {
  db: Db;
  queue: JobQueue;
  config: Config;
  log: FastifyBaseLogger;
}

export interface NewLead extends LeadInput {
  id: string;
  company?: string;
  contactName?: string;
  /** Set by a CRM importing a lead it already assigned: recorded with that owner, not scored. */
  repId?: string;
}

export interface AssignResult {
  leadId: string;
  repId: string | null;
  score: number | null;
  breakdown: Decision['breakdown'];
  reasons: string[];
  candidates: Decision['candidates'];
  pool?: { reason: string };
  ruleVersion: number | null;
  kind: repo.LogKind;
  duplicate?: true;
}

// ---- rules: versioned per tenant; version 0 is the built-in default ----

export async function currentRules(db: Queryable, tenantId: string): Promise<{ version: number; rules: RuleSet }> {
  const stored = await repo.latestRules(db, tenantId);
  return stored ? { version: stored.version, rules: validateRuleSet(stored.rules) } : { version: 0, rules: defaultRuleSet() };
}

export async function saveRules(db: Db, tenantId: string, input: unknown, actor: string): Promise<{ version: number; rules: RuleSet }> {
  let rules: RuleSet;
  try {
    rules = validateRuleSet(input);
  } catch (err) {
    const issues = (err as { issues?: { path: string; message: string }[] }).issues;
    if (!issues) throw err;
    const fields = issues.map((i) => ({ field: i.path ? `body.${i.path}` : 'body', message: i.message }));
    throw new AppError(400, 'invalid_rules', `${fields[0]?.field}: ${fields[0]?.message}`, { fields });
  }
  const version = await repo.saveRules(db, tenantId, rules, actor);
  invalidate(db, tenantId);
  return { version, rules };
}

const slaDeadline = (rules: RuleSet) => new Date(Date.now() + rules.sla.firstTouchMinutes * 60_000);

// ---- assign ----

/** Decisions a lead may take before giving up: a version change or lost capacity races each cost one. */
const MAX_ATTEMPTS = 5;

/**
 * Decides and records in one request, deciding on this process's in-memory view of the tenant
 * (`state.ts`), and recording with one statement per try that concurrent requests share
 * (`batcher.ts`, `repo.assignMany`): the rep's slot is taken only if the rep is active and under
 * capacity and the rules and rep profiles are still the ones decided on; the lead's primary key
 * makes a repeated id return the first decision. A rep that filled up meanwhile passes the lead
 * to the next candidate; a changed rule set or rep profile re-reads the state and decides again.
 * The brief's outbox event is written by the same statement; its delivery and the SLA check are
 * queued after the answer.
 */
export async function assignLead(deps: AssignmentDeps, tenantId: string, lead: NewLead, actor: string): Promise<AssignResult> {
  const { db } = deps;
  if (lead.repId) {
    if (await repo.findLead(db, tenantId, lead.id)) return replay(db, tenantId, lead.id);
    return importLead(deps, tenantId, lead, actor);
  }
  // The brief shows what the lead read on the website lately (usually nothing yet for a new lead).
  const [first, reading] = await Promise.all([
    tenantState(db, tenantId),
    recentReading(db, deps.config.SIGNALS_IDLE_LIMIT_SEC * 1000, tenantId, lead.id),
  ]);
  let state = first;
  let readNow = false; // whether this request has read the state itself
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { rules, ruleVersion: version, versions } = state;
    const decision = decide(lead, state.reps, rules, state.memo);

    if (decision.candidates.length === 0) {
      const byRule = !rules.autoAssign || !rules.autoAssignSources.includes(lead.source);
      // "Every rep is full or inactive" may come from an old view: confirm it before pooling.
      if (!byRule && !readNow) {
        state = await reload(db, tenantId);
        readNow = true;
        continue;
      }
      const pool = decision.pool ?? { reason: 'no eligible rep' };
      let res;
      try {
        res = await poolInBatch(db, tenantId, versions, {
          lead: newLeadRow(tenantId, lead),
          log: { rule_version: version, reasons: decision.reasons, candidates: decision.candidates, note: pool.reason, actor },
        });
      } catch (err) {
        if (isUniqueViolation(err)) return replay(db, tenantId, lead.id);
        throw err;
      }
      if (!res.pooled) {
        noteVersions(db, tenantId, state, res.versions);
        state = await reload(db, tenantId);
        readNow = true;
        continue;
      }
      return { leadId: lead.id, repId: null, score: null, breakdown: null, reasons: decision.reasons, candidates: decision.candidates, pool, ruleVersion: version, kind: 'pool' };
    }

    let stale = false;
    for (const c of decision.candidates) {
      const deadline = slaDeadline(rules);
      reserve(db, tenantId, c.repId);
      let res: ItemResult;
      try {
        res = await assignInBatch(db, tenantId, versions, {
          repId: c.repId, lead: newLeadRow(tenantId, lead), slaDeadline: deadline,
          log: { rule_version: version, score: c.score, industry_match: c.breakdown.industry.value, breakdown: c.breakdown, reasons: c.reasons, candidates: decision.candidates, actor },
          event: briefEventFor(lead, state.byId.get(c.repId) ?? { id: c.repId, wecomWebhook: null }, 1, c.reasons, reading),
        });
      } catch (err) {
        release(db, tenantId, c.repId);
        if (isUniqueViolation(err)) return replay(db, tenantId, lead.id);
        throw err;
      }
      release(db, tenantId, c.repId, res.rep);
      if (!noteVersions(db, tenantId, state, res.versions)) {
        stale = true;
        break;
      }
      if (!res.assigned) continue; // filled up (or went inactive) since the view was read: next candidate
      afterCommit(deps, tenantId, lead.id, res.eventId, deadline);
      return { leadId: lead.id, repId: c.repId, score: c.score, breakdown: c.breakdown, reasons: c.reasons, candidates: decision.candidates, ruleVersion: version, kind: 'auto' };
    }
    if (stale) {
      state = await reload(db, tenantId);
      readNow = true;
    }
    // else every candidate filled up meanwhile: decide again on the loads the database reported
  }
  throw new AppError(503, 'assignment_contended', 'every candidate rep filled up while this lead was being assigned; try again');
}

/**
 * After the answer: queue the brief's delivery and make sure an SLA sweep runs at the deadline.
 * Crash-safe without waiting: the outbox row and the lead's pending deadline are already
 * committed, and start-up recovery queues undelivered events and pending deadlines again.
 */
function afterCommit(deps: AssignmentDeps, tenantId: string, leadId: string, eventId: string | null, deadline: Date): void {
  void (async () => {
    if (eventId) await dispatch(deps.queue, [eventId]);
    await scheduleSlaSweep(deps.queue, tenantId, deadline);
  })().catch((err: Error) => deps.log.warn({ err: err.message, leadId }, 'lead assigned; its brief/SLA job will be queued again at start-up'));
}

function newLeadRow(tenantId: string, l: NewLead) {
  return {
    tenant_id: tenantId, id: l.id, source: l.source, industry: l.industry, budget_band: l.budgetBand ?? null, tech_need: l.techNeed ?? null,
    region: l.region ?? null, intent_score: l.intentScore ?? null, concerns: l.concerns ?? [], company: l.company ?? null, contact_name: l.contactName ?? null,
  };
}

function leadRow(tenantId: string, l: NewLead, status: 'assigned' | 'pool', repId: string | null, deadline: Date | null) {
  return {
    tenant_id: tenantId, id: l.id, source: l.source, industry: l.industry, budget_band: l.budgetBand ?? null, tech_need: l.techNeed ?? null,
    region: l.region ?? null, intent_score: l.intentScore ?? null, concerns: l.concerns ?? [], company: l.company ?? null,
    contact_name: l.contactName ?? null, status, rep_id: repId, assigned_at: repId ? new Date() : null, sla_deadline: deadline,
    sla_state: deadline ? ('pending' as const) : null,
  };
}

async function importLead(deps: AssignmentDeps, tenantId: string, lead: NewLead, actor: string): Promise<AssignResult> {
  const rep = await repo.findRep(deps.db, tenantId, lead.repId!);
  if (!rep) throw new AppError(400, 'unknown_rep', `repId ${lead.repId} is not a rep of this tenant (PUT /v1/reps/:id first)`);
  const inserted = await deps.db.tx(async (q) => {
    if (!(await repo.insertLead(q, leadRow(tenantId, lead, 'assigned', rep.id, null)))) return false;
    await repo.forceSlot(q, tenantId, rep.id);
    await repo.insertLog(q, tenantId, {
      lead_id: lead.id, kind: 'import', rep_id: rep.id, previous_rep_id: null, rule_version: null, score: null, industry_match: null,
      breakdown: null, reasons: ['owner set by the CRM; not scored'], candidates: null, note: null, actor,
    });
    return true;
  });
  if (!inserted) return replay(deps.db, tenantId, lead.id);
  bumpLoad(deps.db, tenantId, rep.id, +1);
  return { leadId: lead.id, repId: rep.id, score: null, breakdown: null, reasons: ['owner set by the CRM; not scored'], candidates: [], ruleVersion: null, kind: 'import' };
}

/** The answer a repeated POST gets: the decision recorded for that lead. */
async function replay(db: Db, tenantId: string, leadId: string): Promise<AssignResult> {
  const log = await repo.latestLog(db, tenantId, leadId);
  const lead = await repo.findLead(db, tenantId, leadId);
  return {
    leadId,
    repId: lead?.rep_id ?? null,
    score: log?.score ?? null,
    breakdown: (log?.breakdown as Decision['breakdown']) ?? null,
    reasons: log?.reasons ?? [],
    candidates: (log?.candidates as Decision['candidates']) ?? [],
    ...(lead?.status === 'pool' ? { pool: { reason: log?.note ?? 'no eligible rep' } } : {}),
    ruleVersion: log?.rule_version ?? null,
    kind: log?.kind ?? 'auto',
    duplicate: true,
  };
}

type BriefLead = LeadInput & { id: string; company?: string; contactName?: string };
type BriefRep = { id: string; name?: string; wecomWebhook: string | null };

/** The rep's brief: its outbox key, the CRM payload (webhook `lead.assigned`) and, when the rep has a WeCom robot, its message. */
function briefEventFor(lead: BriefLead, rep: BriefRep, round: number, reasons: string[], reading: RecentReading[] = []) {
  const repId = rep.id;
  return {
    dedupeKey: `lead.assigned:${lead.id}:${round}:${repId}`,
    payload: {
      leadId: lead.id,
      repId,
      lead: {
        company: lead.company ?? null, contactName: lead.contactName ?? null, source: lead.source, industry: lead.industry,
        budgetBand: lead.budgetBand ?? null, techNeed: lead.techNeed ?? null, region: lead.region ?? null,
        intentScore: lead.intentScore ?? null, concerns: lead.concerns ?? [],
      },
      why: reasons,
      recentBrowsing: reading,
      opener: opener(lead),
    },
    ...(rep.wecomWebhook
      ? { wecom: { webhookUrl: rep.wecomWebhook, markdown: leadBriefMarkdown({ lead, repName: rep.name ?? repId, reasons, reading, opener: opener(lead) }) } }
      : {}),
  };
}

/** The rep's brief, through the outbox, inside the caller's transaction. */
async function briefEvent(q: Queryable, tenantId: string, lead: BriefLead, repId: string, round: number, reasons: string[]) {
  const rep = await repo.findRep(q, tenantId, repId);
  const contact = { id: repId, name: rep?.name, wecomWebhook: rep?.wecom_webhook ?? null };
  return recordEvent(q, { tenantId, type: 'lead.assigned', ...briefEventFor(lead, contact, round, reasons) });
}

/** A first sentence for the rep, from what is known about the lead. */
export function opener(lead: LeadInput & { company?: string }): string {
  const who = lead.company ? `${lead.company}您好` : '您好';
  if (lead.concerns?.includes('delivery_supply')) return `${who}，了解到您关心交期，我先把我们的现货和分批交付方案发您参考。`;
  if (lead.concerns?.includes('price_budget')) return `${who}，我们可以按您的预算给几档配置方案，您看哪档合适。`;
  if (lead.techNeed === 'plc_programming') return `${who}，我是负责 PLC 项目的工程顾问，想先了解一下您产线的控制需求。`;
  if (lead.techNeed === 'standard_selection') return `${who}，我帮您按工况选型，先确认几个参数就好。`;
  return `${who}，感谢您的咨询，我是您的专属顾问，想先了解一下您这边的需求。`;
}

// ---- override, claim ----

export async function overrideLead(deps: AssignmentDeps, tenantId: string, leadId: string, repId: string, reason: string, actor: string): Promise<AssignResult> {
  const result = await deps.db.tx(async (q) => {
    const lead = await repo.findLead(q, tenantId, leadId, true);
    if (!lead) throw notFound('lead');
    const rep = await repo.findRep(q, tenantId, repId);
    if (!rep) throw new AppError(400, 'unknown_rep', `repId ${repId} is not a rep of this tenant`);
    if (!rep.active) throw new AppError(409, 'rep_inactive', `rep ${repId} is inactive`);
    if (lead.rep_id === repId) throw new AppError(409, 'same_rep', `lead ${leadId} is already assigned to ${repId}`);
    const { version, rules } = await currentRules(q, tenantId);
    if (lead.rep_id && lead.status === 'assigned') await repo.releaseSlot(q, tenantId, lead.rep_id);
    await repo.forceSlot(q, tenantId, repId);
    const deadline = slaDeadline(rules);
    const round = await repo.setOwner(q, tenantId, leadId, repId, deadline);
    const match = industryMatch(lead.industry, rep.industries, rules.industryMatch);
    const reasons = [`manager override: ${reason}`];
    await repo.insertLog(q, tenantId, {
      lead_id: leadId, kind: 'override', rep_id: repId, previous_rep_id: lead.rep_id, rule_version: version, score: null,
      industry_match: match, breakdown: null, reasons, candidates: null, note: reason, actor,
    });
    const eventId = await briefEvent(q, tenantId, fromRow(lead), repId, round, reasons);
    return { eventId, round, deadline, version, reasons, freed: lead.rep_id && lead.status === 'assigned' ? lead.rep_id : null };
  });
  if (result.freed) bumpLoad(deps.db, tenantId, result.freed, -1);
  bumpLoad(deps.db, tenantId, repId, +1);
  await dispatch(deps.queue, [result.eventId]);
  await scheduleSla(deps.queue, tenantId, leadId, result.round, result.deadline);
  return { leadId, repId, score: null, breakdown: null, reasons: result.reasons, candidates: [], ruleVersion: result.version, kind: 'override' };
}

export async function claimLead(deps: AssignmentDeps, tenantId: string, leadId: string, repId: string, actor: string): Promise<AssignResult> {
  const result = await deps.db.tx(async (q) => {
    const lead = await repo.findLead(q, tenantId, leadId, true);
    if (!lead) throw notFound('lead');
    if (lead.status !== 'pool') throw new AppError(409, 'not_in_pool', `lead ${leadId} is ${lead.status}, not in the pool`);
    const rep = await repo.findRep(q, tenantId, repId);
    if (!rep) throw new AppError(400, 'unknown_rep', `repId ${repId} is not a rep of this tenant`);
    if (!(await repo.takeSlot(q, tenantId, repId))) throw new AppError(409, 'rep_unavailable', `rep ${repId} is inactive or at capacity`);
    const { version, rules } = await currentRules(q, tenantId);
    const deadline = slaDeadline(rules);
    const round = await repo.setOwner(q, tenantId, leadId, repId, deadline);
    const reasons = [`claimed from the pool by ${repId}`];
    await repo.insertLog(q, tenantId, {
      lead_id: leadId, kind: 'claim', rep_id: repId, previous_rep_id: null, rule_version: version, score: null,
      industry_match: industryMatch(lead.industry, rep.industries, rules.industryMatch), breakdown: null, reasons, candidates: null, note: null, actor,
    });
    return { eventId: await briefEvent(q, tenantId, fromRow(lead), repId, round, reasons), round, deadline, version, reasons };
  });
  bumpLoad(deps.db, tenantId, repId, +1);
  await dispatch(deps.queue, [result.eventId]);
  await scheduleSla(deps.queue, tenantId, leadId, result.round, result.deadline);
  return { leadId, repId, score: null, breakdown: null, reasons: result.reasons, candidates: [], ruleVersion: result.version, kind: 'claim' };
}

function fromRow(l: repo.LeadRow): NewLead {
  return {
    id: l.id, source: l.source, industry: l.industry, budgetBand: l.budget_band ?? undefined, techNeed: l.tech_need ?? undefined,
    region: l.region ?? undefined, intentScore: l.intent_score ?? undefined, concerns: l.concerns, company: l.company ?? undefined,
    contactName: l.contact_name ?? undefined,
  };
}

// ---- first-touch SLA ----

const slaJobId = (tenantId: string, leadId: string, round: number) => `${tenantId}.${leadId}.sla.${round}`.replace(/:/g, '_');

/** One round's check, at its deadline (overrides, claims, re-assignments). */
export async function scheduleSla(queue: JobQueue, tenantId: string, leadId: string, round: number, deadline: Date): Promise<void> {
  await queue.add('sla', { tenantId, leadId, round }, slaJobId(tenantId, leadId, round), { delayMs: deadline.getTime() - Date.now() });
}

/**
 * New assignments share one sweep per tenant and second: the job for second `b` (run at b·1000 ms)
 * checks every pending deadline that has passed. At thousands of leads a second that is one job a
 * second, not one per lead; each process asks the queue once per second it has not asked for yet.
 */
const SWEEP_MS = 1_000;
const sweepsAsked = new WeakMap<JobQueue, Map<string, Set<number>>>();

export async function scheduleSlaSweep(queue: JobQueue, tenantId: string, deadline: Date): Promise<void> {
  const bucket = Math.ceil(deadline.getTime() / SWEEP_MS);
  let byTenant = sweepsAsked.get(queue);
  if (!byTenant) sweepsAsked.set(queue, (byTenant = new Map()));
  let asked = byTenant.get(tenantId);
  if (!asked) byTenant.set(tenantId, (asked = new Set()));
  if (asked.has(bucket)) return;
  await queue.add('sla', { tenantId, sweep: true }, `${tenantId}.sla-sweep.${bucket}`.replace(/:/g, '_'), { delayMs: bucket * SWEEP_MS - Date.now() });
  asked.add(bucket);
  const now = Date.now() / SWEEP_MS;
  for (const b of asked) if (b < now) asked.delete(b);
}

const SWEEP_BATCH = 500;

/** Job "sla" for a sweep: every pending deadline of the tenant that has passed, each checked once. */
async function sweepSla(deps: AssignmentDeps, tenantId: string): Promise<void> {
  const failures: string[] = [];
  const seen = new Set<string>();
  for (let pass = 0; pass < 100; pass++) {
    const due = (await repo.dueSla(deps.db, tenantId, SWEEP_BATCH)).filter((d) => !seen.has(`${d.id}\u0000${d.sla_round}`));
    for (const d of due) {
      seen.add(`${d.id}\u0000${d.sla_round}`);
      await checkSla(deps, { tenantId, leadId: d.id, round: d.sla_round }).catch((err: Error) => failures.push(`${d.id}: ${err.message}`));
    }
    if (due.length === 0 || failures.length) break;
  }
  if (failures.length) throw new Error(`SLA check failed for ${failures.length} lead(s): ${failures.slice(0, 3).join('; ')}`);
}

export async function touchLead(db: Db, tenantId: string, leadId: string, at: Date) {
  const lead = await repo.markTouched(db, tenantId, leadId, at);
  if (!lead) throw notFound('lead');
  return lead;
}

/**
 * Job "sla": runs at the deadline of one assignment round. The breach is claimed by a
 * conditional UPDATE, so a duplicated or retried job acts at most once per deadline.
 */
export async function checkSla(deps: AssignmentDeps, job: { tenantId: string; leadId: string; round: number } | { tenantId: string; sweep: true }): Promise<void> {
  if ('sweep' in job) return sweepSla(deps, job.tenantId);
  const { tenantId, leadId } = job;
  const before = await repo.findLead(deps.db, tenantId, leadId);
  if (!before || before.sla_round !== job.round || before.sla_state !== 'pending' || !before.rep_id) return;
  const { version, rules } = await currentRules(deps.db, tenantId);
  // Candidates are read before the transaction: PGlite runs one transaction at a time on one connection.
  const others = (await tenantState(deps.db, tenantId)).reps.filter((r) => r.id !== before.rep_id);
  const decision = decide(fromRow(before), others, { ...rules, autoAssign: true, autoAssignSources: [before.source] });
  const late = `no first touch within ${rules.sla.firstTouchMinutes} min of assignment`;
  const escalate = async (q: Queryable, repId: string, why: string[]) => {
    await repo.insertLog(q, tenantId, {
      lead_id: leadId, kind: 'sla_escalate', rep_id: repId, previous_rep_id: null, rule_version: version, score: null,
      industry_match: null, breakdown: null, reasons: why, candidates: null, note: late, actor: 'sla',
    });
    return undefined;
  };
  const outcome = await deps.db.tx(async (q) => {
    const lead = await repo.claimBreach(q, tenantId, leadId, job.round);
    if (!lead || !lead.rep_id) return undefined;
    if (rules.sla.onBreach === 'escalate') return escalate(q, lead.rep_id, [late]);
    for (const c of decision.candidates) {
      if (!(await repo.takeSlot(q, tenantId, c.repId))) continue;
      await repo.releaseSlot(q, tenantId, lead.rep_id);
      const deadline = slaDeadline(rules);
      const round = await repo.setOwner(q, tenantId, leadId, c.repId, deadline);
      const reasons = [`re-assigned: ${late}`, ...c.reasons];
      await repo.insertLog(q, tenantId, {
        lead_id: leadId, kind: 'sla_reassign', rep_id: c.repId, previous_rep_id: lead.rep_id, rule_version: version, score: c.score,
        industry_match: c.breakdown.industry.value, breakdown: c.breakdown, reasons, candidates: decision.candidates, note: late, actor: 'sla',
      });
      return { eventId: await briefEvent(q, tenantId, fromRow(lead), c.repId, round, reasons), round, deadline, moved: { from: lead.rep_id, to: c.repId } };
    }
    return escalate(q, lead.rep_id, [late, 'no other rep available to re-assign to']);
  });
  if (!outcome) return;
  bumpLoad(deps.db, tenantId, outcome.moved.from, -1);
  bumpLoad(deps.db, tenantId, outcome.moved.to, +1);
  await dispatch(deps.queue, [outcome.eventId]);
  await scheduleSla(deps.queue, tenantId, leadId, outcome.round, outcome.deadline);
}

/**
 * At start-up: the embedded queue forgets delayed jobs on restart, and a crash may fall between an
 * answer and its queueing, so every pending deadline gets its sweep again (one per tenant and second).
 */
export async function rescheduleSla(deps: AssignmentDeps): Promise<number> {
  const rows = await repo.pendingSla(deps.db);
  for (const r of rows) if (r.sla_deadline) await scheduleSlaSweep(deps.queue, r.tenant_id, new Date(r.sla_deadline));
  return rows.length;
}

// ---- outcomes ----

export async function recordOutcomes(
  db: Db,
  tenantId: string,
  rows: { id: string; leadId?: string; repId: string; segment: string; result: 'won' | 'lost'; closedAt: Date }[],
): Promise<{ inserted: number }> {
  const freed: string[] = [];
  const inserted = await db.tx(async (q) => {
    const n = await repo.insertOutcomes(q, tenantId, rows);
    for (const r of rows) {
      if (!r.leadId) continue;
      const rep = await repo.closeLead(q, tenantId, r.leadId);
      if (rep) {
        await repo.releaseSlot(q, tenantId, rep);
        freed.push(rep);
      }
    }
    return n;
  });
  for (const rep of freed) bumpLoad(db, tenantId, rep, -1);
  if (inserted > 0) invalidate(db, tenantId, { rates: true }); // the next decision counts the new outcomes
  return { inserted };
}

/** The industry of a known lead (other features file their signals under it). */
export async function leadIndustry(db: Queryable, tenantId: string, leadId: string): Promise<string | undefined> {
  return (await repo.findLead(db, tenantId, leadId))?.industry;
}

// ---- reads for coaching (health score, funnel) ----

/** Whether `repId` is a rep of the tenant. */
export async function repExists(db: Queryable, tenantId: string, repId: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM reps WHERE tenant_id = $1 AND id = $2', [tenantId, repId])).length > 0;
}

/** Which of `repIds` are reps of the tenant (another tenant's rep is unknown here). */
export async function knownRepIds(db: Queryable, tenantId: string, repIds: string[]): Promise<Set<string>> {
  if (repIds.length === 0) return new Set();
  const rows = await db.query<{ id: string }>('SELECT id FROM reps WHERE tenant_id = $1 AND id = ANY($2::text[])', [tenantId, repIds]);
  return new Set(rows.map((r) => r.id));
}

export interface CoachingRep {
  id: string;
  name: string;
  team: string | null;
  managerId: string | null;
  active: boolean;
}

/** Reps with their team, optionally only one team or some ids, ordered by id. */
export async function coachingReps(db: Queryable, tenantId: string, f: { team?: string; repIds?: string[] } = {}): Promise<CoachingRep[]> {
  return db.query<CoachingRep>(
    `SELECT id, name, team, manager_id AS "managerId", active FROM reps
     WHERE tenant_id = $1 AND ($2::text IS NULL OR team = $2) AND ($3::text[] IS NULL OR id = ANY($3::text[])) ORDER BY id`,
    [tenantId, f.team ?? null, f.repIds ?? null],
  );
}

export interface CoachingAssignment {
  leadId: string;
  repId: string;
  assignedAt: Date;
  /** The rep's first touch (POST /v1/leads/:id/touch), when the lead is still theirs. */
  firstTouchAt: Date | null;
}

/**
 * dealsense's own assignments of leads to these reps made in [from, to) (every kind that gives
 * a rep a lead, CRM imports included), with the first touch recorded for that rep.
 */
export async function assignmentsForCoaching(db: Queryable, tenantId: string, repIds: string[], from: Date | null, to: Date): Promise<CoachingAssignment[]> {
  if (repIds.length === 0) return [];
  return db.query<CoachingAssignment>(
    `SELECT l.lead_id AS "leadId", l.rep_id AS "repId", min(l.created_at) AS "assignedAt",
       min(CASE WHEN ld.rep_id = l.rep_id THEN ld.first_touch_at END) AS "firstTouchAt"
     FROM assignment_log l LEFT JOIN leads ld ON ld.tenant_id = l.tenant_id AND ld.id = l.lead_id
     WHERE l.tenant_id = $1 AND l.rep_id = ANY($2::text[]) AND l.kind IN ('auto', 'import', 'override', 'claim', 'sla_reassign')
       AND ($3::timestamptz IS NULL OR l.created_at >= $3) AND l.created_at < $4
     GROUP BY l.lead_id, l.rep_id`,
    [tenantId, repIds, from, to],
  );
}

// ---- for browsing signals (src/signals): who owns a lead, and its intent score ----

export interface LeadOwner {
  leadId: string;
  status: 'assigned' | 'pool' | 'closed';
  industry: string;
  company: string | null;
  contactName: string | null;
  intentScore: number | null;
  /** The owning rep, when the lead is assigned. */
  rep: { id: string; name: string; wecomWebhook: string | null } | null;
}

/** The lead's stage, industry and owning rep (with the rep's WeCom robot URL); undefined for an unknown lead. */
export async function getLeadOwner(db: Queryable, tenantId: string, leadId: string): Promise<LeadOwner | undefined> {
  const lead = await repo.findLead(db, tenantId, leadId);
  if (!lead) return undefined;
  const rep = lead.rep_id && lead.status === 'assigned' ? await repo.findRep(db, tenantId, lead.rep_id) : undefined;
  return {
    leadId: lead.id, status: lead.status, industry: lead.industry, company: lead.company, contactName: lead.contact_name, intentScore: lead.intent_score,
    rep: rep ? { id: rep.id, name: rep.name, wecomWebhook: rep.wecom_webhook } : null,
  };
}

/** A rep by id (for a rule's fallback recipient); undefined when the tenant has no such rep. */
export async function getRepContact(db: Queryable, tenantId: string, repId: string): Promise<{ id: string; name: string; wecomWebhook: string | null } | undefined> {
  const rep = await repo.findRep(db, tenantId, repId);
  return rep ? { id: rep.id, name: rep.name, wecomWebhook: rep.wecom_webhook } : undefined;
}

/** Stores the lead's intent score (0–100), which assignment reads; false when the lead is unknown. */
export async function updateLeadIntent(db: Queryable, tenantId: string, leadId: string, score: number): Promise<boolean> {
  const rows = await db.query('UPDATE leads SET intent_score = $3 WHERE tenant_id = $1 AND id = $2 RETURNING id', [tenantId, leadId, score]);
  return rows.length > 0;
}

/** Stores many leads' intent scores in one statement; unknown leads are skipped. Returns how many were updated. */
export async function updateLeadIntents(db: Queryable, tenantId: string, scores: { leadId: string; score: number }[]): Promise<number> {
  if (!scores.length) return 0;
  const rows = await db.query(
    `UPDATE leads SET intent_score = s.score FROM unnest($2::text[], $3::float8[]) AS s(id, score)
     WHERE leads.tenant_id = $1 AND leads.id = s.id AND leads.intent_score IS DISTINCT FROM s.score RETURNING leads.id`,
    [tenantId, scores.map((s) => s.leadId), scores.map((s) => s.score)],
  );
  return rows.length;
}

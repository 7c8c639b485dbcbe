import type { FastifyBaseLogger } from 'fastify';
import { leadBriefMarkdown } from '../channels/lead-brief.js';
import type { Config } from '../config.js';
import type { Db, Queryable } from '../platform/db.js';
import { AppError, notFound } from '../platform/errors.js';
import { dispatch, recordEvent } from '../platform/outbox.js';
import type { JobQueue } from '../platform/queue.js';
import { closeRates, closeRatesFromTallies } from './close-rates.js';
import * as repo from './repo.js';
import { defaultRuleSet, validateRuleSet, type RuleSet } from './rules.js';
import { decide, industryMatch, type Decision, type LeadInput, type RepProfile } from './scoring.js';

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
  return { version: await repo.saveRules(db, tenantId, rules, actor), rules };
}

// ---- close rates: an aggregate over the window, cached briefly per tenant ----

const RATE_TTL_MS = 60_000;
// The promise is cached, so concurrent requests on a cold or expired cache share one query.
const rateCache = new Map<string, { at: number; rates: Promise<ReturnType<typeof closeRates>> }>();

async function tenantCloseRates(db: Db, tenantId: string, rules: RuleSet, repIds: string[]) {
  const hit = rateCache.get(tenantId);
  if (hit && Date.now() - hit.at < RATE_TTL_MS) return hit.rates;
  const now = new Date();
  const since = new Date(now.getTime() - rules.closeRate.windowDays * 86_400_000);
  const rates = repo
    .outcomeTallies(db, tenantId, since, now)
    .then((tallies) => closeRatesFromTallies(tallies, { priorWeight: rules.closeRate.priorWeight, repIds }));
  rateCache.set(tenantId, { at: Date.now(), rates });
  rates.catch(() => rateCache.delete(tenantId));
  return rates;
}

async function profiles(db: Db, tenantId: string, rules: RuleSet): Promise<RepProfile[]> {
  const reps = await repo.listRepProfiles(db, tenantId);
  const rates = await tenantCloseRates(db, tenantId, rules, reps.map((r) => r.id));
  return reps.map((r) => ({
    id: r.id,
    name: r.name,
    industries: r.industries,
    skills: r.skills,
    capacity: r.capacity,
    openLeads: r.open_leads,
    active: r.active,
    lastAssignedAt: r.last_assigned_ms === null ? null : new Date(r.last_assigned_ms),
    closeRate: rates.get(r.id) ?? { overall: 0, bySegment: new Map() },
  }));
}

const slaDeadline = (rules: RuleSet) => new Date(Date.now() + rules.sla.firstTouchMinutes * 60_000);

// ---- assign ----

const MAX_RACE_RETRIES = 3;

/**
 * Decides and records in one request. Concurrency: a rep's slot is taken by a conditional
 * UPDATE (`open_leads < capacity`), and the lead row's primary key makes a repeated lead id
 * return the first decision; losing a capacity race moves on to the next candidate.
 */
export async function assignLead(deps: AssignmentDeps, tenantId: string, lead: NewLead, actor: string): Promise<AssignResult> {
  const existing = await repo.findLead(deps.db, tenantId, lead.id);
  if (existing) return replay(deps.db, tenantId, lead.id);
  if (lead.repId) return importLead(deps, tenantId, lead, actor);

  const { version, rules } = await currentRules(deps.db, tenantId);
  for (let attempt = 0; attempt < MAX_RACE_RETRIES; attempt++) {
    const decision = decide(lead, await profiles(deps.db, tenantId, rules), rules);
    const outcome = await deps.db.tx(async (q) => {
      for (const c of decision.candidates) {
        if (!(await repo.takeSlot(q, tenantId, c.repId))) continue;
        const deadline = slaDeadline(rules);
        if (!(await repo.insertLead(q, leadRow(tenantId, lead, 'assigned', c.repId, deadline)))) throw new DuplicateLead();
        await repo.insertLog(q, tenantId, {
          lead_id: lead.id, kind: 'auto', rep_id: c.repId, previous_rep_id: null, rule_version: version, score: c.score,
          industry_match: c.breakdown.industry.value, breakdown: c.breakdown, reasons: c.reasons, candidates: decision.candidates, note: null, actor,
        });
        const eventId = await briefEvent(q, tenantId, lead, c.repId, 1, c.reasons);
        return { candidate: c, eventId, deadline };
      }
      if (decision.candidates.length > 0) return 'raced' as const;
      const reason = decision.pool?.reason ?? 'no eligible rep';
      if (!(await repo.insertLead(q, leadRow(tenantId, lead, 'pool', null, null)))) throw new DuplicateLead();
      await repo.insertLog(q, tenantId, {
        lead_id: lead.id, kind: 'pool', rep_id: null, previous_rep_id: null, rule_version: version, score: null, industry_match: null,
        breakdown: null, reasons: decision.reasons, candidates: decision.candidates, note: reason, actor,
      });
      return 'pool' as const;
    }).catch((err) => {
      if (err instanceof DuplicateLead) return 'duplicate' as const;
      throw err;
    });
    if (outcome === 'duplicate') return replay(deps.db, tenantId, lead.id);
    if (outcome === 'raced') continue; // every candidate filled up meanwhile: decide again on fresh loads
    if (outcome === 'pool') {
      return { leadId: lead.id, repId: null, score: null, breakdown: null, reasons: decision.reasons, candidates: decision.candidates, pool: decision.pool ?? { reason: 'no eligible rep' }, ruleVersion: version, kind: 'pool' };
    }
    await dispatch(deps.queue, [outcome.eventId]);
    await scheduleSla(deps.queue, tenantId, lead.id, 1, outcome.deadline);
    const c = outcome.candidate;
    return { leadId: lead.id, repId: c.repId, score: c.score, breakdown: c.breakdown, reasons: c.reasons, candidates: decision.candidates, ruleVersion: version, kind: 'auto' };
  }
  throw new AppError(503, 'assignment_contended', 'every candidate rep filled up while this lead was being assigned; try again');
}

class DuplicateLead extends Error {}

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

/** The rep's brief, through the outbox (webhook `lead.assigned`). */
async function briefEvent(q: Queryable, tenantId: string, lead: LeadInput & { id: string; company?: string; contactName?: string }, repId: string, round: number, reasons: string[]) {
  const rep = await repo.findRep(q, tenantId, repId); // its WeCom group robot, if it has one
  return recordEvent(q, {
    tenantId,
    type: 'lead.assigned',
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
      opener: opener(lead),
    },
    ...(rep?.wecom_webhook ? { wecom: { webhookUrl: rep.wecom_webhook, markdown: leadBriefMarkdown({ lead, repName: rep.name, reasons, opener: opener(lead) }) } } : {}),
  });
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
    return { eventId, round, deadline, version, reasons };
  });
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

export async function scheduleSla(queue: JobQueue, tenantId: string, leadId: string, round: number, deadline: Date): Promise<void> {
  await queue.add('sla', { tenantId, leadId, round }, slaJobId(tenantId, leadId, round), { delayMs: deadline.getTime() - Date.now() });
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
export async function checkSla(deps: AssignmentDeps, job: { tenantId: string; leadId: string; round: number }): Promise<void> {
  const { tenantId, leadId } = job;
  const before = await repo.findLead(deps.db, tenantId, leadId);
  if (!before || before.sla_round !== job.round || before.sla_state !== 'pending' || !before.rep_id) return;
  const { version, rules } = await currentRules(deps.db, tenantId);
  // Candidates are read before the transaction: PGlite runs one transaction at a time on one connection.
  const others = (await profiles(deps.db, tenantId, rules)).filter((r) => r.id !== before.rep_id);
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
      return { eventId: await briefEvent(q, tenantId, fromRow(lead), c.repId, round, reasons), round, deadline };
    }
    return escalate(q, lead.rep_id, [late, 'no other rep available to re-assign to']);
  });
  if (!outcome) return;
  await dispatch(deps.queue, [outcome.eventId]);
  await scheduleSla(deps.queue, tenantId, leadId, outcome.round, outcome.deadline);
}

/** Embedded queue: delayed jobs do not survive a restart, so pending deadlines are scheduled again. */
export async function rescheduleSla(deps: AssignmentDeps): Promise<number> {
  const rows = await repo.pendingSla(deps.db);
  for (const r of rows) if (r.sla_deadline) await scheduleSla(deps.queue, r.tenant_id, r.id, r.sla_round, new Date(r.sla_deadline));
  return rows.length;
}

// ---- outcomes ----

export async function recordOutcomes(
  db: Db,
  tenantId: string,
  rows: { id: string; leadId?: string; repId: string; segment: string; result: 'won' | 'lost'; closedAt: Date }[],
): Promise<{ inserted: number }> {
  const inserted = await db.tx(async (q) => {
    const n = await repo.insertOutcomes(q, tenantId, rows);
    for (const r of rows) {
      if (!r.leadId) continue;
      const rep = await repo.closeLead(q, tenantId, r.leadId);
      if (rep) await repo.releaseSlot(q, tenantId, rep);
    }
    return n;
  });
  rateCache.delete(tenantId);
  return { inserted };
}

/** The industry of a known lead (other features file their signals under it). */
export async function leadIndustry(db: Queryable, tenantId: string, leadId: string): Promise<string | undefined> {
  return (await repo.findLead(db, tenantId, leadId))?.industry;
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

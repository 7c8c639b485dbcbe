import { createHash } from 'node:crypto';
import { getLeadOwner, updateLeadIntent, updateLeadIntents, type LeadOwner } from '../assignment/service.js';
import type { JobContext, JobQueue } from '../platform/queue.js';
import { firstFiring } from './dwell.js';
import { intentScore } from './intent.js';
import { firePush, releasePush, type SignalsDeps } from './pushes.js';
import * as repo from './repo.js';
import type { RuleDefinition } from './schemas.js';

export type SignalsJob =
  | { kind: 'evaluate'; tenantId: string; leadId: string }
  | { kind: 'intent'; tenantId: string; sinceMs: number }
  | { kind: 'decay' }
  | { kind: 'release'; tenantId: string; pushId: string };

/**
 * Queues an evaluation of the lead. Jobs are coalesced per lead and time slot: every batch that
 * lands within one slot shares one job, run when the slot ends (its events are committed by then).
 */
export async function queueEvaluation(queue: JobQueue, tenantId: string, leadId: string, slotMs: number): Promise<void> {
  const now = Date.now();
  const slot = Math.floor(now / slotMs) + 1;
  const key = createHash('sha1').update(`${tenantId}\n${leadId}`).digest('hex').slice(0, 20);
  await queue.add('signals', { kind: 'evaluate', tenantId, leadId }, `eval.${key}.${slot}`, { delayMs: slot * slotMs - now });
}

const intentQueued = new Map<string, number>();
const INTENT_CHUNK = 200;

/**
 * Queues the tenant's intent update for the current slot: one job per tenant and slot, however
 * many batches arrive, covering every lead that received events since the previous slot began.
 */
export async function queueIntent(queue: JobQueue, tenantId: string, slotMs: number): Promise<void> {
  const now = Date.now();
  const slot = Math.floor(now / slotMs) + 1;
  // This process already queued the slot's job: spare the queue a round trip per batch.
  if (intentQueued.get(tenantId) === slot) return;
  const key = createHash('sha1').update(tenantId).digest('hex').slice(0, 20);
  // Looks back two slots: a batch committed just after the previous job's query is not missed.
  await queue.add('signals', { kind: 'intent', tenantId, sinceMs: (slot - 2) * slotMs }, `intent.${key}.${slot}`, { delayMs: slot * slotMs - now });
  intentQueued.set(tenantId, slot);
}

export async function signalsProcessor(deps: SignalsDeps, job: JobContext<SignalsJob>): Promise<void> {
  const d = job.data;
  if (d.kind === 'release') return releasePush(deps, d.tenantId, d.pushId);
  if (d.kind === 'intent') {
    await updateIntents(deps, d.tenantId, d.sinceMs);
    return;
  }
  if (d.kind === 'decay') {
    await decayIntents(deps);
    await scheduleIntentDecay(deps.queue, deps.config.SIGNALS_INTENT_DECAY_HOURS * 3_600_000);
    return;
  }
  await evaluateLead(deps, d.tenantId, d.leadId);
}

/** Recomputes the intent score of every lead with events received since `sinceMs` (two queries per 200 leads). */
export async function updateIntents(deps: SignalsDeps, tenantId: string, sinceMs: number, nowMs = Date.now()): Promise<number> {
  const leads = await repo.leadsWithEventsSince(deps.db, tenantId, new Date(sinceMs));
  if (!leads.length) return 0;
  const halfLifeMs = deps.config.SIGNALS_INTENT_HALF_LIFE_DAYS * 86_400_000;
  const idleLimitMs = deps.config.SIGNALS_IDLE_LIMIT_SEC * 1000;
  let updated = 0;
  // In chunks, so a busy tenant's update never holds every active lead's history in memory at once.
  for (let i = 0; i < leads.length; i += INTENT_CHUNK) {
    const chunk = leads.slice(i, i + INTENT_CHUNK);
    const events = await repo.eventsOfLeads(deps.db, tenantId, chunk, new Date(nowMs - 8 * halfLifeMs));
    const scores = chunk.map((lead) => ({ leadId: lead, score: intentScore(events.get(lead) ?? [], nowMs, halfLifeMs, idleLimitMs) }));
    updated += await updateLeadIntents(deps.db, tenantId, scores);
  }
  return updated;
}

function leadPasses(def: RuleDefinition, owner: LeadOwner | undefined): boolean {
  const f = def.leadFilter;
  if (f.stages && !f.stages.includes(owner?.status ?? 'unknown')) return false;
  if (f.industries) {
    const ind = owner?.industry;
    if (!ind || !f.industries.some((i) => ind === i || ind.startsWith(`${i}/`))) return false;
  }
  return true;
}

/**
 * Everything new events can change for a lead: its browsers' anonymous events become its own,
 * the intent score is recomputed, and each enabled rule is checked from the later of its window
 * start and the end of the cooldown after its last push. Idempotent: running it twice pushes nothing twice.
 */
export async function evaluateLead(deps: SignalsDeps, tenantId: string, leadId: string, nowMs = Date.now()): Promise<repo.PushRow[]> {
  const { config } = deps;
  await repo.attributeAnonymous(deps.db, tenantId, leadId);
  const rules = await repo.listRules(deps.db, tenantId, true);
  const halfLifeMs = config.SIGNALS_INTENT_HALF_LIFE_DAYS * 86_400_000;
  const idleLimitMs = config.SIGNALS_IDLE_LIMIT_SEC * 1000;
  // Intent looks back eight half-lives (under 0.4 % weight left), rules their own windows.
  const horizon = Math.max(8 * halfLifeMs, ...rules.map((r) => r.definition.windowMinutes * 60_000));
  const events = await repo.leadEvents(deps.db, tenantId, leadId, new Date(nowMs - horizon));
  const owner = await getLeadOwner(deps.db, tenantId, leadId);
  if (owner) {
    const score = intentScore(events, nowMs, halfLifeMs, idleLimitMs);
    if (score !== owner.intentScore) {
      await updateLeadIntent(deps.db, tenantId, leadId, score);
      owner.intentScore = score;
    }
  }
  const fired: repo.PushRow[] = [];
  for (const rule of rules) {
    const def = rule.definition;
    if (!leadPasses(def, owner)) continue;
    const last = await repo.lastPush(deps.db, tenantId, rule.id, leadId);
    // Reading during a cooldown does not count towards the next push.
    const since = Math.max(nowMs - def.windowMinutes * 60_000, last ? new Date(last.trigger_ts).getTime() + def.cooldownMinutes * 60_000 : 0);
    const firing = firstFiring(def, events, since, idleLimitMs);
    if (!firing) continue;
    const push = await firePush(deps, tenantId, rule, leadId, firing, last?.id, owner);
    if (push) {
      fired.push(push);
      deps.log.info({ tenantId, leadId, ruleId: rule.id, pushId: push.id, status: push.status }, 'rule fired');
    }
  }
  return fired;
}

/**
 * Start-up: the embedded queue forgets its jobs on restart, so leads with events received in the
 * last minutes are evaluated again, and every tenant's intent update is queued (both idempotent;
 * with BullMQ, re-adding a job it still holds is a no-op).
 */
export async function requeueRecentSignals(deps: SignalsDeps, lookbackMs = 15 * 60_000): Promise<number> {
  const since = new Date(Date.now() - lookbackMs);
  const tenants = await deps.db.query<{ id: string }>('SELECT id FROM tenants');
  let n = 0;
  for (const { id } of tenants) {
    const leads = await repo.leadsWithEventsSince(deps.db, id, since);
    for (const lead of leads) await queueEvaluation(deps.queue, id, lead, deps.config.SIGNALS_EVAL_DELAY_MS);
    if (leads.length) await deps.queue.add('signals', { kind: 'intent', tenantId: id, sinceMs: since.getTime() }, `intent.restart.${createHash('sha1').update(id).digest('hex').slice(0, 20)}.${Date.now()}`);
    n += leads.length;
  }
  return n;
}

/**
 * Scores decay with time, not only when a lead is active again: every `intervalMs` (a day by
 * default) each tenant's leads with events in the intent horizon are recomputed as of now. One job
 * per interval across all processes (its id names the slot); each run queues the next.
 */
export async function scheduleIntentDecay(queue: JobQueue, intervalMs: number): Promise<void> {
  const now = Date.now();
  const slot = Math.floor(now / intervalMs) + 1;
  await queue.add('signals', { kind: 'decay' }, `intent-decay.${slot}`, { delayMs: slot * intervalMs - now });
}

export async function decayIntents(deps: SignalsDeps, nowMs = Date.now()): Promise<number> {
  // Nine half-lives back: a lead whose last events just left the eight-half-life horizon drops to 0.
  const since = nowMs - 9 * deps.config.SIGNALS_INTENT_HALF_LIFE_DAYS * 86_400_000;
  let n = 0;
  for (const { id } of await deps.db.query<{ id: string }>('SELECT id FROM tenants')) n += await updateIntents(deps, id, since, nowMs);
  return n;
}

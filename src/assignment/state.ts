/**
 * Each tenant's assignment state — rule set, rep profiles with their loads, close rates — kept in
 * this process's memory, so a lead is decided without reading 500 reps from the database.
 *
 * The database stays the authority:
 * - capacity and `active` are checked atomically by the statement that takes the slot
 *   (`repo.assignMany`), never taken from here;
 * - the statement also compares the reps/rules counters of `assignment_versions` (bumped by
 *   triggers, migration 009) with the ones this state was read at, and takes nothing when they
 *   differ: a decision is committed only if it was made on the current rules and rep profiles,
 *   whichever process changed them;
 * - loads drift when other processes assign: each statement returns the chosen rep's load, this
 *   process counts its own in-flight reservations, and the whole state is re-read in the
 *   background once it is older than `LOAD_REFRESH_MS`;
 * - close rates (a 30-day aggregate) are re-counted when outcomes arrived (outcomes counter) or
 *   after `RATES_TTL_MS`, in the background when an older copy exists.
 * States are per database handle, so apps over different databases in one process never mix.
 */
import type { Db } from '../platform/db.js';
import { closeRatesFromTallies, type RepCloseRate } from './close-rates.js';
import * as repo from './repo.js';
import { defaultRuleSet, validateRuleSet, type RuleSet } from './rules.js';
import { newDecideMemo, type DecideMemo, type RepProfile } from './scoring.js';

export const LOAD_REFRESH_MS = 1_000;
export const RATES_TTL_MS = 60_000;

export interface Versions {
  reps: number;
  rules: number;
  outcomes: number;
}

/** A rep as scoring sees it (`openLeads` = the load the database last reported + this process's reservations). */
export interface CachedRep extends RepProfile {
  dbOpen: number;
  /** The rep's WeCom group robot: the brief goes there too. */
  wecomWebhook: string | null;
}

export interface TenantState {
  versions: Versions;
  /** The stored rule set version (0 = built-in defaults). */
  ruleVersion: number;
  rules: RuleSet;
  reps: CachedRep[];
  byId: Map<string, CachedRep>;
  /** What `decide` remembers about `reps` (industry values per lead path); lives and dies with this state. */
  memo: DecideMemo;
  /** performance.now() when reps and loads were read. */
  loadedAt: number;
  rates: { outcomes: number; at: number } | null;
}

interface Entry {
  state?: TenantState;
  /** Slots held by decisions in flight in this process, per rep (they outlive a re-read of the state). */
  reserved: Map<string, number>;
  loading?: Promise<TenantState>;
  ratesLoading?: Promise<void>;
  /** Bumped by `invalidate`: a read that started before it does not install its (older) state. */
  gen: number;
  /** The state `invalidate` set aside: its close rates are reused when still valid. */
  previous?: TenantState;
}

const NO_RATE: RepCloseRate = { overall: 0, bySegment: new Map(), n: 0, won: 0 };
const states = new WeakMap<Db, Map<string, Entry>>();

function entry(db: Db, tenantId: string): Entry {
  let m = states.get(db);
  if (!m) states.set(db, (m = new Map()));
  let e = m.get(tenantId);
  if (!e) m.set(tenantId, (e = { reserved: new Map(), gen: 0 }));
  return e;
}

/**
 * The tenant's state: from memory when there is one (refreshed in the background when old), else
 * read now. Concurrent callers share one read.
 */
export async function tenantState(db: Db, tenantId: string): Promise<TenantState> {
  const e = entry(db, tenantId);
  const s = e.state;
  if (!s) return reload(db, tenantId);
  if (performance.now() - s.loadedAt > LOAD_REFRESH_MS && !e.loading) void reload(db, tenantId).catch(() => undefined);
  if (needsRates(s) && !e.ratesLoading) void refreshRates(db, tenantId, s).catch(() => undefined);
  return s;
}

/** Reads the state now (after a version mismatch, or to confirm that every rep is full). */
export function reload(db: Db, tenantId: string): Promise<TenantState> {
  const e = entry(db, tenantId);
  if (e.loading) return e.loading;
  const loading = load(db, tenantId, e.state ?? e.previous).finally(() => {
    if (e.loading === loading) e.loading = undefined;
  });
  e.loading = loading;
  return loading;
}

/**
 * Forgets the state after a change made in this process (a rule set saved, outcomes recorded): the
 * next request reads it again. `rates: true` also re-counts the close rates.
 */
export function invalidate(db: Db, tenantId: string, opts: { rates?: boolean } = {}): void {
  const e = entry(db, tenantId);
  e.gen++;
  const prev = e.state ?? e.previous;
  if (prev && opts.rates) prev.rates = null;
  e.previous = prev;
  e.state = undefined;
  e.loading = undefined;
  e.ratesLoading = undefined;
}

/** A slot taken (+1) or freed (−1) in this process outside `assignMany` (import, override, claim, SLA, outcome). */
export function bumpLoad(db: Db, tenantId: string, repId: string, delta: number): void {
  const rep = entry(db, tenantId).state?.byId.get(repId);
  if (!rep) return;
  rep.dbOpen = Math.max(0, rep.dbOpen + delta);
  rep.openLeads = Math.max(0, rep.openLeads + delta);
  if (delta > 0) rep.lastAssignedAt = new Date();
}

async function load(db: Db, tenantId: string, previous: TenantState | undefined): Promise<TenantState> {
  const gen = entry(db, tenantId).gen;
  const snap = await repo.assignmentSnapshot(db, tenantId);
  const reserved = entry(db, tenantId).reserved;
  const rules = snap.rules ? validateRuleSet(snap.rules.rules) : defaultRuleSet();
  const reps: CachedRep[] = snap.reps.map((r) => {
    const before = previous?.byId.get(r.id);
    return {
      id: r.id, name: r.name, industries: r.industries, skills: r.skills, capacity: r.capacity, active: r.active,
      dbOpen: r.open_leads, openLeads: r.open_leads + (reserved.get(r.id) ?? 0), wecomWebhook: r.wecom_webhook,
      lastAssignedAt: r.last_assigned_ms === null ? null : new Date(r.last_assigned_ms),
      closeRate: before?.closeRate ?? NO_RATE,
    };
  });
  const state: TenantState = {
    versions: snap.versions, ruleVersion: snap.rules?.version ?? 0, rules, reps, byId: new Map(reps.map((r) => [r.id, r])), memo: newDecideMemo(),
    loadedAt: performance.now(), rates: previous?.rates ?? null,
  };
  // Rates depend on the rule set's window and prior, and on which reps exist.
  const sameRateInputs =
    previous && previous.rules.closeRate.windowDays === rules.closeRate.windowDays && previous.rules.closeRate.priorWeight === rules.closeRate.priorWeight &&
    reps.every((r) => previous.byId.has(r.id));
  if (!sameRateInputs || !state.rates) await countRates(db, tenantId, state);
  const e = entry(db, tenantId);
  if (e.gen === gen) {
    e.state = state;
    e.previous = undefined;
  }
  return state;
}

function needsRates(s: TenantState): boolean {
  return !s.rates || s.rates.outcomes !== s.versions.outcomes || performance.now() - s.rates.at > RATES_TTL_MS;
}

function refreshRates(db: Db, tenantId: string, s: TenantState): Promise<void> {
  const e = entry(db, tenantId);
  const p = countRates(db, tenantId, s).finally(() => {
    if (e.ratesLoading === p) e.ratesLoading = undefined;
  });
  e.ratesLoading = p;
  return p;
}

/** Counts the window's outcomes in SQL and puts each rep's smoothed rates on its profile. */
async function countRates(db: Db, tenantId: string, s: TenantState): Promise<void> {
  const outcomes = s.versions.outcomes;
  const now = new Date();
  const since = new Date(now.getTime() - s.rules.closeRate.windowDays * 86_400_000);
  const tallies = await repo.outcomeTallies(db, tenantId, since, now);
  const rates = closeRatesFromTallies(tallies, { priorWeight: s.rules.closeRate.priorWeight, repIds: s.reps.map((r) => r.id) });
  for (const r of s.reps) r.closeRate = rates.get(r.id) ?? NO_RATE;
  s.memo.rate.clear();
  s.rates = { outcomes, at: performance.now() };
}

/** Notes what a statement reported: newer counters mark the state for a re-read. */
export function noteVersions(db: Db, tenantId: string, s: TenantState, v: Versions): boolean {
  const current = v.reps === s.versions.reps && v.rules === s.versions.rules;
  if (v.outcomes !== s.versions.outcomes) s.versions.outcomes = v.outcomes; // rates re-counted in the background
  if (!current && entry(db, tenantId).state === s) s.loadedAt = -Infinity;
  return current;
}

/** Holds a slot of a rep for a decision in flight, so concurrent decisions in this process see it. */
export function reserve(db: Db, tenantId: string, repId: string): void {
  const e = entry(db, tenantId);
  e.reserved.set(repId, (e.reserved.get(repId) ?? 0) + 1);
  const rep = e.state?.byId.get(repId);
  if (!rep) return;
  rep.openLeads++;
  rep.lastAssignedAt = new Date(); // the tie-break (least recently assigned) sees it at once
}

/** Ends a reservation; `seen` is the rep as the database reported it, when it did. */
export function release(
  db: Db,
  tenantId: string,
  repId: string,
  seen?: { open: number; lastAssignedMs: number | null; capacity: number; active: boolean } | null,
): void {
  const e = entry(db, tenantId);
  const n = (e.reserved.get(repId) ?? 1) - 1;
  if (n > 0) e.reserved.set(repId, n);
  else e.reserved.delete(repId);
  const rep = e.state?.byId.get(repId);
  if (!rep) return;
  if (seen) {
    rep.dbOpen = seen.open;
    rep.capacity = seen.capacity;
    rep.active = seen.active;
    if (seen.lastAssignedMs !== null) rep.lastAssignedAt = new Date(seen.lastAssignedMs);
  }
  rep.openLeads = rep.dbOpen + Math.max(0, n);
}

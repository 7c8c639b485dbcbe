/**
 * Explainable weighted lead → rep matching. Pure: the assignment service loads the reps (with
 * their open-lead counts and close rates from `close-rates.ts`) and the tenant's rule set,
 * calls `decide`, and then assigns atomically (re-checking capacity) and logs the decision.
 *
 * Order of evaluation:
 * 1. Tier 3 / tier 1: `autoAssign` off, or a source not in `autoAssignSources` → the lead goes to
 *    the pool (`repId: null`, `pool.reason` says why, no candidates, no rules applied).
 * 2. Eligibility: inactive reps and reps with `openLeads >= capacity` (or no capacity) are never
 *    candidates; they are summarised in `reasons`.
 * 3. Priority rules, in the rule set's order, for every rule whose conditions all hold for the lead
 *    (listed in `rulesApplied`):
 *    - restrict: if at least one remaining rep meets the metric, only those remain; if none does,
 *      the rule is reported as unmet and everyone stays (a rule is a preference — "these reps
 *      first" — and must never strand a lead that some rep can take). Restrictions compose in order.
 *    - boost: every remaining rep meeting the metric gets `boost` added to its score.
 *    Metric closeRate compares the rep's close rate for the rule's `segment` (else the lead's
 *    segment, see 4) — falling back to the rep's overall rate when the rep has no rate for that
 *    segment — with `op`/`threshold`; metric skill checks that the rep lists `skill`.
 *    Conditions: `eq` (equal), `in` (one of), `prefix` (for `industry`: the path or anything under
 *    it, segment-wise — `education` covers `education/vocational`, not `educational`; for other
 *    fields a plain string prefix). `concern` holds when any of the lead's concern codes does.
 *    `intentScore` (a number) is compared with `gte` / `gt` / `lte` / `lt`.
 *    A condition on a field the lead does not have is false. Comparisons are case-sensitive.
 * 4. Score = weights.industry · industry + weights.closeRate · closeRate + weights.load · load + boost
 *            + fairness
 *    - industry: best `industryMatch` over the rep's tags (see `rules.ts` for exact / sameParent /
 *      ancestor / other).
 *    - closeRate: the rep's rate in the lead's segment, else its overall rate. The lead's segment is
 *      `lead.segment` when the CRM sends one, otherwise the top level of its industry path
 *      (`education/vocational` → `education`): the industry is always known, its top level keeps
 *      enough outcomes in a 30-day window to mean something, and the CRM can record outcomes
 *      with the same key. CRMs that segment outcomes differently (e.g. by deal type) send
 *      `lead.segment`.
 *    - load: relative to the team, so that it balances whatever the team's overall utilisation.
 *      The team average is taken over active reps with capacity (full ones included): ū = Σ open
 *      / Σ capacity and c̄ = Σ open / reps. A rep's excess e = ((open/capacity − ū) + (open − c̄)
 *      / max(c̄, 1)) / 2 — utilisation and head count both count, so a large-capacity rep is not
 *      handed everything and a small one is not left idle. load = 0.5 − loadBalance.slope · e,
 *      clamped to 0..1 (0.5 at the team average).
 *    - fairness: −loadBalance.penalty · max(0, e): a rep above the team average pays for it beyond
 *      what the load weight alone can express, so a hot industry's specialists stop taking every
 *      lead of it while colleagues sit idle (0 at or below the average).
 *    Scores are rounded to 6 decimals, so differences below that count as ties.
 * 5. Ranking: score descending, then least recently assigned (never assigned first), then repId
 *    (so the result does not depend on the order reps are passed in). The first is assigned;
 *    `candidates` holds the top 3.
 */
import type { PriorityRule, RuleAction, RuleCondition, RuleSet } from './rules.js';

export interface RepProfile {
  id: string;
  name?: string;
  /** Industry paths (see `industryPathSchema`). */
  industries: string[];
  skills: string[];
  capacity: number;
  openLeads: number;
  active: boolean;
  lastAssignedAt: Date | null;
  closeRate: { overall: number; bySegment: Map<string, number> };
}

export interface LeadInput {
  source: string;
  /** Industry path, e.g. `education/vocational`. */
  industry: string;
  budgetBand?: string;
  techNeed?: string;
  region?: string;
  intentScore?: number;
  concerns?: string[];
  /** Close-rate segment of this lead; defaults to the top level of `industry`. */
  segment?: string;
}

export interface Part {
  weight: number;
  value: number;
  contribution: number;
}

export interface Candidate {
  repId: string;
  /** Present when the rep has a name. */
  name?: string;
  score: number;
  breakdown: { industry: Part; closeRate: Part; load: Part; boost: number; fairness: number };
  /** Its breakdown ("industry match 0.40 × 1.00 (…)", close rate, load, boost), then the priority rules that applied. */
  reasons: string[];
}

export interface Decision {
  repId: string | null;
  score: number | null;
  breakdown: Candidate['breakdown'] | null;
  reasons: string[];
  /**
   * The best three eligible reps, best first; `candidates[0]` is `repId`. Empty exactly when the
   * lead goes to the pool, so a service may take the next candidate when the first fills up meanwhile.
   */
  candidates: Candidate[];
  pool?: { reason: string };
  /** Ids of the priority rules whose conditions held for this lead (met or not; see `reasons`). */
  rulesApplied: string[];
}

type IndustryMatchConfig = RuleSet['industryMatch'];
/** The team's average utilisation and open leads per rep (active reps with capacity). */
interface Team {
  util: number;
  open: number;
}
type Relation = 'exact' | 'sameParent' | 'ancestor' | 'descendant' | 'other';

const SLASH = 47; // '/'
const MAX_LISTED = 5;

/** The best match of a rep's industry tags against the lead's path (0 when the rep has no tags). */
export function industryMatch(leadPath: string, repPaths: string[], m: IndustryMatchConfig): number {
  const parent = parentOf(leadPath);
  let best = -Infinity;
  for (const tag of repPaths) {
    const v = valueOf(relation(leadPath, parent, tag), m);
    if (v > best) best = v;
  }
  return best === -Infinity ? m.other : best;
}

/**
 * What `decide` may remember between calls over the same reps array (same reps, same order, tags
 * unchanged): the industry value of every rep per lead path. The assignment service keeps one per
 * in-memory tenant state and drops it with the state.
 */
export interface DecideMemo {
  industry: Map<string, Float64Array>;
  /** Close rate of every rep per segment. Whoever changes the reps' close rates clears it. */
  rate: Map<string, Float64Array>;
}

export function newDecideMemo(): DecideMemo {
  return { industry: new Map(), rate: new Map() };
}

function rateValues(reps: readonly RepProfile[], segment: string, memo: DecideMemo | undefined): Float64Array | null {
  if (!memo) return null;
  let values = memo.rate.get(segment);
  if (!values) {
    values = new Float64Array(reps.length);
    for (let i = 0; i < reps.length; i++) values[i] = rateFor(reps[i]!, segment);
    if (memo.rate.size < MEMO_PATHS) memo.rate.set(segment, values);
  }
  return values;
}

const MEMO_PATHS = 2_000;

function industryValues(reps: readonly RepProfile[], lead: string, m: IndustryMatchConfig, memo: DecideMemo | undefined): Float64Array | null {
  if (!memo) return null;
  const key = `${lead}|${m.exact}|${m.sameParent}|${m.ancestor}|${m.other}`;
  let values = memo.industry.get(key);
  if (!values) {
    const parent = parentOf(lead);
    values = new Float64Array(reps.length);
    reps.forEach((rep, i) => {
      let best = -Infinity;
      for (const tag of rep.industries) {
        const v = valueOf(relation(lead, parent, tag), m);
        if (v > best) best = v;
      }
      values![i] = best === -Infinity ? m.other : best;
    });
    if (memo.industry.size < MEMO_PATHS) memo.industry.set(key, values);
  }
  return values;
}

interface Scored {
  rep: RepProfile;
  /** Index in the reps array. */
  i: number;
  last: number;
  boost: number;
  boostRules: string[] | null;
  excess: number;
  fairness: number;
  industry: number;
  closeRate: number;
  load: number;
  score: number;
}

export function decide(lead: LeadInput, reps: RepProfile[], rules: RuleSet, memo?: DecideMemo): Decision {
  const poolReason = !rules.autoAssign
    ? 'automatic assignment is switched off for this rule set; the lead goes to the pool'
    : !rules.autoAssignSources.includes(lead.source)
      ? `source "${lead.source}" is not assigned automatically (automatic: ${rules.autoAssignSources.join(', ') || 'none'}); the lead goes to the pool`
      : null;
  if (poolReason !== null) return pooled(poolReason, [], []);

  // Eligibility.
  const inactive: RepProfile[] = [];
  const full: RepProfile[] = [];
  // Eligible reps by index; per-rep objects are made only for the top three.
  let current: number[] = [];
  let teamOpen = 0;
  let teamCapacity = 0;
  let teamReps = 0;
  for (let i = 0; i < reps.length; i++) {
    const rep = reps[i]!;
    if (rep.active && rep.capacity > 0) {
      teamOpen += Math.max(0, rep.openLeads);
      teamCapacity += rep.capacity;
      teamReps++;
    }
    if (!rep.active) inactive.push(rep);
    else if (!(rep.capacity > 0 && rep.openLeads < rep.capacity)) full.push(rep);
    else current.push(i);
  }
  const exclusionLines: string[] = [];
  if (inactive.length) {
    exclusionLines.push(`${count(inactive.length, 'inactive rep')} excluded: ${listed(inactive, (r) => label(r))}`);
  }
  if (full.length) {
    exclusionLines.push(
      `${count(full.length, 'rep')} at capacity excluded: ${listed(full, (r) => `${label(r)} (${r.openLeads} of ${r.capacity} open)`)}`,
    );
  }

  // Priority rules.
  const segment = lead.segment ?? topLevel(lead.industry);
  const rulesApplied: string[] = [];
  const ruleLines: string[] = [];
  let boosts: Map<number, { boost: number; rules: string[] }> | undefined;
  for (const rule of rules.priorityRules) {
    if (!rule.when.every((c) => conditionHolds(c, lead))) continue;
    rulesApplied.push(rule.id);
    const a = rule.action;
    const before = current.length;
    if (a.type === 'restrict') {
      const qualified = current.filter((i) => meets(a, reps[i]!, segment));
      if (qualified.length > 0) {
        current = qualified;
        ruleLines.push(`${describeRule(rule)} (${qualified.length} of ${before} eligible reps qualify)`);
      } else {
        ruleLines.push(`${describeRule(rule)} — unmet: no eligible rep qualifies, all ${before} stay`);
      }
    } else {
      const boost = a.boost ?? 0;
      let k = 0;
      for (const i of current) {
        if (!meets(a, reps[i]!, segment)) continue;
        boosts ??= new Map();
        const b = boosts.get(i);
        if (b) {
          b.boost += boost;
          b.rules.push(rule.id);
        } else boosts.set(i, { boost, rules: [rule.id] });
        k++;
      }
      ruleLines.push(k > 0 ? `${describeRule(rule)} (${k} of ${before} eligible reps boosted)` : `${describeRule(rule)} — unmet: no eligible rep qualifies`);
    }
  }

  // Scores and the top 3.
  const team: Team = { util: teamCapacity > 0 ? teamOpen / teamCapacity : 0, open: teamReps > 0 ? teamOpen / teamReps : 0 };
  const lb = rules.loadBalance;
  const w = rules.weights;
  const m = rules.industryMatch;
  const leadParent = parentOf(lead.industry);
  const known = industryValues(reps, lead.industry, m, memo);
  const rates = rateValues(reps, segment, memo);
  const util = team.util;
  const openAvg = team.open;
  const openDiv = Math.max(openAvg, 1);
  const top: Scored[] = [];
  for (const i of current) {
    const rep = reps[i]!;
    let industry: number;
    if (known) industry = known[i]!;
    else {
      let ind = -Infinity;
      for (const tag of rep.industries) {
        const v = valueOf(relation(lead.industry, leadParent, tag), m);
        if (v > ind) ind = v;
      }
      industry = ind === -Infinity ? m.other : ind;
    }
    const closeRate = rates ? rates[i]! : rateFor(rep, segment);
    const open = Math.max(0, rep.openLeads);
    const excess = (open / rep.capacity - util + (open - openAvg) / openDiv) / 2;
    const load = clamp01(0.5 - lb.slope * excess);
    const fairness = excess > 0 ? -lb.penalty * excess : 0;
    const b = boosts?.get(i);
    const score = round6(w.industry * industry + w.closeRate * closeRate + w.load * load + (b?.boost ?? 0) + fairness);
    const t = rep.lastAssignedAt ? rep.lastAssignedAt.getTime() : NaN;
    const last = Number.isNaN(t) ? -Infinity : t;
    if (top.length === 3 && !ranksBefore(score, last, rep.id, top[2]!)) continue;
    insertTop(top, { rep, i, last, boost: b?.boost ?? 0, boostRules: b?.rules ?? null, excess, fairness, industry, closeRate, load, score });
  }

  const windowDays = rules.closeRate.windowDays;
  const candidates = top.map((s) => toCandidate(s, lead, leadParent, segment, rules, windowDays, ruleLines, team));
  const best = candidates[0];

  if (best === undefined) {
    const reason =
      reps.length === 0
        ? 'no eligible rep: there are no reps; the lead goes to the pool'
        : `no eligible rep: ${[inactive.length ? `${inactive.length} inactive` : '', full.length ? `${full.length} at capacity` : '']
            .filter(Boolean)
            .join(', ')}; the lead goes to the pool`;
    return pooled(reason, [...ruleLines, ...exclusionLines], rulesApplied);
  }

  const winner = top[0]!;
  const reasons = [
    `best fit of ${count(current.length, 'eligible rep')}: ${label(winner.rep)}, score ${best.score.toFixed(3)}`,
    ...best.reasons, // its breakdown, then the priority rules that shaped the field
    ...exclusionLines,
  ];
  const second = top[1];
  if (second && second.score === winner.score) {
    reasons.push(
      winner.last !== second.last
        ? `tie at ${best.score.toFixed(3)} with ${label(second.rep)}: least recently assigned first (${label(winner.rep)} ${lastText(winner)}, ${label(second.rep)} ${lastText(second)})`
        : `tie at ${best.score.toFixed(3)} with ${label(second.rep)}, both ${lastText(winner)}: lower rep id first`,
    );
  }
  return { repId: best.repId, score: best.score, breakdown: best.breakdown, reasons, candidates, rulesApplied };
}

// ---------------------------------------------------------------------------------------------

function pooled(reason: string, more: string[], rulesApplied: string[]): Decision {
  return { repId: null, score: null, breakdown: null, reasons: [reason, ...more], candidates: [], pool: { reason }, rulesApplied };
}

function relation(lead: string, leadParent: string | null, tag: string): Relation {
  if (tag === lead) return 'exact';
  if (lead.length > tag.length) {
    if (lead.charCodeAt(tag.length) === SLASH && lead.startsWith(tag)) return 'ancestor';
  } else if (tag.charCodeAt(lead.length) === SLASH && tag.startsWith(lead)) {
    return 'descendant';
  }
  if (
    leadParent !== null &&
    tag.length > leadParent.length + 1 &&
    tag.charCodeAt(leadParent.length) === SLASH &&
    tag.startsWith(leadParent) &&
    tag.indexOf('/', leadParent.length + 1) === -1
  ) {
    return 'sameParent';
  }
  return 'other';
}

function valueOf(r: Relation, m: IndustryMatchConfig): number {
  switch (r) {
    case 'exact':
      return m.exact;
    case 'sameParent':
      return m.sameParent;
    case 'ancestor':
    case 'descendant':
      return m.ancestor;
    case 'other':
      return m.other;
  }
}

function parentOf(path: string): string | null {
  const i = path.lastIndexOf('/');
  return i > 0 ? path.slice(0, i) : null;
}

function topLevel(path: string): string {
  const i = path.indexOf('/');
  return i < 0 ? path : path.slice(0, i);
}

function rateFor(rep: RepProfile, segment: string | undefined): number {
  const v = (segment !== undefined ? rep.closeRate.bySegment.get(segment) : undefined) ?? rep.closeRate.overall;
  return Number.isFinite(v) ? v : 0;
}

function meets(a: RuleAction, rep: RepProfile, leadSegment: string): boolean {
  if (a.metric === 'skill') return a.skill !== undefined && rep.skills.includes(a.skill);
  const t = a.threshold;
  if (t === undefined) return false;
  const v = rateFor(rep, a.segment ?? leadSegment);
  return a.op === 'gte' ? v >= t : v > t;
}

function conditionHolds(c: RuleCondition, lead: LeadInput): boolean {
  if (c.field === 'intentScore') {
    const v = lead.intentScore;
    if (typeof v !== 'number' || typeof c.value !== 'number') return false;
    switch (c.op) {
      case 'gte':
        return v >= c.value;
      case 'gt':
        return v > c.value;
      case 'lte':
        return v <= c.value;
      case 'lt':
        return v < c.value;
      default:
        return false;
    }
  }
  if (c.field === 'concern') {
    const cs = lead.concerns;
    if (!cs) return false;
    for (const x of cs) if (valueHolds(c, x)) return true;
    return false;
  }
  const v =
    c.field === 'source'
      ? lead.source
      : c.field === 'industry'
        ? lead.industry
        : c.field === 'budgetBand'
          ? lead.budgetBand
          : c.field === 'techNeed'
            ? lead.techNeed
            : lead.region;
  return typeof v === 'string' && valueHolds(c, v);
}

function valueHolds(c: RuleCondition, v: string): boolean {
  if (typeof c.value === 'number') return false;
  const values = typeof c.value === 'string' ? [c.value] : c.value;
  switch (c.op) {
    case 'eq':
    case 'in':
      return values.includes(v);
    case 'prefix':
      return values.some((p) =>
        c.field === 'industry' ? v === p || (v.length > p.length && v.charCodeAt(p.length) === SLASH && v.startsWith(p)) : v.startsWith(p),
      );
    default:
      return false;
  }
}

/** Keeps `top` as the best three, best first. */
function insertTop(top: Scored[], s: Scored): void {
  let i = top.length;
  while (i > 0 && ranksBefore(s.score, s.last, s.rep.id, top[i - 1]!)) i--;
  if (i >= 3) return;
  top.splice(i, 0, s);
  if (top.length > 3) top.pop();
}

function ranksBefore(score: number, last: number, id: string, b: Scored): boolean {
  if (score !== b.score) return score > b.score;
  if (last !== b.last) return last < b.last;
  return id < b.rep.id;
}

function toCandidate(
  s: Scored,
  lead: LeadInput,
  leadParent: string | null,
  segment: string,
  rules: RuleSet,
  windowDays: number,
  ruleLines: string[],
  team: Team,
): Candidate {
  const w = rules.weights;
  const rep = s.rep;
  const part = (weight: number, value: number): Part => ({ weight, value: round6(value), contribution: round6(weight * value) });

  // Which tag gave the industry value (first best tag), for the explanation.
  let bestTag: string | null = null;
  let bestRel: Relation = 'other';
  let bestVal = -Infinity;
  for (const tag of rep.industries) {
    const r = relation(lead.industry, leadParent, tag);
    const v = valueOf(r, rules.industryMatch);
    if (v > bestVal) {
      bestVal = v;
      bestRel = r;
      bestTag = tag;
    }
  }
  const industryDetail =
    bestTag === null ? 'no industry tags' : bestRel === 'other' ? 'no related tag' : `${relationLabel(bestRel)}: ${bestTag}`;
  const usedSegment = rep.closeRate.bySegment.has(segment);
  const open = Math.max(0, rep.openLeads);

  const reasons = [
    `industry match ${f2(w.industry)} × ${f2(s.industry)} (${industryDetail})`,
    `${windowDays}-day close rate ${f2(w.closeRate)} × ${f2(s.closeRate)}${usedSegment ? ` (${segment})` : ''}`,
    `load ${f2(w.load)} × ${f2(s.load)} (${open} of ${rep.capacity} open; team average ${team.open.toFixed(1)} open, ${pct(team.util)} utilised)`,
  ];
  if (s.boost > 0) reasons.push(`priority boost +${f2(s.boost)} (rule ${(s.boostRules ?? []).join(', ')})`);
  if (s.fairness < 0) reasons.push(`fairness −${f2(-s.fairness)} (${pct(open / rep.capacity)} utilised, above the team average)`);
  reasons.push(...ruleLines);

  const c: Candidate = {
    repId: rep.id,
    score: s.score,
    breakdown: {
      industry: part(w.industry, s.industry),
      closeRate: part(w.closeRate, s.closeRate),
      load: part(w.load, s.load),
      boost: round6(s.boost),
      fairness: round6(s.fairness),
    },
    reasons,
  };
  if (rep.name !== undefined) c.name = rep.name;
  return c;
}

function relationLabel(r: Relation): string {
  switch (r) {
    case 'exact':
      return 'exact';
    case 'sameParent':
      return 'same parent';
    case 'ancestor':
      return 'broader tag';
    case 'descendant':
      return 'narrower tag';
    case 'other':
      return 'other';
  }
}

/** "priority rule plc: techNeed = plc_programming → reps with closeRate(solution) > 0.85 first" */
export function describeRule(rule: PriorityRule): string {
  const when = rule.when.map(describeCondition).join(' and ');
  const a = rule.action;
  const metric =
    a.metric === 'skill'
      ? `skill ${a.skill ?? '?'}`
      : `closeRate${a.segment ? `(${a.segment})` : ''} ${a.op === 'gte' ? '≥' : '>'} ${fNum(a.threshold ?? 0)}`;
  const then = a.type === 'restrict' ? `reps with ${metric} first` : `+${f2(a.boost ?? 0)} for reps with ${metric}`;
  return `priority rule ${rule.id}: ${when} → ${then}`;
}

function describeCondition(c: RuleCondition): string {
  if (typeof c.value === 'number') return `${c.field} ${NUMBER_OP_TEXT[c.op as keyof typeof NUMBER_OP_TEXT] ?? c.op} ${fNum(c.value)}`;
  const v = typeof c.value === 'string' ? c.value : `[${c.value.join(', ')}]`;
  switch (c.op) {
    case 'eq':
      return `${c.field} = ${v}`;
    case 'in':
      return `${c.field} in ${typeof c.value === 'string' ? `[${v}]` : v}`;
    case 'prefix':
      return c.field === 'industry' ? `industry under ${v}` : `${c.field} starts with ${v}`;
    default:
      return `${c.field} ${c.op} ${v}`;
  }
}

const NUMBER_OP_TEXT = { gte: '≥', gt: '>', lte: '≤', lt: '<' } as const;

function label(rep: RepProfile): string {
  return rep.name ? `${rep.name} (${rep.id})` : rep.id;
}

function lastText(s: Scored): string {
  return s.last === -Infinity ? 'never assigned' : `last assigned ${new Date(s.last).toISOString()}`;
}

function listed(reps: RepProfile[], fmt: (r: RepProfile) => string): string {
  const shown = reps.slice(0, MAX_LISTED).map(fmt).join(', ');
  return reps.length > MAX_LISTED ? `${shown} and ${reps.length - MAX_LISTED} more` : shown;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : Number.isNaN(x) ? 0 : x;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function pct(x: number): string {
  return `${Math.round(x * 100)} %`;
}

function f2(x: number): string {
  return x.toFixed(2);
}

/** Thresholds: two decimals unless more are needed (0.85, 0.855). */
function fNum(x: number): string {
  const two = x.toFixed(2);
  return Number(two) === x ? two : String(Number(x.toFixed(4)));
}

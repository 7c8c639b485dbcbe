// Routing simulation: one generated month of leads and outcomes for 20 reps, replayed through
// the assignment engine (src/assignment/scoring.ts) and through plain round-robin in the same run.
// The world is seeded, so every run prints the same figures.
import { closeRates, type Outcome } from '../../src/assignment/close-rates.js';
import { defaultRuleSet, type RuleSet } from '../../src/assignment/rules.js';
import { decide, type LeadInput, type RepProfile } from '../../src/assignment/scoring.js';
import { seededRandom } from '../../src/platform/random.js';


const PARENTS = ['education', 'industrial_automation', 'fmcg', 'chemicals', 'medical'];
const LEAVES = ['a', 'b', 'c'];
const INDUSTRIES = PARENTS.flatMap((p) => LEAVES.map((l) => `${p}/${l}`));
const TECH_NEEDS = ['plc_programming', 'standard_selection', 'price_only'];

interface SimRep {
  id: string;
  industries: string[];
  capacity: number;
  /** True win probability: a base rate, better in the rep's own industries and for their specialty. */
  base: number;
  plcExpert: boolean;
}

interface SimLead extends LeadInput {
  id: string;
  day: number;
}

function world(seed: number) {
  const r = seededRandom(seed);
  const reps: SimRep[] = Array.from({ length: 20 }, (_, i) => {
    const home = INDUSTRIES[(i * 7) % INDUSTRIES.length]!;
    const second = INDUSTRIES[(i * 11 + 3) % INDUSTRIES.length]!;
    return { id: `rep${String(i).padStart(2, '0')}`, industries: [...new Set([home, second])], capacity: 12 + Math.floor(r() * 10), base: 0.12 + r() * 0.12, plcExpert: i % 5 === 0 };
  });
  const leads: SimLead[] = [];
  for (let day = 0; day < 30; day++) {
    const n = 30 + Math.floor(r() * 20);
    for (let k = 0; k < n; k++) {
      const industry = INDUSTRIES[Math.floor(r() ** 1.4 * INDUSTRIES.length)]!;
      const techNeed = r() < 0.3 ? TECH_NEEDS[Math.floor(r() * 3)] : undefined;
      leads.push({ id: `d${day}-${k}`, day, source: 'website_form', industry, techNeed });
    }
  }
  return { reps, leads, r };
}

function trueWinRate(rep: SimRep, lead: LeadInput): number {
  const parent = (p: string) => p.split('/')[0];
  let p = rep.base;
  if (rep.industries.includes(lead.industry)) p += 0.18;
  else if (rep.industries.some((i) => parent(i) === parent(lead.industry))) p += 0.07;
  if (lead.techNeed === 'plc_programming') p += rep.plcExpert ? 0.25 : -0.05;
  return Math.max(0.02, Math.min(0.95, p));
}

type Router = (lead: SimLead, reps: RepProfile[]) => string | null;

function roundRobin(): Router {
  let next = 0;
  return (_lead, reps) => {
    for (let k = 0; k < reps.length; k++) {
      const rep = reps[(next + k) % reps.length]!;
      if (rep.active && rep.openLeads < rep.capacity) {
        next = (next + k + 1) % reps.length;
        return rep.id;
      }
    }
    return null;
  };
}

const engine = (rules: RuleSet): Router => (lead, reps) => decide(lead, reps, rules).repId;

interface Result {
  industryMatch: number;
  techToExpert: number;
  maxMinOpen: number;
  gini: number;
  slaBreaches: number;
  expectedWins: number;
  pooled: number;
}

function gini(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const total = s.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let acc = 0;
  s.forEach((x, i) => (acc += (2 * (i + 1) - n - 1) * x));
  return acc / (n * total);
}

function run(seed: number, route: Router): Result {
  const { reps, leads } = world(seed);
  const r = seededRandom(seed + 1);
  const rules = defaultRuleSet();
  const open = new Map<string, { rep: string; closesOn: number; lead: SimLead }[]>(reps.map((x) => [x.id, []]));
  const outcomes: Outcome[] = [];
  const lastAssigned = new Map<string, Date>();
  let matched = 0;
  let assigned = 0;
  let tech = 0;
  let techToExpert = 0;
  let breaches = 0;
  let expected = 0;
  let pooled = 0;
  const spreads: number[] = [];
  const ginis: number[] = [];
  const start = Date.UTC(2026, 9, 1);
  for (let day = 0; day < 30; day++) {
    const now = new Date(start + day * 86_400_000);
    // Leads due today close; their outcome is known from then on.
    for (const [repId, list] of open) {
      const keep = list.filter((o) => o.closesOn > day);
      for (const o of list.filter((o) => o.closesOn <= day)) {
        const rep = reps.find((x) => x.id === repId)!;
        outcomes.push({ repId, segment: o.lead.techNeed === 'plc_programming' ? 'solution' : 'general', result: r() < trueWinRate(rep, o.lead) ? 'won' : 'lost', closedAt: now });
      }
      open.set(repId, keep);
    }
    const rates = closeRates(outcomes, now, rules.closeRate);
    for (const lead of leads.filter((l) => l.day === day)) {
      const profiles: RepProfile[] = reps.map((x) => ({
        id: x.id, industries: x.industries, skills: x.plcExpert ? ['plc'] : [], capacity: x.capacity, openLeads: open.get(x.id)!.length,
        active: true, lastAssignedAt: lastAssigned.get(x.id) ?? null, closeRate: rates.get(x.id) ?? { overall: 0, bySegment: new Map(), n: 0 },
      }));
      const repId = route(lead, profiles);
      if (!repId) {
        pooled++;
        continue;
      }
      const rep = reps.find((x) => x.id === repId)!;
      const load = open.get(repId)!.length / rep.capacity;
      assigned++;
      if (rep.industries.includes(lead.industry)) matched++;
      if (lead.techNeed === 'plc_programming') {
        tech++;
        if (rep.plcExpert) techToExpert++;
      }
      // Busy reps answer late more often.
      if (r() < 0.04 + 0.5 * Math.max(0, load - 0.7)) breaches++;
      expected += trueWinRate(rep, lead);
      open.get(repId)!.push({ rep: repId, closesOn: day + 4 + Math.floor(r() * 8), lead });
      lastAssigned.set(repId, new Date(now.getTime() + assigned));
    }
    const loads = reps.map((x) => open.get(x.id)!.length);
    spreads.push(Math.max(...loads) / Math.max(1, Math.min(...loads)));
    ginis.push(gini(reps.map((x) => open.get(x.id)!.length / x.capacity)));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    industryMatch: matched / assigned,
    techToExpert: tech ? techToExpert / tech : 0,
    maxMinOpen: mean(spreads),
    gini: mean(ginis),
    slaBreaches: breaches,
    expectedWins: expected,
    pooled,
  };
}

/** The defaults plus the example priority rule, as a tenant selling PLC projects would set it. */
function tenantRules(): RuleSet {
  return {
    ...defaultRuleSet(),
    priorityRules: [{
      id: 'plc', name: 'PLC leads to solution closers',
      when: [{ field: 'techNeed', op: 'eq', value: 'plc_programming' }],
      action: { type: 'restrict', metric: 'closeRate', segment: 'solution', op: 'gt', threshold: 0.35 },
    }],
  } as RuleSet;
}

export function simulate(seed = 7) {
  return { engine: run(seed, engine(tenantRules())), defaults: run(seed, engine(defaultRuleSet())), roundRobin: run(seed, roundRobin()) };
}

export function printRouting(): boolean {
  const { engine: e, defaults: d, roundRobin: rr } = simulate();
  const row = (name: string, a: number | string, b: number | string, c: number | string) =>
    console.log(`${name.padEnd(42)} ${String(a).padStart(14)} ${String(b).padStart(14)} ${String(c).padStart(12)}`);
  console.log('\nlead routing — one simulated month, 20 reps, ~1,200 leads (eval/routing/simulate.ts)');
  row('metric', 'engine+PLC rule', 'engine default', 'round-robin');
  row('industry-match rate', e.industryMatch.toFixed(3), d.industryMatch.toFixed(3), rr.industryMatch.toFixed(3));
  row('PLC leads reaching a PLC-expert rep', e.techToExpert.toFixed(3), d.techToExpert.toFixed(3), rr.techToExpert.toFixed(3));
  row('load spread: max/min open leads (mean/day)', e.maxMinOpen.toFixed(2), d.maxMinOpen.toFixed(2), rr.maxMinOpen.toFixed(2));
  row('load spread: Gini of utilisation', e.gini.toFixed(3), d.gini.toFixed(3), rr.gini.toFixed(3));
  row('SLA breaches (load-driven model)', e.slaBreaches, d.slaBreaches, rr.slaBreaches);
  row('expected wins (Σ true win rate)', e.expectedWins.toFixed(1), d.expectedWins.toFixed(1), rr.expectedWins.toFixed(1));
  row('leads left in the pool', e.pooled, d.pooled, rr.pooled);
  const yes = (b: boolean) => (b ? 'yes' : 'NO');
  console.log(`engine (with rule) vs round-robin: match rate higher ${yes(e.industryMatch > rr.industryMatch)}, expected wins higher ${yes(e.expectedWins > rr.expectedWins)}, Gini not higher ${yes(e.gini <= rr.gini)}, max/min not higher ${yes(e.maxMinOpen <= rr.maxMinOpen)}`);
  // The load-balance defaults (rules.ts loadBalance: slope 8, penalty 16) were chosen on
  // 2026-11-27 by sweeping slope × penalty over seeds 1–5, 7, 11, 23, 42, 99, 123 and 200–219;
  // seeds 300–329 decided between the last two candidates (6/12 and 8/16). Seeds 400–429 were
  // not looked at while choosing: they are the held-out months.
  console.log('other months of the same generator (engine+PLC rule vs round-robin):');
  for (const seed of [1, 2, 3, 4, 5]) {
    const o = simulate(seed);
    const x = o.engine;
    const y = o.roundRobin;
    console.log(
      `  seed ${seed}: match ${x.industryMatch.toFixed(3)} vs ${y.industryMatch.toFixed(3)}, expected wins ${x.expectedWins.toFixed(1)} vs ${y.expectedWins.toFixed(1)}, ` +
        `max/min ${x.maxMinOpen.toFixed(2)} vs ${y.maxMinOpen.toFixed(2)} ${x.maxMinOpen <= y.maxMinOpen ? '(not worse)' : '(WORSE)'}, ` +
        `Gini ${x.gini.toFixed(3)} vs ${y.gini.toFixed(3)} ${x.gini <= y.gini ? '(not worse)' : '(WORSE)'}`,
    );
  }
  const heldOut = Array.from({ length: 30 }, (_, i) => simulate(400 + i));
  type Month = ReturnType<typeof simulate>;
  const mean = (f: (o: Month) => number) => (heldOut.reduce((a, o) => a + f(o), 0) / heldOut.length).toFixed(3);
  const count = (p: (o: Month) => boolean) => `${heldOut.filter(p).length}/${heldOut.length}`;
  console.log(
    `held-out months (seeds 400–429, not looked at while choosing the defaults), engine+PLC rule vs round-robin: ` +
      `match rate higher in ${count((o) => o.engine.industryMatch > o.roundRobin.industryMatch)} (mean ${mean((o) => o.engine.industryMatch)} vs ${mean((o) => o.roundRobin.industryMatch)}), ` +
      `expected wins higher in ${count((o) => o.engine.expectedWins > o.roundRobin.expectedWins)} (mean ${mean((o) => o.engine.expectedWins)} vs ${mean((o) => o.roundRobin.expectedWins)}), ` +
      `max/min worse in ${count((o) => o.engine.maxMinOpen > o.roundRobin.maxMinOpen)}, Gini worse in ${count((o) => o.engine.gini > o.roundRobin.gini)}`,
  );
  return e.industryMatch > rr.industryMatch && e.expectedWins > rr.expectedWins && e.gini <= rr.gini && e.maxMinOpen <= rr.maxMinOpen;
}

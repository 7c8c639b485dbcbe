// The generated world of `bench/assignment.ts`: an industry hierarchy, 500 reps, 100,000 closed
// historical leads, ~60,000 outcomes, and the random leads the load clients post. Seeded, so two
// runs seed the same data (the load itself depends on timing).
import type pg from 'pg';
import { seededRandom } from '../src/platform/random.js';
import type { LeadBody } from '../src/assignment/routes.js';


const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: () => number, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** 8 parents × 5 leaves = 40 leaf industry paths. */
export const HIERARCHY: Record<string, string[]> = {
  education: ['k12', 'vocational', 'higher_ed', 'corporate_training', 'edtech'],
  industrial_automation: ['plc', 'motion_control', 'robotics', 'sensors', 'scada'],
  manufacturing: ['automotive', 'electronics', 'machinery', 'textiles', 'packaging'],
  medical: ['hospitals', 'devices', 'pharma', 'clinics', 'labs'],
  fmcg: ['food', 'beverage', 'personal_care', 'household', 'retail_chain'],
  chemicals: ['petrochemical', 'coatings', 'specialty', 'fertilizer', 'plastics'],
  energy: ['solar', 'wind', 'power_grid', 'battery', 'oil_gas'],
  logistics: ['warehousing', 'freight', 'cold_chain', 'ecommerce_fulfillment', 'ports'],
};
export const PARENTS = Object.keys(HIERARCHY);
export const LEAVES = PARENTS.flatMap((p) => HIERARCHY[p]!.map((l) => `${p}/${l}`));

/** Lead industry: a skewed (Zipf-like) draw, so a few industries are hot, as in real inbound traffic. */
export function industryDraw(r: () => number): string {
  return LEAVES[Math.floor(r() ** 1.6 * LEAVES.length)]!;
}

/** Sources: the first four are the default rule set's automatic sources; the rest go to the pool. */
const SOURCES: [string, number][] = [
  ['website_form', 0.36], ['inbound_call', 0.2], ['referral', 0.14], ['trade_show', 0.15],
  ['purchased_list', 0.08], ['social_ads', 0.07],
];
export function sourceDraw(r: () => number): string {
  let x = r();
  for (const [s, p] of SOURCES) if ((x -= p) < 0) return s;
  return SOURCES[0]![0];
}

export const SKILLS = ['plc_programming', 'standard_selection', 'solution_design', 'project_bidding', 'after_sales'];

/**
 * The bench's rule set (version 1): leads with a budget over 2 M go to key-account managers — the
 * small-capacity reps, the only ones with skill `key_accounts` — while they have room (a restrict
 * rule that is unmet once they are all full), and PLC work gets a boost for PLC programmers.
 * This makes concurrent requests race for the last slots of small reps.
 */
export const BENCH_RULES = {
  priorityRules: [
    {
      id: 'kam-big-budget',
      name: 'budgets over 2M to key-account managers',
      when: [{ field: 'budgetBand', op: 'eq', value: 'gt_2m' }],
      action: { type: 'restrict', metric: 'skill', skill: 'key_accounts' },
    },
    {
      id: 'plc-boost',
      name: 'PLC programming needs to PLC programmers',
      when: [{ field: 'techNeed', op: 'eq', value: 'plc_programming' }],
      action: { type: 'boost', metric: 'skill', skill: 'plc_programming', boost: 0.1 },
    },
  ],
};
const TECH_NEEDS = ['plc_programming', 'standard_selection', 'solution_design', 'price_only', 'retrofit', 'integration'];
const REGIONS = ['华东', '华南', '华北', '华中', '西南', '西北', '东北'];
const CONCERNS = ['price_budget', 'delivery_supply', 'decision_authority', 'integration_compat', 'roi_payback', 'data_security'];
const BUDGETS = ['lt_500k', '500k_2m', 'gt_2m'] as const;
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴'];
const CITY = ['苏州', '宁波', '东莞', '佛山', '成都', '武汉', '青岛', '合肥', '西安', '沈阳'];

export const REP_COUNT = 500;
export const repId = (i: number) => `rep-${String(i + 1).padStart(4, '0')}`;

export interface BenchRep {
  id: string;
  name: string;
  industries: string[];
  skills: string[];
  capacity: number;
  active: boolean;
  /** Starting load, set with SQL after the API created the rep. */
  openLeads: number;
  small: boolean;
  /** True win probability (history generation only). */
  base: number;
}

/**
 * 500 reps: 1–3 leaf industries each (~8 % also carry a broad parent tag), capacity 500–1,000
 * (room for a 30 s run at ~3,000 assignments/s, so the load measures assigning, not pooling),
 * ~10 % small (5–10: key-account managers, see BENCH_RULES) so the last slots are raced for,
 * ~2 % inactive; starting load 15–60 % of capacity (small reps: 0 to capacity − 3).
 */
export function makeReps(seed = 1): BenchRep[] {
  const r = seededRandom(seed);
  return Array.from({ length: REP_COUNT }, (_, i) => {
    const n = r() < 0.35 ? 1 : r() < 0.75 ? 2 : 3;
    const home = pick(r, PARENTS);
    const industries = new Set<string>();
    while (industries.size < n) {
      const parent = r() < 0.7 ? home : pick(r, PARENTS);
      industries.add(`${parent}/${pick(r, HIERARCHY[parent]!)}`);
    }
    if (r() < 0.08) industries.add(home);
    const skills = SKILLS.filter(() => r() < 0.2);
    const small = r() < 0.1;
    if (small) skills.push('key_accounts');
    const capacity = small ? int(r, 5, 10) : int(r, 500, 1000);
    const openLeads = small ? int(r, 0, capacity - 3) : Math.floor(capacity * (0.15 + 0.45 * r()));
    return {
      id: repId(i), name: `${pick(r, SURNAMES)}${i + 1}号`, industries: [...industries], skills, capacity,
      active: r() >= 0.02, openLeads, small, base: 0.12 + 0.2 * r(),
    };
  });
}

export type { LeadBody } from '../src/assignment/routes.js';

/** The body of one `POST /v1/leads`. */
export function leadBody(r: () => number, id: string): LeadBody {
  const body: LeadBody = { id, source: sourceDraw(r), industry: industryDraw(r) };
  if (r() < 0.8) body.budgetBand = pick(r, BUDGETS);
  if (r() < 0.6) body.techNeed = pick(r, TECH_NEEDS);
  if (r() < 0.9) body.region = pick(r, REGIONS);
  if (r() < 0.7) body.intentScore = Math.round(r() * 100);
  if (r() < 0.5) body.concerns = CONCERNS.filter(() => r() < 0.25);
  body.company = `${pick(r, CITY)}${pick(r, ['精密', '智能', '新材料', '电子', '物流', '医疗'])}有限公司`;
  body.contactName = `${pick(r, SURNAMES)}总`;
  return body;
}

const DAY = 86_400_000;
const topLevel = (p: string) => p.split('/')[0]!;

/**
 * 100,000 closed leads over the last 90 days, each owned by a rep (70 % a rep tagged with the
 * lead's industry), and outcomes for ~60,000 of them closed in the last 60 days (segment = the
 * industry's top level, which is what scoring reads by default).
 */
export async function seedHistory(
  db: pg.Pool,
  tenantId: string,
  reps: BenchRep[],
  opts: { leads: number; outcomes: number; batch: number; now: number },
): Promise<{ leads: number; outcomes: number; outcomesIn30d: number }> {
  const r = seededRandom(7);
  const byIndustry = new Map<string, BenchRep[]>();
  for (const rep of reps) for (const ind of rep.industries) (byIndustry.get(ind) ?? byIndustry.set(ind, []).get(ind)!).push(rep);

  type Hist = { id: string; rep: BenchRep; industry: string; assignedAt: number };
  const hist: Hist[] = [];
  let insertedLeads = 0;
  for (let start = 0; start < opts.leads; start += opts.batch) {
    const rows: (LeadBody & { repId: string; assignedAt: Date; touchedAt: Date })[] = [];
    for (let k = start; k < Math.min(opts.leads, start + opts.batch); k++) {
      const b = leadBody(r, `hist-${String(k).padStart(6, '0')}`);
      const industry = b.industry;
      const local = byIndustry.get(industry);
      const rep = local && r() < 0.7 ? pick(r, local) : pick(r, reps);
      const assignedAt = opts.now - r() * 90 * DAY;
      hist.push({ id: b.id, rep, industry, assignedAt });
      rows.push({ ...b, repId: rep.id, assignedAt: new Date(assignedAt), touchedAt: new Date(assignedAt + r() * 3_600_000) });
    }
    const col = <T>(f: (x: (typeof rows)[number]) => T) => rows.map(f);
    const res = await db.query(
      `INSERT INTO leads (tenant_id, id, source, industry, budget_band, tech_need, region, intent_score, concerns, company, contact_name,
         status, rep_id, assigned_at, first_touch_at, sla_state, sla_round, created_at)
       SELECT $1, x.id, x.source, x.industry, x.budget, x.tech, x.region, x.intent, string_to_array(x.concerns, ','), x.company, x.contact,
         'closed', x.rep, x.at, x.touched, 'met', 1, x.at
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[], $9::text[], $10::text[], $11::text[],
                   $12::text[], $13::timestamptz[], $14::timestamptz[])
         AS x(id, source, industry, budget, tech, region, intent, concerns, company, contact, rep, at, touched)`,
      [
        tenantId, col((x) => x.id), col((x) => x.source), col((x) => x.industry), col((x) => x.budgetBand ?? null), col((x) => x.techNeed ?? null),
        col((x) => x.region ?? null), col((x) => x.intentScore ?? null), col((x) => (x.concerns ?? []).join(',')),
        col((x) => x.company), col((x) => x.contactName), col((x) => x.repId), col((x) => x.assignedAt), col((x) => x.touchedAt),
      ],
    );
    insertedLeads += res.rowCount ?? 0;
  }

  // Outcomes: a lead closes 2–20 days after assignment; keep those closing in the last 60 days.
  const outcomes: { id: string; leadId: string; repId: string; segment: string; result: string; closedAt: Date }[] = [];
  for (const h of hist) {
    if (outcomes.length >= opts.outcomes) break;
    const closedAt = h.assignedAt + (2 + r() * 18) * DAY;
    if (closedAt > opts.now - 60_000 || closedAt < opts.now - 60 * DAY) continue;
    const p = h.rep.base + (h.rep.industries.includes(h.industry) ? 0.1 : 0);
    outcomes.push({ id: `out-${h.id}`, leadId: h.id, repId: h.rep.id, segment: topLevel(h.industry), result: r() < p ? 'won' : 'lost', closedAt: new Date(closedAt) });
  }
  let insertedOutcomes = 0;
  for (let start = 0; start < outcomes.length; start += opts.batch) {
    const rows = outcomes.slice(start, start + opts.batch);
    const res = await db.query(
      `INSERT INTO lead_outcomes (tenant_id, id, lead_id, rep_id, segment, result, closed_at, created_at)
       SELECT $1, o.id, o.lead_id, o.rep_id, o.segment, o.result, o.closed_at, o.closed_at
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[]) AS o(id, lead_id, rep_id, segment, result, closed_at)`,
      [tenantId, rows.map((o) => o.id), rows.map((o) => o.leadId), rows.map((o) => o.repId), rows.map((o) => o.segment), rows.map((o) => o.result), rows.map((o) => o.closedAt)],
    );
    insertedOutcomes += res.rowCount ?? 0;
  }
  const outcomesIn30d = outcomes.filter((o) => o.closedAt.getTime() > opts.now - 30 * DAY).length;
  return { leads: insertedLeads, outcomes: insertedOutcomes, outcomesIn30d };
}

import { describe, expect, it } from 'vitest';
import { closeRates, type Outcome } from '../../src/assignment/close-rates.js';
import { defaultRuleSet, validateRuleSet, type RuleSet, type RuleSetInput } from '../../src/assignment/rules.js';
import { decide, industryMatch, newDecideMemo, type LeadInput, type RepProfile } from '../../src/assignment/scoring.js';

function rep(id: string, o: Partial<Omit<RepProfile, 'closeRate'>> & { rate?: number; seg?: Record<string, number> } = {}): RepProfile {
  const { rate, seg, ...rest } = o;
  return {
    id,
    industries: ['education/vocational'],
    skills: [],
    capacity: 10,
    openLeads: 0,
    active: true,
    lastAssignedAt: null,
    closeRate: { overall: rate ?? 0.5, bySegment: new Map(Object.entries(seg ?? {})) },
    ...rest,
  };
}

const lead = (o: Partial<LeadInput> = {}): LeadInput => ({ source: 'website_form', industry: 'education/vocational', ...o });
const rules = (input: RuleSetInput = {}): RuleSet => validateRuleSet(input);

const plc = {
  id: 'plc',
  name: 'PLC leads to solution closers',
  when: [{ field: 'techNeed' as const, op: 'eq' as const, value: 'plc_programming' }],
  action: { type: 'restrict' as const, metric: 'closeRate' as const, segment: 'solution', op: 'gt' as const, threshold: 0.85 },
};

describe('industryMatch (hierarchical)', () => {
  const m = defaultRuleSet().industryMatch;
  it('exact leaf 1, sibling under the same parent 0.6, broader tag (ancestor) 0.3, unrelated 0', () => {
    expect(industryMatch('education/vocational', ['education/vocational'], m)).toBe(1);
    expect(industryMatch('education/vocational', ['education/public_school'], m)).toBe(0.6);
    expect(industryMatch('education/vocational', ['education'], m)).toBe(0.3);
    expect(industryMatch('manufacturing/automotive/parts', ['manufacturing'], m)).toBe(0.3);
    expect(industryMatch('manufacturing/automotive/parts', ['manufacturing/automotive'], m)).toBe(0.3);
    expect(industryMatch('education/vocational', ['retail/food'], m)).toBe(0);
  });

  it('a narrower tag inside a coarse lead path counts as ancestor too', () => {
    expect(industryMatch('education', ['education/vocational'], m)).toBe(0.3);
  });

  it('cousins, top-level siblings and string (not segment) prefixes are "other"', () => {
    expect(industryMatch('manufacturing/automotive/parts', ['manufacturing/electronics/pcb'], m)).toBe(0);
    expect(industryMatch('education', ['retail'], m)).toBe(0);
    expect(industryMatch('education/vocational', ['educational'], m)).toBe(0);
    expect(industryMatch('education/voc', ['education/vocational'], m)).toBe(0.6); // siblings, not a prefix match
    expect(industryMatch('education/vocational', ['education/vocational/it'], m)).toBe(0.3);
    expect(industryMatch('education/vocational', ['education/public_school/k12'], m)).toBe(0); // nephew: other
  });

  it('takes the best tag; no tags → other; values are configurable', () => {
    expect(industryMatch('education/vocational', ['retail', 'education', 'education/public_school'], m)).toBe(0.6);
    expect(industryMatch('education/vocational', [], m)).toBe(0);
    const custom = { exact: 0.9, sameParent: 0.2, ancestor: 0.7, other: 0.1 };
    expect(industryMatch('education/vocational', ['education', 'education/public_school'], custom)).toBe(0.7);
    expect(industryMatch('education/vocational', [], custom)).toBe(0.1);
  });
});

describe('decide: weighted score and explanation', () => {
  it('scores Σ weight × value and explains each part', () => {
    const d = decide(lead(), [rep('r1', { rate: 0.91, openLeads: 3, capacity: 6 })], rules());
    expect(d.repId).toBe('r1');
    expect(d.score).toBeCloseTo(0.4 * 1 + 0.3 * 0.91 + 0.3 * 0.5, 6);
    expect(d.breakdown).toEqual({
      industry: { weight: 0.4, value: 1, contribution: 0.4 },
      closeRate: { weight: 0.3, value: 0.91, contribution: 0.273 },
      load: { weight: 0.3, value: 0.5, contribution: 0.15 },
      boost: 0,
      fairness: 0,
    });
    expect(d.candidates[0]?.reasons).toEqual([
      'industry match 0.40 × 1.00 (exact: education/vocational)',
      '30-day close rate 0.30 × 0.91',
      'load 0.30 × 0.50 (3 of 6 open; team average 3.0 open, 50 % utilised)',
    ]);
    expect(d.reasons[0]).toBe('best fit of 1 eligible rep: r1, score 0.823');
    expect(d.reasons).toContain('load 0.30 × 0.50 (3 of 6 open; team average 3.0 open, 50 % utilised)');
    expect(d.pool).toBeUndefined();
    expect(d.rulesApplied).toEqual([]);
  });

  it('the weights decide between an industry specialist and a strong closer', () => {
    // Equal loads (both at the team average: load 0.5), so only industry and close rate differ.
    const reps = [
      rep('specialist', { rate: 0.2, openLeads: 5, capacity: 10 }), // 0.4 + 0.06 + 0.15 = 0.61
      rep('closer', { industries: ['retail'], rate: 0.9, openLeads: 5, capacity: 10 }), // 0 + 0.27 + 0.15 = 0.42
    ];
    const a = decide(lead(), reps, rules());
    expect(a.repId).toBe('specialist');
    expect(a.candidates.map((c) => [c.repId, c.score])).toEqual([
      ['specialist', 0.61],
      ['closer', 0.42],
    ]);
    const b = decide(lead(), reps, rules({ weights: { industry: 0.1, closeRate: 0.6, load: 0.3 } }));
    expect(b.repId).toBe('closer'); // 0.69 vs 0.37
    expect(b.score).toBeCloseTo(0.69, 6);
    expect(b.candidates[1]?.score).toBeCloseTo(0.37, 6);
    expect(b.candidates[0]?.reasons[0]).toBe('industry match 0.10 × 0.00 (no related tag)');
  });

  it('hierarchical industry match ranks exact > same parent > ancestor > other', () => {
    const reps = [
      rep('other', { industries: ['retail/food'] }),
      rep('ancestor', { industries: ['education'] }),
      rep('sibling', { industries: ['education/public_school'] }),
      rep('exact', { industries: ['education/vocational'] }),
      rep('untagged', { industries: [] }),
    ];
    const d = decide(lead(), reps, rules());
    expect(d.candidates.map((c) => [c.repId, c.breakdown.industry.value])).toEqual([
      ['exact', 1],
      ['sibling', 0.6],
      ['ancestor', 0.3],
    ]);
    expect(d.candidates[1]?.reasons[0]).toBe('industry match 0.40 × 0.60 (same parent: education/public_school)');
    expect(d.candidates[2]?.reasons[0]).toBe('industry match 0.40 × 0.30 (broader tag: education)');
    const coarse = decide(lead({ industry: 'education' }), [rep('narrow')], rules());
    expect(coarse.candidates[0]?.reasons[0]).toBe('industry match 0.40 × 0.30 (narrower tag: education/vocational)');
    const none = decide(lead(), [rep('untagged', { industries: [] })], rules());
    expect(none.candidates[0]?.reasons[0]).toBe('industry match 0.40 × 0.00 (no industry tags)');
  });

  it('load is relative to the team average (utilisation and open leads), 0.5 at the average; above it a fairness penalty', () => {
    // Team: 12 open of 30 capacity (40 %), 4 open per rep on average.
    const reps = [rep('busy', { openLeads: 6, capacity: 10 }), rep('avg', { openLeads: 4, capacity: 10 }), rep('free', { openLeads: 2, capacity: 10 })];
    const d = decide(lead(), reps, rules({ loadBalance: { slope: 1, penalty: 1 } }));
    const excessBusy = (0.6 - 0.4 + (6 - 4) / 4) / 2; // 0.35
    const excessFree = (0.2 - 0.4 + (2 - 4) / 4) / 2; // −0.35
    const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
    expect(d.candidates.map((c) => [c.repId, c.breakdown.load.value, c.breakdown.fairness])).toEqual([
      ['free', r6(0.5 - excessFree), 0],
      ['avg', 0.5, 0],
      ['busy', r6(0.5 - excessBusy), r6(-excessBusy)],
    ]);
    expect(d.candidates[2]?.score).toBeCloseTo(0.4 + 0.15 + 0.3 * (0.5 - excessBusy) - excessBusy, 6);
    expect(d.candidates[2]?.reasons).toContain('load 0.30 × 0.15 (6 of 10 open; team average 4.0 open, 40 % utilised)');
    expect(d.candidates[2]?.reasons).toContain('fairness −0.35 (60 % utilised, above the team average)');
    expect(d.candidates[0]?.reasons.some((r) => r.startsWith('fairness'))).toBe(false);
  });

  it('with the defaults a busy specialist gives way to an idle colleague of the same parent industry', () => {
    const reps = [rep('specialist', { openLeads: 8, capacity: 10 }), rep('sibling', { industries: ['education/k12'], openLeads: 1, capacity: 10 })];
    const d = decide(lead(), reps, rules());
    expect(d.repId).toBe('sibling');
    // Both at the average: the specialist wins on industry.
    const even = decide(lead(), [rep('specialist', { openLeads: 4 }), rep('sibling', { industries: ['education/k12'], openLeads: 4 })], rules());
    expect(even.repId).toBe('specialist');
    // slope 0 and penalty 0: load is 0.5 for everyone and plays no part.
    const off = decide(lead(), reps, rules({ loadBalance: { slope: 0, penalty: 0 } }));
    expect(off.repId).toBe('specialist');
    expect(off.candidates.map((c) => c.breakdown.load.value)).toEqual([0.5, 0.5]);
  });

  it('full reps count in the team average (a rep at capacity pulls the average up)', () => {
    const reps = [rep('full', { openLeads: 10, capacity: 10 }), rep('r', { openLeads: 5, capacity: 10 })];
    const d = decide(lead(), reps, rules());
    expect(d.candidates.map((c) => c.repId)).toEqual(['r']);
    expect(d.candidates[0]?.reasons[2]).toBe('load 0.30 × 1.00 (5 of 10 open; team average 7.5 open, 75 % utilised)');
  });

  it("close rate uses the lead's segment (industry top level, or lead.segment) when the rep has it, else overall", () => {
    const r = rep('r', { rate: 0.4, seg: { education: 0.8, solution: 0.9 } });
    const bySeg = decide(lead(), [r], rules());
    expect(bySeg.breakdown?.closeRate.value).toBe(0.8);
    expect(bySeg.candidates[0]?.reasons[1]).toBe('30-day close rate 0.30 × 0.80 (education)');
    expect(decide(lead({ segment: 'solution' }), [r], rules()).breakdown?.closeRate.value).toBe(0.9);
    const overall = decide(lead({ industry: 'retail/food' }), [r], rules());
    expect(overall.breakdown?.closeRate.value).toBe(0.4);
    expect(overall.candidates[0]?.reasons[1]).toBe('30-day close rate 0.30 × 0.40');
    expect(decide(lead(), [r], rules({ closeRate: { windowDays: 14 } })).candidates[0]?.reasons[1]).toMatch(/^14-day close rate/);
  });
});

describe('decide: memo', () => {
  it('remembering industry values per lead path and rates per segment changes no decision', () => {
    const tags = ['education/vocational', 'education/k12', 'education', 'retail/food', 'retail', 'energy/solar/rooftop'];
    const reps = Array.from({ length: 40 }, (_, i) =>
      rep(`r${i}`, {
        industries: [tags[i % tags.length]!, tags[(i * 7) % tags.length]!], openLeads: i % 9, capacity: 8 + (i % 5), rate: (i % 10) / 10,
        seg: i % 3 ? { education: ((i * 3) % 10) / 10, energy: ((i * 7) % 10) / 10 } : {},
      }),
    );
    const memo = newDecideMemo();
    const paths = ['education/vocational', 'education/public_school', 'education', 'retail/food/fresh', 'energy/solar', 'mining'];
    for (const r of [rules(), rules({ industryMatch: { ancestor: 0.9, other: 0.2 } })]) {
      for (const industry of [...paths, ...paths]) {
        expect(decide(lead({ industry }), reps, r, memo)).toEqual(decide(lead({ industry }), reps, r));
      }
    }
    expect(memo.industry.size).toBe(paths.length * 2);
    expect([...memo.rate.keys()].sort()).toEqual(['education', 'energy', 'mining', 'retail']);
  });
});

describe('decide: tier 1 source filter and tier 3 switch', () => {
  it('a source not assigned automatically goes to the pool, naming the source', () => {
    const d = decide(lead({ source: 'cold_call' }), [rep('r1')], rules());
    expect(d.repId).toBeNull();
    expect(d.score).toBeNull();
    expect(d.breakdown).toBeNull();
    expect(d.candidates).toEqual([]);
    expect(d.pool?.reason).toMatch(/^source "cold_call" is not assigned automatically/);
    expect(d.reasons[0]).toBe(d.pool?.reason);
  });

  it('the auto-assign source list is per rule set', () => {
    const r = rules({ autoAssignSources: ['cold_call'] });
    expect(decide(lead({ source: 'cold_call' }), [rep('r1')], r).repId).toBe('r1');
    expect(decide(lead({ source: 'website_form' }), [rep('r1')], r).pool?.reason).toContain('"website_form"');
    expect(decide(lead(), [rep('r1')], rules({ autoAssignSources: [] })).pool?.reason).toContain('automatic: none');
  });

  it('autoAssign off sends every lead to the pool', () => {
    const d = decide(lead(), [rep('r1')], rules({ autoAssign: false }));
    expect(d.repId).toBeNull();
    expect(d.candidates).toEqual([]);
    expect(d.pool?.reason).toMatch(/automatic assignment is switched off/);
  });
});

describe('decide: eligibility', () => {
  it('never assigns an inactive rep or a rep at or over capacity, and says so', () => {
    const reps = [
      rep('inactive', { active: false, rate: 1 }),
      rep('full', { openLeads: 6, capacity: 6, rate: 1 }),
      rep('over', { openLeads: 8, capacity: 6, rate: 1 }),
      rep('zero', { capacity: 0, rate: 1 }),
      rep('ok', { rate: 0.1, industries: ['retail'], openLeads: 9 }),
    ];
    const d = decide(lead(), reps, rules());
    expect(d.repId).toBe('ok');
    expect(d.candidates.map((c) => c.repId)).toEqual(['ok']);
    expect(d.reasons).toContain('1 inactive rep excluded: inactive');
    expect(d.reasons).toContain('3 reps at capacity excluded: full (6 of 6 open), over (8 of 6 open), zero (0 of 0 open)');
  });

  it('no eligible rep → pool with the reason', () => {
    const d = decide(lead(), [rep('a', { active: false }), rep('b', { openLeads: 3, capacity: 3 }), rep('c', { openLeads: 5, capacity: 5 })], rules());
    expect(d.repId).toBeNull();
    expect(d.score).toBeNull();
    expect(d.candidates).toEqual([]);
    expect(d.pool?.reason).toBe('no eligible rep: 1 inactive, 2 at capacity; the lead goes to the pool');
    expect(d.reasons).toEqual([d.pool?.reason, '1 inactive rep excluded: a', '2 reps at capacity excluded: b (3 of 3 open), c (5 of 5 open)']);
    expect(decide(lead(), [], rules()).pool?.reason).toBe('no eligible rep: there are no reps; the lead goes to the pool');
  });

  it('long exclusion lists are shortened; names are shown with ids', () => {
    const reps = Array.from({ length: 8 }, (_, i) => rep(`x${i}`, { active: false }));
    reps.push(rep('r', { name: 'Li Wei' }));
    const d = decide(lead(), reps, rules());
    expect(d.reasons).toContain('8 inactive reps excluded: x0, x1, x2, x3, x4 and 3 more');
    expect(d.reasons[0]).toBe('best fit of 1 eligible rep: Li Wei (r), score 0.700');
    expect(d.candidates[0]?.name).toBe('Li Wei');
  });
});

describe('decide: priority rules', () => {
  const team = () => [
    rep('generalist', { rate: 0.95, seg: { solution: 0.5 } }), // best score, weak on solutions
    rep('solver', { industries: ['retail'], rate: 0.4, seg: { solution: 0.9 } }),
    rep('rookie', { industries: ['retail'], rate: 0.3 }),
  ];

  it('intentScore conditions: a hot lead goes to the high closers first; a cold or unscored lead does not trigger the rule', () => {
    const hot = {
      id: 'hot', name: 'Hot leads to high closers',
      when: [{ field: 'intentScore' as const, op: 'gte' as const, value: 0.7 }],
      action: { type: 'restrict' as const, metric: 'closeRate' as const, op: 'gt' as const, threshold: 0.6 },
    };
    const reps = [rep('fit', { rate: 0.3 }), rep('closer', { industries: ['retail'], rate: 0.8 })];
    const d = decide(lead({ intentScore: 0.85 }), reps, rules({ priorityRules: [hot] }));
    expect(d.repId).toBe('closer');
    expect(d.rulesApplied).toEqual(['hot']);
    expect(d.reasons).toContain('priority rule hot: intentScore ≥ 0.70 → reps with closeRate > 0.60 first (1 of 2 eligible reps qualify)');
    expect(decide(lead({ intentScore: 0.7 }), reps, rules({ priorityRules: [hot] })).repId).toBe('closer'); // gte: the boundary holds
    const cold = decide(lead({ intentScore: 0.69 }), reps, rules({ priorityRules: [hot] }));
    expect([cold.repId, cold.rulesApplied]).toEqual(['fit', []]);
    expect(decide(lead(), reps, rules({ priorityRules: [hot] })).rulesApplied).toEqual([]); // no score: the condition is false
    const lt = { ...hot, id: 'lt', when: [{ field: 'intentScore' as const, op: 'lt' as const, value: 0.2 }] };
    expect(decide(lead({ intentScore: 0.1 }), reps, rules({ priorityRules: [lt] })).rulesApplied).toEqual(['lt']);
    expect(decide(lead({ intentScore: 0.2 }), reps, rules({ priorityRules: [lt] })).rulesApplied).toEqual([]);
  });

  it('restrict met: only reps above the threshold remain', () => {
    const d = decide(lead({ techNeed: 'plc_programming' }), team(), rules({ priorityRules: [plc] }));
    expect(d.repId).toBe('solver');
    expect(d.candidates.map((c) => c.repId)).toEqual(['solver']);
    expect(d.rulesApplied).toEqual(['plc']);
    const line = 'priority rule plc: techNeed = plc_programming → reps with closeRate(solution) > 0.85 first (1 of 3 eligible reps qualify)';
    expect(d.reasons).toContain(line);
    expect(d.candidates[0]?.reasons.at(-1)).toBe(line); // a candidate's own explanation names the rule too
  });

  it('restrict unmet: the rule is noted and everyone stays', () => {
    const reps = team().map((r) => (r.id === 'solver' ? rep('solver', { industries: ['retail'], rate: 0.4, seg: { solution: 0.8 } }) : r));
    const d = decide(lead({ techNeed: 'plc_programming' }), reps, rules({ priorityRules: [plc] }));
    expect(d.repId).toBe('generalist');
    expect(d.candidates).toHaveLength(3);
    expect(d.rulesApplied).toEqual(['plc']);
    expect(d.reasons).toContain(
      'priority rule plc: techNeed = plc_programming → reps with closeRate(solution) > 0.85 first — unmet: no eligible rep qualifies, all 3 stay',
    );
  });

  it('restrict never reaches past capacity: a qualified rep at capacity leaves the rule unmet', () => {
    const reps = team().map((r) => (r.id === 'solver' ? { ...r, openLeads: 10 } : r));
    const d = decide(lead({ techNeed: 'plc_programming' }), reps, rules({ priorityRules: [plc] }));
    expect(d.repId).toBe('generalist');
    expect(d.reasons.some((s) => s.includes('unmet'))).toBe(true);
  });

  it('a rule whose conditions do not hold is not applied', () => {
    const d = decide(lead({ techNeed: 'price_only' }), team(), rules({ priorityRules: [plc] }));
    expect(d.repId).toBe('generalist');
    expect(d.rulesApplied).toEqual([]);
    expect(d.reasons.some((s) => s.startsWith('priority rule'))).toBe(false);
    expect(decide(lead(), team(), rules({ priorityRules: [plc] })).rulesApplied).toEqual([]); // no techNeed at all
  });

  it('gt vs gte at the threshold; a rep without the segment is judged on its overall rate', () => {
    const reps = [rep('edge', { industries: [], seg: { solution: 0.85 } }), rep('overall', { industries: [], rate: 0.9 }), rep('top', { rate: 0.2 })];
    const gt = decide(lead({ techNeed: 'plc_programming' }), reps, rules({ priorityRules: [plc] }));
    expect(gt.candidates.map((c) => c.repId)).toEqual(['overall']);
    const gte = decide(lead({ techNeed: 'plc_programming' }), reps, rules({ priorityRules: [{ ...plc, action: { ...plc.action, op: 'gte' } }] }));
    expect(gte.candidates.map((c) => c.repId).sort()).toEqual(['edge', 'overall']);
    expect(gte.reasons.some((s) => s.includes('closeRate(solution) ≥ 0.85'))).toBe(true);
  });

  it('restrict by skill; restrictions compose in order', () => {
    const reps = [
      rep('a', { skills: ['plc', 'siemens'], rate: 0.3 }),
      rep('b', { skills: ['plc'], rate: 0.9 }),
      rep('c', { skills: [], rate: 1 }),
    ];
    const r = rules({
      priorityRules: [
        { id: 'plc-skill', name: 'PLC skill', when: [{ field: 'techNeed', op: 'eq', value: 'plc_programming' }], action: { type: 'restrict', metric: 'skill', skill: 'plc' } },
        { id: 'siemens', name: 'Siemens', when: [{ field: 'region', op: 'prefix', value: 'cn-' }], action: { type: 'restrict', metric: 'skill', skill: 'siemens' } },
      ],
    });
    expect(decide(lead({ techNeed: 'plc_programming' }), reps, r).candidates.map((c) => c.repId)).toEqual(['b', 'a']);
    const both = decide(lead({ techNeed: 'plc_programming', region: 'cn-east' }), reps, r);
    expect(both.candidates.map((c) => c.repId)).toEqual(['a']);
    expect(both.rulesApplied).toEqual(['plc-skill', 'siemens']);
    expect(both.reasons).toContain('priority rule siemens: region starts with cn- → reps with skill siemens first (1 of 2 eligible reps qualify)');
  });

  it('boost adds to the score of reps meeting it', () => {
    const reps = [rep('leader', { rate: 0.6 }), rep('expert', { rate: 0.5, skills: ['compliance'] })];
    const r = rules({
      priorityRules: [
        {
          id: 'sec',
          name: 'Security concerns to compliance experts',
          when: [{ field: 'concern', op: 'in', value: ['security_compliance', 'contract_terms'] }],
          action: { type: 'boost', metric: 'skill', skill: 'compliance', boost: 0.1 },
        },
      ],
    });
    const without = decide(lead({ concerns: ['price_budget'] }), reps, r);
    expect(without.repId).toBe('leader');
    expect(without.rulesApplied).toEqual([]);
    const d = decide(lead({ concerns: ['price_budget', 'security_compliance'] }), reps, r);
    expect(d.repId).toBe('expert');
    expect(d.score).toBeCloseTo(0.4 + 0.15 + 0.15 + 0.1, 6); // everyone at the team average: load 0.5
    expect(d.breakdown?.boost).toBe(0.1);
    expect(d.candidates[1]?.breakdown.boost).toBe(0);
    expect(d.candidates[0]?.reasons).toContain('priority boost +0.10 (rule sec)');
    expect(d.reasons).toContain(
      'priority rule sec: concern in [security_compliance, contract_terms] → +0.10 for reps with skill compliance (1 of 2 eligible reps boosted)',
    );
  });

  it('boost by close rate; boosts from several rules add up', () => {
    const r = rules({
      priorityRules: [
        { id: 'b1', name: 'b1', when: [{ field: 'budgetBand', op: 'eq', value: 'gt_2m' }], action: { type: 'boost', metric: 'closeRate', op: 'gte', threshold: 0.6, boost: 0.05 } },
        { id: 'b2', name: 'b2', when: [{ field: 'source', op: 'eq', value: 'website_form' }], action: { type: 'boost', metric: 'closeRate', op: 'gt', threshold: 0.5, boost: 0.05 } },
      ],
    });
    const d = decide(lead({ budgetBand: 'gt_2m' }), [rep('a', { rate: 0.6 }), rep('b', { rate: 0.55 })], r);
    expect(d.breakdown?.boost).toBeCloseTo(0.1, 9);
    expect(d.candidates[1]?.breakdown.boost).toBeCloseTo(0.05, 9);
    expect(d.candidates[0]?.reasons).toContain('priority boost +0.10 (rule b1, b2)');
  });

  it('conditions: industry prefix is segment-wise; all conditions must hold', () => {
    const rule = {
      id: 'edu',
      name: 'edu',
      when: [
        { field: 'industry' as const, op: 'prefix' as const, value: 'education' },
        { field: 'source' as const, op: 'in' as const, value: ['website_form', 'referral'] },
      ],
      action: { type: 'restrict' as const, metric: 'skill' as const, skill: 'edu' },
    };
    const r = rules({ priorityRules: [rule] });
    const reps = [rep('a', { skills: ['edu'] }), rep('b', { rate: 0.9 })];
    expect(decide(lead(), reps, r).rulesApplied).toEqual(['edu']);
    expect(decide(lead({ industry: 'education' }), reps, r).rulesApplied).toEqual(['edu']);
    expect(decide(lead({ industry: 'educational/x' }), reps, r).rulesApplied).toEqual([]);
    expect(decide(lead({ source: 'trade_show' }), reps, r).rulesApplied).toEqual([]);
    expect(decide(lead(), reps, r).reasons).toContain(
      'priority rule edu: industry under education and source in [website_form, referral] → reps with skill edu first (1 of 2 eligible reps qualify)',
    );
  });
});

describe('decide: ranking', () => {
  const at = (iso: string) => new Date(iso);

  it('ties go to the least recently assigned rep (never assigned first), then the lower id', () => {
    const reps = [
      rep('recent', { lastAssignedAt: at('2024-06-02T00:00:00Z') }),
      rep('older', { lastAssignedAt: at('2024-05-01T00:00:00Z') }),
      rep('z-never'),
      rep('a-never'),
    ];
    const d = decide(lead(), reps, rules());
    expect(d.candidates.map((c) => c.repId)).toEqual(['a-never', 'z-never', 'older']);
    expect(d.reasons.at(-1)).toBe('tie at 0.700 with z-never, both never assigned: lower rep id first');
    const d2 = decide(lead(), reps.slice(0, 2), rules());
    expect(d2.repId).toBe('older');
    expect(d2.reasons.at(-1)).toBe(
      'tie at 0.700 with recent: least recently assigned first (older last assigned 2024-05-01T00:00:00.000Z, recent last assigned 2024-06-02T00:00:00.000Z)',
    );
  });

  it('scores equal up to floating-point noise count as ties', () => {
    // 0.4·0.5 + 0.3·0.5 + 0.3·1 and 0.4·0.25 + 0.3·(5/6) + 0.3·1 are both 0.65 mathematically.
    const reps = [
      rep('b', { industries: ['education'], rate: 0.5 }),
      rep('a', { industries: ['education'], rate: 0.5, lastAssignedAt: at('2024-01-01T00:00:00Z') }),
    ];
    const r = rules({ industryMatch: { ancestor: 0.5 } });
    expect(decide(lead(), reps, r).repId).toBe('b');
    const reps2 = [rep('x', { industries: ['education'], rate: 0.1 + 0.2 }), rep('w', { industries: ['education'], rate: 0.3 })];
    expect(decide(lead(), reps2, r).repId).toBe('w'); // 0.1 + 0.2 !== 0.3, but the scores tie and w < x
  });

  it('candidates are the top 3, best first; the result does not depend on input order', () => {
    const reps = Array.from({ length: 12 }, (_, i) =>
      rep(`r${String(i).padStart(2, '0')}`, {
        rate: (i * 7) % 10 / 10,
        openLeads: i % 4,
        industries: [['education/vocational'], ['education/public_school'], ['education'], ['retail']][i % 4]!,
        lastAssignedAt: i % 3 === 0 ? null : new Date(Date.UTC(2024, 0, 1 + i)),
      }),
    );
    const r = rules({ priorityRules: [{ ...plc, action: { type: 'boost', metric: 'closeRate', op: 'gt', threshold: 0.5, boost: 0.05 } }] });
    const l = lead({ techNeed: 'plc_programming' });
    const d = decide(l, reps, r);
    expect(d.candidates).toHaveLength(3);
    const scores = d.candidates.map((c) => c.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(d.repId).toBe(d.candidates[0]?.repId);
    expect(d.score).toBe(d.candidates[0]?.score);
    expect(d.breakdown).toEqual(d.candidates[0]?.breakdown);
    // Brute force: the best three by the documented order.
    const all = reps.map((p) => ({ id: p.id, score: decide(l, [p], r).score!, last: p.lastAssignedAt?.getTime() ?? -Infinity }));
    all.sort((a, b) => b.score - a.score || a.last - b.last || (a.id < b.id ? -1 : 1));
    expect(d.candidates.map((c) => c.repId)).toEqual(all.slice(0, 3).map((a) => a.id));
    for (let seed = 1; seed <= 5; seed++) {
      expect(decide(l, shuffle(reps, seed), r)).toEqual(d);
    }
  });

  it('decides among 500 reps, only eligible ones as candidates', () => {
    const reps = Array.from({ length: 500 }, (_, i) =>
      rep(`rep-${i}`, {
        industries: [`industry_${i % 7}/sub_${i % 5}`, `industry_${i % 3}`],
        skills: i % 4 === 0 ? ['plc'] : [],
        capacity: 20,
        openLeads: i % 21,
        active: i % 50 !== 0,
        lastAssignedAt: new Date(1_700_000_000_000 + i * 1000),
        rate: (i % 100) / 100,
        seg: { solution: ((i * 13) % 100) / 100, industry_1: 0.5 },
      }),
    );
    const r = rules({
      priorityRules: [
        plc,
        { id: 'skill', name: 'skill', when: [{ field: 'source', op: 'eq', value: 'website_form' }], action: { type: 'boost', metric: 'skill', skill: 'plc', boost: 0.05 } },
      ],
    });
    const l = lead({ industry: 'industry_1/sub_2', techNeed: 'plc_programming' });
    // Speed is measured by bench/assignment.ts; here: 500 reps give a decision among eligible reps only.
    const d = decide(l, reps, r);
    expect(d.repId).not.toBeNull();
    expect(d.candidates.length).toBe(3);
    const byId = new Map(reps.map((x) => [x.id, x]));
    for (const c of d.candidates) {
      const rep = byId.get(c.repId)!;
      expect(rep.active).toBe(true);
      expect(rep.openLeads).toBeLessThan(rep.capacity);
    }
  });
});

describe('closeRates', () => {
  const now = new Date('2024-06-30T12:00:00Z');
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
  const o = (repId: string, segment: string, result: 'won' | 'lost', closedAt: Date): Outcome => ({ repId, segment, result, closedAt });

  // In the window: alice 3 won of 4 (education 2/3, solution 1/1), bob 1 of 4 (education 0/1,
  // solution 1/3), carol 2 of 2 (solution). Team 6/10 = 0.6; education 2/4 = 0.5; solution 4/6 = 2/3.
  const outcomes: Outcome[] = [
    o('alice', 'education', 'won', daysAgo(1)),
    o('alice', 'education', 'won', now), // exactly now: in
    o('alice', 'education', 'lost', daysAgo(29.9)),
    o('alice', 'solution', 'won', daysAgo(10)),
    o('alice', 'education', 'won', daysAgo(40)), // too old
    o('bob', 'education', 'lost', daysAgo(2)),
    o('bob', 'solution', 'won', daysAgo(3)),
    o('bob', 'solution', 'lost', daysAgo(4)),
    o('bob', 'solution', 'lost', daysAgo(5)),
    o('bob', 'solution', 'won', daysAgo(30)), // exactly 30 days old: out
    o('carol', 'solution', 'won', daysAgo(6)),
    o('carol', 'solution', 'won', daysAgo(7)),
    o('carol', 'solution', 'won', new Date(now.getTime() + 3_600_000)), // after now: out
    o('dave', 'education', 'won', daysAgo(31)), // only old outcomes
    o('erin', 'education', 'won', new Date('invalid')), // unusable date: ignored
  ];

  it('smooths toward the team rate: (won + prior·team) / (n + prior)', () => {
    const rates = closeRates(outcomes, now, { windowDays: 30, priorWeight: 5 });
    expect([...rates.keys()].sort()).toEqual(['alice', 'bob', 'carol']);
    const alice = rates.get('alice')!;
    expect(alice.n).toBe(4);
    expect(alice.won).toBe(3);
    expect(alice.overall).toBeCloseTo((3 + 5 * 0.6) / (4 + 5), 12); // 6/9 = 0.6667
    expect(alice.bySegment.get('education')).toBeCloseTo((2 + 5 * 0.5) / (3 + 5), 12); // 0.5625
    expect(alice.bySegment.get('solution')).toBeCloseTo((1 + 5 * (2 / 3)) / (1 + 5), 12); // 13/18 = 0.7222
    const bob = rates.get('bob')!;
    expect(bob.n).toBe(4);
    expect(bob.overall).toBeCloseTo(4 / 9, 12); // (1 + 3) / 9
    expect(bob.bySegment.get('education')).toBeCloseTo(2.5 / 6, 12); // (0 + 2.5) / (1 + 5)
    expect(bob.bySegment.get('solution')).toBeCloseTo(13 / 24, 12); // (1 + 10/3) / (3 + 5)
    const carol = rates.get('carol')!;
    expect(carol.overall).toBeCloseTo(5 / 7, 12); // (2 + 3) / (2 + 5): 2 of 2 is not 100 %
    expect(carol.bySegment.get('solution')).toBeCloseTo(16 / 21, 12);
    expect(carol.bySegment.has('education')).toBe(false);
  });

  it('priorWeight 0 gives raw rates; reps listed in repIds without outcomes get the team rate', () => {
    const raw = closeRates(outcomes, now, { windowDays: 30, priorWeight: 0, repIds: ['alice', 'dave'] });
    expect(raw.get('alice')?.overall).toBe(0.75);
    expect(raw.get('bob')?.overall).toBe(0.25);
    expect(raw.get('carol')?.overall).toBe(1);
    expect(raw.get('dave')).toEqual({ overall: 0.6, bySegment: new Map(), n: 0, won: 0 });
  });

  it('the window length moves which outcomes count', () => {
    const rates = closeRates(outcomes, now, { windowDays: 45, priorWeight: 0 });
    expect(rates.get('alice')?.overall).toBe(4 / 5);
    expect(rates.get('bob')?.overall).toBe(2 / 5);
    expect(rates.get('dave')?.overall).toBe(1);
  });

  it('no outcomes in the window: team rate 0, everyone equal', () => {
    const rates = closeRates([o('a', 's', 'won', daysAgo(90))], now, { windowDays: 30, priorWeight: 5, repIds: ['a', 'b'] });
    expect(rates.get('a')).toEqual({ overall: 0, bySegment: new Map(), n: 0, won: 0 });
    expect(rates.get('b')?.overall).toBe(0);
    expect(closeRates([], now, { windowDays: 30, priorWeight: 5 }).size).toBe(0);
  });

  it('accepts the rule set section as options and rejects nonsense', () => {
    expect(closeRates(outcomes, now, defaultRuleSet().closeRate).get('alice')?.overall).toBeCloseTo(6 / 9, 12);
    expect(() => closeRates(outcomes, now, { windowDays: 0, priorWeight: 5 })).toThrow(RangeError);
    expect(() => closeRates(outcomes, now, { windowDays: 30, priorWeight: -1 })).toThrow(RangeError);
  });

  it('feeds decide: a small perfect record does not beat a long good one by much', () => {
    const rates = closeRates(outcomes, now, { windowDays: 30, priorWeight: 5 });
    const profile = (id: string) => rep(id, { industries: [], rate: rates.get(id)!.overall, seg: Object.fromEntries(rates.get(id)!.bySegment) });
    const d = decide(lead({ industry: 'retail', segment: 'solution' }), [profile('alice'), profile('bob'), profile('carol')], rules());
    expect(d.candidates.map((c) => c.repId)).toEqual(['carol', 'alice', 'bob']);
    expect(d.candidates[0]?.breakdown.closeRate.value).toBeCloseTo(16 / 21, 6);
  });
});

function shuffle<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/platform/errors.js';
import {
  defaultRuleSet,
  industryPathSchema,
  ruleSetSchema,
  RuleSetValidationError,
  validateRuleSet,
} from '../../src/assignment/rules.js';

/** The issues `validateRuleSet` throws for `input` (fails the test when it does not throw). */
function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    validateRuleSet(input);
  } catch (err) {
    expect(err).toBeInstanceOf(RuleSetValidationError);
    return (err as RuleSetValidationError).issues;
  }
  throw new Error('expected validateRuleSet to throw');
}

const paths = (input: unknown) => issuesOf(input).map((i) => i.path);

const plcRule = {
  id: 'plc',
  name: 'PLC leads to solution closers',
  when: [{ field: 'techNeed', op: 'eq', value: 'plc_programming' }],
  action: { type: 'restrict', metric: 'closeRate', segment: 'solution', op: 'gt', threshold: 0.85 },
};

describe('rule set defaults', () => {
  it('defaultRuleSet() has the documented defaults', () => {
    expect(defaultRuleSet()).toEqual({
      autoAssign: true,
      autoAssignSources: ['website_form', 'trade_show', 'referral', 'inbound_call'],
      weights: { industry: 0.4, closeRate: 0.3, load: 0.3 },
      industryMatch: { exact: 1, sameParent: 0.6, ancestor: 0.3, other: 0 },
      loadBalance: { slope: 8, penalty: 16 },
      closeRate: { windowDays: 30, priorWeight: 5 },
      sla: { firstTouchMinutes: 120, onBreach: 'reassign' },
      priorityRules: [],
    });
  });

  it('an empty object validates to the defaults, and each call gets its own copy', () => {
    expect(validateRuleSet({})).toEqual(defaultRuleSet());
    const a = defaultRuleSet();
    a.autoAssignSources.push('cold_call');
    a.weights.load = 0;
    expect(defaultRuleSet().autoAssignSources).not.toContain('cold_call');
    expect(defaultRuleSet().weights.load).toBe(0.3);
  });

  it('fills missing keys inside a section from the defaults', () => {
    const r = validateRuleSet({ weights: { industry: 0.4, closeRate: 0.2, load: 0.4 }, industryMatch: { ancestor: 0.5 }, closeRate: { priorWeight: 0 } });
    expect(r.weights).toEqual({ industry: 0.4, closeRate: 0.2, load: 0.4 });
    expect(r.industryMatch).toEqual({ exact: 1, sameParent: 0.6, ancestor: 0.5, other: 0 });
    expect(r.closeRate).toEqual({ windowDays: 30, priorWeight: 0 });
  });

  it('accepts a full rule set with restrict and boost rules', () => {
    const r = validateRuleSet({
      autoAssign: false,
      autoAssignSources: ['website_form'],
      priorityRules: [
        plcRule,
        {
          id: 'big-edu',
          name: 'Big education deals',
          when: [
            { field: 'industry', op: 'prefix', value: 'education' },
            { field: 'budgetBand', op: 'in', value: ['500k_2m', 'gt_2m'] },
            { field: 'concern', op: 'eq', value: 'security_compliance' },
          ],
          action: { type: 'boost', metric: 'skill', skill: 'compliance', boost: 0.1 },
        },
      ],
    });
    expect(r.autoAssign).toBe(false);
    expect(r.priorityRules.map((p) => p.id)).toEqual(['plc', 'big-edu']);
    expect(r.priorityRules[1]?.action).toEqual({ type: 'boost', metric: 'skill', skill: 'compliance', boost: 0.1 });
  });

  it('tolerates weights that sum to 1 within 1e-6 (0.1 + 0.2 + 0.7 in floating point)', () => {
    expect(validateRuleSet({ weights: { industry: 0.1, closeRate: 0.2, load: 0.7 } }).weights.load).toBe(0.7);
    expect(validateRuleSet({ weights: { industry: 1 / 3, closeRate: 1 / 3, load: 1 / 3 } }).weights.industry).toBeCloseTo(1 / 3);
  });
});

describe('rule set validation errors name the field', () => {
  it('weights not summing to 1 → path "weights", message shows the sum', () => {
    const issues = issuesOf({ weights: { industry: 0.5, closeRate: 0.3, load: 0.3 } });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('weights');
    expect(issues[0]?.message).toMatch(/sum to 1/);
    expect(issues[0]?.message).toContain('1.1');
    // Defaults count toward the sum: only one weight given.
    expect(paths({ weights: { industry: 0.5 } })).toEqual(['weights']);
  });

  it('a weight outside 0..1 is named itself (and the sum is not reported twice)', () => {
    expect(paths({ weights: { industry: 1.2, closeRate: -0.1, load: -0.1 } })).toEqual(['weights.industry', 'weights.closeRate', 'weights.load']);
    expect(paths({ weights: { industry: 'a', closeRate: 0.3, load: 0.3 } })).toEqual(['weights.industry']);
  });

  it('restrict by closeRate without threshold → priorityRules.0.action.threshold', () => {
    const { threshold: _t, ...action } = plcRule.action;
    const issues = issuesOf({ priorityRules: [{ ...plcRule, action }] });
    expect(issues.map((i) => i.path)).toEqual(['priorityRules.0.action.threshold']);
    expect(issues[0]?.message).toMatch(/required/);
  });

  it('closeRate without op, threshold out of range, boost without boost, skill without skill', () => {
    const { op: _o, ...noOp } = plcRule.action;
    expect(paths({ priorityRules: [{ ...plcRule, action: noOp }] })).toEqual(['priorityRules.0.action.op']);
    expect(paths({ priorityRules: [{ ...plcRule, action: { ...plcRule.action, threshold: 85 } }] })).toEqual([
      'priorityRules.0.action.threshold',
    ]);
    expect(paths({ priorityRules: [{ ...plcRule, action: { ...plcRule.action, type: 'boost' } }] })).toEqual(['priorityRules.0.action.boost']);
    expect(paths({ priorityRules: [{ ...plcRule, action: { ...plcRule.action, type: 'boost', boost: 1.5 } }] })).toEqual([
      'priorityRules.0.action.boost',
    ]);
    expect(paths({ priorityRules: [plcRule, { ...plcRule, id: 'skill', action: { type: 'restrict', metric: 'skill' } }] })).toEqual([
      'priorityRules.1.action.skill',
    ]);
  });

  it('fields that do not belong to the metric or type are rejected', () => {
    expect(paths({ priorityRules: [{ ...plcRule, action: { type: 'restrict', metric: 'skill', skill: 'plc', threshold: 0.5 } }] })).toEqual([
      'priorityRules.0.action.threshold',
    ]);
    expect(paths({ priorityRules: [{ ...plcRule, action: { ...plcRule.action, boost: 0.1 } }] })).toEqual(['priorityRules.0.action.boost']);
  });

  it('unknown fields are named, at any depth', () => {
    const top = issuesOf({ weigths: { industry: 1 } });
    expect(top).toEqual([{ path: 'weigths', message: 'unknown field' }]);
    expect(paths({ weights: { industry: 0.4, closeRate: 0.3, load: 0.3, intent: 0 } })).toEqual(['weights.intent']);
    expect(paths({ priorityRules: [{ ...plcRule, action: { ...plcRule.action, metrc: 'x' } }] })).toEqual(['priorityRules.0.action.metrc']);
  });

  it('a condition on an unknown lead field names the condition field', () => {
    const issues = issuesOf({ priorityRules: [{ ...plcRule, when: [{ field: 'color', op: 'eq', value: 'red' }] }] });
    expect(issues.map((i) => i.path)).toEqual(['priorityRules.0.when.0.field']);
    expect(issues[0]?.message).toContain('unknown field "color"');
  });

  it('bad industry path in a condition → priorityRules.N.when.M.value(.i)', () => {
    expect(paths({ priorityRules: [{ ...plcRule, when: [{ field: 'industry', op: 'eq', value: 'Education/Vocational' }] }] })).toEqual([
      'priorityRules.0.when.0.value',
    ]);
    expect(
      paths({ priorityRules: [{ ...plcRule, when: [{ field: 'industry', op: 'in', value: ['education', 'retail//food'] }] }] }),
    ).toEqual(['priorityRules.0.when.0.value.1']);
  });

  it('op and value shape must agree; budget bands and concern codes are checked', () => {
    expect(paths({ priorityRules: [{ ...plcRule, when: [{ field: 'source', op: 'in', value: 'referral' }] }] })).toEqual([
      'priorityRules.0.when.0.value',
    ]);
    expect(paths({ priorityRules: [{ ...plcRule, when: [{ field: 'source', op: 'eq', value: ['a', 'b'] }] }] })).toEqual([
      'priorityRules.0.when.0.value',
    ]);
    expect(paths({ priorityRules: [{ ...plcRule, when: [{ field: 'budgetBand', op: 'eq', value: '2m_plus' }] }] })).toEqual([
      'priorityRules.0.when.0.value',
    ]);
    expect(paths({ priorityRules: [{ ...plcRule, when: [{ field: 'concern', op: 'eq', value: 'Price Budget' }] }] })).toEqual([
      'priorityRules.0.when.0.value',
    ]);
    expect(paths({ priorityRules: [{ ...plcRule, when: [{ field: 'source', op: 'like', value: 'x' }] }] })).toEqual(['priorityRules.0.when.0.op']);
    expect(paths({ priorityRules: [{ ...plcRule, when: [] }] })).toEqual(['priorityRules.0.when']);
  });

  it('duplicate rule ids, too many rules, bad ids', () => {
    expect(paths({ priorityRules: [plcRule, { ...plcRule }] })).toEqual(['priorityRules.1.id']);
    const many = Array.from({ length: 51 }, (_, i) => ({ ...plcRule, id: `r${i}` }));
    expect(paths({ priorityRules: many })).toEqual(['priorityRules']);
    expect(validateRuleSet({ priorityRules: many.slice(0, 50) }).priorityRules).toHaveLength(50);
    expect(paths({ priorityRules: [{ ...plcRule, id: 'has space' }] })).toEqual(['priorityRules.0.id']);
  });

  it('other sections: closeRate window, sla, autoAssign type, the input itself', () => {
    expect(paths({ closeRate: { windowDays: 0 } })).toEqual(['closeRate.windowDays']);
    expect(paths({ closeRate: { priorWeight: -1 } })).toEqual(['closeRate.priorWeight']);
    expect(paths({ sla: { onBreach: 'ignore' } })).toEqual(['sla.onBreach']);
    expect(paths({ sla: { firstTouchMinutes: 0 } })).toEqual(['sla.firstTouchMinutes']);
    expect(validateRuleSet({ sla: { firstTouchMinutes: 0.5 } }).sla).toEqual({ firstTouchMinutes: 0.5, onBreach: 'reassign' });
    expect(paths({ autoAssign: 'yes' })).toEqual(['autoAssign']);
    expect(paths({ autoAssignSources: ['website_form', ''] })).toEqual(['autoAssignSources.1']);
    expect(paths(null)).toEqual(['']);
    expect(paths([])).toEqual(['']);
  });

  it('reports every problem at once', () => {
    const { threshold: _t, ...action } = plcRule.action;
    expect(paths({ weights: { industry: 0.9 }, bogus: 1, priorityRules: [{ ...plcRule, action }] }).sort()).toEqual(
      ['bogus', 'priorityRules.0.action.threshold', 'weights'].sort(),
    );
  });

  it('the error is a 400 AppError listing the fields', () => {
    try {
      validateRuleSet({ weights: { industry: 0.5, closeRate: 0.5, load: 0.5 } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      const e = err as RuleSetValidationError;
      expect(e.statusCode).toBe(400);
      expect(e.code).toBe('validation_error');
      expect(e.message).toMatch(/^invalid assignment rules: weights: /);
      expect(e.details).toEqual({ fields: [{ field: 'weights', message: e.issues[0]?.message }] });
    }
  });

  it('intentScore conditions: numeric ops with a number 0–100; text ops and numbers do not mix', () => {
    const rule = (when: unknown) => ({ ...plcRule, when: [when] });
    expect(validateRuleSet({ priorityRules: [rule({ field: 'intentScore', op: 'gte', value: 70 })] }).priorityRules[0]?.when[0]).toEqual({ field: 'intentScore', op: 'gte', value: 70 });
    expect(validateRuleSet({ priorityRules: [rule({ field: 'intentScore', op: 'lt', value: 0.5 })] }).priorityRules).toHaveLength(1);
    expect(paths({ priorityRules: [rule({ field: 'intentScore', op: 'eq', value: 70 })] })).toEqual(['priorityRules.0.when.0.op']);
    expect(paths({ priorityRules: [rule({ field: 'intentScore', op: 'gte', value: '70' })] })).toEqual(['priorityRules.0.when.0.value']);
    expect(paths({ priorityRules: [rule({ field: 'intentScore', op: 'gte', value: 101 })] })).toEqual(['priorityRules.0.when.0.value']);
    expect(paths({ priorityRules: [rule({ field: 'intentScore', op: 'gte', value: -1 })] })).toEqual(['priorityRules.0.when.0.value']);
    expect(paths({ priorityRules: [rule({ field: 'techNeed', op: 'gte', value: 3 })] })).toEqual(['priorityRules.0.when.0.op']);
    expect(paths({ priorityRules: [rule({ field: 'techNeed', op: 'eq', value: 3 })] })).toEqual(['priorityRules.0.when.0.value']);
    expect(paths({ priorityRules: [rule({ field: 'intentScore', op: 'between', value: 3 })] })).toEqual(['priorityRules.0.when.0.op']);
  });

  it('loadBalance: slope and penalty between 0 and 20, unknown keys refused', () => {
    expect(validateRuleSet({ loadBalance: { penalty: 0 } }).loadBalance).toEqual({ slope: 8, penalty: 0 });
    expect(paths({ loadBalance: { slope: -1, penalty: 21 } })).toEqual(['loadBalance.slope', 'loadBalance.penalty']);
    expect(paths({ loadBalance: { slope: 'steep' } })).toEqual(['loadBalance.slope']);
    expect(paths({ loadBalance: { gini: 1 } })).toEqual(['loadBalance.gini']);
  });

  it('ruleSetSchema is usable directly (e.g. as a route schema)', () => {
    expect(ruleSetSchema.safeParse({ weights: { industry: 0.5, closeRate: 0.3, load: 0.3 } }).success).toBe(false);
    expect(ruleSetSchema.parse({ priorityRules: [plcRule] }).priorityRules[0]?.action.threshold).toBe(0.85);
  });
});

describe('industryPathSchema', () => {
  it.each(['education', 'education/vocational', 'manufacturing/automotive/parts', 'a/b/c/d/e', 'k12_2/public_school'])('accepts %s', (p) => {
    expect(industryPathSchema.safeParse(p).success).toBe(true);
  });
  it.each(['', 'Education', 'education/', '/education', 'education//vocational', 'a/b/c/d/e/f', 'edu cation', 'education/vocational-school', '教育'])(
    'rejects %j',
    (p) => {
      expect(industryPathSchema.safeParse(p).success).toBe(false);
    },
  );
});

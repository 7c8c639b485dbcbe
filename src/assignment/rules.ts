/**
 * Lead-assignment rule sets: one per tenant (stored versioned by the assignment service),
 * validated here before they are saved or used.
 *
 * Tier 1 — `autoAssignSources`: leads from these sources are assigned automatically; leads from
 *   any other source go to the pool that reps claim from.
 * Tier 2 — `weights` (industry / close rate / load, summing to 1), `industryMatch` (how a rep's
 *   industry tags match the lead's industry path, see below), `closeRate` (window and Bayesian
 *   smoothing, see `close-rates.ts`) and `priorityRules` (conditions on the lead → restrict to or
 *   boost reps meeting a metric threshold; semantics in `scoring.ts`).
 * Tier 3 — `autoAssign: false` sends every lead to the pool (managers assign or override by hand).
 * `sla` — the first-touch deadline after an assignment and what a breach does (service side).
 *
 * Industry paths are lowercase segments joined by "/", 1–5 levels: `education/vocational`.
 * `industryMatch` scores a rep's tag against the lead's path (a rep scores its best tag):
 *   exact      — the tag is the lead's path                         education/vocational ↔ education/vocational
 *   sameParent — siblings: same immediate parent, different leaf     education/public_school ↔ education/vocational
 *   ancestor   — one path contains the other: the rep is tagged with a broader path that covers
 *                the lead (education ↔ education/vocational), or — when the CRM only knows the lead
 *                coarsely — with a narrower one inside it (education/vocational ↔ education)
 *   other      — anything else (including cousins sharing only a grandparent)
 * Defaults 1 / 0.6 / 0.3 / 0. A broad tag ranks below a sibling specialist on purpose: a
 * top-level tag says little about the sub-segment, and rating it higher would make tagging
 * oneself broadly the way to attract leads. Tenants can change all four values.
 */
import { z } from 'zod';
import { AppError } from '../platform/errors.js';

export const INDUSTRY_PATH_RE = /^[a-z0-9_]+(?:\/[a-z0-9_]+){0,4}$/;
const INDUSTRY_PATH_MESSAGE = 'industry path must be 1–5 lowercase segments of a–z, 0–9 or _ joined by "/" (e.g. education/vocational)';

/** An industry path, used by leads, reps and rule conditions. */
export const industryPathSchema = z.string().max(200).regex(INDUSTRY_PATH_RE, INDUSTRY_PATH_MESSAGE);

export const BUDGET_BANDS = ['lt_500k', '500k_2m', 'gt_2m'] as const;
export const budgetBandSchema = z.enum(BUDGET_BANDS);

export const DEFAULT_AUTO_ASSIGN_SOURCES = ['website_form', 'trade_show', 'referral', 'inbound_call'] as const;

export const CONDITION_FIELDS = ['source', 'industry', 'budgetBand', 'techNeed', 'region', 'concern', 'intentScore'] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];
/** Fields holding a number: compared with gte / gt / lte / lt against a number. */
export const NUMERIC_FIELDS: readonly ConditionField[] = ['intentScore'];
const TEXT_OPS = ['eq', 'in', 'prefix'] as const;
const NUMBER_OPS = ['gte', 'gt', 'lte', 'lt'] as const;
/** The highest intent score a lead may carry (POST /v1/leads). */
export const MAX_INTENT_SCORE = 100;

const CONCERN_CODE_RE = /^[a-z][a-z0-9_]{1,47}$/;
const RULE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_PRIORITY_RULES = 50;
const WEIGHT_SUM_TOLERANCE = 1e-6;

const unit = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');
const token = z.string().trim().min(1).max(200);

const weightsSchema = z
  .strictObject({ industry: unit.default(0.4), closeRate: unit.default(0.3), load: unit.default(0.3) })
  .superRefine((w, ctx) => {
    const parts = [w.industry, w.closeRate, w.load];
    if (!parts.every((p) => typeof p === 'number' && Number.isFinite(p))) return; // already reported per field
    const sum = w.industry + w.closeRate + w.load;
    if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE) {
      ctx.addIssue({
        code: 'custom',
        message: `weights must sum to 1 (got ${round(sum, 6)} = industry ${w.industry} + closeRate ${w.closeRate} + load ${w.load})`,
      });
    }
  })
  .prefault({});

const industryMatchSchema = z
  .strictObject({ exact: unit.default(1), sameParent: unit.default(0.6), ancestor: unit.default(0.3), other: unit.default(0) })
  .prefault({});

/**
 * How the load term balances the team (see `scoring.ts`, step 4): a rep's excess is how far it is
 * above the team's average — half from utilisation (open / capacity), half from open leads
 * relative to the average count. `slope` turns the excess into the load value (0.5 at the
 * average), `penalty` is subtracted per unit of excess above the average (0 turns it off).
 * Defaults chosen on the routing simulation (eval/routing) so that the load spread is not worse
 * than round-robin's; stronger balancing costs some industry match (see README).
 */
const loadBalanceSchema = z
  .strictObject({
    slope: z.number().min(0).max(20).default(8),
    penalty: z.number().min(0).max(20).default(16),
  })
  .prefault({});

const closeRateSchema = z
  .strictObject({
    /** Rolling window in days (rates use outcomes closed in (now − windowDays, now]). */
    windowDays: z.number().int().min(1).max(365).default(30),
    /** Bayesian smoothing pseudo-count: how many team-average outcomes each rep's rate starts with. */
    priorWeight: z.number().min(0).max(1000).default(5),
  })
  .prefault({});

const conditionSchema = z
  .strictObject({
    field: z.enum(CONDITION_FIELDS, {
      error: (iss) => `unknown field ${JSON.stringify(iss.input)}; expected one of ${CONDITION_FIELDS.join(', ')}`,
    }),
    op: z.enum([...TEXT_OPS, ...NUMBER_OPS], {
      error: (iss) => `unknown op ${JSON.stringify(iss.input)}; expected eq, in or prefix (text fields) or gte, gt, lte, lt (intentScore)`,
    }),
    value: z.union([token, z.array(token).min(1).max(100), z.number().min(0).max(MAX_INTENT_SCORE)], {
      error: `value must be a string (eq, prefix), a list of strings (in) or a number between 0 and ${MAX_INTENT_SCORE} (gte, gt, lte, lt)`,
    }),
  })
  .superRefine((c, ctx) => {
    if (c.op === undefined || c.value === undefined || c.field === undefined) return;
    const numericField = NUMERIC_FIELDS.includes(c.field);
    const numericOp = (NUMBER_OPS as readonly string[]).includes(c.op);
    if (numericField !== numericOp) {
      ctx.addIssue({
        code: 'custom', path: ['op'],
        message: numericField ? `field ${c.field} is a number: use gte, gt, lte or lt` : `op "${c.op}" compares numbers; field ${c.field} is text (eq, in or prefix)`,
      });
      return;
    }
    if (numericOp) {
      if (typeof c.value !== 'number') ctx.addIssue({ code: 'custom', path: ['value'], message: `op "${c.op}" needs a number between 0 and ${MAX_INTENT_SCORE}` });
      return;
    }
    if (typeof c.value === 'number') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `op "${c.op}" needs ${c.op === 'in' ? 'a list of values' : 'a single value'}, not a number` });
      return;
    }
    const isList = Array.isArray(c.value);
    if (c.op === 'in' && !isList) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'op "in" needs a list of values' });
      return;
    }
    if (c.op !== 'in' && isList) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `op "${c.op}" needs a single value` });
      return;
    }
    const values = isList ? (c.value as string[]) : [c.value as string];
    values.forEach((v, i) => {
      const path = isList ? ['value', i] : ['value'];
      if (typeof v !== 'string') return;
      if (c.field === 'industry' && !INDUSTRY_PATH_RE.test(v)) ctx.addIssue({ code: 'custom', path, message: INDUSTRY_PATH_MESSAGE });
      if (c.field === 'budgetBand' && c.op !== 'prefix' && !(BUDGET_BANDS as readonly string[]).includes(v)) {
        ctx.addIssue({ code: 'custom', path, message: `unknown budget band ${JSON.stringify(v)}; expected one of ${BUDGET_BANDS.join(', ')}` });
      }
      if (c.field === 'concern' && c.op !== 'prefix' && !CONCERN_CODE_RE.test(v)) {
        ctx.addIssue({ code: 'custom', path, message: 'concern code must be snake_case (a lowercase letter, then a–z, 0–9 or _)' });
      }
    });
  });

const actionSchema = z
  .strictObject({
    type: z.enum(['restrict', 'boost'], { error: 'type must be "restrict" or "boost"' }),
    metric: z.enum(['closeRate', 'skill'], { error: 'metric must be "closeRate" or "skill"' }),
    /** closeRate: the outcome segment to read (falls back to the rep's overall rate when absent). */
    segment: token.max(80).optional(),
    /** skill: the rep must list this skill. */
    skill: token.max(80).optional(),
    op: z.enum(['gt', 'gte'], { error: 'op must be "gt" or "gte"' }).optional(),
    threshold: unit.optional(),
    /** boost: added to the score of reps meeting the condition. */
    boost: unit.optional(),
  })
  .superRefine((a, ctx) => {
    const need = (key: string, why: string) => ctx.addIssue({ code: 'custom', path: [key], message: `required ${why}` });
    const forbid = (key: string, why: string) => ctx.addIssue({ code: 'custom', path: [key], message: `not allowed ${why}` });
    if (a.metric === 'closeRate') {
      if (a.op === undefined) need('op', 'for metric closeRate ("gt" or "gte")');
      if (a.threshold === undefined) need('threshold', 'for metric closeRate (a rate between 0 and 1)');
      if (a.skill !== undefined) forbid('skill', 'for metric closeRate');
    } else if (a.metric === 'skill') {
      if (a.skill === undefined) need('skill', 'for metric skill');
      if (a.op !== undefined) forbid('op', 'for metric skill');
      if (a.threshold !== undefined) forbid('threshold', 'for metric skill');
      if (a.segment !== undefined) forbid('segment', 'for metric skill');
    }
    if (a.type === 'boost' && a.boost === undefined) need('boost', 'for a boost rule (between 0 and 1)');
    if (a.type === 'restrict' && a.boost !== undefined) forbid('boost', 'for a restrict rule');
  });

const priorityRuleSchema = z.strictObject({
  id: z.string().regex(RULE_ID_RE, 'id must be 1–64 characters: letters, digits, _ . - (starting with a letter or digit)'),
  name: z.string().trim().min(1).max(120),
  when: z.array(conditionSchema).min(1, 'a rule needs at least one condition').max(20),
  action: actionSchema,
});

export const ruleSetSchema = z.strictObject({
  /** Tier 3 switch: false sends every lead to the pool. */
  autoAssign: z.boolean().default(true),
  /** Tier 1: sources assigned automatically; leads from other sources go to the pool. */
  autoAssignSources: z.array(token.max(64)).max(100).default(() => [...DEFAULT_AUTO_ASSIGN_SOURCES]),
  weights: weightsSchema,
  industryMatch: industryMatchSchema,
  loadBalance: loadBalanceSchema,
  closeRate: closeRateSchema,
  /**
   * First-touch SLA (used by the assignment service, not by scoring): an assigned lead not
   * touched within `firstTouchMinutes` is re-assigned to the next best rep (`reassign`) or
   * flagged to managers (`escalate`).
   */
  sla: z
    .strictObject({
      /** Minutes (fractions allowed) from assignment to the first touch. */
      firstTouchMinutes: z.number().gt(0, 'must be more than 0').max(10_080).default(120),
      onBreach: z.enum(['reassign', 'escalate'], { error: 'onBreach must be "reassign" or "escalate"' }).default('reassign'),
    })
    .prefault({}),
  priorityRules: z
    .array(priorityRuleSchema)
    .max(MAX_PRIORITY_RULES, `at most ${MAX_PRIORITY_RULES} priority rules`)
    .default(() => [])
    .superRefine((rules, ctx) => {
      const seen = new Set<string>();
      rules.forEach((r, i) => {
        if (typeof r?.id !== 'string') return;
        if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate rule id ${JSON.stringify(r.id)}` });
        seen.add(r.id);
      });
    }),
});

export type RuleSet = z.output<typeof ruleSetSchema>;
/** What a caller may send: every field optional, defaults filled in. */
export type RuleSetInput = z.input<typeof ruleSetSchema>;
export type PriorityRule = RuleSet['priorityRules'][number];
export type RuleCondition = PriorityRule['when'][number];
export type RuleAction = PriorityRule['action'];

export interface RuleSetIssue {
  /** Dotted path to the offending field: `weights`, `priorityRules.0.action.threshold`; '' for the input as a whole. */
  path: string;
  message: string;
}

/** Thrown by `validateRuleSet`; an `AppError` (400 validation_error) so the HTTP layer can rethrow it as is. */
export class RuleSetValidationError extends AppError {
  override readonly name = 'RuleSetValidationError';
  constructor(readonly issues: RuleSetIssue[]) {
    const first = issues[0];
    super(
      400,
      'validation_error',
      first ? `invalid assignment rules: ${first.path || '(rule set)'}: ${first.message}` : 'invalid assignment rules',
      { fields: issues.map((i) => ({ field: i.path, message: i.message })) },
    );
  }
}

/** A fresh copy of the default rule set. */
export function defaultRuleSet(): RuleSet {
  return ruleSetSchema.parse({});
}

/** Parses and validates a rule set (missing fields take their defaults); throws `RuleSetValidationError`. */
export function validateRuleSet(input: unknown): RuleSet {
  const res = ruleSetSchema.safeParse(input);
  if (res.success) return res.data;
  throw new RuleSetValidationError(toIssues(res.error));
}

function toIssues(err: z.ZodError): RuleSetIssue[] {
  const out: RuleSetIssue[] = [];
  for (const iss of err.issues) {
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) out.push({ path: joinPath([...iss.path, key]), message: 'unknown field' });
    } else {
      out.push({ path: joinPath(iss.path), message: iss.message });
    }
  }
  return out;
}

function joinPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

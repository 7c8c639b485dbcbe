/**
 * Shape of a concern taxonomy (built-in or tenant-supplied) and how tenant additions merge in.
 *
 * A code has per-language trigger lists (`triggers.zh` / `triggers.en`, each split into
 * `strong` and `weak`), optional regular-expression `patterns` (same split) for implicit
 * phrasings, optional `exclude` patterns (a match of this code overlapping an exclude match is
 * dropped), a bilingual `label` and a bilingual `suggestion` (the rep's next action).
 *
 * How terms and patterns are matched is described in `concerns/compile.ts`. In short: a term
 * containing a Han character matches as a substring (but may not cut through a jieba word);
 * any other term matches whole tokens ("cost" never matches "customer"; a trailing `*` makes
 * the last word a prefix: "discount*"); patterns are JavaScript regular expressions run
 * case-insensitively on normalised text, where `.` never crosses a clause boundary.
 */
import { z } from 'zod';

export const CODE_RE = /^[a-z][a-z0-9_]{1,47}$/;

const termSchema = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .refine((s) => s.replace(/\*$/, '').trim().length > 0, { message: 'empty term' });

const termSetSchema = z.strictObject({
  strong: z.array(termSchema).max(5000).optional(),
  weak: z.array(termSchema).max(5000).optional(),
});

/** A regular-expression source string; must compile with flags "gi". */
export const patternSourceSchema = z
  .string()
  .min(1)
  .max(400)
  .superRefine((src, ctx) => {
    try {
      const re = new RegExp(src, 'gi');
      if (re.test('')) ctx.addIssue({ code: 'custom', message: 'pattern matches the empty string' });
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(err as Error).message}` });
    }
  });

const patternSetSchema = z.strictObject({
  strong: z.array(patternSourceSchema).max(1000).optional(),
  weak: z.array(patternSourceSchema).max(1000).optional(),
});

function byLanguage<T extends z.ZodType>(inner: T) {
  return z.strictObject({ zh: inner.optional(), en: inner.optional() });
}

const triggersSchema = byLanguage(termSetSchema);
const patternsSchema = byLanguage(patternSetSchema);
const excludeSchema = byLanguage(z.array(patternSourceSchema).max(1000));

const bilingual = (max: number) => z.strictObject({ zh: z.string().trim().min(1).max(max), en: z.string().trim().min(1).max(max) });

export const concernCodeSchema = z
  .strictObject({
    code: z.string().regex(CODE_RE, 'code must be snake_case: a lowercase letter, then a–z, 0–9 or _ (2–48 chars)'),
    label: bilingual(80),
    description: z.string().max(500).optional(),
    suggestion: bilingual(600),
    triggers: triggersSchema,
    patterns: patternsSchema.optional(),
    exclude: excludeSchema.optional(),
  })
  .superRefine((c, ctx) => {
    const n =
      countTerms(c.triggers.zh) + countTerms(c.triggers.en) + countTerms(c.patterns?.zh) + countTerms(c.patterns?.en);
    if (n === 0) ctx.addIssue({ code: 'custom', message: `code "${c.code}" has no triggers and no patterns`, path: ['triggers'] });
  });

export const taxonomySchema = z
  .strictObject({
    version: z.string().min(1).max(40),
    /** Weight of one strong / weak mention (defaults 0.6 / 0.3). */
    weights: z.strictObject({ strong: z.number().gt(0).lt(1), weak: z.number().gt(0).lt(1) }).optional(),
    /** Concerns below this confidence are not reported (default 0.35). */
    minConfidence: z.number().min(0).max(1).optional(),
    codes: z.array(concernCodeSchema).min(1).max(500),
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.codes.forEach((c, i) => {
      if (seen.has(c.code)) ctx.addIssue({ code: 'custom', message: `duplicate concern code "${c.code}"`, path: ['codes', i, 'code'] });
      seen.add(c.code);
    });
  });

/** What a tenant may add: new codes, and triggers/patterns/excludes for existing codes. */
export const codeExtensionSchema = z.strictObject({
  triggers: triggersSchema.optional(),
  patterns: patternsSchema.optional(),
  exclude: excludeSchema.optional(),
});

export const taxonomyAdditionsSchema = z.strictObject({
  codes: z.array(concernCodeSchema).max(500).optional(),
  /** Keyed by concern code: the built-in codes or codes added in `codes`. */
  extend: z.record(z.string(), codeExtensionSchema).optional(),
});

export type TermSet = z.infer<typeof termSetSchema>;
export type PatternSet = z.infer<typeof patternSetSchema>;
export type ConcernCodeDef = z.infer<typeof concernCodeSchema>;
export type Taxonomy = z.infer<typeof taxonomySchema>;
export type CodeExtension = z.infer<typeof codeExtensionSchema>;
export type TaxonomyAdditions = z.infer<typeof taxonomyAdditionsSchema>;
export type Weight = 'strong' | 'weak';

function countTerms(s: { strong?: string[] | undefined; weak?: string[] | undefined } | undefined): number {
  return (s?.strong?.length ?? 0) + (s?.weak?.length ?? 0);
}

/** Invalid taxonomy or additions. `issues` lists each problem with its path. */
export class TaxonomyError extends Error {
  readonly issues: Array<{ path: string; message: string }>;
  constructor(message: string, issues: Array<{ path: string; message: string }> = []) {
    super(message);
    this.name = 'TaxonomyError';
    this.issues = issues;
  }
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const first = issues[0];
  throw new TaxonomyError(
    `invalid ${what}: ${first ? `${first.path ? first.path + ': ' : ''}${first.message}` : 'unknown error'}` +
      (issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''),
    issues,
  );
}

/** Validate a whole taxonomy; throws TaxonomyError naming the first bad field. */
export function validateTaxonomy(value: unknown): Taxonomy {
  return parseOrThrow(taxonomySchema, value, 'taxonomy');
}

/** Validate tenant additions on their own (shape only; codes are checked by mergeTaxonomy). */
export function validateTaxonomyAdditions(value: unknown): TaxonomyAdditions {
  return parseOrThrow(taxonomyAdditionsSchema, value, 'taxonomy additions');
}

function mergeList(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] | undefined {
  if (!a && !b) return undefined;
  const out: string[] = [];
  const seen = new Set<string>();
  for (const x of [...(a ?? []), ...(b ?? [])]) {
    if (!seen.has(x)) {
      seen.add(x);
      out.push(x);
    }
  }
  return out;
}

function mergeSets<S extends { strong?: string[] | undefined; weak?: string[] | undefined }>(
  a: { zh?: S | undefined; en?: S | undefined } | undefined,
  b: { zh?: S | undefined; en?: S | undefined } | undefined,
): { zh?: S; en?: S } {
  const out: { zh?: S; en?: S } = {};
  for (const lang of ['zh', 'en'] as const) {
    const x = a?.[lang];
    const y = b?.[lang];
    if (!x && !y) continue;
    const merged = {} as S;
    const strong = mergeList(x?.strong, y?.strong);
    const weak = mergeList(x?.weak, y?.weak);
    if (strong) merged.strong = strong;
    if (weak) merged.weak = weak;
    out[lang] = merged;
  }
  return out;
}

/**
 * Merge tenant additions into a taxonomy (usually the built-in one) and return a new,
 * validated taxonomy; inputs are not modified.
 *
 * - `additions.codes`: new codes, appended; a code that already exists is an error.
 * - `additions.extend[code]`: triggers / patterns / excludes appended to an existing code (a
 *   built-in one or one added in `codes`); an unknown code is an error naming it.
 */
export function mergeTaxonomy(builtin: Taxonomy, tenantAdditions: unknown): Taxonomy {
  const base = validateTaxonomy(builtin);
  const add = validateTaxonomyAdditions(tenantAdditions ?? {});
  const codes: ConcernCodeDef[] = base.codes.map((c) => structuredClone(c));
  const index = new Map(codes.map((c, i) => [c.code, i]));
  for (const [i, c] of (add.codes ?? []).entries()) {
    if (index.has(c.code)) {
      throw new TaxonomyError(`concern code "${c.code}" already exists; extend it instead of adding it`, [
        { path: `codes.${i}.code`, message: `duplicate concern code "${c.code}"` },
      ]);
    }
    index.set(c.code, codes.length);
    codes.push(structuredClone(c));
  }
  for (const [code, ext] of Object.entries(add.extend ?? {})) {
    const i = index.get(code);
    if (i === undefined) {
      throw new TaxonomyError(`unknown concern code "${code}" in tenant additions`, [
        { path: `extend.${code}`, message: `unknown concern code "${code}"` },
      ]);
    }
    const cur = codes[i]!;
    const merged: ConcernCodeDef = { ...cur, triggers: mergeSets(cur.triggers, ext.triggers) };
    if (cur.patterns || ext.patterns) merged.patterns = mergeSets(cur.patterns, ext.patterns);
    if (cur.exclude || ext.exclude) {
      const ex: { zh?: string[]; en?: string[] } = {};
      for (const lang of ['zh', 'en'] as const) {
        const l = mergeList(cur.exclude?.[lang], ext.exclude?.[lang]);
        if (l) ex[lang] = l;
      }
      merged.exclude = ex;
    }
    codes[i] = merged;
  }
  return validateTaxonomy({ ...base, codes });
}

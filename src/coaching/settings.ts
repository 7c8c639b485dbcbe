import { z } from 'zod';
import type { Queryable } from '../platform/db.js';
import { AppError } from '../platform/errors.js';

/**
 * Per-tenant coaching settings. The defaults are the targets the issue names; every field can be
 * changed with PUT /v1/coaching/settings (a partial body is merged over the current settings).
 */
const rate = z.number().min(0).max(1);
const hours = z.number().positive().max(24 * 90);

export const settingsSchema = z
  .object({
    /** Health below this overall score (0–100) counts as a bad month; two in a row start an intervention. */
    threshold: z.number().min(0).max(100),
    targets: z
      .object({
        firstTouch: z.object({ withinHours: hours, minRate: rate }).strict(),
        quoteFeedback: z.object({ withinHours: hours, minRate: rate }).strict(),
        /** Share of customers with at least one value-metric update in the rolling quarter (3 months ending with the month). */
        valueMetrics: z.object({ minRate: rate, graceDays: z.number().int().min(0).max(90) }).strict(),
        taskResponse: z.object({ maxAvgHours: hours }).strict(),
        handover: z.object({ minRate: rate }).strict(),
      })
      .strict(),
    /** Relative weights of the five metrics in the overall score (renormalised over the metrics that apply). */
    weights: z
      .object({ firstTouch: z.number().min(0).max(1), quoteFeedback: z.number().min(0).max(1), valueMetrics: z.number().min(0).max(1), taskResponse: z.number().min(0).max(1), handover: z.number().min(0).max(1) })
      .strict()
      .refine((w) => Object.values(w).some((x) => x > 0), 'at least one weight must be above 0'),
    suggestions: z
      .object({
        /** Fixed fallbacks used until the team's top performers have enough analysed calls. */
        maxMonologueSec: z.number().positive().max(3600),
        maxTalkRatio: z.number().min(0.3).max(1),
        minQuestionsPer10Min: z.number().min(0).max(100),
        /** Analysed calls the top performers need before their figures replace the fallbacks. */
        minTopPerformerCalls: z.number().int().min(1).max(1000),
      })
      .strict(),
    /** Tenant additions to the built-in script library, keyed by concern code. */
    scripts: z
      .array(z.object({ code: z.string().regex(/^[a-z][a-z0-9_]{1,47}$/), title: z.string().trim().min(1).max(200), text: z.string().trim().min(1).max(4000), language: z.enum(['zh', 'en']) }).strict())
      .max(500),
  })
  .strict();

export type CoachingSettings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: CoachingSettings = {
  threshold: 80,
  targets: {
    firstTouch: { withinHours: 2, minRate: 0.9 },
    quoteFeedback: { withinHours: 48, minRate: 0.75 },
    valueMetrics: { minRate: 1, graceDays: 30 },
    taskResponse: { maxAvgHours: 4 },
    handover: { minRate: 0.95 },
  },
  weights: { firstTouch: 0.2, quoteFeedback: 0.2, valueMetrics: 0.2, taskResponse: 0.2, handover: 0.2 },
  suggestions: { maxMonologueSec: 90, maxTalkRatio: 0.65, minQuestionsPer10Min: 3, minTopPerformerCalls: 5 },
  scripts: [],
};

/** A partial update: any subset of fields, each object merged one level deep. */
export const settingsPatchSchema = z
  .object({
    threshold: settingsSchema.shape.threshold.optional(),
    targets: z
      .object({
        firstTouch: settingsSchema.shape.targets.shape.firstTouch.partial().strict().optional(),
        quoteFeedback: settingsSchema.shape.targets.shape.quoteFeedback.partial().strict().optional(),
        valueMetrics: settingsSchema.shape.targets.shape.valueMetrics.partial().strict().optional(),
        taskResponse: settingsSchema.shape.targets.shape.taskResponse.partial().strict().optional(),
        handover: settingsSchema.shape.targets.shape.handover.partial().strict().optional(),
      })
      .strict()
      .optional(),
    weights: z.object({ firstTouch: z.number(), quoteFeedback: z.number(), valueMetrics: z.number(), taskResponse: z.number(), handover: z.number() }).partial().strict().optional(),
    suggestions: z.object({ maxMonologueSec: z.number(), maxTalkRatio: z.number(), minQuestionsPer10Min: z.number(), minTopPerformerCalls: z.number() }).partial().strict().optional(),
    scripts: settingsSchema.shape.scripts.optional(),
  })
  .strict();

export async function getSettings(q: Queryable, tenantId: string): Promise<CoachingSettings> {
  const rows = await q.query<{ settings: unknown }>('SELECT settings FROM coaching_settings WHERE tenant_id = $1', [tenantId]);
  if (!rows[0]) return structuredClone(DEFAULT_SETTINGS);
  // Stored settings were validated when saved; fields added later fall back to the defaults.
  const parsed = settingsSchema.safeParse(merge(DEFAULT_SETTINGS, rows[0].settings as Patch));
  return parsed.success ? parsed.data : structuredClone(DEFAULT_SETTINGS);
}

type Patch = z.infer<typeof settingsPatchSchema>;

function merge(base: CoachingSettings, patch: Patch): unknown {
  const t = patch.targets ?? {};
  return {
    threshold: patch.threshold ?? base.threshold,
    targets: {
      firstTouch: { ...base.targets.firstTouch, ...t.firstTouch },
      quoteFeedback: { ...base.targets.quoteFeedback, ...t.quoteFeedback },
      valueMetrics: { ...base.targets.valueMetrics, ...t.valueMetrics },
      taskResponse: { ...base.targets.taskResponse, ...t.taskResponse },
      handover: { ...base.targets.handover, ...t.handover },
    },
    weights: { ...base.weights, ...patch.weights },
    suggestions: { ...base.suggestions, ...patch.suggestions },
    scripts: patch.scripts ?? base.scripts,
  };
}

/** Merges the patch over the current settings, validates the whole, stores it. */
export async function saveSettings(q: Queryable, tenantId: string, patch: Patch, actor: string): Promise<CoachingSettings> {
  const parsed = settingsSchema.safeParse(merge(await getSettings(q, tenantId), patch));
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ field: ['body', ...i.path].join('.'), message: i.message }));
    throw new AppError(400, 'validation_error', `${fields[0]?.field}: ${fields[0]?.message}`, { fields });
  }
  await q.query(
    `INSERT INTO coaching_settings (tenant_id, settings, updated_by) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id) DO UPDATE SET settings = EXCLUDED.settings, updated_by = EXCLUDED.updated_by, updated_at = now()`,
    [tenantId, JSON.stringify(parsed.data), actor],
  );
  return parsed.data;
}

import { z } from 'zod';
import { industryPathSchema } from '../assignment/rules.js';

/** Most events one beacon or API batch carries. */
export const MAX_EVENTS = 500;

export const EVENT_TYPES = ['pageview', 'heartbeat', 'leave', 'download', 'identify'] as const;
export type SignalEventType = (typeof EVENT_TYPES)[number];

const safeId = z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, "_", "-", "." or ":" (1–100)');
export const leadIdSchema = z.string().trim().min(1).max(200);
export const tagSchema = z.string().trim().toLowerCase().min(1).max(64).regex(/^[\p{L}\p{N}_.\-/]+$/u, 'letters, digits, "_", "-", "." or "/"');

/** Epoch milliseconds (what the tracker sends) or an ISO 8601 date-time (friendlier for CRMs). */
const timestamp = z.union([
  z.number().int().min(0).max(8.64e15),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

/** One event, as the tracker beacon or a backend sends it. */
export const signalEventSchema = z
  .object({
    id: safeId,
    visitorId: safeId.optional(),
    leadId: leadIdSchema.optional(),
    /** A tracked-link token (POST /v1/signals/link-tokens) standing for the lead. */
    token: z.string().max(600).optional(),
    type: z.enum(EVENT_TYPES),
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000),
    title: z.string().max(500).optional(),
    tags: z.array(tagSchema).max(20).optional(),
    ts: timestamp,
    /** Visible milliseconds since the previous event of this page (heartbeat, leave). */
    dwellMs: z.number().int().min(0).max(86_400_000).optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (!e.visitorId && !e.leadId && !e.token) ctx.addIssue({ code: 'custom', path: ['visitorId'], message: 'give visitorId, leadId or token' });
    if (e.type === 'identify' && !e.leadId && !e.token) ctx.addIssue({ code: 'custom', path: ['leadId'], message: 'an identify event needs leadId or token' });
  });

export type SignalEventInput = z.output<typeof signalEventSchema>;

export const eventBatchSchema = z
  .object({
    events: z.array(signalEventSchema).min(1, 'at least one event').max(MAX_EVENTS, `at most ${MAX_EVENTS} events per batch`),
    /** The sender's clock (epoch ms) when it sent the batch: events' `ts` are shifted by its offset from the server's clock. */
    sentAt: z.number().int().positive().max(8.64e15).optional(),
  })
  .strict();

/**
 * Puts a batch's timestamps on the server's clock. A browser's clock can be minutes or days off;
 * its events' spacing is right, but their absolute times are not. With `sentAt` (the sender's
 * clock at sending) every `ts` is moved by (server now − sentAt), so a fast or slow clock neither
 * gets its beacons refused nor misplaces reading time. Network delay adds well under a second.
 */
export function onServerClock(batch: { events: SignalEventInput[]; sentAt?: number }, now = Date.now()): SignalEventInput[] {
  if (batch.sentAt === undefined) return batch.events;
  const offset = now - batch.sentAt;
  return batch.events.map((e) => ({ ...e, ts: e.ts + offset }));
}

// ---- rules ----

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (24-hour)');

/** A glob over the page URL: `*` matches anything; without a scheme it is matched against path + query. */
const urlPattern = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .refine((p) => (p.match(/\*/g)?.length ?? 0) <= 5, 'at most five "*" wildcards');

export const ruleSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    enabled: z.boolean().default(true),
    pages: z
      .object({ tags: z.array(tagSchema).max(20).default([]), urlPattern: urlPattern.optional() })
      .strict()
      .refine((p) => p.tags.length > 0 || p.urlPattern !== undefined, { message: 'give tags or urlPattern', path: ['tags'] }),
    /** dwell: reading time on one matching page; pageview / download: how many of them. */
    event: z.enum(['dwell', 'pageview', 'download']).default('dwell'),
    minDwellSec: z.number().int().min(1).max(86_400).optional(),
    minCount: z.number().int().min(1).max(1000).default(1),
    windowMinutes: z.number().int().min(1).max(43_200).default(1440),
    leadFilter: z
      .object({
        stages: z.array(z.enum(['assigned', 'pool', 'closed', 'unknown'])).min(1).optional(),
        industries: z.array(industryPathSchema).min(1).max(50).optional(),
      })
      .strict()
      .default({}),
    content: z
      .union([z.object({ itemId: z.uuid('must be a content item id (uuid)') }).strict(), z.object({ bestMatch: z.literal(true), language: z.enum(['zh', 'en']).optional() }).strict()])
      .default({ bestMatch: true }),
    recipient: z
      .object({
        owner: z.boolean().default(true),
        fallback: z
          .object({ repId: leadIdSchema.optional(), wecomWebhook: z.url({ protocol: /^https$/, error: 'must be an https URL' }).max(2000).optional() })
          .strict()
          .optional(),
      })
      .strict()
      .default({ owner: true }),
    cooldownMinutes: z.number().int().min(1).max(525_600).default(1440),
    respectQuietHours: z.boolean().default(true),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.event === 'dwell' && r.minDwellSec === undefined) ctx.addIssue({ code: 'custom', path: ['minDwellSec'], message: 'required when event is "dwell"' });
    if (r.event !== 'dwell' && r.minDwellSec !== undefined) ctx.addIssue({ code: 'custom', path: ['minDwellSec'], message: 'only for event "dwell"' });
  });

export type RuleDefinition = z.output<typeof ruleSchema>;

export const settingsSchema = z
  .object({
    timezone: z.string().max(64).refine(isTimeZone, 'not an IANA time zone (e.g. Asia/Shanghai)'),
    quietHours: z.object({ start: HHMM, end: HHMM }).strict().refine((q) => q.start !== q.end, 'start and end must differ').nullable().default(null),
    /** Whether a beacon may name its lead by id (the tracker's identify()) or only by a signed link token. */
    beaconIdentify: z.enum(['lead-id', 'token']).default('lead-id'),
  })
  .strict();

export type SignalSettingsInput = z.output<typeof settingsSchema>;

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { analysedCallWithTranscript, analysedCalls, llmConfig, tenantTaxonomy } from '../analysis/service.js';
import { coachingReps } from '../assignment/service.js';
import type { AuthContext } from '../platform/auth.js';
import type { Db, Queryable } from '../platform/db.js';
import { AppError, notFound } from '../platform/errors.js';
import type { JobQueue } from '../platform/queue.js';
import { funnelCounts } from './funnel.js';
import { latestScores } from './repo.js';
import { deriveThresholds, evaluateCall, termsByCode, type Finding, type Thresholds } from './rules.js';
import { getSettings } from './settings.js';
import { betterWording } from './wording.js';

export interface CoachingDeps {
  db: Db;
  queue: JobQueue;
  config: Config;
  log: FastifyBaseLogger;
}

const TOP_CALLS_SINCE_DAYS = 180;

/**
 * Thresholds for a rep's calls from their team's top performers: the top quarter by the latest
 * closed month's health score; without stored scores, by outcome (signed / assigned over the last
 * 180 days, reps with at least MIN_OUTCOME_LEADS leads).
 */
export async function teamThresholds(db: Db, tenantId: string, repId: string): Promise<Thresholds> {
  const settings = await getSettings(db, tenantId);
  const [rep] = await coachingReps(db, tenantId, { repIds: [repId] });
  const team = rep?.team ? await coachingReps(db, tenantId, { team: rep.team }) : [];
  const since = new Date(Date.now() - TOP_CALLS_SINCE_DAYS * 86_400_000);
  let ranked = [...(await latestScores(db, tenantId, team.map((r) => r.id)))];
  if (ranked.length === 0 && team.length > 0) {
    const counts = await funnelCounts(db, tenantId, team.map((r) => r.id), since, new Date(), settings.targets.firstTouch.withinHours);
    ranked = [...counts].filter(([, c]) => c.assigned >= MIN_OUTCOME_LEADS).map(([id, c]) => [id, c.signed / c.assigned] as [string, number]);
  }
  ranked.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const top = ranked.slice(0, Math.max(1, Math.ceil(ranked.length / 4))).map(([id]) => id);
  const calls = top.length ? await analysedCalls(db, tenantId, { repIds: top, since, limit: 500 }) : [];
  return deriveThresholds(calls.map((c) => c.metrics), top, settings.suggestions);
}

const MIN_OUTCOME_LEADS = 5;

/** Job "coaching" kind "call": rules over one analysed call → pending suggestions (once per call, rule and concern). */
export async function generateCallSuggestions(deps: CoachingDeps, tenantId: string, recordingId: string): Promise<number> {
  const call = await analysedCallWithTranscript(deps.db, tenantId, recordingId);
  if (!call || !call.repId) return 0;
  const [thresholds, taxonomy] = await Promise.all([teamThresholds(deps.db, tenantId, call.repId), tenantTaxonomy(deps.db, tenantId)]);
  const labels = new Map(taxonomy.codes.map((c) => [c.code, c.label]));
  const findings = evaluateCall(call, thresholds, termsByCode(taxonomy), labels);
  if (findings.length === 0) return 0;
  const llm = llmConfig(deps.config);
  let wording: Awaited<ReturnType<typeof betterWording>> | undefined;
  let wordingError: string | undefined;
  if (llm) {
    const zh = /\p{Script=Han}/u.test(call.segments.map((s) => s.text).join('')) && call.language !== 'en';
    try {
      wording = await betterWording(findings, llm, zh ? 'zh' : 'en');
    } catch (err) {
      wordingError = (err as Error).message.slice(0, 300);
      deps.log.warn({ recordingId, err: wordingError }, 'coaching wording from the language model failed; suggestions kept without it');
    }
  }
  let n = 0;
  await deps.db.tx(async (q) => {
    for (const [i, f] of findings.entries()) {
      n += await insertSuggestion(q, tenantId, {
        repId: call.repId!, kind: 'call', rule: f.rule, dedupeKey: `call:${recordingId}:${f.rule}${f.key ? `:${f.key}` : ''}`, recordingId,
        text: f.text, betterWording: wording?.byIndex.get(i) ?? null, wordingModel: wording ? `${wording.model} (${wording.promptVersion})` : null,
        evidence: f.evidence, details: { ...f.details, ...(wordingError ? { wordingError } : {}) },
      });
    }
  });
  return n;
}

export async function insertSuggestion(
  q: Queryable,
  tenantId: string,
  s: { repId: string; kind: 'call' | 'intervention'; rule: string; dedupeKey: string; recordingId?: string; interventionId?: string; text: string; betterWording?: string | null; wordingModel?: string | null; evidence: unknown; details: unknown },
): Promise<number> {
  const rows = await q.query(
    `INSERT INTO coaching_suggestions (id, tenant_id, rep_id, kind, rule, dedupe_key, recording_id, intervention_id, text, better_wording, wording_model, evidence, details)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) ON CONFLICT (tenant_id, dedupe_key) DO NOTHING RETURNING id`,
    [randomUUID(), tenantId, s.repId, s.kind, s.rule, s.dedupeKey, s.recordingId ?? null, s.interventionId ?? null, s.text, s.betterWording ?? null,
      s.wordingModel ?? null, JSON.stringify(s.evidence), JSON.stringify(s.details)],
  );
  return rows.length;
}

// ---- the review queue ----

interface SuggestionRow {
  id: string;
  rep_id: string;
  kind: 'call' | 'intervention';
  rule: string;
  recording_id: string | null;
  intervention_id: string | null;
  status: 'pending' | 'accepted' | 'edited' | 'dismissed';
  text: string;
  better_wording: string | null;
  wording_model: string | null;
  evidence: unknown;
  details: unknown;
  review_note: string | null;
  reviewed_by: string | null;
  reviewed_at: Date | null;
  created_at: Date;
}

const VISIBLE_TO_REPS = ['accepted', 'edited'];

/** What a caller may see: a rep-bound key sees only its own rep's accepted or edited items, and no review notes. */
function view(r: SuggestionRow, auth: AuthContext) {
  const forRep = !!auth.repId;
  return {
    id: r.id, repId: r.rep_id, kind: r.kind, rule: r.rule, status: r.status, text: r.text, betterWording: r.better_wording,
    wordingModel: r.wording_model, recordingId: r.recording_id, interventionId: r.intervention_id, evidence: r.evidence, details: r.details,
    createdAt: new Date(r.created_at).toISOString(),
    ...(forRep ? {} : { review: r.reviewed_at ? { by: r.reviewed_by, at: new Date(r.reviewed_at).toISOString(), note: r.review_note } : null }),
  };
}

export async function listSuggestions(
  db: Db,
  tenantId: string,
  auth: AuthContext,
  f: { status?: SuggestionRow['status']; repId?: string; kind?: 'call' | 'intervention'; recordingId?: string; limit: number; offset: number },
) {
  if (auth.repId) {
    if (f.repId && f.repId !== auth.repId) throw new AppError(403, 'forbidden', "a rep's key sees only that rep's suggestions");
    if (f.status && !VISIBLE_TO_REPS.includes(f.status)) throw new AppError(403, 'forbidden', 'a rep sees only suggestions their manager accepted or edited');
  }
  const statuses = f.status ? [f.status] : auth.repId ? VISIBLE_TO_REPS : null;
  const repId = auth.repId ?? f.repId ?? null;
  const rows = await db.query<SuggestionRow & { total: number }>(
    `SELECT *, count(*) OVER ()::int AS total FROM coaching_suggestions
     WHERE tenant_id = $1 AND ($2::text[] IS NULL OR status = ANY($2::text[])) AND ($3::text IS NULL OR rep_id = $3)
       AND ($4::text IS NULL OR kind = $4) AND ($5::uuid IS NULL OR recording_id = $5)
     ORDER BY created_at DESC, id LIMIT $6 OFFSET $7`,
    [tenantId, statuses, repId, f.kind ?? null, f.recordingId ?? null, f.limit, f.offset],
  );
  return { total: rows[0]?.total ?? 0, items: rows.map((r) => view(r, auth)) };
}

async function findSuggestion(q: Queryable, tenantId: string, id: string, forUpdate = false): Promise<SuggestionRow | undefined> {
  return (await q.query<SuggestionRow>(`SELECT * FROM coaching_suggestions WHERE tenant_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [tenantId, id]))[0];
}

export async function getSuggestion(db: Db, tenantId: string, id: string, auth: AuthContext) {
  const r = await findSuggestion(db, tenantId, id);
  // Not visible is the same as not there: a rep cannot probe for dismissed or other reps' items.
  if (!r || (auth.repId && (r.rep_id !== auth.repId || !VISIBLE_TO_REPS.includes(r.status)))) throw notFound('suggestion');
  if (auth.repId) return view(r, auth);
  const audit = await db.query<{ actor: string; action: string; before: unknown; after: unknown; note: string | null; at: Date }>(
    'SELECT actor, action, before, after, note, at FROM coaching_review_audit WHERE tenant_id = $1 AND suggestion_id = $2 ORDER BY at, id',
    [tenantId, id],
  );
  return { ...view(r, auth), audit: audit.map((a) => ({ ...a, at: new Date(a.at).toISOString() })) };
}

const STATUS_OF = { accept: 'accepted', edit: 'edited', dismiss: 'dismissed' } as const;

/** accept / edit (new text) / dismiss, with who, when, what and before/after in the audit table. */
export async function reviewSuggestion(
  db: Db,
  tenantId: string,
  id: string,
  input: { action: 'accept' | 'edit' | 'dismiss'; text?: string; note?: string },
  auth: AuthContext,
) {
  if (auth.repId) throw new AppError(403, 'forbidden', "a rep's key cannot review suggestions");
  if (input.action === 'edit' && !input.text) throw new AppError(400, 'validation_error', 'body.text: required when action is "edit"', { fields: [{ field: 'body.text', message: 'required when action is "edit"' }] });
  if (input.action !== 'edit' && input.text !== undefined) throw new AppError(400, 'validation_error', 'body.text: only allowed when action is "edit"', { fields: [{ field: 'body.text', message: 'only allowed when action is "edit"' }] });
  await db.tx(async (q) => {
    const before = await findSuggestion(q, tenantId, id, true);
    if (!before) throw notFound('suggestion');
    const status = STATUS_OF[input.action];
    const text = input.action === 'edit' ? input.text! : before.text;
    await q.query(
      `UPDATE coaching_suggestions SET status = $3, text = $4, review_note = $5, reviewed_by = $6, reviewed_at = now() WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, status, text, input.note ?? null, auth.keyId],
    );
    await q.query(
      `INSERT INTO coaching_review_audit (id, tenant_id, suggestion_id, actor, action, before, after, note) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
      [randomUUID(), tenantId, id, auth.keyId, input.action, JSON.stringify({ status: before.status, text: before.text }), JSON.stringify({ status, text }), input.note ?? null],
    );
  });
  return getSuggestion(db, tenantId, id, auth);
}

export type { Finding };

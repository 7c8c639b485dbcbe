import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../platform/db.js';
import { AppError, notFound } from '../platform/errors.js';
import { dispatch, recordEvent } from '../platform/outbox.js';
import { PermanentError, type JobQueue } from '../platform/queue.js';
import { createEmbeddingsProvider, type EmbeddingsProvider } from '../providers/embeddings/index.js';
import * as recordings from '../recordings/service.js';
import { leadIndustry } from '../assignment/service.js';
import { ingestInquiries } from '../inquiries/service.js';
import { analyzeOffline } from './engine.js';
import { LlmUnavailableError, runConcernEngines, taxonomyForLlm, type LlmConfig, type LlmUnavailableCode } from './llm/index.js';
import * as repo from './repo.js';
import { builtinTaxonomy, mergeTaxonomy, TaxonomyError, type Taxonomy } from './taxonomy/index.js';
import type { Analysis, Segment } from './types.js';

export interface AnalysisDeps {
  db: Db;
  queue: JobQueue;
  config: Config;
  log: FastifyBaseLogger;
}

export interface AnalysisJob {
  tenantId: string;
  recordingId: string;
  run: number;
}

export function llmConfig(config: Config): LlmConfig | undefined {
  if (!config.LLM_MODEL) return undefined;
  return {
    baseURL: config.LLM_BASE_URL,
    apiKey: config.LLM_API_KEY,
    model: config.LLM_MODEL,
    timeoutMs: config.LLM_TIMEOUT_MS,
    maxRetries: config.LLM_MAX_RETRIES,
    windowSegments: config.LLM_WINDOW_SEGMENTS,
    concurrency: config.LLM_CONCURRENCY,
    structuredMethod: STRUCTURED_METHODS[config.LLM_STRUCTURED_METHOD],
  };
}

const STRUCTURED_METHODS = { json_mode: 'jsonMode', function_calling: 'functionCalling', json_schema: 'jsonSchema' } as const;

// ---- taxonomy per tenant (built-in + additions), compiled matchers cached by version ----

const taxonomyCache = new Map<string, { version: number; taxonomy: Taxonomy }>();

export async function tenantTaxonomy(db: Db, tenantId: string): Promise<Taxonomy> {
  const stored = await repo.getTaxonomyAdditions(db, tenantId);
  if (!stored) return builtinTaxonomy;
  const hit = taxonomyCache.get(tenantId);
  if (hit && hit.version === stored.version) return hit.taxonomy;
  const taxonomy = mergeTaxonomy(builtinTaxonomy, stored.additions);
  taxonomyCache.set(tenantId, { version: stored.version, taxonomy });
  return taxonomy;
}

/** Validates and stores a tenant's additions; the merged taxonomy must validate as a whole. */
export async function saveTaxonomyAdditions(db: Db, tenantId: string, additions: unknown): Promise<Taxonomy> {
  let merged: Taxonomy;
  try {
    merged = mergeTaxonomy(builtinTaxonomy, additions);
  } catch (err) {
    if (err instanceof TaxonomyError) {
      const fields = err.issues.map((i) => ({ field: `body.${i.path}`.replace(/\.$/, ''), message: i.message }));
      throw new AppError(400, 'invalid_taxonomy', err.message, { fields });
    }
    throw err;
  }
  const version = await repo.saveTaxonomyAdditions(db, tenantId, additions);
  taxonomyCache.set(tenantId, { version, taxonomy: merged });
  return merged;
}

// ---- embeddings provider, built once per process ----

const providers = new WeakMap<Config, Promise<EmbeddingsProvider>>();
const indexedDims = new Set<number>([512]);

/** The configured embeddings provider, built once per configuration (a failed build is retried next time). */
export function embeddings(config: Config): Promise<EmbeddingsProvider> {
  let p = providers.get(config);
  if (!p) {
    p = createEmbeddingsProvider(config);
    providers.set(config, p);
    p.catch(() => providers.delete(config));
  }
  return p;
}

/** Job "analyze": concerns, metrics, summary, embeddings → stored → `recording.analyzed` webhook. */
export async function analyzeRecording(deps: AnalysisDeps, job: AnalysisJob, isLastAttempt: boolean): Promise<void> {
  const transcript = await recordings.transcriptForAnalysis(deps.db, job.tenantId, job.recordingId, job.run);
  if (!transcript) return;
  const key = { tenantId: job.tenantId, id: job.recordingId, run: job.run };
  if (transcript.segments.length > deps.config.MAX_ANALYSIS_SEGMENTS) {
    throw new PermanentError(
      'too_many_segments',
      `the transcript has ${transcript.segments.length} segments; analysis takes at most ${deps.config.MAX_ANALYSIS_SEGMENTS} (MAX_ANALYSIS_SEGMENTS)`,
    );
  }
  const taxonomy = await tenantTaxonomy(deps.db, job.tenantId);
  const language = transcript.language as 'zh' | 'en' | 'auto';
  const offline = analyzeOffline(transcript.segments, { taxonomy, language });
  const { analysis, meta } = await withLlm(deps, offline, transcript.segments, taxonomy, language, isLastAttempt);

  const provider = await embeddings(deps.config);
  const vectors = transcript.segments.length ? await provider.embed(transcript.segments.map((s) => s.text)) : [];
  if (vectors[0] && !indexedDims.has(vectors[0].length)) {
    await repo.ensureVectorIndex(deps.db, vectors[0].length);
    indexedDims.add(vectors[0].length);
  }

  const eventId = await deps.db.tx(async (q) => {
    await repo.saveAnalysis(q, { recordingId: job.recordingId, tenantId: job.tenantId, analysis, ...meta });
    // An all-zero vector (empty text) has no direction: cosine distance would be NaN.
    const stored = vectors.map((vector, idx) => ({ idx, vector })).filter((v) => v.vector.some((x) => x !== 0));
    await repo.replaceEmbeddings(q, job.tenantId, job.recordingId, provider.model, stored);
    if (!(await recordings.markAnalyzed(q, key))) return undefined;
    return recordEvent(q, {
      tenantId: job.tenantId,
      type: 'recording.analyzed',
      dedupeKey: `recording.analyzed:${job.recordingId}:${job.run}`,
      payload: {
        recordingId: job.recordingId,
        externalId: transcript.externalId,
        leadId: transcript.leadId,
        repId: transcript.repId,
        analysis,
      },
    });
  });
  await dispatch(deps.queue, [eventId]);
  if (eventId) await fileCustomerTurns(deps, job, transcript);
  // Coaching suggestions are drawn from every analysed call with a rep (job "coaching", src/coaching/).
  if (eventId && transcript.repId) await deps.queue.add('coaching', { kind: 'call', tenantId: job.tenantId, recordingId: job.recordingId }, `call.${job.recordingId}.${job.run}`);
  deps.log.info({ recordingId: job.recordingId, engine: analysis.engine, concerns: analysis.concerns.length }, 'recording analyzed');
}

interface AnalysisMeta {
  model?: string;
  promptVersion?: string;
  fallback?: string;
}

/**
 * Adds the LLM's view when configured. Invalid model output falls back to the offline result
 * at once (and says so); an unreachable model is retried by the queue first, then falls back.
 */
async function withLlm(
  deps: AnalysisDeps,
  offline: Analysis,
  segments: Segment[],
  taxonomy: Taxonomy,
  language: 'zh' | 'en' | 'auto',
  isLastAttempt: boolean,
): Promise<{ analysis: Analysis; meta: AnalysisMeta }> {
  const config = llmConfig(deps.config);
  if (!config) return { analysis: offline, meta: {} };
  const run = await runConcernEngines(segments, {
    lexicon: offline.concerns,
    config,
    mode: deps.config.LLM_ENGINE,
    taxonomy: taxonomyForLlm(taxonomy, language === 'en' ? 'en' : 'zh'),
    language,
  });
  if (run.fallback?.reason === 'llm_unavailable' && !isLastAttempt) throw new LlmUnavailableError((run.fallback.code ?? 'unknown') as LlmUnavailableCode, run.fallback.message);
  if (run.fallback) deps.log.warn({ fallback: run.fallback }, 'LLM analysis fell back to the lexicon engine');
  return {
    analysis: {
      ...offline,
      engine: run.engine,
      concerns: run.concerns,
      summary: run.summary || offline.summary,
      nextSteps: run.nextSteps?.length ? run.nextSteps : offline.nextSteps,
    },
    meta: {
      model: run.model ?? config.model,
      promptVersion: run.promptVersion,
      fallback: run.fallback && `${run.fallback.reason}: ${run.fallback.message}`,
    },
  };
}

/**
 * The customer's turns become inquiries (source `call`) under the lead's industry, so hot
 * keywords and decision maps hear what is said on calls too. Only for calls with a known lead.
 */
async function fileCustomerTurns(deps: AnalysisDeps, job: AnalysisJob, t: recordings.TranscriptForAnalysis): Promise<void> {
  if (!t.leadId) return;
  const industry = await leadIndustry(deps.db, job.tenantId, t.leadId);
  if (!industry) return;
  const turns: { text: string; start: number }[] = [];
  let prev: string | undefined;
  for (const s of t.segments) {
    if (s.role === 'customer' && prev === 'customer') turns[turns.length - 1]!.text += ` ${s.text}`;
    else if (s.role === 'customer') turns.push({ text: s.text, start: s.start });
    prev = s.role;
  }
  const asked = new Date();
  await ingestInquiries(deps.db, job.tenantId, turns.filter((x) => x.text.trim().length >= 6).map((x) => ({
    text: x.text, industry, source: 'call', leadId: t.leadId ?? undefined, recordingId: job.recordingId, ts: asked,
  })));
}

/** Marks the recording failed when analysis cannot finish; the transcript stays available. */
export async function analysisFailed(deps: AnalysisDeps, job: AnalysisJob, code: string, message: string): Promise<void> {
  await recordings.markFailed(deps.db, { tenantId: job.tenantId, id: job.recordingId, run: job.run }, code, message);
}

export async function getAnalysis(db: Db, tenantId: string, recordingId: string) {
  const found = await repo.findAnalysis(db, tenantId, recordingId);
  if (found) return found;
  const status = await recordings.statusOf(db, tenantId, recordingId);
  if (!status) throw notFound('recording');
  throw new AppError(409, 'not_analyzed', `the recording is ${status}; its analysis is not ready`, { status });
}

// ---- reads for coaching (suggestions, intervention packs, funnel drill-down) ----

export interface AnalysedCall {
  recordingId: string;
  repId: string | null;
  leadId: string | null;
  createdAt: Date;
  metrics: Analysis['metrics'];
  concerns: Analysis['concerns'];
}

/** Analysed calls of some reps and/or leads (newest first), with their metrics and concerns. */
export async function analysedCalls(
  db: Db,
  tenantId: string,
  f: { repIds?: string[]; leadIds?: string[]; since?: Date; limit?: number },
): Promise<AnalysedCall[]> {
  const rows = await db.query<{ id: string; rep_id: string | null; lead_id: string | null; created_at: Date; result: Analysis }>(
    `SELECT r.id, r.rep_id, r.lead_id, r.created_at, a.result
     FROM recording_analyses a JOIN recordings r ON r.id = a.recording_id AND r.tenant_id = a.tenant_id
     WHERE a.tenant_id = $1 AND r.status = 'analyzed'
       AND ($2::text[] IS NULL OR r.rep_id = ANY($2::text[])) AND ($3::text[] IS NULL OR r.lead_id = ANY($3::text[]))
       AND ($4::timestamptz IS NULL OR r.created_at >= $4)
     ORDER BY r.created_at DESC LIMIT $5`,
    [tenantId, f.repIds ?? null, f.leadIds ?? null, f.since ?? null, f.limit ?? 1000],
  );
  return rows.map((r) => ({
    recordingId: r.id, repId: r.rep_id, leadId: r.lead_id, createdAt: new Date(r.created_at), metrics: r.result.metrics, concerns: r.result.concerns,
  }));
}

/** One analysed call with its transcript, for rules that look at who said what when. */
export async function analysedCallWithTranscript(db: Db, tenantId: string, recordingId: string) {
  const rows = await db.query<{ run: number; language: string }>(
    `SELECT run, language FROM recordings WHERE tenant_id = $1 AND id = $2 AND status = 'analyzed'`,
    [tenantId, recordingId],
  );
  const row = rows[0];
  if (!row) return undefined;
  const [stored, transcript] = await Promise.all([repo.findAnalysis(db, tenantId, recordingId), recordings.transcriptForAnalysis(db, tenantId, recordingId, row.run)]);
  if (!stored || !transcript) return undefined;
  return { recordingId, repId: transcript.repId, leadId: transcript.leadId, language: row.language, segments: transcript.segments as Segment[], analysis: stored.analysis };
}

/** Calls (any status) of these leads, newest first: the drill-down from a funnel stage. */
export async function callsOfLeads(db: Db, tenantId: string, leadIds: string[], limit = 500) {
  if (leadIds.length === 0) return [];
  return db.query<{ recordingId: string; leadId: string; repId: string | null; status: string; durationSec: number | null; createdAt: Date }>(
    `SELECT id AS "recordingId", lead_id AS "leadId", rep_id AS "repId", status, duration_sec AS "durationSec", created_at AS "createdAt"
     FROM recordings WHERE tenant_id = $1 AND lead_id = ANY($2::text[]) ORDER BY created_at DESC LIMIT $3`,
    [tenantId, leadIds, limit],
  );
}

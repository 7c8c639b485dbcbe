import { bestContentFor, type ContentDeps } from '../content/service.js';
import { createHash } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import { detectConcerns } from '../analysis/concerns/index.js';
import { isQuestion } from '../analysis/questions.js';
import { tenantTaxonomy } from '../analysis/service.js';
import { normalizeText } from '../analysis/text/index.js';
import type { Db } from '../platform/db.js';
import { AppError, notFound } from '../platform/errors.js';
import type { JobQueue } from '../platform/queue.js';
import { extractTerms, isMeaningful, truncateInquiry } from './keywords.js';
import * as repo from './repo.js';
import type { ThemePool } from './theme-pool.js';

export interface InquiryDeps {
  db: Db;
  queue: JobQueue;
  config: Config;
  log: FastifyBaseLogger;
  /** Worker threads the clustering runs on, off the API's event loop. */
  themePool: ThemePool;
}

export interface InquiryInput {
  text: string;
  industry: string;
  source: string;
  ts?: Date;
  leadId?: string;
  recordingId?: string;
}

const DAY_MS = 86_400_000;
/** Most inquiries one theme or map computation reads (newest first). */
const MAX_CLUSTERED = 20_000;

/** Case, width and whitespace-insensitive hash: the same question typed twice by one lead is kept once. */
const textHash = (text: string) => createHash('sha256').update(normalizeText(text).replace(/\s+/g, ' ').trim().toLowerCase()).digest('hex');

/** Stores a batch; `industries` (not part of the API answer) lists those that got new inquiries. */
export async function ingestInquiries(db: Db, tenantId: string, items: InquiryInput[]) {
  const rejected: { index: number; reason: string }[] = [];
  const rows: repo.NewInquiry[] = [];
  items.forEach((item, index) => {
    if (!isMeaningful(item.text)) {
      rejected.push({ index, reason: 'text has no words (empty, punctuation or emoji only)' });
      return;
    }
    const { text, truncated } = truncateInquiry(item.text);
    rows.push({
      industry: item.industry, source: item.source, leadKey: item.leadId ?? '', text, textHash: textHash(text), truncated,
      terms: extractTerms(text).map((t) => t.term), askedAt: item.ts ?? new Date(), recordingId: item.recordingId,
    });
  });
  const { inserted, industries } = await repo.insertInquiries(db, tenantId, rows);
  return {
    industries,
    accepted: inserted,
    duplicates: rows.length - inserted,
    rejected,
    truncated: rows.filter((r) => r.truncated).length,
  };
}

export interface HotKeyword {
  term: string;
  count: number;
  share: number;
  previous: number;
  growth: number | null;
  burst: boolean;
}

/**
 * Top terms of the last `days` days against the `days` before, read from the per-day
 * counters. Burst: at least 5 mentions and three times the previous window.
 */
export async function hotKeywords(db: Db, tenantId: string, industry: string, days: number, limit: number, now = new Date()) {
  const { from, to, prevFrom } = themeWindow(days, now);
  const [rows, total, previousTotal] = await Promise.all([
    repo.termWindows(db, tenantId, industry, from, to, prevFrom, limit),
    repo.inquiryCount(db, tenantId, industry, from, to),
    repo.inquiryCount(db, tenantId, industry, prevFrom, from),
  ]);
  const items: HotKeyword[] = rows.map((r) => ({
    term: r.term,
    count: r.current,
    share: total ? round(r.current / total) : 0,
    previous: r.previous,
    growth: r.previous ? round((r.current - r.previous) / r.previous) : null,
    burst: r.current >= 5 && r.current >= 3 * r.previous,
  }));
  return { industry, days, from: from.toISOString(), to: to.toISOString(), inquiries: total, previousInquiries: previousTotal, items };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export interface Theme {
  id: number;
  label: string;
  terms: string[];
  size: number;
  previousSize: number;
  growth: number | null;
  representatives: { id: string; text: string }[];
  memberIds: string[];
}

/**
 * The window themes and hot keywords use: the last `days` UTC days up to the end of today
 * ([from, to)), and the `days` before it ([prevFrom, from)) for growth.
 */
export function themeWindow(days: number, now = new Date()) {
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS);
  const from = new Date(to.getTime() - days * DAY_MS);
  return { from, to, prevFrom: new Date(from.getTime() - days * DAY_MS) };
}

/**
 * Clusters the window's inquiries into labelled themes, with growth against the window before.
 * CPU-heavy (tens of seconds at MAX_CLUSTERED): called by jobs, never by a request (theme-cache.ts),
 * and the clustering itself runs on the theme pool's worker threads, so the event loop stays free.
 */
export async function themes(
  deps: Pick<InquiryDeps, 'db' | 'themePool'>, tenantId: string, industry: string, days: number, now = new Date(),
  onProgress?: (percent: number) => Promise<void>,
): Promise<{ themes: Theme[]; inquiries: number; texts: Map<string, repo.InquiryRow> }> {
  const { from, to, prevFrom } = themeWindow(days, now);
  const all = await repo.inquiriesIn(deps.db, tenantId, industry, prevFrom, to, MAX_CLUSTERED);
  const current = all.filter((r) => new Date(r.asked_at) >= from);
  if (current.length === 0) return { themes: [], inquiries: 0, texts: new Map() };
  await onProgress?.(20);
  // Clustering both windows together puts old and new inquiries in the same themes, so growth is comparable.
  // The vectors the clustering eval scores as the default (eval/clustering.ts): the window's own TF-IDF, reduced by SVD.
  const items = all.map((r) => ({ id: r.id, text: r.text, terms: r.terms }));
  const result = await deps.themePool.clusterWindow(items, { seed: 42, onProgress });
  await onProgress?.(90);
  const currentIds = new Set(current.map((r) => r.id));
  const texts = new Map(all.map((r) => [r.id, r]));
  const out = result.clusters
    .map((c) => {
      const members = c.memberIds.filter((id) => currentIds.has(id));
      const previousSize = c.memberIds.length - members.length;
      return {
        label: c.label, terms: c.terms, size: members.length, previousSize,
        growth: previousSize ? round((members.length - previousSize) / previousSize) : null,
        representatives: c.representativeIds.filter((id) => currentIds.has(id)).slice(0, 3).map((id) => ({ id, text: texts.get(id)!.text })),
        memberIds: members,
      };
    })
    .filter((t) => t.size > 0)
    .sort((a, b) => b.size - a.size)
    .map((t, id) => ({ id, ...t }));
  return { themes: out, inquiries: current.length, texts };
}

// ---- decision maps ----

export async function requestMap(deps: InquiryDeps, tenantId: string, industry: string, days: number) {
  const row = await repo.insertMap(deps.db, tenantId, industry, days);
  await deps.queue.add('maps', { tenantId, mapId: row.id }, row.id);
  return { id: row.id, status: row.status };
}

export async function getMap(db: Db, tenantId: string, id: string) {
  const row = await repo.findMap(db, tenantId, id);
  if (!row) throw notFound('decision map');
  return row;
}

export interface DecisionMap {
  industry: string;
  days: number;
  generatedAt: string;
  inquiries: number;
  themes: {
    label: string;
    terms: string[];
    size: number;
    growth: number | null;
    concerns: { code: string; label: string; inquiries: number }[];
    questions: string[];
    content: { title: string; url: string }[];
    talkingPoints: string[];
  }[];
}

/**
 * The content-library item that best fits a theme (its label, top terms and concern codes, in the
 * map's industry), as the map's "content to prepare"; none when the library has nothing close.
 */
export async function matchingContent(
  deps: ContentDeps,
  tenantId: string,
  industry: string,
  theme: { label: string; terms: string[]; concerns: string[] },
): Promise<DecisionMap['themes'][number]['content']> {
  const best = await bestContentFor(deps, tenantId, { text: [theme.label, ...theme.terms].join(' '), tags: [...theme.terms, ...theme.concerns] }, { industry });
  return best ? [{ title: best.item.title, url: best.item.url }] : [];
}

/** Fresh cached themes of a window, if any (theme-cache.ts `freshThemeSet`; passed in because that module imports this one). */
export type FreshThemes = (tenantId: string, industry: string, days: number, now: Date) => Promise<{ inquiries: number; themes: Theme[] } | undefined>;

/**
 * The themes a map is built on: the themes cache's result when it is fresh for this window (no
 * clustering again), else a clustering of the window now. Comes with the texts of the members.
 */
async function themesForMap(deps: InquiryDeps, tenantId: string, industry: string, days: number, fresh?: FreshThemes) {
  const now = new Date();
  const cached = await fresh?.(tenantId, industry, days, now);
  if (!cached) return themes(deps, tenantId, industry, days, now);
  const { from, to } = themeWindow(days, now);
  const rows = await repo.inquiriesIn(deps.db, tenantId, industry, from, to, MAX_CLUSTERED);
  const texts = new Map(rows.map((r) => [r.id, r]));
  // an inquiry deleted since the clustering would change the stamp; the filter only guards the lookups below
  const list = cached.themes.map((t) => ({ ...t, memberIds: t.memberIds.filter((id) => texts.has(id)) }));
  return { themes: list, inquiries: cached.inquiries, texts };
}

/** Job "maps": themes → the concerns behind them → the questions asked → what to prepare. */
export async function buildMap(deps: InquiryDeps, job: { tenantId: string; mapId: string }, fresh?: FreshThemes): Promise<void> {
  const row = await repo.findMap(deps.db, job.tenantId, job.mapId);
  if (!row || row.status === 'done') return;
  await repo.updateMap(deps.db, row.id, { status: 'running', progress: 5 });
  try {
    const { themes: list, inquiries, texts } = await themesForMap(deps, job.tenantId, row.industry, row.days, fresh);
    if (inquiries === 0) throw new AppError(422, 'no_inquiries', `no inquiries for industry ${row.industry} in the last ${row.days} days`);
    await repo.updateMap(deps.db, row.id, { progress: 50 });
    const taxonomy = await tenantTaxonomy(deps.db, job.tenantId);
    const labels = new Map(taxonomy.codes.map((c) => [c.code, c]));
    const map: DecisionMap = {
      industry: row.industry,
      days: row.days,
      generatedAt: new Date().toISOString(),
      inquiries,
      // one theme at a time with a turn of the event loop in between: the concern engine over 12,000
      // inquiries is most of a second of CPU, which would otherwise run as one block
      themes: await mapSequentially(list, async (t) => {
        await yieldToEventLoop();
        const memberTexts = t.memberIds.map((id) => texts.get(id)!.text);
        // Each inquiry is one customer turn; the concern engine counts inquiries raising each code.
        const concerns = detectConcerns(
          memberTexts.map((text, i) => ({ speaker: `inquiry-${i}`, role: 'customer', start: i, end: i + 1, text })),
          { taxonomy },
        ).map((c) => ({ code: c.code, label: c.label, inquiries: c.mentions }));
        const questions = [...new Set(memberTexts.filter((x) => isQuestion(x)))].slice(0, 5);
        const talkingPoints = concerns.slice(0, 3).map((c) => labels.get(c.code)?.suggestion.zh ?? '').filter(Boolean);
        const content = await matchingContent(deps, job.tenantId, row.industry, { label: t.label, terms: t.terms, concerns: concerns.map((c) => c.code) });
        return { label: t.label, terms: t.terms, size: t.size, growth: t.growth, concerns, questions, content, talkingPoints };
      }),
    };
    await repo.updateMap(deps.db, row.id, { status: 'done', progress: 100, result: map });
  } catch (err) {
    await repo.updateMap(deps.db, row.id, { status: 'failed', error: (err as Error).message });
    if (!(err instanceof AppError)) throw err;
  }
}

async function mapSequentially<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}

export async function requeueMaps(deps: InquiryDeps): Promise<void> {
  for (const m of await repo.unfinishedMaps(deps.db)) await deps.queue.add('maps', { tenantId: m.tenant_id, mapId: m.id }, m.id);
}

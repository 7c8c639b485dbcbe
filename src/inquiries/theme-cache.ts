/**
 * Themes as a cached, job-computed result. Clustering a 20,000-inquiry window takes tens of
 * seconds, so GET /v1/inquiries/themes never clusters in the request:
 *
 * - fresh cache (no inquiry arrived in the clustered span and the day has not turned) → 200;
 * - stale cache → 200 with the previous result (stale-while-revalidate) and a refresh queued;
 * - no result yet → 202 with the job's state and progress; poll until 200;
 * - no inquiry in the window at all → 200 with no themes, no job.
 *
 * Freshness is a stamp: the number of inquiries in the clustered span (the window and the one
 * before it, for growth), read from the per-day counters, plus the day the window ends. An ingest
 * that adds inquiries to an industry queues a delayed refresh (THEMES_REFRESH_DELAY_MS, so a
 * burst of batches settles first) for every window length someone has asked for there.
 * Jobs run on the `maps` queue (same CPU-heavy work, same concurrency), told apart by `kind`.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../platform/db.js';
import { AppError } from '../platform/errors.js';
import * as repo from './repo.js';
import { themes, themeWindow, type InquiryDeps, type Theme } from './service.js';

export interface ThemesJob {
  kind: 'themes';
  tenantId: string;
  industry: string;
  days: number;
}

export interface CachedThemes {
  inquiries: number;
  themes: Theme[];
}

export type ThemesAnswer =
  | { status: 'ready'; cache: { state: 'fresh' | 'stale' | 'empty'; computedAt: string | null; refreshing: boolean; progress: number }; result: CachedThemes }
  | { status: 'queued' | 'running'; progress: number };

const day = (d: Date) => d.toISOString().slice(0, 10);

async function stampOf(db: Db, tenantId: string, industry: string, days: number, now: Date) {
  const w = themeWindow(days, now);
  const [stamp, current] = await Promise.all([
    repo.inquiryCount(db, tenantId, industry, w.prevFrom, w.to),
    repo.inquiryCount(db, tenantId, industry, w.from, w.to),
  ]);
  return { stamp, current, windowTo: day(w.to) };
}

/** One job id per target: BullMQ ignores a second add of the same id, so concurrent requests queue one job. */
function jobId(tenantId: string, industry: string, days: number, stamp: number, windowTo: string): string {
  return `themes-${createHash('sha1').update(`${tenantId}\x1f${industry}\x1f${days}\x1f${stamp}\x1f${windowTo}`).digest('hex')}`;
}

async function queueRefresh(deps: InquiryDeps, tenantId: string, industry: string, days: number, stamp: number, windowTo: string, delayMs = 0) {
  if (!(await repo.claimThemeRefresh(deps.db, tenantId, industry, days, stamp, windowTo))) return;
  const job: ThemesJob = { kind: 'themes', tenantId, industry, days };
  await deps.queue.add('maps', job, jobId(tenantId, industry, days, stamp, windowTo), { delayMs });
}

/** What GET /v1/inquiries/themes answers; queues a refresh when the cache is missing or stale. */
export async function cachedThemes(deps: InquiryDeps, tenantId: string, industry: string, days: number, now = new Date()): Promise<ThemesAnswer> {
  const { stamp, current, windowTo } = await stampOf(deps.db, tenantId, industry, days, now);
  if (current === 0) {
    return { status: 'ready', cache: { state: 'empty', computedAt: null, refreshing: false, progress: 100 }, result: { inquiries: 0, themes: [] } };
  }
  let row = await repo.findThemeSet(deps.db, tenantId, industry, days);
  const fresh = row?.result != null && Number(row.stamp) === stamp && row.window_to === windowTo;
  if (!fresh) {
    await queueRefresh(deps, tenantId, industry, days, stamp, windowTo);
    row = await repo.findThemeSet(deps.db, tenantId, industry, days);
  }
  if (!row) throw new Error('theme set row missing after queueing its refresh');
  if (row.state === 'failed' && !fresh) {
    // Retried JOB_ATTEMPTS times for this very data; a new inquiry (or a new day) tries again.
    if (row.result == null) throw new AppError(503, 'themes_failed', `computing the themes failed: ${row.error ?? 'unknown error'}`);
  }
  if (row.result == null) return { status: row.state === 'running' ? 'running' : 'queued', progress: row.progress };
  return {
    status: 'ready',
    cache: {
      state: fresh ? 'fresh' : 'stale',
      computedAt: row.computed_at ? new Date(row.computed_at).toISOString() : null,
      refreshing: row.state === 'queued' || row.state === 'running',
      progress: row.state === 'queued' || row.state === 'running' ? row.progress : 100,
    },
    result: row.result as CachedThemes,
  };
}

/**
 * The cached themes of a window when they are fresh (same stamp and end day as now), else undefined.
 * Decision maps use this to skip clustering a window a themes refresh has already clustered.
 */
export async function freshThemeSet(deps: InquiryDeps, tenantId: string, industry: string, days: number, now = new Date()): Promise<CachedThemes | undefined> {
  const row = await repo.findThemeSet(deps.db, tenantId, industry, days);
  if (row?.result == null) return undefined;
  const { stamp, windowTo } = await stampOf(deps.db, tenantId, industry, days, now);
  return Number(row.stamp) === stamp && row.window_to === windowTo ? (row.result as CachedThemes) : undefined;
}

/** After an ingest: a delayed refresh of every cached window of the industries that got new inquiries. */
export async function refreshAfterIngest(deps: InquiryDeps, tenantId: string, industries: readonly string[], now = new Date()): Promise<void> {
  for (const industry of industries) {
    for (const days of await repo.themeSetDays(deps.db, tenantId, industry)) {
      const { stamp, windowTo } = await stampOf(deps.db, tenantId, industry, days, now);
      await queueRefresh(deps, tenantId, industry, days, stamp, windowTo, deps.config.THEMES_REFRESH_DELAY_MS);
    }
  }
}

/** Job: clusters the window and stores the result, unless the cache is already fresh (a duplicate or superseded job). */
export async function computeThemeSet(deps: InquiryDeps, job: ThemesJob, isLastAttempt: boolean, now = new Date()): Promise<void> {
  const { tenantId, industry, days } = job;
  const row = await repo.findThemeSet(deps.db, tenantId, industry, days);
  if (!row) return;
  // the stamp is read before the inquiries: one arriving meanwhile leaves the result stale, never falsely fresh
  const { stamp, windowTo } = await stampOf(deps.db, tenantId, industry, days, now);
  if (row.result != null && Number(row.stamp) === stamp && row.window_to === windowTo) {
    await repo.storeThemeSet(deps.db, tenantId, industry, days, row.result, stamp, windowTo);
    return;
  }
  await repo.updateThemeSetProgress(deps.db, tenantId, industry, days, 'running', 5);
  try {
    const result = await themes(deps, tenantId, industry, days, now, (p) => repo.updateThemeSetProgress(deps.db, tenantId, industry, days, 'running', p));
    const cached: CachedThemes = { inquiries: result.inquiries, themes: result.themes };
    await repo.storeThemeSet(deps.db, tenantId, industry, days, cached, stamp, windowTo);
  } catch (err) {
    await repo.updateThemeSetProgress(deps.db, tenantId, industry, days, isLastAttempt ? 'failed' : 'running', 0, (err as Error).message);
    throw err;
  }
}

/** Start-up: the embedded queue forgets its jobs, so refreshes that were queued or running are queued again. */
export async function requeueThemeSets(deps: InquiryDeps): Promise<void> {
  for (const s of await repo.unfinishedThemeSets(deps.db)) {
    const job: ThemesJob = { kind: 'themes', tenantId: s.tenant_id, industry: s.industry, days: s.days };
    await deps.queue.add('maps', job, jobId(s.tenant_id, s.industry, s.days, Number(s.target_stamp ?? 0), s.target_to ?? ''));
  }
}

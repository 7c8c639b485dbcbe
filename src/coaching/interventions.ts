import { randomUUID } from 'node:crypto';
import { analysedCalls } from '../analysis/service.js';
import { coachingReps, type CoachingRep } from '../assignment/service.js';
import type { Db } from '../platform/db.js';
import { dispatch, recordEvent } from '../platform/outbox.js';
import { computeHealth, METRICS, WEIGHT_KEY, type MetricResult, type RepHealth } from './health.js';
import { addMonths, isClosed, monthName, monthStart, parseMonth } from './months.js';
import * as repo from './repo.js';
import { scriptsFor } from './scripts.js';
import { getSettings, type CoachingSettings } from './settings.js';
import { insertSuggestion, type CoachingDeps } from './suggestions.js';

/** Health of some reps for one month (reps read from assignment, departures from coaching). */
export async function healthFor(db: Db, tenantId: string, reps: CoachingRep[], month: Date, settings: CoachingSettings, rowsLimit: number): Promise<RepHealth[]> {
  const departures = new Map((await repo.departuresOf(db, tenantId, reps.map((r) => r.id))).map((d) => [d.repId, new Date(d.departedAt)]));
  return computeHealth(db, { tenantId, reps: reps.map((r) => ({ ...r, departedAt: departures.get(r.id) ?? null })), month, settings, rowsLimit });
}

/**
 * Job "coaching" kind "recompute": drains the rep-months marked by ingest, stores their health,
 * then looks for interventions. Marks set while this runs stay for the next run.
 */
export async function recomputeDirty(deps: CoachingDeps, tenantId: string): Promise<void> {
  for (;;) {
    const dirty = await repo.dirtyRepMonths(deps.db, tenantId, 2000);
    if (dirty.length === 0) return;
    await storeHealth(deps.db, tenantId, dirty);
    for (const repId of new Set(dirty.map((d) => d.repId))) await checkIntervention(deps, tenantId, repId);
    await repo.clearDirty(deps.db, tenantId, dirty);
    if (dirty.length < 2000) return;
  }
}

async function storeHealth(db: Db, tenantId: string, repMonths: { repId: string; month: string }[]): Promise<void> {
  const settings = await getSettings(db, tenantId);
  const byMonth = new Map<string, string[]>();
  for (const d of repMonths) (byMonth.get(d.month) ?? byMonth.set(d.month, []).get(d.month)!).push(d.repId);
  for (const [month, repIds] of byMonth) {
    const reps = await coachingReps(db, tenantId, { repIds });
    const health = await healthFor(db, tenantId, reps, parseMonth(month), settings, 0);
    for (const h of health) {
      const metrics = Object.fromEntries(METRICS.map((k) => [k, { status: h.metrics[k].status, value: h.metrics[k].value, pass: h.metrics[k].pass, numerator: h.metrics[k].numerator, denominator: h.metrics[k].denominator }]));
      await repo.saveHealthMonth(db, tenantId, h.repId, month, h.score, metrics);
    }
  }
}

/**
 * Job "coaching" kind "tick": when a month has closed, store every rep's health for it and look
 * for interventions; then schedule the next tick (daily, or at the next month start if sooner).
 */
export async function monthTick(deps: CoachingDeps, now = new Date()): Promise<void> {
  const closed = addMonths(monthStart(now), -1);
  for (const tenantId of await repo.tenantsWithReps(deps.db)) {
    // Only reps whose stored health for that month predates its close (the tick runs daily).
    const reps = await repo.repsNeedingClose(deps.db, tenantId, (await coachingReps(deps.db, tenantId)).map((r) => r.id), closed);
    await repo.markDirty(deps.db, tenantId, reps.map((repId) => ({ repId, month: closed })));
    await recomputeDirty(deps, tenantId);
  }
  await scheduleTick(deps, now);
}

export async function scheduleTick(deps: Pick<CoachingDeps, 'queue'>, now = new Date()): Promise<void> {
  const next = addMonths(monthStart(now), 1);
  // Delays are kept under a day: timers beyond 2^31 ms overflow, and a restart re-schedules anyway.
  const delayMs = Math.min(next.getTime() - now.getTime() + 60_000, 24 * 3600_000);
  const at = new Date(now.getTime() + delayMs);
  await deps.queue.add('coaching', { kind: 'tick' }, `tick.${at.toISOString().slice(0, 13)}`, { delayMs });
}

/** Runs of consecutive closed months below threshold, oldest first. */
export function belowRuns(history: { month: string; score: number | null }[], threshold: number, now = new Date()): string[][] {
  const runs: string[][] = [];
  let run: string[] = [];
  let prev: Date | undefined;
  for (const h of history) {
    const m = parseMonth(h.month);
    if (!isClosed(m, now)) continue;
    const consecutive = prev && addMonths(prev, 1).getTime() === m.getTime();
    if (h.score !== null && h.score < threshold) {
      if (!consecutive && run.length) {
        runs.push(run);
        run = [];
      }
      run.push(h.month);
    } else if (run.length) {
      runs.push(run);
      run = [];
    }
    prev = m;
  }
  if (run.length) runs.push(run);
  return runs;
}

// An old episode found through a late import is not worth a 1:1 any more.
const RECENT_MONTHS = 6;

/**
 * Two consecutive closed months below the threshold → one intervention per episode (DB unique key
 * on the episode's first month; an episode ends when a month is back at or above the threshold).
 */
export async function checkIntervention(deps: CoachingDeps, tenantId: string, repId: string, now = new Date()): Promise<string[]> {
  const settings = await getSettings(deps.db, tenantId);
  const history = await repo.healthHistory(deps.db, tenantId, repId);
  const recent = monthName(addMonths(monthStart(now), -RECENT_MONTHS));
  const created: string[] = [];
  for (const run of belowRuns(history, settings.threshold, now).filter((r) => r.length >= 2 && r[r.length - 1]! >= recent)) {
    const id = await openEpisode(deps, tenantId, repId, run, history, settings);
    if (id) created.push(id);
  }
  return created;
}

async function openEpisode(deps: CoachingDeps, tenantId: string, repId: string, run: string[], history: { month: string; score: number | null }[], settings: CoachingSettings) {
  // A late event can move an episode's first month earlier: any intervention inside the run is this episode's.
  const existing = await deps.db.query('SELECT 1 FROM coaching_interventions WHERE tenant_id = $1 AND rep_id = $2 AND episode_start = ANY($3::date[])', [tenantId, repId, run.map((m) => `${m}-01`)]);
  if (existing.length) return undefined;
  const scores = history.filter((h) => run.includes(h.month));
  const pack = await buildPack(deps, tenantId, repId, run, settings);
  const id = randomUUID();
  const eventId = await deps.db.tx(async (q) => {
    const inserted = await q.query(
      `INSERT INTO coaching_interventions (id, tenant_id, rep_id, episode_start, months, pack) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT (tenant_id, rep_id, episode_start) DO NOTHING RETURNING id`,
      [id, tenantId, repId, `${run[0]}-01`, run.map((m) => `${m}-01`), JSON.stringify(pack)],
    );
    if (inserted.length === 0) return undefined;
    await insertSuggestion(q, tenantId, {
      repId, kind: 'intervention', rule: 'intervention', dedupeKey: `intervention:${repId}:${run[0]}`, interventionId: id,
      text: pack.summary.zh + '\n' + pack.summary.en, evidence: pack.benchmarkCalls.map((c) => c.evidence), details: pack,
    });
    return recordEvent(q, {
      tenantId, type: 'coaching.intervention', dedupeKey: `coaching.intervention:${repId}:${run[0]}`,
      payload: { interventionId: id, repId, months: run, scores, pack },
    });
  });
  await dispatch(deps.queue, [eventId]);
  return eventId ? id : undefined;
}

interface Pack {
  summary: { zh: string; en: string };
  weakestMetrics: { key: string; value: number | null; target: MetricResult['target'] }[];
  weakestConcerns: { code: string; unanswered: number; raised: number }[];
  scripts: ReturnType<typeof scriptsFor>;
  benchmarkCalls: { recordingId: string; repId: string; code: string; evidence: { recordingId: string; start: number; end: number; quote: string } }[];
  reviewRequest: { repId: string; managerId: string | null; topics: string[]; message: { zh: string; en: string } };
}

async function buildPack(deps: CoachingDeps, tenantId: string, repId: string, months: string[], settings: CoachingSettings): Promise<Pack> {
  const db = deps.db;
  const [rep] = await coachingReps(db, tenantId, { repIds: [repId] });
  const last = months[months.length - 1]!;
  const [health] = rep ? await healthFor(db, tenantId, [rep], parseMonth(last), settings, 0) : [];
  const weakestMetrics = health
    ? METRICS.filter((k) => settings.weights[WEIGHT_KEY[k]] > 0).map((k) => health.metrics[k]).filter((m) => m.pass === false).map((m) => ({ key: m.key, value: m.value, target: m.target }))
    : [];

  // Weakest concerns: the codes the rep most often left unanswered, then the ones raised most on their calls.
  const since = new Date(Date.now() - 180 * 86_400_000);
  const own = await analysedCalls(db, tenantId, { repIds: [repId], since, limit: 200 });
  const unanswered = await db.query<{ code: string; n: number }>(
    `SELECT details->>'code' AS code, count(*)::int AS n FROM coaching_suggestions
     WHERE tenant_id = $1 AND rep_id = $2 AND rule = 'unanswered_concern' GROUP BY 1`,
    [tenantId, repId],
  );
  const tally = new Map<string, { code: string; unanswered: number; raised: number }>();
  for (const c of own.flatMap((call) => call.concerns)) {
    const t = tally.get(c.code) ?? { code: c.code, unanswered: 0, raised: 0 };
    t.raised++;
    tally.set(c.code, t);
  }
  for (const u of unanswered) {
    const t = tally.get(u.code) ?? { code: u.code, unanswered: 0, raised: 0 };
    t.unanswered = u.n;
    tally.set(u.code, t);
  }
  const weakestConcerns = [...tally.values()].sort((a, b) => b.unanswered - a.unanswered || b.raised - a.raised || a.code.localeCompare(b.code)).slice(0, 2);
  const scripts = weakestConcerns.flatMap((c) => scriptsFor(c.code, settings));

  // Benchmark calls: peers (same team, else the tenant) whose calls raised the code and answered it.
  const peers = (rep?.team ? await coachingReps(db, tenantId, { team: rep.team }) : await coachingReps(db, tenantId)).filter((r) => r.id !== repId);
  const peerScores = await repo.latestScores(db, tenantId, peers.map((p) => p.id));
  const peerCalls = peers.length ? await analysedCalls(db, tenantId, { repIds: peers.map((p) => p.id), since, limit: 500 }) : [];
  const missed = new Set(
    (await db.query<{ recording_id: string; code: string }>(
      `SELECT recording_id, details->>'code' AS code FROM coaching_suggestions WHERE tenant_id = $1 AND rule = 'unanswered_concern' AND recording_id = ANY($2::uuid[])`,
      [tenantId, peerCalls.map((c) => c.recordingId)],
    )).map((r) => `${r.recording_id}|${r.code}`),
  );
  const benchmarkCalls: Pack['benchmarkCalls'] = [];
  const codes = weakestConcerns.map((c) => c.code);
  for (let round = 0; benchmarkCalls.length < 2 && round < 2; round++) {
    for (const code of codes) {
      if (benchmarkCalls.length >= 2) break;
      const candidates = peerCalls
        .filter((c) => !benchmarkCalls.some((b) => b.recordingId === c.recordingId) && !missed.has(`${c.recordingId}|${code}`))
        .map((c) => ({ call: c, concern: c.concerns.find((x) => x.code === code) }))
        .filter((x) => x.concern && x.concern.evidence[0])
        .sort((a, b) => (peerScores.get(b.call.repId!) ?? -1) - (peerScores.get(a.call.repId!) ?? -1) || +b.call.createdAt - +a.call.createdAt);
      const best = candidates[0];
      if (best) {
        const ev = best.concern!.evidence[0]!;
        benchmarkCalls.push({ recordingId: best.call.recordingId, repId: best.call.repId!, code, evidence: { recordingId: best.call.recordingId, start: ev.start, end: ev.end, quote: ev.quote } });
      }
    }
  }

  const topics = [...weakestMetrics.map((m) => m.key), ...codes];
  const span = months.length > 1 ? `${months[0]} – ${last}` : last;
  return {
    summary: {
      zh: `${rep?.name || repId} 的销售行为健康分连续 ${months.length} 个月低于 ${settings.threshold}（${span}）。建议一对一复盘：${topics.join('、') || '整体行为'}。`,
      en: `${rep?.name || repId}'s sales-behaviour health stayed below ${settings.threshold} for ${months.length} months (${span}). Suggested 1:1 review: ${topics.join(', ') || 'overall behaviour'}.`,
    },
    weakestMetrics,
    weakestConcerns,
    scripts,
    benchmarkCalls,
    reviewRequest: {
      repId,
      managerId: rep?.managerId ?? null,
      topics,
      message: {
        zh: `请在 7 天内安排一次一对一复盘，内容：${topics.join('、') || '整体行为'}；先一起听两通标杆通话，再练习话术库中的应对。`,
        en: `Please hold a 1:1 review within 7 days on: ${topics.join(', ') || 'overall behaviour'}; listen to the two benchmark calls together, then practise the scripts.`,
      },
    },
  };
}

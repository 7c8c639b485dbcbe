import { assignmentsForCoaching, type CoachingAssignment, type CoachingRep } from '../assignment/service.js';
import type { Queryable } from '../platform/db.js';
import { addMonths, monthName } from './months.js';
import type { CoachingSettings } from './settings.js';

/**
 * The sales-behaviour health score of a rep for one calendar month (UTC). Five metrics:
 *
 * - first_touch: leads assigned in the month (CRM `lead_assigned` and dealsense's own
 *   assignments) touched by that rep within `withinHours` (default 2 h) of assignment.
 * - quote_feedback: quotes submitted in the month with customer feedback within 48 h.
 * - value_metrics: customers owned at the end of the month (assigned at least `graceDays`
 *   before it, not handed over, not lost by then) with at least one value-metric update
 *   by the rep in the rolling quarter, i.e. the month and the two before it.
 * - task_response: mean hours from a cross-department task's creation (in the month) to the rep's
 *   response; a task still unanswered counts with its wait so far, capped at 30 days, so ignoring a
 *   task never looks better than answering it late.
 * - handover: in the month a rep departs, the share of their customers (not lost before the
 *   departure) handed over to another rep.
 *
 * A metric with nothing to count is "n/a" (neither 0 % nor 100 %). The overall score is
 * 100 × Σ wᵢ·aᵢ / Σ wᵢ over the metrics that apply, where aᵢ is the attainment: value/target for
 * the rates (capped at 1) and target/value for the response time (1 when within target). Weights
 * are equal by default (settings.weights). No applicable metric → score null.
 */
export const METRICS = ['first_touch', 'quote_feedback', 'value_metrics', 'task_response', 'handover'] as const;
export type MetricKey = (typeof METRICS)[number];

const LABELS: Record<MetricKey, { zh: string; en: string }> = {
  first_touch: { zh: '分配后及时首次跟进', en: 'first touch after assignment' },
  quote_feedback: { zh: '报价后及时获得客户反馈', en: 'customer feedback after a quote' },
  value_metrics: { zh: '每客户每季度更新价值指标', en: 'value metrics updated per customer per quarter' },
  task_response: { zh: '跨部门任务平均响应时长', en: 'cross-department task response time' },
  handover: { zh: '离职交接完整度', en: 'handover completeness of departed reps' },
};

export const WEIGHT_KEY: Record<MetricKey, keyof CoachingSettings['weights']> = {
  first_touch: 'firstTouch', quote_feedback: 'quoteFeedback', value_metrics: 'valueMetrics', task_response: 'taskResponse', handover: 'handover',
};

const HOUR = 3600_000;
const UNANSWERED_CAP_H = 30 * 24;

export interface MetricResult {
  key: MetricKey;
  label: { zh: string; en: string };
  status: 'ok' | 'n/a';
  numerator: number;
  denominator: number;
  value: number | null;
  unit: 'rate' | 'hours';
  target: { min?: number; max?: number; withinHours?: number };
  pass: boolean | null;
  /** The rows behind the figures (misses first), at most `rowsLimit`; `rowsTotal` counts them all. */
  rows: Record<string, unknown>[];
  rowsTotal: number;
}

export interface RepHealth {
  repId: string;
  name: string;
  team: string | null;
  active: boolean;
  departedAt: string | null;
  month: string;
  score: number | null;
  belowThreshold: boolean | null;
  metrics: Record<MetricKey, MetricResult>;
}

export interface HealthInput {
  tenantId: string;
  reps: (CoachingRep & { departedAt: Date | null })[];
  month: Date;
  settings: CoachingSettings;
  rowsLimit: number;
  now?: Date;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
const round = (x: number, p = 4) => Math.round(x * 10 ** p) / 10 ** p;

function metric(key: MetricKey, unit: MetricResult['unit'], target: MetricResult['target'], num: number, den: number, value: number | null, pass: boolean | null, rows: Record<string, unknown>[], rowsLimit: number): MetricResult {
  const na = den === 0;
  return {
    key, label: LABELS[key], status: na ? 'n/a' : 'ok', numerator: round(num, 2), denominator: den, value: na || value === null ? null : round(value), unit, target,
    pass: na ? null : pass, rows: rows.slice(0, rowsLimit), rowsTotal: rows.length,
  };
}

/** Health of several reps (a team page) for one month, with a handful of set-based queries. */
export async function computeHealth(db: Queryable, input: HealthInput): Promise<RepHealth[]> {
  const { tenantId, reps, month, settings, rowsLimit } = input;
  const now = input.now ?? new Date();
  const repIds = reps.map((r) => r.id);
  const end = addMonths(month, 1);
  const t = settings.targets;
  // dealsense's own assignments up to the month's end (the customer base) and within the month (first touch).
  const dsAll = await assignmentsForCoaching(db, tenantId, repIds, null, end);
  const dsMonth = dsAll.filter((a) => new Date(a.assignedAt) >= month);
  const [assignRows, quoteRows, taskRows, valueRows, handoverRows] = await Promise.all([
    db.query<{ lead_id: string; rep_id: string; assigned_at: Date; first_touch_at: Date | null }>(
      `SELECT lead_id, rep_id, assigned_at, first_touch_at FROM coaching_lead_reps
       WHERE tenant_id = $1 AND rep_id = ANY($2::text[]) AND source = 'crm' AND assigned_at >= $3 AND assigned_at < $4`,
      [tenantId, repIds, month, end],
    ),
    db.query<{ quote_id: string; lead_id: string | null; rep_id: string; submitted_at: Date; feedback_at: Date | null }>(
      `SELECT quote_id, lead_id, rep_id, submitted_at, feedback_at FROM coaching_quotes
       WHERE tenant_id = $1 AND rep_id = ANY($2::text[]) AND submitted_at >= $3 AND submitted_at < $4`,
      [tenantId, repIds, month, end],
    ),
    db.query<{ task_id: string; lead_id: string | null; rep_id: string; created_at: Date; responded_at: Date | null }>(
      `SELECT task_id, lead_id, rep_id, created_at, responded_at FROM coaching_tasks
       WHERE tenant_id = $1 AND rep_id = ANY($2::text[]) AND created_at >= $3 AND created_at < $4`,
      [tenantId, repIds, month, end],
    ),
    valueMetricRows(db, tenantId, repIds, month, settings, rowsLimit, dsAll),
    handoverRowsFor(db, tenantId, reps.filter((r) => r.departedAt && r.departedAt >= month && r.departedAt < end), dsAll),
  ]);

  const byRep = <T extends { rep_id: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) (m.get(r.rep_id) ?? m.set(r.rep_id, []).get(r.rep_id)!).push(r);
    return m;
  };
  // dealsense's own assignments count like CRM ones; the same lead and rep is one assignment (earliest wins).
  const touches = new Map<string, { lead_id: string; rep_id: string; assigned_at: Date; first_touch_at: Date | null; source: string }>();
  const addTouch = (leadId: string, repId: string, at: Date, touch: Date | null, source: string) => {
    const k = `${repId}\u0000${leadId}`;
    const prev = touches.get(k);
    const assigned = prev && prev.assigned_at <= at ? prev.assigned_at : at;
    const first = [prev?.first_touch_at, touch].filter((x): x is Date => !!x).sort((a, b) => +a - +b)[0] ?? null;
    touches.set(k, { lead_id: leadId, rep_id: repId, assigned_at: assigned, first_touch_at: first, source: prev ? `${prev.source}+${source}` : source });
  };
  for (const r of assignRows) addTouch(r.lead_id, r.rep_id, new Date(r.assigned_at), r.first_touch_at && new Date(r.first_touch_at), 'crm');
  for (const a of dsMonth) addTouch(a.leadId, a.repId, new Date(a.assignedAt), a.firstTouchAt && new Date(a.firstTouchAt), 'dealsense');
  const touchesByRep = byRep([...touches.values()]);
  const quotesByRep = byRep(quoteRows);
  const tasksByRep = byRep(taskRows);
  const valueByRep = byRep(valueRows);
  const handoverByRep = byRep(handoverRows);

  return reps.map((rep) => {
    // 1. first touch
    const ft = (touchesByRep.get(rep.id) ?? []).map((r) => {
      const hours = r.first_touch_at ? (r.first_touch_at.getTime() - r.assigned_at.getTime()) / HOUR : null;
      return { leadId: r.lead_id, assignedAt: iso(r.assigned_at), firstTouchAt: iso(r.first_touch_at), hours: hours === null ? null : round(hours, 2), met: hours !== null && hours <= t.firstTouch.withinHours, source: r.source };
    });
    ft.sort((a, b) => Number(a.met) - Number(b.met) || String(a.assignedAt).localeCompare(String(b.assignedAt)));
    const ftMet = ft.filter((r) => r.met).length;
    const firstTouch = metric('first_touch', 'rate', { min: t.firstTouch.minRate, withinHours: t.firstTouch.withinHours }, ftMet, ft.length, ft.length ? ftMet / ft.length : null, ft.length ? ftMet / ft.length >= t.firstTouch.minRate : null, ft, rowsLimit);

    // 2. quote feedback
    const qf = (quotesByRep.get(rep.id) ?? []).map((r) => {
      const hours = r.feedback_at ? (new Date(r.feedback_at).getTime() - new Date(r.submitted_at).getTime()) / HOUR : null;
      return { quoteId: r.quote_id, leadId: r.lead_id, submittedAt: iso(r.submitted_at), feedbackAt: iso(r.feedback_at), hours: hours === null ? null : round(hours, 2), met: hours !== null && hours <= t.quoteFeedback.withinHours };
    });
    qf.sort((a, b) => Number(a.met) - Number(b.met) || String(a.submittedAt).localeCompare(String(b.submittedAt)));
    const qfMet = qf.filter((r) => r.met).length;
    const quoteFeedback = metric('quote_feedback', 'rate', { min: t.quoteFeedback.minRate, withinHours: t.quoteFeedback.withinHours }, qfMet, qf.length, qf.length ? qfMet / qf.length : null, qf.length ? qfMet / qf.length >= t.quoteFeedback.minRate : null, qf, rowsLimit);

    // 3. value metrics (counts come from the SQL window; rows are already capped there)
    const vr = valueByRep.get(rep.id) ?? [];
    const vTotal = vr[0]?.total ?? 0;
    const vUpdated = vr[0]?.updated ?? 0;
    const vm = metric('value_metrics', 'rate', { min: t.valueMetrics.minRate }, vUpdated, vTotal, vTotal ? vUpdated / vTotal : null, vTotal ? vUpdated / vTotal >= t.valueMetrics.minRate : null,
      vr.map((r) => ({ leadId: r.lead_id, customerSince: iso(r.since), updatesInQuarter: r.n, met: r.n > 0 })), rowsLimit);
    vm.rowsTotal = vTotal;

    // 4. task response (mean hours; unanswered tasks count their wait so far, capped)
    const tr = (tasksByRep.get(rep.id) ?? []).map((r) => {
      const created = new Date(r.created_at).getTime();
      const answered = r.responded_at ? new Date(r.responded_at).getTime() : null;
      const hours = answered !== null ? (answered - created) / HOUR : Math.min(UNANSWERED_CAP_H, Math.max(0, (now.getTime() - created) / HOUR));
      return { taskId: r.task_id, leadId: r.lead_id, createdAt: iso(r.created_at), respondedAt: iso(r.responded_at), hours: round(hours, 2), answered: answered !== null, met: answered !== null && hours <= t.taskResponse.maxAvgHours };
    });
    tr.sort((a, b) => b.hours - a.hours);
    const trSum = tr.reduce((s, r) => s + r.hours, 0);
    const trAvg = tr.length ? trSum / tr.length : null;
    const taskResponse = metric('task_response', 'hours', { max: t.taskResponse.maxAvgHours }, trSum, tr.length, trAvg, trAvg === null ? null : trAvg <= t.taskResponse.maxAvgHours, tr, rowsLimit);

    // 5. handover (departure month only)
    const ho = (handoverByRep.get(rep.id) ?? []).map((r) => ({ leadId: r.lead_id, handedOverAt: iso(r.handed_over_at), handedTo: r.handed_to, met: !!r.handed_over_at }));
    ho.sort((a, b) => Number(a.met) - Number(b.met) || a.leadId.localeCompare(b.leadId));
    const hoMet = ho.filter((r) => r.met).length;
    const handover = metric('handover', 'rate', { min: t.handover.minRate }, hoMet, ho.length, ho.length ? hoMet / ho.length : null, ho.length ? hoMet / ho.length >= t.handover.minRate : null, ho, rowsLimit);

    const metrics = { first_touch: firstTouch, quote_feedback: quoteFeedback, value_metrics: vm, task_response: taskResponse, handover };
    const score = overallScore(metrics, settings);
    return {
      repId: rep.id, name: rep.name, team: rep.team, active: rep.active, departedAt: iso(rep.departedAt), month: monthName(month),
      score, belowThreshold: score === null ? null : score < settings.threshold, metrics,
    };
  });
}

/** Weighted mean attainment over the metrics that apply, 0–100 (see the module comment). */
export function overallScore(metrics: Record<MetricKey, MetricResult>, settings: CoachingSettings): number | null {
  let num = 0;
  let den = 0;
  for (const key of METRICS) {
    const m = metrics[key];
    const w = settings.weights[WEIGHT_KEY[key]];
    if (m.status === 'n/a' || m.value === null || w === 0) continue;
    let a: number;
    if (m.unit === 'hours') a = m.value <= (m.target.max ?? 0) ? 1 : (m.target.max ?? 0) / m.value;
    else a = !m.target.min ? 1 : Math.min(1, m.value / m.target.min);
    num += w * a;
    den += w;
  }
  return den === 0 ? null : Math.round((1000 * num) / den) / 10;
}

/** Customers of the rolling quarter and whether each had a value-metric update, counted in SQL. */
async function valueMetricRows(db: Queryable, tenantId: string, repIds: string[], month: Date, s: CoachingSettings, rowsLimit: number, ds: CoachingAssignment[]) {
  const end = addMonths(month, 1);
  const windowStart = addMonths(month, -2);
  const cutoff = new Date(end.getTime() - s.targets.valueMetrics.graceDays * 24 * HOUR);
  return db.query<{ rep_id: string; lead_id: string; since: Date; n: number; total: number; updated: number }>(
    `WITH rel AS (
       SELECT rep_id, lead_id, assigned_at, handed_over_at, lost_at FROM coaching_lead_reps
       WHERE tenant_id = $1 AND rep_id = ANY($2::text[]) AND assigned_at < $5
       UNION ALL
       SELECT x.rep_id, x.lead_id, x.at, NULL, st.lost_at FROM unnest($7::text[], $8::text[], $9::timestamptz[]) AS x(rep_id, lead_id, at)
       LEFT JOIN coaching_lead_stages st ON st.tenant_id = $1 AND st.lead_id = x.lead_id
     ), cust AS (
       SELECT rep_id, lead_id, min(assigned_at) AS since FROM rel
       WHERE assigned_at < $5 AND (handed_over_at IS NULL OR handed_over_at >= $4) AND (lost_at IS NULL OR lost_at >= $4)
       GROUP BY rep_id, lead_id
     ), upd AS (
       SELECT rep_id, lead_id, sum(updates)::int AS n FROM coaching_value_updates
       WHERE tenant_id = $1 AND rep_id = ANY($2::text[]) AND month >= $3::date AND month < $4::date GROUP BY rep_id, lead_id
     ), joined AS (
       SELECT c.rep_id, c.lead_id, c.since, coalesce(u.n, 0) AS n,
         count(*) OVER (PARTITION BY c.rep_id)::int AS total,
         count(u.n) OVER (PARTITION BY c.rep_id)::int AS updated,
         row_number() OVER (PARTITION BY c.rep_id ORDER BY (u.n IS NOT NULL), c.since, c.lead_id) AS rn
       FROM cust c LEFT JOIN upd u ON u.rep_id = c.rep_id AND u.lead_id = c.lead_id
     )
     SELECT rep_id, lead_id, since, n, total, updated FROM joined WHERE rn <= $6 ORDER BY rep_id, rn`,
    [tenantId, repIds, windowStart.toISOString().slice(0, 10), end.toISOString().slice(0, 10), cutoff, Math.max(1, rowsLimit),
      ds.map((a) => a.repId), ds.map((a) => a.leadId), ds.map((a) => a.assignedAt)],
  );
}

/** The customers a departing rep had (not lost before leaving), and whether each was handed over. */
async function handoverRowsFor(db: Queryable, tenantId: string, departed: { id: string; departedAt: Date | null }[], ds: CoachingAssignment[]) {
  if (departed.length === 0) return [];
  const dsRows = ds.filter((a) => departed.some((d) => d.id === a.repId));
  return db.query<{ rep_id: string; lead_id: string; handed_over_at: Date | null; handed_to: string | null }>(
    `WITH dep AS (SELECT * FROM unnest($2::text[], $3::timestamptz[]) AS d(rep_id, departed_at)),
     rel AS (
       SELECT r.rep_id, r.lead_id, r.assigned_at, r.handed_over_at, r.handed_to FROM coaching_lead_reps r
       WHERE r.tenant_id = $1 AND r.rep_id = ANY($2::text[]) AND r.assigned_at IS NOT NULL
       UNION ALL
       SELECT x.rep_id, x.lead_id, x.at, NULL, NULL FROM unnest($4::text[], $5::text[], $6::timestamptz[]) AS x(rep_id, lead_id, at)
     )
     SELECT rel.rep_id, rel.lead_id, min(rel.handed_over_at) AS handed_over_at, min(rel.handed_to) AS handed_to
     FROM rel JOIN dep ON dep.rep_id = rel.rep_id
     LEFT JOIN coaching_lead_stages st ON st.tenant_id = $1 AND st.lead_id = rel.lead_id
     WHERE rel.assigned_at <= dep.departed_at AND (st.lost_at IS NULL OR st.lost_at >= dep.departed_at)
     GROUP BY rel.rep_id, rel.lead_id`,
    [tenantId, departed.map((d) => d.id), departed.map((d) => d.departedAt), dsRows.map((a) => a.repId), dsRows.map((a) => a.leadId), dsRows.map((a) => a.assignedAt)],
  );
}

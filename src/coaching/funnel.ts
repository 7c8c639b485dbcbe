import { assignmentsForCoaching, type CoachingRep } from '../assignment/service.js';
import type { Queryable } from '../platform/db.js';

/**
 * The four-stage funnel per rep over a period. The cohort is the leads assigned to the rep in
 * [from, to) (CRM `lead_assigned` and dealsense's own assignments); stages may be reached later.
 *
 *   response            timely / assigned     touched (first_touch or stage "response") within the first-touch target
 *   need_clarification  clarified / responded  need clarified (or any later stage) among leads responded to at all
 *   demo_acceptance     demo / clarified       demo accepted (or signed)
 *   signing             signed / demo          contract signed
 *
 * A late response still continues down the funnel: timeliness is judged against the SLA, the
 * later stages against the stage before. A later stage implies the earlier ones (a lead signed
 * without a recorded demo counts as having accepted one).
 *
 * Each rep's rate is compared with the team mean (the unweighted mean of the rates of the team's
 * reps that have a denominator for that stage); the weakest stage is the one with the most
 * negative gap (ties: the earlier stage), null when the rep is at or above the mean everywhere.
 * Teams are compared the same way against the mean of all teams (pooled team rates).
 */
export const FUNNEL_STAGES = ['response', 'need_clarification', 'demo_acceptance', 'signing'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

export interface Counts {
  assigned: number;
  timely: number;
  responded: number;
  clarified: number;
  demo: number;
  signed: number;
}

export interface StageRate {
  stage: FunnelStage;
  numerator: number;
  denominator: number;
  rate: number | null;
  mean: number | null;
  gap: number | null;
}

const PAIRS: Record<FunnelStage, [keyof Counts, keyof Counts]> = {
  response: ['timely', 'assigned'],
  need_clarification: ['clarified', 'responded'],
  demo_acceptance: ['demo', 'clarified'],
  signing: ['signed', 'demo'],
};

const r4 = (x: number) => Math.round(x * 10_000) / 10_000;
const zero = (): Counts => ({ assigned: 0, timely: 0, responded: 0, clarified: 0, demo: 0, signed: 0 });

export function rates(c: Counts): { stage: FunnelStage; numerator: number; denominator: number; rate: number | null }[] {
  return FUNNEL_STAGES.map((stage) => {
    const [n, d] = PAIRS[stage];
    return { stage, numerator: c[n], denominator: c[d], rate: c[d] ? r4(c[n] / c[d]) : null };
  });
}

/** Compares each member's rates with the unweighted mean of the group's rates; names the weakest stage. */
export function againstMean<T extends { counts: Counts }>(members: T[]): (T & { stages: StageRate[]; weakestStage: { stage: FunnelStage; gap: number } | null })[] {
  const all = members.map((m) => rates(m.counts));
  const means = FUNNEL_STAGES.map((_, i) => {
    const xs = all.map((r) => r[i]!.rate).filter((x): x is number => x !== null);
    return xs.length ? r4(xs.reduce((a, b) => a + b, 0) / xs.length) : null;
  });
  return members.map((m, k) => {
    const stages = all[k]!.map((s, i) => ({ ...s, mean: means[i]!, gap: s.rate === null || means[i] === null ? null : r4(s.rate - means[i]!) }));
    let weakest: { stage: FunnelStage; gap: number } | null = null;
    for (const s of stages) if (s.gap !== null && s.gap < 0 && (!weakest || s.gap < weakest.gap)) weakest = { stage: s.stage, gap: s.gap };
    return { ...m, stages, weakestStage: weakest };
  });
}

/**
 * The cohort as CTE `s`: one row per (rep, lead) assigned in [$3, $4) to the reps $2, with the
 * first touch and the stage times (copied onto coaching_lead_reps at ingest, so CRM leads need no
 * join); dealsense's own assignments ($6…$9) take their stages from coaching_lead_stages.
 */
const COHORT = `rel AS (
       SELECT rep_id, lead_id, assigned_at, first_touch_at, responded_at, need_at, demo_at, signed_at, lost_at FROM coaching_lead_reps
       WHERE tenant_id = $1 AND rep_id = ANY($2::text[]) AND source = 'crm' AND assigned_at >= $3 AND assigned_at < $4
       UNION ALL
       SELECT x.rep_id, x.lead_id, x.at, x.ft, st.responded_at, st.need_at, st.demo_at, st.signed_at, st.lost_at
       FROM unnest($6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[]) AS x(rep_id, lead_id, at, ft)
       LEFT JOIN coaching_lead_stages st ON st.tenant_id = $1 AND st.lead_id = x.lead_id
     ), s AS (
       SELECT rep_id, lead_id, min(assigned_at) AS a, min(first_touch_at) AS ft, min(responded_at) AS responded_at, min(need_at) AS need_at,
         min(demo_at) AS demo_at, min(signed_at) AS signed_at, min(lost_at) AS lost_at
       FROM rel GROUP BY rep_id, lead_id
     )`;

/** The same cohort when dealsense made no assignments in the period: CRM rows are already one per (rep, lead), no grouping needed. */
const CRM_COHORT = `s AS (
       SELECT rep_id, lead_id, assigned_at AS a, first_touch_at AS ft, responded_at, need_at, demo_at, signed_at, lost_at FROM coaching_lead_reps
       WHERE tenant_id = $1 AND rep_id = ANY($2::text[]) AND source = 'crm' AND assigned_at >= $3 AND assigned_at < $4
         AND cardinality($6::text[]) + cardinality($7::text[]) + cardinality($8::timestamptz[]) + cardinality($9::timestamptz[]) = 0
     )`;
const cohort = (dsRows: number) => (dsRows > 0 ? COHORT : CRM_COHORT);

/** Funnel counts per rep for the leads assigned in [from, to). */
export async function funnelCounts(db: Queryable, tenantId: string, repIds: string[], from: Date, to: Date, firstTouchHours: number): Promise<Map<string, Counts>> {
  const ds = await assignmentsForCoaching(db, tenantId, repIds, from, to);
  const rows = await db.query<Counts & { rep_id: string }>(
    `WITH ${cohort(ds.length)}
     SELECT s.rep_id,
       count(*)::int AS assigned,
       (count(*) FILTER (WHERE least(s.ft, s.responded_at) <= s.a + make_interval(secs => $5)))::int AS timely,
       (count(*) FILTER (WHERE coalesce(s.ft, s.responded_at, s.need_at, s.demo_at, s.signed_at) IS NOT NULL))::int AS responded,
       (count(*) FILTER (WHERE coalesce(s.need_at, s.demo_at, s.signed_at) IS NOT NULL))::int AS clarified,
       (count(*) FILTER (WHERE coalesce(s.demo_at, s.signed_at) IS NOT NULL))::int AS demo,
       (count(*) FILTER (WHERE s.signed_at IS NOT NULL))::int AS signed
     FROM s GROUP BY s.rep_id`,
    [tenantId, repIds, from, to, firstTouchHours * 3600, ds.map((a) => a.repId), ds.map((a) => a.leadId), ds.map((a) => a.assignedAt), ds.map((a) => a.firstTouchAt)],
  );
  const out = new Map<string, Counts>();
  for (const id of repIds) out.set(id, zero());
  for (const r of rows) out.set(r.rep_id, { assigned: r.assigned, timely: r.timely, responded: r.responded, clarified: r.clarified, demo: r.demo, signed: r.signed });
  return out;
}

export function funnelView(reps: CoachingRep[], counts: Map<string, Counts>, opts: { compareTeams: boolean; onlyRep?: string }) {
  const teams = new Map<string, CoachingRep[]>();
  for (const r of reps) (teams.get(r.team ?? '') ?? teams.set(r.team ?? '', []).get(r.team ?? '')!).push(r);
  const repRows = [...teams.values()].flatMap((members) =>
    againstMean(members.map((r) => ({ repId: r.id, name: r.name, team: r.team, counts: counts.get(r.id) ?? zero() }))),
  );
  const teamRows = [...teams].map(([team, members]) => {
    const c = zero();
    for (const m of members) for (const k of Object.keys(c) as (keyof Counts)[]) c[k] += counts.get(m.id)?.[k] ?? 0;
    return { team: team || null, reps: members.length, counts: c };
  });
  const teamView = opts.compareTeams
    ? againstMean(teamRows)
    : teamRows.map((t) => ({ ...t, stages: rates(t.counts).map((s) => ({ ...s, mean: null, gap: null })), weakestStage: null }));
  return {
    stages: FUNNEL_STAGES,
    teams: teamView,
    reps: opts.onlyRep ? repRows.filter((r) => r.repId === opts.onlyRep) : repRows,
  };
}

/** The leads behind one stage of one rep's funnel: those in its denominator, converted or not. */
export async function drilldownLeads(
  db: Queryable,
  tenantId: string,
  repId: string,
  stage: FunnelStage,
  from: Date,
  to: Date,
  firstTouchHours: number,
  page: { limit: number; offset: number },
) {
  const ds = await assignmentsForCoaching(db, tenantId, [repId], from, to);
  const cond: Record<FunnelStage, [string, string]> = {
    response: ['true', 'least(s.ft, s.responded_at) <= s.a + make_interval(secs => $5)'],
    need_clarification: ['coalesce(s.ft, s.responded_at, s.need_at, s.demo_at, s.signed_at) IS NOT NULL', 'coalesce(s.need_at, s.demo_at, s.signed_at) IS NOT NULL'],
    demo_acceptance: ['coalesce(s.need_at, s.demo_at, s.signed_at) IS NOT NULL', 'coalesce(s.demo_at, s.signed_at) IS NOT NULL'],
    signing: ['coalesce(s.demo_at, s.signed_at) IS NOT NULL', 's.signed_at IS NOT NULL'],
  };
  const [inStage, converted] = cond[stage];
  const rows = await db.query<{ lead_id: string; a: Date; ft: Date | null; responded_at: Date | null; need_at: Date | null; demo_at: Date | null; signed_at: Date | null; lost_at: Date | null; converted: boolean; total: number }>(
    `WITH ${cohort(ds.length)}
     SELECT s.lead_id, s.a, s.ft, s.responded_at, s.need_at, s.demo_at, s.signed_at, s.lost_at,
       coalesce(${converted}, false) AS converted, count(*) OVER ()::int AS total
     FROM s WHERE ${inStage} AND $5::double precision >= 0
     ORDER BY coalesce(${converted}, false), s.a, s.lead_id LIMIT $10 OFFSET $11`,
    [tenantId, [repId], from, to, firstTouchHours * 3600, ds.map((a) => a.repId), ds.map((a) => a.leadId), ds.map((a) => a.assignedAt), ds.map((a) => a.firstTouchAt), page.limit, page.offset],
  );
  return rows;
}

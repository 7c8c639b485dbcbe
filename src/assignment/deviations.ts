import type { Queryable } from '../platform/db.js';

export interface Deviation {
  kind: 'off_industry_streak' | 'capacity_while_waiting' | 'sla_breaches' | 'best_candidate_skipped';
  repId: string | null;
  severity: number;
  summary: string;
  evidence: { logId: string; leadId: string; kind: string; repId: string | null; at: string; note: string | null }[];
}

const DAY_MS = 86_400_000;
const STREAK_DAYS = 3;

interface Row {
  id: string;
  lead_id: string;
  kind: string;
  rep_id: string | null;
  previous_rep_id: string | null;
  industry_match: number | null;
  candidates: { repId: string }[] | null;
  note: string | null;
  created_at: Date;
}

const evidence = (r: Row) => ({ logId: r.id, leadId: r.lead_id, kind: r.kind, repId: r.rep_id, at: new Date(r.created_at).toISOString(), note: r.note });

/**
 * The day's top three assignment deviations (UTC day), each with the log rows behind it:
 * - a rep given leads outside their industries on each of the last three days;
 * - leads sent to the pool because every fitting rep was at capacity;
 * - first-touch SLA breaches, per rep;
 * - leads that did not go to their best-scoring candidate (overrides, or a capacity race).
 */
export async function deviationsFor(q: Queryable, tenantId: string, day: Date): Promise<Deviation[]> {
  const dayStart = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()));
  const from = new Date(dayStart.getTime() - (STREAK_DAYS - 1) * DAY_MS);
  const to = new Date(dayStart.getTime() + DAY_MS);
  const rows = await q.query<Row>(
    `SELECT id, lead_id, kind, rep_id, previous_rep_id, industry_match, candidates, note, created_at FROM assignment_log
     WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY created_at`,
    [tenantId, from, to],
  );
  const today = rows.filter((r) => new Date(r.created_at) >= dayStart);
  const out: Deviation[] = [];

  // Off-industry leads on each day of the streak window.
  const offByRep = new Map<string, Row[]>();
  for (const r of rows) {
    if (!r.rep_id || r.industry_match === null || r.industry_match > 0) continue;
    if (!['auto', 'override', 'claim', 'sla_reassign'].includes(r.kind)) continue;
    offByRep.set(r.rep_id, [...(offByRep.get(r.rep_id) ?? []), r]);
  }
  for (const [repId, list] of offByRep) {
    const days = new Set(list.map((r) => Math.floor((new Date(r.created_at).getTime() - from.getTime()) / DAY_MS)));
    if (days.size >= STREAK_DAYS) {
      out.push({
        kind: 'off_industry_streak', repId, severity: 3 + list.length,
        summary: `${repId} received leads outside their industries ${STREAK_DAYS} days running (${list.length} leads)`,
        evidence: list.map(evidence),
      });
    }
  }

  const capacity = today.filter((r) => r.kind === 'pool' && /capacity/i.test(r.note ?? ''));
  if (capacity.length) {
    out.push({
      kind: 'capacity_while_waiting', repId: null, severity: 2 * capacity.length,
      summary: `${capacity.length} lead(s) waited in the pool because every fitting rep was at capacity`,
      evidence: capacity.map(evidence),
    });
  }

  // The rep who missed the deadline: the previous owner of a re-assignment, the owner of an escalation.
  const breaches = new Map<string, Row[]>();
  for (const r of today) {
    const late = r.kind === 'sla_reassign' ? r.previous_rep_id : r.kind === 'sla_escalate' ? r.rep_id : undefined;
    if (!late) continue;
    breaches.set(late, [...(breaches.get(late) ?? []), r]);
  }
  for (const [repId, list] of breaches) {
    out.push({ kind: 'sla_breaches', repId, severity: 2 * list.length, summary: `${list.length} first-touch SLA breach(es)`, evidence: list.map(evidence) });
  }

  const skipped = today.filter((r) => r.rep_id && Array.isArray(r.candidates) && r.candidates[0] && r.candidates[0].repId !== r.rep_id);
  const overrides = today.filter((r) => r.kind === 'override');
  const skippedAll = [...skipped, ...overrides.filter((o) => !skipped.includes(o))];
  if (skippedAll.length) {
    out.push({
      kind: 'best_candidate_skipped', repId: null, severity: skippedAll.length,
      summary: `${skippedAll.length} lead(s) did not go to their best-scoring candidate`,
      evidence: skippedAll.map(evidence),
    });
  }
  return out.sort((a, b) => b.severity - a.severity).slice(0, 3);
}

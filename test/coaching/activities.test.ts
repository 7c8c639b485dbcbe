import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { coachingTenant, monthsAgo, plus } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const m = monthsAgo(2);
const d = (day: number, h = 9) => `${m}-${String(day).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00.000Z`;

describe('POST /v1/activities: bad input', () => {
  it('names the index and field of an unknown type, a missing field, and stores nothing of that batch', async () => {
    const { call, rep } = await coachingTenant(t, 'act-bad');
    await rep('r1');
    const unknown = await call('POST', '/v1/activities', {
      activities: [
        { id: 'e1', type: 'lead_assigned', repId: 'r1', leadId: 'L1', at: d(2) },
        { id: 'e2', type: 'meeting_booked', repId: 'r1', leadId: 'L1', at: d(2) },
      ],
    });
    const err = expectError(unknown, 400, 'validation_error', 'body.activities.1.type');
    expect(JSON.stringify(err.details)).toContain('body.activities.1.type');
    const missing = await call('POST', '/v1/activities', { activities: [{ id: 'e3', type: 'quote_submitted', repId: 'r1', leadId: 'L1', at: d(2) }] });
    expectError(missing, 400, 'validation_error', 'body.activities.0.quoteId');
    const badStage = await call('POST', '/v1/activities', { activities: [{ id: 'e4', type: 'stage_changed', leadId: 'L1', stage: 'won', at: d(2) }] });
    expectError(badStage, 400, 'validation_error', 'body.activities.0.stage');
    const badTime = await call('POST', '/v1/activities', { activities: [{ id: 'e5', type: 'first_touch', repId: 'r1', leadId: 'L1', at: 'yesterday' }] });
    expectError(badTime, 400, 'validation_error', 'body.activities.0.at');
    const extra = await call('POST', '/v1/activities', { activities: [{ id: 'e6', type: 'first_touch', repId: 'r1', leadId: 'L1', at: d(2), admin: true }] });
    expectError(extra, 400, 'validation_error', 'body.activities.0');
    // Nothing of the rejected batches was stored: e1 is new when sent again.
    const again = await call('POST', '/v1/activities', { activities: [{ id: 'e1', type: 'lead_assigned', repId: 'r1', leadId: 'L1', at: d(2) }] });
    expect(again.json()).toEqual({ accepted: 1, duplicates: [], rejected: [] });
  });

  it('rejects an oversized batch, an empty one, malformed JSON, over-long ids; needs the ingest scope', async () => {
    const { call, rep, key } = await coachingTenant(t, 'act-size');
    await rep('r1');
    const many = Array.from({ length: 1001 }, (_, i) => ({ id: `x${i}`, type: 'first_touch', repId: 'r1', leadId: 'L', at: d(2) }));
    expectError(await call('POST', '/v1/activities', { activities: many }), 400, 'validation_error', 'body.activities');
    expectError(await call('POST', '/v1/activities', { activities: [] }), 400, 'validation_error', 'body.activities');
    const broken = await t.app.inject({ method: 'POST', url: '/v1/activities', headers: { ...t.auth(key), 'content-type': 'application/json' }, payload: '{"activities": [' });
    expectError(broken, 400, 'invalid_json');
    expectError(await call('POST', '/v1/activities', { activities: [{ id: 'x'.repeat(201), type: 'rep_departed', repId: 'r1', at: d(2) }] }), 400, 'validation_error', 'body.activities.0.id');
    expectError(await t.app.inject({ method: 'POST', url: '/v1/activities', payload: { activities: [] } }), 401, 'unauthorized');
    const readOnly = await t.newTenant('act-size-ro', ['read']);
    expectError(await t.app.inject({ method: 'POST', url: '/v1/activities', headers: t.auth(readOnly), payload: { activities: [] } }), 403, 'forbidden');
  });

  it('reports events for unknown reps (another tenant’s rep included) per item and keeps the rest', async () => {
    const other = await coachingTenant(t, 'act-other');
    await other.rep('theirs');
    const { call, rep, activities } = await coachingTenant(t, 'act-unknown');
    await rep('r1');
    const res = await activities([
      { id: 'u1', type: 'lead_assigned', repId: 'r1', leadId: 'L1', at: d(3) },
      { id: 'u2', type: 'lead_assigned', repId: 'ghost', leadId: 'L2', at: d(3) },
      { id: 'u3', type: 'lead_assigned', repId: 'theirs', leadId: 'L3', at: d(3) },
      { id: 'u4', type: 'customer_handed_over', repId: 'r1', toRepId: 'theirs', leadId: 'L1', at: d(4) },
      { id: 'u5', type: 'first_touch', repId: 'r1', leadId: 'L1', at: new Date(Date.now() + 3 * 86_400_000).toISOString() },
      { id: "u6'; DROP TABLE coaching_activities; --", type: 'first_touch', repId: 'r1', leadId: '<script>alert(1)</script>', at: d(3) },
    ]);
    expect(res.accepted).toBe(2);
    expect(res.rejected).toEqual([
      expect.objectContaining({ index: 1, id: 'u2', field: 'activities.1.repId', code: 'unknown_rep' }),
      expect.objectContaining({ index: 2, id: 'u3', field: 'activities.2.repId', code: 'unknown_rep' }),
      expect.objectContaining({ index: 3, id: 'u4', field: 'activities.3.toRepId', code: 'unknown_rep' }),
      expect.objectContaining({ index: 4, id: 'u5', field: 'activities.4.at', code: 'future_timestamp' }),
    ]);
    // The other tenant sees none of it; the hostile id was stored as plain text.
    const h = (await call('GET', `/v1/coaching/health?repId=r1&month=${m}`)).json();
    expect(h.reps[0].metrics.first_touch).toEqual(expect.objectContaining({ numerator: 0, denominator: 1 }));
    expectError(await other.call('GET', `/v1/coaching/health?repId=r1&month=${m}`), 404, 'not_found');
    expectError(await call('GET', `/v1/coaching/health?repId=theirs&month=${m}`), 404, 'not_found');
    // A second hostile repeat is a duplicate: the id is a key, not SQL.
    const dup = await activities([{ id: "u6'; DROP TABLE coaching_activities; --", type: 'first_touch', repId: 'r1', leadId: 'x', at: d(3) }]);
    expect(dup).toEqual({ accepted: 0, duplicates: ["u6'; DROP TABLE coaching_activities; --"], rejected: [] });
  });

  it('is idempotent by event id, within a batch and across batches', async () => {
    const { call, rep, activities } = await coachingTenant(t, 'act-dup');
    await rep('r1');
    const batch = [
      { id: 'q1', type: 'quote_submitted', repId: 'r1', leadId: 'L1', quoteId: 'Q1', at: d(5) },
      { id: 'v1', type: 'value_metric_updated', repId: 'r1', leadId: 'L1', metric: 'oee', value: 0.8, at: d(5) },
      { id: 'q1', type: 'quote_submitted', repId: 'r1', leadId: 'L1', quoteId: 'Q1', at: d(6) },
    ];
    expect(await activities(batch)).toEqual({ accepted: 2, duplicates: ['q1'], rejected: [] });
    const second = await activities(batch);
    expect(second.accepted).toBe(0);
    expect([...second.duplicates].sort()).toEqual(['q1', 'q1', 'v1']);
    const h = (await call('GET', `/v1/coaching/health?repId=r1&month=${m}`)).json();
    expect(h.reps[0].metrics.quote_feedback).toEqual(expect.objectContaining({ numerator: 0, denominator: 1 }));
    const rows = await t.runtime.db.query<{ updates: number }>(`SELECT updates FROM coaching_value_updates WHERE tenant_id = 'act-dup'`);
    expect(rows).toEqual([{ updates: 1 }]);
  });
});

describe('late and out-of-order events', () => {
  const history = [
    { id: 'a1', type: 'lead_assigned', repId: 'r1', leadId: 'L1', at: d(2) },
    { id: 't1', type: 'first_touch', repId: 'r1', leadId: 'L1', at: plus(d(2), 1.5) },
    { id: 'a2', type: 'lead_assigned', repId: 'r1', leadId: 'L2', at: d(3) },
    { id: 't2', type: 'first_touch', repId: 'r1', leadId: 'L2', at: plus(d(3), 5) },
    { id: 'q1', type: 'quote_submitted', repId: 'r1', leadId: 'L1', quoteId: 'Q1', at: d(4) },
    { id: 'f1', type: 'quote_feedback', leadId: 'L1', quoteId: 'Q1', at: plus(d(4), 10) },
    { id: 'k1', type: 'task_created', repId: 'r1', taskId: 'T1', at: d(5) },
    { id: 'k1r', type: 'task_responded', taskId: 'T1', at: plus(d(5), 3) },
    // Two older customers: L3 is lost this month (leaves the customer base), L4 stays, never updated.
    { id: 'a3', type: 'lead_assigned', repId: 'r1', leadId: 'L3', at: `${monthsAgo(4)}-03T08:00:00.000Z` },
    { id: 'a4', type: 'lead_assigned', repId: 'r1', leadId: 'L4', at: `${monthsAgo(4)}-03T08:00:00.000Z` },
    { id: 'x3', type: 'stage_changed', leadId: 'L3', stage: 'lost', at: d(1) },
  ];
  const figures = (h: { reps: { metrics: Record<string, { numerator: number; denominator: number; value: number | null }>; score: number | null }[] }) => {
    const r = h.reps[0]!;
    const out: Record<string, unknown> = { score: r.score };
    for (const [k, v] of Object.entries(r.metrics)) out[k] = [v.numerator, v.denominator, v.value];
    return out;
  };

  it('gives the same health in any arrival order, and a late event recomputes the stored month', async () => {
    const inOrder = await coachingTenant(t, 'late-a');
    await inOrder.rep('r1');
    await inOrder.activities(history);
    const reversed = await coachingTenant(t, 'late-b');
    await reversed.rep('r1');
    for (const e of [...history].reverse()) await reversed.activities([e]);
    const a = figures((await inOrder.call('GET', `/v1/coaching/health?repId=r1&month=${m}`)).json());
    const b = figures((await reversed.call('GET', `/v1/coaching/health?repId=r1&month=${m}`)).json());
    expect(b).toEqual(a);
    expect(a.first_touch).toEqual([1, 2, 0.5]);
    expect(a.quote_feedback).toEqual([1, 1, 1]);
    expect(a.task_response).toEqual([3, 1, 3]);
    expect(a.value_metrics).toEqual([0, 1, 0]);

    // The job stored that month; a late first touch (an earlier one for L2) changes it.
    const stored = async () => (await inOrder.call('GET', '/v1/coaching/health/history?repId=r1')).json().months as { month: string; score: number | null }[];
    const before = await waitFor(async () => (await stored()).find((x) => x.month === m), 10_000, 'stored health');
    await inOrder.activities([{ id: 't2-early', type: 'first_touch', repId: 'r1', leadId: 'L2', at: plus(d(3), 0.5) }]);
    const after = figures((await inOrder.call('GET', `/v1/coaching/health?repId=r1&month=${m}`)).json());
    expect(after.first_touch).toEqual([2, 2, 1]);
    const updated = await waitFor(async () => (await stored()).find((x) => x.month === m && x.score !== before.score), 10_000, 'recomputed month');
    expect(updated.score).toBe(after.score);
  });
});

describe('value metrics and handover', () => {
  it('counts customers of the rolling quarter, and handover only in the departure month', async () => {
    const { call, rep, activities } = await coachingTenant(t, 'value-handover');
    await rep('r1');
    await rep('r2');
    await rep('r3');
    const m4 = monthsAgo(4);
    const early = (lead: string, id: string) => ({ id, type: 'lead_assigned', repId: 'r1', leadId: lead, at: `${m4}-05T08:00:00.000Z` });
    await activities([
      early('C1', 'c1'), early('C2', 'c2'), early('C3', 'c3'), early('C4', 'c4'),
      // C1 updated in the quarter, C2 updated before it (does not count), C3 lost, C4 never.
      { id: 'v1', type: 'value_metric_updated', repId: 'r1', leadId: 'C1', at: d(10) },
      { id: 'v2', type: 'value_metric_updated', repId: 'r1', leadId: 'C2', at: `${m4}-20T08:00:00.000Z` },
      { id: 's3', type: 'stage_changed', leadId: 'C3', stage: 'lost', at: `${m4}-25T08:00:00.000Z` },
      // r1 leaves this month: C1 and C2 handed over, C4 not (C3 was lost before) → 2 / 3.
      { id: 'dep', type: 'rep_departed', repId: 'r1', at: d(20) },
      { id: 'h1', type: 'customer_handed_over', repId: 'r1', toRepId: 'r2', leadId: 'C1', at: d(21) },
      { id: 'h2', type: 'customer_handed_over', repId: 'r1', toRepId: 'r2', leadId: 'C2', at: d(21) },
      // r3 departs with no customers at all.
      { id: 'dep3', type: 'rep_departed', repId: 'r3', at: d(20) },
    ]);
    const h = (await call('GET', `/v1/coaching/health?repId=r1&month=${m}`)).json().reps[0];
    // Handed-over customers are no longer r1's at month end: C4 is the only one left, never updated.
    expect(h.metrics.value_metrics).toEqual(expect.objectContaining({ numerator: 0, denominator: 1, value: 0 }));
    expect(h.metrics.handover).toEqual(expect.objectContaining({ numerator: 2, denominator: 3, pass: false }));
    expect(h.metrics.handover.rows.map((r: { leadId: string; met: boolean }) => [r.leadId, r.met])).toEqual([['C4', false], ['C1', true], ['C2', true]]);
    expect(h.departedAt).toBe(d(20));
    // Month -3 (window -5..-3): C1, C2, C4 are r1's (C3 lost by then); only C2 was updated in that window.
    const before = (await call('GET', `/v1/coaching/health?repId=r1&month=${monthsAgo(3)}`)).json().reps[0];
    expect(before.metrics.value_metrics).toEqual(expect.objectContaining({ numerator: 1, denominator: 3 }));
    expect(before.metrics.handover.status).toBe('n/a');
    // Departed with no customers: handover n/a, not 0 % or 100 %.
    const r3 = (await call('GET', `/v1/coaching/health?repId=r3&month=${m}`)).json().reps[0];
    expect(r3.metrics.handover).toEqual(expect.objectContaining({ status: 'n/a', value: null, pass: null, denominator: 0 }));
    expect(r3.score).toBeNull();
  });
});

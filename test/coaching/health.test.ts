import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { monthTick } from '../../src/coaching/interventions.js';
import { coachingTenant, monthsAgo, plus } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('health metrics on crafted histories', () => {
  it('computes the five metrics with numerators, denominators, rows and the overall score', async () => {
    const { call, rep, activities } = await coachingTenant(t, 'health-basic');
    await rep('r1', { name: '李明', team: 'east' });
    await rep('r2', { name: '王芳', team: 'east' });
    const m = monthsAgo(2);
    const d = (day: number, h = 9) => `${m}-${String(day).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00.000Z`;
    const ev = [
      // First touch: 4 assignments; L1 touched after 1 h, L2 after 3 h, L3 after 2 h exactly, L4 never → 2 / 4.
      { id: 'a1', type: 'lead_assigned', repId: 'r1', leadId: 'L1', at: d(2) },
      { id: 'a2', type: 'lead_assigned', repId: 'r1', leadId: 'L2', at: d(3) },
      { id: 'a3', type: 'lead_assigned', repId: 'r1', leadId: 'L3', at: d(4) },
      { id: 'a4', type: 'lead_assigned', repId: 'r1', leadId: 'L4', at: d(5) },
      { id: 't1', type: 'first_touch', repId: 'r1', leadId: 'L1', at: plus(d(2), 1) },
      { id: 't2', type: 'first_touch', repId: 'r1', leadId: 'L2', at: plus(d(3), 3) },
      { id: 't3', type: 'first_touch', repId: 'r1', leadId: 'L3', at: plus(d(4), 2) },
      // Quotes: Q1 feedback after 24 h (met), Q2 after 72 h (missed), Q3 none → 1 / 3.
      { id: 'q1', type: 'quote_submitted', repId: 'r1', leadId: 'L1', quoteId: 'Q1', at: d(6) },
      { id: 'q2', type: 'quote_submitted', repId: 'r1', leadId: 'L2', quoteId: 'Q2', at: d(7) },
      { id: 'q3', type: 'quote_submitted', repId: 'r1', leadId: 'L3', quoteId: 'Q3', at: d(8) },
      { id: 'f1', type: 'quote_feedback', leadId: 'L1', quoteId: 'Q1', at: plus(d(6), 24) },
      { id: 'f2', type: 'quote_feedback', leadId: 'L2', quoteId: 'Q2', at: plus(d(7), 72) },
      // Tasks: answered after 2 h and 6 h → mean 4 h (exactly the target: passes).
      { id: 'k1', type: 'task_created', repId: 'r1', taskId: 'T1', department: 'finance', at: d(10) },
      { id: 'k2', type: 'task_created', repId: 'r1', taskId: 'T2', at: d(11) },
      { id: 'k1r', type: 'task_responded', taskId: 'T1', at: plus(d(10), 2) },
      { id: 'k2r', type: 'task_responded', taskId: 'T2', at: plus(d(11), 6) },
    ];
    const res = await activities(ev);
    expect(res).toEqual({ accepted: ev.length, duplicates: [], rejected: [] });

    const h = (await call('GET', `/v1/coaching/health?repId=r1&month=${m}`)).json();
    const r1 = h.reps[0];
    expect(r1.repId).toBe('r1');
    expect(r1.metrics.first_touch).toEqual(expect.objectContaining({ numerator: 2, denominator: 4, value: 0.5, pass: false, status: 'ok', rowsTotal: 4 }));
    // Misses first, each row says why.
    expect(r1.metrics.first_touch.rows.map((r: { leadId: string }) => r.leadId)).toEqual(['L2', 'L4', 'L1', 'L3']);
    expect(r1.metrics.first_touch.rows[0]).toEqual(expect.objectContaining({ hours: 3, met: false }));
    expect(r1.metrics.quote_feedback).toEqual(expect.objectContaining({ numerator: 1, denominator: 3, pass: false }));
    expect(r1.metrics.quote_feedback.value).toBeCloseTo(1 / 3, 4);
    expect(r1.metrics.task_response).toEqual(expect.objectContaining({ numerator: 8, denominator: 2, value: 4, pass: true, unit: 'hours' }));
    // Value metrics: every customer was assigned less than 30 days before the month end → none counted yet.
    expect(r1.metrics.value_metrics).toEqual(expect.objectContaining({ status: 'n/a', value: null, pass: null }));
    // Not departed → handover does not apply.
    expect(r1.metrics.handover.status).toBe('n/a');
    // Score: mean attainment of the three that apply: (0.5/0.9 + (1/3)/0.75 + 1) / 3 = 0.6667 → 66.7.
    expect(r1.score).toBeCloseTo(((0.5 / 0.9 + 1 / 3 / 0.75 + 1) / 3) * 100, 0);
    expect(r1.belowThreshold).toBe(true);
    // r2 has no activity: every metric is n/a, the score null (not 0 and not 100).
    const team = (await call('GET', `/v1/coaching/health?team=east&month=${m}`)).json();
    const r2 = team.reps.find((x: { repId: string }) => x.repId === 'r2');
    expect(r2.score).toBeNull();
    for (const k of ['first_touch', 'quote_feedback', 'value_metrics', 'task_response', 'handover']) {
      expect(r2.metrics[k]).toEqual(expect.objectContaining({ status: 'n/a', value: null, pass: null, numerator: 0, denominator: 0 }));
    }
    expect(team.reps).toHaveLength(2);
  });
});

describe('dealsense’s own assignments', () => {
  it('count as lead_assigned / first_touch, once per lead and rep even when the CRM reports them too', async () => {
    const { call, rep, activities } = await coachingTenant(t, 'health-ds');
    await rep('r1', { industries: ['hvac'] });
    for (const id of ['D1', 'D2']) expect((await call('POST', '/v1/leads', { id, source: 'crm_import', industry: 'hvac', repId: 'r1' })).statusCode).toBe(201);
    expect((await call('POST', '/v1/leads/D1/touch', {})).statusCode).toBe(200);
    // The CRM reports D1's assignment as well: still one assignment.
    await activities([{ id: 'crm-d1', type: 'lead_assigned', repId: 'r1', leadId: 'D1', at: new Date(Date.now() - 60_000).toISOString() }]);
    const ft = (await call('GET', '/v1/coaching/health?repId=r1')).json().reps[0].metrics.first_touch;
    expect(ft).toEqual(expect.objectContaining({ numerator: 1, denominator: 2 }));
    expect(ft.rows.map((r: { leadId: string; source: string; met: boolean }) => [r.leadId, r.source, r.met])).toEqual([['D2', 'dealsense', false], ['D1', 'crm+dealsense', true]]);
  });
});

describe('script library and API docs', () => {
  it('lists built-in bilingual scripts per concern code with the tenant’s own first; the routes are in the OpenAPI document', async () => {
    const { call } = await coachingTenant(t, 'scripts');
    const all = (await call('GET', '/v1/coaching/scripts')).json().items;
    expect(new Set(all.map((s: { code: string }) => s.code)).size).toBe(12);
    const mine = { code: 'price_budget', title: '价格：先讲价值', text: '先确认客户最看重的三项，再谈价格。', language: 'zh' };
    expect((await call('PUT', '/v1/coaching/settings', { scripts: [mine] })).statusCode).toBe(200);
    const price = (await call('GET', '/v1/coaching/scripts?code=price_budget')).json().items;
    expect(price.map((s: { source: string; language: string }) => [s.source, s.language])).toEqual([['tenant', 'zh'], ['builtin', 'zh'], ['builtin', 'en']]);
    expect(price[0]).toEqual(expect.objectContaining(mine));
    expectError(await call('GET', '/v1/coaching/scripts?code=DROP%20TABLE'), 400, 'validation_error', 'querystring.code');
    expectError(await call('PUT', '/v1/coaching/settings', { scripts: [{ ...mine, language: 'fr' }] }), 400, 'validation_error', 'body.scripts.0.language');
    const docs = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const path of ['/v1/activities', '/v1/coaching/health', '/v1/coaching/funnel', '/v1/coaching/suggestions/{id}/review']) expect(Object.keys(docs.paths)).toContain(path);
  });
});

describe('month close', () => {
  it('stores every rep’s health for the month that just closed, once', async () => {
    const { call, rep, activities } = await coachingTenant(t, 'month-close');
    await rep('quiet');
    await rep('busy');
    const last = monthsAgo(1);
    await activities([{ id: 'x1', type: 'lead_assigned', repId: 'busy', leadId: 'L1', at: `${last}-03T08:00:00.000Z` }]);
    await monthTick(t.runtime);
    const stored = (id: string) => call('GET', `/v1/coaching/health/history?repId=${id}`).then((r) => r.json().months as { month: string; score: number | null }[]);
    expect((await stored('quiet')).find((m) => m.month === last)).toEqual({ month: last, score: null });
    expect((await stored('busy')).find((m) => m.month === last)).toEqual({ month: last, score: 0 });
    const computed = async () => (await t.runtime.db.query<{ c: string }>(`SELECT computed_at::text AS c FROM coaching_health_months WHERE tenant_id = 'month-close' AND rep_id = 'quiet'`))[0]!.c;
    const first = await computed();
    await monthTick(t.runtime);
    expect(await computed()).toBe(first);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { coachingTenant } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const base = Date.now() - 10 * 86_400_000;
const at = (h: number) => new Date(base + h * 3600_000).toISOString();
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const period = `from=${day(base - 86_400_000)}&to=${day(Date.now() + 86_400_000)}`;

/** Leads of one rep: [leadId, touched after h hours (null = never), furthest stage]. */
function history(repId: string, leads: [string, number | null, ('need_clarified' | 'demo_accepted' | 'contract_signed')[]][]) {
  let n = 0;
  return leads.flatMap(([leadId, touchH, stages], i) => [
    { id: `${repId}-a-${leadId}`, type: 'lead_assigned', repId, leadId, at: at(i) },
    ...(touchH === null ? [] : [{ id: `${repId}-t-${leadId}`, type: 'first_touch', repId, leadId, at: at(i + touchH) }]),
    ...stages.map((stage) => ({ id: `${repId}-s-${leadId}-${n++}`, type: 'stage_changed', leadId, stage, at: at(i + 48 + n) })),
  ]);
}

describe('funnel', () => {
  it('computes stage conversions, the team mean and the weakest stage; drills down to leads and calls', async () => {
    const { call, rep, activities, repKey } = await coachingTenant(t, 'funnel-maths');
    for (const id of ['r1', 'r2', 'r3']) await rep(id, { team: 'north' });
    await rep('r4', { team: 'south' });
    await activities([
      // r1: 4 timely; need 3; demo 2; signed 1 (a signed lead without a recorded demo still counts as demo).
      ...history('r1', [['A1', 1, ['need_clarified', 'demo_accepted', 'contract_signed']], ['A2', 1, ['need_clarified', 'demo_accepted']], ['A3', 1, ['need_clarified']], ['A4', 1, []]]),
      // r2: 2 timely, 2 late (still responded); need 2; demo 2; signed 2 (B2 signed with no demo event).
      ...history('r2', [['B1', 1, ['need_clarified', 'demo_accepted', 'contract_signed']], ['B2', 3, ['need_clarified', 'contract_signed']], ['B3', 5, []], ['B4', 0.5, []]]),
      // r3: 2 timely, both clarified, no demo.
      ...history('r3', [['C1', 1, ['need_clarified']], ['C2', 1, ['need_clarified']]]),
      ...history('r4', [['D1', 1, ['need_clarified', 'demo_accepted', 'contract_signed']]]),
    ]);
    // A lead dealsense recorded for r3 (CRM import) and touched through the assignment API counts too.
    expect((await call('POST', '/v1/leads', { id: 'DS1', source: 'crm_import', industry: 'hvac', repId: 'r3' })).statusCode).toBe(201);
    expect((await call('POST', '/v1/leads/DS1/touch', {})).statusCode).toBe(200);

    const f = (await call('GET', `/v1/coaching/funnel?team=north&${period}`)).json();
    expect(f.stages).toEqual(['response', 'need_clarification', 'demo_acceptance', 'signing']);
    const byRep = Object.fromEntries(f.reps.map((r: { repId: string }) => [r.repId, r]));
    const rates = (id: string) => byRep[id].stages.map((s: { rate: number | null }) => s.rate);
    expect(byRep.r1.counts).toEqual({ assigned: 4, timely: 4, responded: 4, clarified: 3, demo: 2, signed: 1 });
    expect(byRep.r2.counts).toEqual({ assigned: 4, timely: 2, responded: 4, clarified: 2, demo: 2, signed: 2 });
    expect(byRep.r3.counts).toEqual({ assigned: 3, timely: 3, responded: 3, clarified: 2, demo: 0, signed: 0 });
    expect(rates('r1')).toEqual([1, 0.75, 0.6667, 0.5]);
    expect(rates('r2')).toEqual([0.5, 0.5, 1, 1]);
    expect(rates('r3')).toEqual([1, 0.6667, 0, null]);
    // Team means (unweighted over reps with a denominator): 0.8333, 0.6389, 0.5556, 0.75.
    expect(byRep.r1.stages.map((s: { mean: number }) => s.mean)).toEqual([0.8333, 0.6389, 0.5556, 0.75]);
    expect(byRep.r1.weakestStage).toEqual({ stage: 'signing', gap: -0.25 });
    expect(byRep.r2.weakestStage).toEqual({ stage: 'response', gap: -0.3333 });
    expect(byRep.r3.weakestStage).toEqual({ stage: 'demo_acceptance', gap: -0.5556 });
    expect(f.teams).toHaveLength(1);
    expect(f.teams[0].counts).toEqual({ assigned: 11, timely: 9, responded: 11, clarified: 7, demo: 4, signed: 3 });

    // One rep: compared with the whole team's mean.
    const one = (await call('GET', `/v1/coaching/funnel?repId=r2&${period}`)).json();
    expect(one.reps).toHaveLength(1);
    expect(one.reps[0].weakestStage.stage).toBe('response');
    // Whole tenant: the teams are compared with each other.
    const all = (await call('GET', `/v1/coaching/funnel?${period}`)).json();
    expect(all.teams.map((x: { team: string }) => x.team).sort()).toEqual(['north', 'south']);
    const south = all.teams.find((x: { team: string }) => x.team === 'south');
    expect(south.stages.map((s: { rate: number }) => s.rate)).toEqual([1, 1, 1, 1]);
    const north = all.teams.find((x: { team: string }) => x.team === 'north');
    // north pooled 9/11, 7/11, 4/7, 3/4 against the two-team means → furthest below at demo acceptance (−0.2143).
    expect(north.weakestStage).toEqual({ stage: 'demo_acceptance', gap: -0.2143 });

    // Drill-down: the four leads behind r2's response stage, the late ones first, with their calls.
    const rec = await call('POST', '/v1/recordings', {
      leadId: 'B3', repId: 'r2', language: 'zh', transcript: [
        { speaker: '销售', role: 'rep', start: 0, end: 4, text: '您好，我是李明。' },
        { speaker: '客户', role: 'customer', start: 4, end: 8, text: '你好，说吧。' },
      ],
    });
    expect(rec.statusCode, rec.body).toBe(202);
    const dd = (await call('GET', `/v1/coaching/funnel/drilldown?repId=r2&stage=response&${period}`)).json();
    expect(dd.total).toBe(4);
    expect(dd.leads.map((l: { leadId: string; converted: boolean }) => [l.leadId, l.converted])).toEqual([['B2', false], ['B3', false], ['B1', true], ['B4', true]]);
    expect(dd.leads[1].calls).toEqual([expect.objectContaining({ recordingId: rec.json().id })]);
    const signing = (await call('GET', `/v1/coaching/funnel/drilldown?repId=r1&stage=signing&${period}`)).json();
    expect(signing.leads.map((l: { leadId: string; converted: boolean }) => [l.leadId, l.converted])).toEqual([['A2', false], ['A1', true]]);
    const paged = (await call('GET', `/v1/coaching/funnel/drilldown?repId=r2&stage=response&limit=1&offset=1&${period}`)).json();
    expect(paged.leads.map((l: { leadId: string }) => l.leadId)).toEqual(['B3']);
    expect(paged.total).toBe(4);
    await waitFor(async () => (await call('GET', `/v1/recordings/${rec.json().id}`)).json().status === 'analyzed', 20_000, 'analysis');

    // A rep-bound key sees its own funnel only.
    const k1 = await repKey('r1');
    const mine = (await call('GET', `/v1/coaching/funnel?${period}`, undefined, k1)).json();
    expect(mine.reps.map((r: { repId: string }) => r.repId)).toEqual(['r1']);
    expectError(await call('GET', `/v1/coaching/funnel?repId=r2&${period}`, undefined, k1), 403, 'forbidden');
    expectError(await call('GET', `/v1/coaching/funnel?team=north&${period}`, undefined, k1), 403, 'forbidden');
    expectError(await call('GET', `/v1/coaching/funnel/drilldown?repId=r2&stage=response&${period}`, undefined, k1), 403, 'forbidden');
  });

  it('rejects bad queries and hides other tenants’ reps and teams', async () => {
    const a = await coachingTenant(t, 'funnel-a');
    await a.rep('r1', { team: 'north' });
    const b = await coachingTenant(t, 'funnel-b');
    expectError(await b.call('GET', '/v1/coaching/funnel?repId=r1'), 404, 'not_found');
    expectError(await b.call('GET', '/v1/coaching/funnel?team=north'), 404, 'not_found');
    expectError(await b.call('GET', '/v1/coaching/funnel/drilldown?repId=r1&stage=signing'), 404, 'not_found');
    expectError(await a.call('GET', '/v1/coaching/funnel/drilldown?repId=r1&stage=won'), 400, 'validation_error', 'querystring.stage');
    expectError(await a.call('GET', '/v1/coaching/funnel?from=2025-13'), 400, 'validation_error', 'querystring.from');
    expectError(await a.call('GET', '/v1/coaching/funnel?from=2025-06&to=2025-05'), 400, 'validation_error', 'querystring.from');
    expectError(await a.call('GET', '/v1/coaching/funnel?from=2020-01&to=2025-05'), 400, 'validation_error', 'querystring.to');
    expectError(await a.call('GET', `/v1/coaching/funnel?team=${'x'.repeat(300)}`), 400, 'validation_error', 'querystring.team');
    expectError(await a.call('GET', "/v1/coaching/funnel?team=north'%20OR%201=1--"), 404, 'not_found');
    expectError(await a.call('GET', '/v1/coaching/funnel/drilldown?stage=signing'), 400, 'validation_error', 'querystring.repId');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { startReceiver } from '../helpers/receiver.js';
import { checkIntervention } from '../../src/coaching/interventions.js';
import { GOOD_CALL, WEAK_CALL } from './calls.js';
import { coachingTenant, monthsAgo, plus } from './helpers.js';

let t: TestApp;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
});

type Tenant = Awaited<ReturnType<typeof coachingTenant>>;

async function importCall(c: Tenant, repId: string, leadId: string, segments: object[]) {
  const res = await c.call('POST', '/v1/recordings', { repId, leadId, language: 'zh', transcript: segments });
  expect(res.statusCode, res.body).toBe(202);
  const id = res.json().id as string;
  await waitFor(async () => (await c.call('GET', `/v1/recordings/${id}`)).json().status === 'analyzed', 20_000, 'analysis');
  return id;
}

/** Month `k` months ago: one assignment, touched after `touchH` hours (null: never). */
const month = (repId: string, k: number, touchH: number | null, tag = '') => {
  const at = `${monthsAgo(k)}-10T09:00:00.000Z`;
  return [
    { id: `${repId}-${k}-a${tag}`, type: 'lead_assigned', repId, leadId: `${repId}-L${k}${tag}`, at },
    ...(touchH === null ? [] : [{ id: `${repId}-${k}-t${tag}`, type: 'first_touch', repId, leadId: `${repId}-L${k}${tag}`, at: plus(at, touchH) }]),
  ];
};

async function storedMonths(c: Tenant, repId: string, n: number) {
  return waitFor(async () => {
    const months = (await c.call('GET', `/v1/coaching/health/history?repId=${repId}`)).json().months as { month: string; score: number }[];
    return months.length >= n ? months : undefined;
  }, 15_000, `stored health of ${repId}`);
}

describe('suggestions from calls, the review workflow and what reps see', () => {
  it('flags the weak call with evidence, using thresholds from the team’s top performer', async () => {
    const c = await coachingTenant(t, 'sugg');
    await c.rep('r1', { team: 'east' });
    await c.rep('r2', { team: 'east' });
    expect((await c.call('PUT', '/v1/coaching/settings', { suggestions: { minTopPerformerCalls: 1 } })).statusCode).toBe(200);
    // r2 is the top performer (health 100 last month), r1 scores 0.
    await c.activities([...month('r2', 1, 1), ...month('r1', 1, null)]);
    await storedMonths(c, 'r1', 1);
    await storedMonths(c, 'r2', 1);
    const good = await importCall(c, 'r2', 'G1', GOOD_CALL);
    await waitFor(async () => (await t.runtime.db.query(`SELECT 1 FROM coaching_activities WHERE tenant_id = 'sugg'`)).length > 0, 1000);
    const weak = await importCall(c, 'r1', 'W1', WEAK_CALL);
    const list = await waitFor(async () => {
      const r = (await c.call('GET', `/v1/coaching/suggestions?recordingId=${weak}`)).json();
      return r.total >= 4 ? r : undefined;
    }, 15_000, 'suggestions');
    const byRule = Object.fromEntries(list.items.map((s: { rule: string }) => [s.rule, s]));
    expect(Object.keys(byRule).sort()).toEqual(['few_questions', 'long_monologue', 'talk_ratio', 'unanswered_concern']);
    for (const s of list.items) {
      expect(s).toEqual(expect.objectContaining({ repId: 'r1', kind: 'call', status: 'pending', recordingId: weak, betterWording: null }));
      for (const e of s.evidence) expect(WEAK_CALL.some((seg) => seg.text.includes(e.quote) && seg.start <= e.start + 0.01)).toBe(true);
    }
    // The monologue is 40 s: far under the fixed 90 s fallback, over the top performer's 30 s floor.
    expect(byRule.long_monologue.evidence[0]).toEqual(expect.objectContaining({ recordingId: weak, start: 6, end: 46, speaker: 'rep' }));
    expect(byRule.long_monologue.details.thresholds).toEqual(expect.objectContaining({ source: 'top_performers', maxMonologueSec: 30, basis: { topPerformers: ['r2'], calls: 1 } }));
    expect(byRule.long_monologue.text).toContain('40 秒');
    expect(byRule.talk_ratio.details.thresholds.maxTalkRatio).toBeLessThan(0.8);
    // The delivery worry went unanswered (the price one was answered): evidence = the customer's words + what the rep said instead.
    expect(byRule.unanswered_concern.details.code).toBe('delivery_supply');
    // Evidence times point inside the customer's segment (0–6 s), at the quote.
    expect(byRule.unanswered_concern.evidence[0]).toEqual(expect.objectContaining({ speaker: 'customer' }));
    expect(byRule.unanswered_concern.evidence[0].start).toBeGreaterThanOrEqual(0);
    expect(byRule.unanswered_concern.evidence[0].end).toBeLessThanOrEqual(6);
    expect(byRule.unanswered_concern.evidence[0].quote).toMatch(/最快什么时候|等不起/);
    expect(byRule.unanswered_concern.evidence[1]).toEqual(expect.objectContaining({ speaker: 'rep', start: 6 }));
    expect(list.items.some((s: { details: { code?: string } }) => s.details.code === 'price_budget')).toBe(false);
    // The good call answered its delivery question: no unanswered-concern suggestion there.
    const forGood = (await c.call('GET', `/v1/coaching/suggestions?recordingId=${good}`)).json();
    expect(forGood.items.filter((s: { rule: string }) => s.rule === 'unanswered_concern')).toEqual([]);

    // ---- review: accept, edit, dismiss; audited ----
    const accept = await c.call('POST', `/v1/coaching/suggestions/${byRule.long_monologue.id}/review`, { action: 'accept', note: '下次例会讨论' });
    expect(accept.statusCode, accept.body).toBe(200);
    expect(accept.json()).toEqual(expect.objectContaining({ status: 'accepted' }));
    const edited = (await c.call('POST', `/v1/coaching/suggestions/${byRule.few_questions.id}/review`, { action: 'edit', text: '多问开放式问题：您最担心的是什么？' })).json();
    expect(edited).toEqual(expect.objectContaining({ status: 'edited', text: '多问开放式问题：您最担心的是什么？' }));
    expect(edited.audit).toEqual([
      expect.objectContaining({ action: 'edit', before: { status: 'pending', text: byRule.few_questions.text }, after: { status: 'edited', text: '多问开放式问题：您最担心的是什么？' } }),
    ]);
    const adminKeyId = edited.audit[0].actor;
    expect(typeof adminKeyId).toBe('string');
    expect((await c.call('POST', `/v1/coaching/suggestions/${byRule.talk_ratio.id}/review`, { action: 'dismiss', note: 'not relevant for this call' })).json().status).toBe('dismissed');
    const audited = (await c.call('GET', `/v1/coaching/suggestions/${byRule.long_monologue.id}`)).json();
    expect(audited.audit).toEqual([expect.objectContaining({ actor: adminKeyId, action: 'accept', note: '下次例会讨论', before: expect.objectContaining({ status: 'pending' }), after: expect.objectContaining({ status: 'accepted' }) })]);
    expect(audited.review).toEqual(expect.objectContaining({ by: adminKeyId, note: '下次例会讨论' }));
    // A second review is audited too (accepted → dismissed).
    await c.call('POST', `/v1/coaching/suggestions/${byRule.unanswered_concern.id}/review`, { action: 'accept' });
    await c.call('POST', `/v1/coaching/suggestions/${byRule.unanswered_concern.id}/review`, { action: 'dismiss', note: 'changed my mind' });
    const twice = (await c.call('GET', `/v1/coaching/suggestions/${byRule.unanswered_concern.id}`)).json();
    expect(twice.audit.map((a: { action: string }) => a.action)).toEqual(['accept', 'dismiss']);
    expect((await c.call('GET', `/v1/coaching/suggestions?status=dismissed&repId=r1`)).json().total).toBe(2);

    // ---- what reps see ----
    const k1 = await c.repKey('r1');
    const k2 = await c.repKey('r2');
    const mine = (await c.call('GET', '/v1/coaching/suggestions', undefined, k1)).json();
    expect(mine.items.map((s: { id: string }) => s.id).sort()).toEqual([byRule.long_monologue.id, byRule.few_questions.id].sort());
    for (const s of mine.items) expect(s).not.toHaveProperty('review');
    expectError(await c.call('GET', '/v1/coaching/suggestions?status=dismissed', undefined, k1), 403, 'forbidden');
    expectError(await c.call('GET', '/v1/coaching/suggestions?status=pending', undefined, k1), 403, 'forbidden');
    expectError(await c.call('GET', '/v1/coaching/suggestions?repId=r2', undefined, k1), 403, 'forbidden');
    expectError(await c.call('GET', `/v1/coaching/suggestions/${byRule.talk_ratio.id}`, undefined, k1), 404, 'not_found');
    const own = (await c.call('GET', `/v1/coaching/suggestions/${byRule.long_monologue.id}`, undefined, k1)).json();
    expect(own).not.toHaveProperty('audit');
    // r2 sees none of r1's items, accepted or not.
    expect((await c.call('GET', '/v1/coaching/suggestions', undefined, k2)).json().items.filter((s: { repId: string }) => s.repId === 'r1')).toEqual([]);
    expectError(await c.call('GET', `/v1/coaching/suggestions/${byRule.long_monologue.id}`, undefined, k2), 404, 'not_found');
    // Reps read their own health only; they cannot review.
    expect((await c.call('GET', `/v1/coaching/health?month=${monthsAgo(1)}`, undefined, k1)).json().reps.map((r: { repId: string }) => r.repId)).toEqual(['r1']);
    expectError(await c.call('GET', `/v1/coaching/health?repId=r2`, undefined, k1), 403, 'forbidden');
    expectError(await c.call('GET', `/v1/coaching/health?team=east`, undefined, k1), 403, 'forbidden');
    expectError(await c.call('POST', `/v1/coaching/suggestions/${byRule.long_monologue.id}/review`, { action: 'dismiss' }, k1), 403, 'forbidden');
    expectError(await c.call('GET', '/v1/coaching/interventions', undefined, k1), 403, 'forbidden');
  });

  it('ranks top performers by outcome when no health is stored yet', async () => {
    const c = await coachingTenant(t, 'sugg-outcome');
    await c.rep('r1', { team: 'south' });
    await c.rep('r2', { team: 'south' });
    expect((await c.call('PUT', '/v1/coaching/settings', { suggestions: { minTopPerformerCalls: 1 } })).statusCode).toBe(200);
    // This month (not closed: no stored score counts): r2 signs 3 of 5 leads, r1 none of 5.
    const at = (i: number) => new Date(Date.now() - (i + 1) * 3600_000).toISOString();
    const leads = (rep: string, signed: number) => Array.from({ length: 5 }, (_, i) => [
      { id: `${rep}-o-${i}`, type: 'lead_assigned', repId: rep, leadId: `${rep}-O${i}`, at: at(i) },
      ...(i < signed ? [{ id: `${rep}-s-${i}`, type: 'stage_changed', leadId: `${rep}-O${i}`, stage: 'contract_signed', at: at(0) }] : []),
    ]).flat();
    await c.activities([...leads('r1', 0), ...leads('r2', 3)]);
    await importCall(c, 'r2', 'G2', GOOD_CALL);
    const weak = await importCall(c, 'r1', 'W3', WEAK_CALL);
    const s = await waitFor(async () => (await c.call('GET', `/v1/coaching/suggestions?recordingId=${weak}`)).json().items.find((x: { rule: string }) => x.rule === 'long_monologue'), 15_000, 'monologue suggestion');
    expect(s.details.thresholds).toEqual(expect.objectContaining({ source: 'top_performers', basis: { topPerformers: ['r2'], calls: 1 } }));
  });

  it('rejects bad review input and hides other tenants’ suggestions', async () => {
    const c = await coachingTenant(t, 'sugg-bad');
    await c.rep('r1');
    const rec = await importCall(c, 'r1', 'W2', WEAK_CALL);
    const s = await waitFor(async () => (await c.call('GET', `/v1/coaching/suggestions?recordingId=${rec}`)).json().items[0], 15_000, 'a suggestion');
    const url = `/v1/coaching/suggestions/${s.id}/review`;
    expectError(await c.call('POST', url, { action: 'approve' }), 400, 'validation_error', 'body.action');
    expectError(await c.call('POST', url, { action: 'edit' }), 400, 'validation_error', 'body.text');
    expectError(await c.call('POST', url, { action: 'accept', text: 'x' }), 400, 'validation_error', 'body.text');
    expectError(await c.call('POST', url, { action: 'edit', text: 'x'.repeat(4001) }), 400, 'validation_error', 'body.text');
    expectError(await c.call('POST', url, { action: 'accept', by: 'someone-else' }), 400, 'validation_error', 'body');
    const broken = await t.app.inject({ method: 'POST', url, headers: { ...t.auth(c.key), 'content-type': 'application/json' }, payload: '{"action":' });
    expectError(broken, 400, 'invalid_json');
    expectError(await c.call('POST', '/v1/coaching/suggestions/not-a-uuid/review', { action: 'accept' }), 400, 'validation_error', 'params.id');
    expectError(await c.call('POST', '/v1/coaching/suggestions/00000000-0000-4000-8000-000000000000/review', { action: 'accept' }), 404, 'not_found');
    expectError(await c.call('GET', '/v1/coaching/suggestions?status=done'), 400, 'validation_error', 'querystring.status');
    expectError(await c.call('GET', '/v1/coaching/suggestions?limit=5000'), 400, 'validation_error', 'querystring.limit');
    // Hostile text is stored and returned as data.
    const hostile = '<img src=x onerror=alert(1)>\'); DROP TABLE coaching_suggestions; --';
    expect((await c.call('POST', url, { action: 'edit', text: hostile })).json().text).toBe(hostile);
    const other = await coachingTenant(t, 'sugg-other');
    expectError(await other.call('GET', `/v1/coaching/suggestions/${s.id}`), 404, 'not_found');
    expectError(await other.call('POST', url, { action: 'dismiss' }), 404, 'not_found');
    expect((await other.call('GET', '/v1/coaching/suggestions')).json().total).toBe(0);
    const readOnly = await t.newTenant('sugg-ro', ['read']);
    expectError(await t.app.inject({ method: 'POST', url, headers: t.auth(readOnly), payload: { action: 'accept' } }), 403, 'forbidden');
    // Settings: bad values name the field; a rep key cannot bind an admin scope or another tenant's rep.
    expectError(await c.call('PUT', '/v1/coaching/settings', { threshold: 120 }), 400, 'validation_error', 'body.threshold');
    expectError(await c.call('PUT', '/v1/coaching/settings', { targets: { firstTouch: { withinHours: -1 } } }), 400, 'validation_error', 'body.targets.firstTouch.withinHours');
    expectError(await c.call('PUT', '/v1/coaching/settings', { weights: { firstTouch: 0, quoteFeedback: 0, valueMetrics: 0, taskResponse: 0, handover: 0 } }), 400, 'validation_error', 'body.weights');
    expectError(await c.call('POST', '/v1/admin/keys', { scopes: ['admin'], repId: 'r1' }), 400, 'validation_error', 'body.scopes');
    expectError(await other.call('POST', '/v1/admin/keys', { scopes: ['read'], repId: 'r1' }), 400, 'unknown_rep', 'body.repId');
  });
});

describe('interventions', () => {
  it('opens one pack per episode of two months below threshold, with scripts, benchmark calls and a webhook', async () => {
    const c = await coachingTenant(t, 'interv');
    const hook = await c.call('POST', '/v1/webhooks', { url: receiver.url, events: ['coaching.intervention'] });
    expect(hook.statusCode, hook.body).toBe(201);
    await c.rep('r1', { team: 'west', managerId: 'm1', name: '赵强' });
    await c.rep('r2', { team: 'west' });
    const peerCall = await importCall(c, 'r2', 'P1', GOOD_CALL);
    const ownCall = await importCall(c, 'r1', 'O1', WEAK_CALL);
    // No health history yet: the fixed fallbacks apply (talk ratio and the unanswered delivery worry).
    await waitFor(async () => (await c.call('GET', `/v1/coaching/suggestions?recordingId=${ownCall}&status=pending`)).json().items.some((x: { rule: string }) => x.rule === 'unanswered_concern'), 15_000, 'suggestions');
    receiver.received.length = 0;
    // Scores from first touch alone here (no value-metric events in this history).
    expect((await c.call('PUT', '/v1/coaching/settings', { weights: { valueMetrics: 0 } })).statusCode).toBe(200);
    // r1: months −5, −4 below (episode 1), −3 back to 100, −2, −1 below (episode 2). r2 healthy.
    await c.activities([
      ...month('r1', 5, null), ...month('r1', 4, 5), ...month('r1', 3, 1), ...month('r1', 2, null), ...month('r1', 1, 3),
      ...month('r2', 2, 1), ...month('r2', 1, 1),
    ]);
    const items = await waitFor(async () => {
      const r = (await c.call('GET', '/v1/coaching/interventions?repId=r1')).json().items;
      return r.length >= 2 ? r : undefined;
    }, 20_000, 'interventions');
    expect(items.map((i: { episodeStart: string; months: string[] }) => [i.episodeStart, i.months]).sort()).toEqual([
      [monthsAgo(5), [monthsAgo(5), monthsAgo(4)]],
      [monthsAgo(2), [monthsAgo(2), monthsAgo(1)]],
    ]);
    const pack = items.find((i: { episodeStart: string }) => i.episodeStart === monthsAgo(2)).pack;
    expect(pack.weakestMetrics.map((m: { key: string }) => m.key)).toEqual(['first_touch']);
    expect(pack.weakestConcerns[0]).toEqual(expect.objectContaining({ code: 'delivery_supply', unanswered: 1 }));
    expect(pack.scripts.filter((s: { code: string }) => s.code === 'delivery_supply').map((s: { language: string }) => s.language)).toEqual(['zh', 'en']);
    expect(pack.benchmarkCalls[0]).toEqual(expect.objectContaining({ recordingId: peerCall, repId: 'r2', code: 'delivery_supply' }));
    expect(GOOD_CALL.some((s) => s.text.includes(pack.benchmarkCalls[0].evidence.quote))).toBe(true);
    expect(pack.reviewRequest).toEqual(expect.objectContaining({ repId: 'r1', managerId: 'm1', topics: ['first_touch', 'delivery_supply', 'price_budget'] }));
    // In the review queue, and one webhook per episode.
    const queue = (await c.call('GET', '/v1/coaching/suggestions?kind=intervention&status=pending')).json();
    expect(queue.total).toBe(2);
    const hooks = await waitFor(async () => (receiver.received.length >= 2 ? receiver.received : undefined), 15_000, 'webhooks');
    expect(hooks.map((h) => h.headers['x-dealsense-event'])).toEqual(['coaching.intervention', 'coaching.intervention']);
    const payloads = hooks.map((h) => JSON.parse(h.body));
    expect(payloads.map((p) => [p.type, p.data.repId, p.data.months.length, typeof p.data.pack.reviewRequest])).toEqual([
      ['coaching.intervention', 'r1', 2, 'object'],
      ['coaching.intervention', 'r1', 2, 'object'],
    ]);
    expect(payloads.map((p) => p.data.months[0]).sort()).toEqual([monthsAgo(5), monthsAgo(2)]);

    // More bad news for the same months, and concurrent checks: still one per episode.
    await c.activities([...month('r1', 2, null, 'b'), ...month('r1', 1, null, 'b')]);
    await waitFor(async () => (await t.runtime.db.query(`SELECT 1 FROM coaching_dirty WHERE tenant_id = 'interv'`)).length === 0, 15_000, 'recompute');
    await Promise.all([checkIntervention(t.runtime, 'interv', 'r1'), checkIntervention(t.runtime, 'interv', 'r1')]);
    expect((await c.call('GET', '/v1/coaching/interventions?repId=r1')).json().items).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(2);
    expect((await c.call('GET', '/v1/coaching/interventions?repId=r2')).json().items).toEqual([]);
    // Accepted by the manager → the rep sees the pack.
    const k1 = await c.repKey('r1');
    await c.call('POST', `/v1/coaching/suggestions/${queue.items[0].id}/review`, { action: 'accept' });
    const seen = (await c.call('GET', '/v1/coaching/suggestions', undefined, k1)).json().items;
    expect(seen.map((s: { kind: string }) => s.kind)).toEqual(['intervention']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { decayIntents, evaluateLead } from '../../src/signals/evaluate.js';
import { releasePush } from '../../src/signals/pushes.js';
import * as repo from '../../src/signals/repo.js';
import { verify } from '../../src/webhooks/signing.js';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { startReceiver } from '../helpers/receiver.js';
import { dwellRule, ev, reading, signalsTenant, WHITEPAPER } from './helpers.js';

let t: TestApp;
let hooks: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  hooks = await startReceiver();
  t = await createTestApp({ SIGNALS_EVAL_DELAY_MS: '50', SIGNALS_INTENT_INTERVAL_MS: '100' });
});
afterAll(async () => {
  await t?.close();
  await hooks?.close();
});

const pushesOf = (tenant: string) =>
  t.runtime.db.query<{ id: string; status: string; reason: string; rep_id: string | null }>('SELECT id, status, reason, rep_id FROM pushes WHERE tenant_id = $1 ORDER BY created_at', [tenant]);

const deps = () => t.runtime;

/** Tenant with a rep (WeCom robot URL), a lead owned by that rep, two content items and a webhook. */
async function setup(name: string, rule: Record<string, unknown> = dwellRule()) {
  const tn = await signalsTenant(t, name);
  await tn.ok('PUT', '/v1/reps/r-wang', { name: '王磊', industries: ['manufacturing/automotive'], capacity: 10, wecomWebhook: `${hooks.url}?wecom=${name}` });
  await tn.ok('POST', '/v1/leads', { id: 'L1', source: 'website_form', industry: 'manufacturing/automotive', company: '华东汽配', repId: 'r-wang' });
  const paper = await tn.ok('POST', '/v1/content', { title: '数据安全白皮书', url: WHITEPAPER, language: 'zh', tags: ['security'], description: '数据安全 合规 加密' }, 201);
  const checklist = await tn.ok('POST', '/v1/content', {
    title: 'GDPR/PIPL 合规检查清单', url: 'https://www.example.com/checklists/gdpr-pipl', language: 'zh', tags: ['security', 'compliance'], description: '数据安全 合规 个人信息保护法 检查清单',
  }, 201);
  await tn.ok('POST', '/v1/content', { title: '产线自动化案例', url: 'https://www.example.com/cases/plc', language: 'zh', tags: ['automation'], description: 'PLC 产线 自动化 改造' }, 201);
  const ruleRow = await tn.ok('POST', '/v1/signals/rules', rule, 201);
  return { ...tn, paper, checklist, rule: ruleRow };
}

describe('a rule firing', () => {
  it('pushes once to the owning rep with the reason, the best next content, a signed webhook and an intent score', async () => {
    const tn = await setup('push-basic');
    const endpoint = await tn.ok('POST', '/v1/webhooks', { url: hooks.url, events: ['push.created'] }, 201);
    // 15 heartbeats of 15 s: 3 min 45 s of reading.
    await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L1' }) }, 202);
    const [push] = await waitFor(async () => (await pushesOf('push-basic')).length > 0 && pushesOf('push-basic'), 20_000, 'push row');
    expect(push!.reason).toBe('read 数据安全白皮书 for 3 min 45 s');
    expect(push!.rep_id).toBe('r-wang');
    const listed = await tn.ok('GET', '/v1/pushes?repId=r-wang');
    expect(listed.items).toHaveLength(1);
    const item = listed.items[0];
    expect(item).toMatchObject({ ruleId: tn.rule.id, leadId: 'L1', repId: 'r-wang', status: 'delivered', reason: 'read 数据安全白皮书 for 3 min 45 s' });
    // Best match for the page's topic, never the page itself.
    expect(item.content).toMatchObject({ id: tn.checklist.id, title: 'GDPR/PIPL 合规检查清单' });
    expect(item.page).toMatchObject({ url: WHITEPAPER, dwellMs: 225_000, tags: ['security'] });
    expect((await tn.ok('GET', '/v1/pushes?repId=someone-else')).items).toEqual([]);
    expect((await tn.ok('GET', `/v1/pushes/${item.id}`)).id).toBe(item.id);

    const delivery = await waitFor(async () => hooks.received.find((r) => r.headers['x-dealsense-event'] === 'push.created' && r.body.includes(item.id)), 20_000, 'push.created webhook');
    const body = JSON.parse(delivery.body);
    expect(body.data).toMatchObject({ id: item.id, reason: item.reason, lead: { id: 'L1', company: '华东汽配' } });
    expect(JSON.stringify(body)).not.toContain('markdown');
    expect(verify(endpoint.secret, delivery.body, String(delivery.headers['x-dealsense-signature']))).toBe(true);

    // The owner's WeCom group robot gets the markdown message (kept out of the CRM payload above).
    const wecom = await waitFor(async () => hooks.received.find((r) => r.body.includes('"msgtype":"markdown"') && r.body.includes('华东汽配')), 20_000, 'WeCom message');
    const content = JSON.parse(wecom.body).markdown.content as string;
    expect(content).toContain('read 数据安全白皮书 for 3 min 45 s');
    expect(content).toContain('[GDPR/PIPL 合规检查清单](https://www.example.com/checklists/gdpr-pipl)');

    // The lead now carries an intent score, exposed where lead assignment reads it.
    const lead = await tn.ok('GET', '/v1/leads/L1');
    expect(lead.intentScore).toBeGreaterThan(0);
    const signals = await tn.ok('GET', '/v1/signals/leads/L1');
    expect(signals.intentScore).toBe(lead.intentScore);
    expect(signals.pages[0]).toMatchObject({ url: WHITEPAPER, dwellMs: 225_000, count: 1 });

    // More reading inside the cooldown: still one push.
    await tn.ok('POST', '/v1/signals/events', { events: reading(20, { leadId: 'L1' }) }, 202);
    await sleep(300);
    await evaluateLead(deps(), 'push-basic', 'L1');
    expect(await pushesOf('push-basic')).toHaveLength(1);
  });

  it('writes exactly one push under concurrent evaluations and retries', async () => {
    const tn = await setup('push-once');
    await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L1' }) }, 202);
    // The queued job, plus 12 concurrent evaluations of the same facts (as several workers would), then retries.
    const results = await Promise.all(Array.from({ length: 12 }, () => evaluateLead(deps(), 'push-once', 'L1')));
    for (let i = 0; i < 3; i++) await evaluateLead(deps(), 'push-once', 'L1');
    await sleep(300);
    expect(results.flat().length).toBeLessThanOrEqual(1);
    expect(await pushesOf('push-once')).toHaveLength(1);
    const outbox = await t.runtime.db.query("SELECT id FROM outbox_events WHERE tenant_id = 'push-once' AND type = 'push.created'");
    expect(outbox).toHaveLength(1);
  });

  it('the unique (rule, lead, cooldown window) key stops a second insert even without the lock', async () => {
    const tn = await setup('push-unique');
    const p = {
      id: '00000000-0000-4000-8000-000000000001', tenantId: 'push-unique', ruleId: tn.rule.id, ruleName: 'x', leadId: 'L1', repId: null,
      windowStart: new Date('2026-01-01T00:00:00Z'), triggerTs: new Date('2026-01-01T01:00:00Z'), reason: 'r',
      page: { url: WHITEPAPER, title: null, dwellMs: 1, tags: [], count: 0 }, content: null, deliverAt: null,
    };
    expect(await repo.insertPush(t.runtime.db, p)).toBeDefined();
    expect(await repo.insertPush(t.runtime.db, { ...p, id: '00000000-0000-4000-8000-000000000002', triggerTs: new Date('2026-01-01T02:00:00Z') })).toBeUndefined();
  });

  it('respects the cooldown: reading during it does not count, reading after it pushes again', async () => {
    const tn = await setup('push-cooldown', dwellRule({ cooldownMinutes: 30, windowMinutes: 240 }));
    const now = Date.now();
    await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L1' }, 15_000, now - 100 * 60_000) }, 202);
    await waitFor(async () => (await pushesOf('push-cooldown')).length === 1, 20_000, 'first push');
    // 80 minutes ago: inside the 30-minute cooldown after the first trigger (~100 min ago).
    await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L1' }, 15_000, now - 75 * 60_000 - 60_000 * 15) }, 202);
    await tn.ok('POST', '/v1/signals/events', { events: reading(8, { leadId: 'L1' }, 15_000, now - 50 * 60_000) }, 202);
    await sleep(300);
    await evaluateLead(deps(), 'push-cooldown', 'L1');
    // 2 min of reading after the cooldown is below the 3 minutes: nothing yet.
    expect(await pushesOf('push-cooldown')).toHaveLength(1);
    await tn.ok('POST', '/v1/signals/events', { events: reading(8, { leadId: 'L1' }, 15_000, now - 10 * 60_000) }, 202);
    await waitFor(async () => (await pushesOf('push-cooldown')).length === 2, 20_000, 'second push');
    const second = (await pushesOf('push-cooldown'))[1]!;
    expect(second.reason).toBe('read 数据安全白皮书 for 4 min');
  });

  it('defers a push fired in quiet hours (tenant timezone) and releases it when they end', async () => {
    const tn = await setup('push-quiet');
    const endpoint = await tn.ok('POST', '/v1/webhooks', { url: hooks.url, events: ['push.created'] }, 201);
    expect(endpoint.id).toBeDefined();
    // Quiet hours from one hour ago to two hours from now, in Asia/Shanghai local time.
    const local = (ms: number) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
    const start = local(Date.now() - 3_600_000);
    const end = local(Date.now() + 2 * 3_600_000);
    const settings = await tn.ok('PUT', '/v1/signals/settings', { timezone: 'Asia/Shanghai', quietHours: { start, end } });
    expect(settings.quietHours).toEqual({ start, end });
    await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L1' }) }, 202);
    const [push] = await waitFor(async () => (await pushesOf('push-quiet')).length > 0 && pushesOf('push-quiet'), 20_000, 'push row');
    expect(push!.status).toBe('scheduled');
    const view = (await tn.ok('GET', '/v1/pushes')).items[0];
    const deliverIn = Date.parse(view.deliverAt) - Date.now();
    expect(deliverIn).toBeGreaterThan(110 * 60_000);
    expect(deliverIn).toBeLessThanOrEqual(2 * 3_600_000);
    expect(local(Date.parse(view.deliverAt))).toBe(end);
    expect(await t.runtime.db.query("SELECT id FROM outbox_events WHERE tenant_id = 'push-quiet'")).toEqual([]);
    // Released early by a stray job: nothing happens before the end of the quiet hours.
    await releasePush(deps(), 'push-quiet', push!.id);
    expect((await pushesOf('push-quiet'))[0]!.status).toBe('scheduled');
    // The quiet hours end (moved into the past rather than waiting two hours), and the job runs.
    await t.runtime.db.query("UPDATE pushes SET deliver_at = now() - interval '1 second' WHERE id = $1", [push!.id]);
    await releasePush(deps(), 'push-quiet', push!.id);
    await releasePush(deps(), 'push-quiet', push!.id);
    expect((await pushesOf('push-quiet'))[0]!.status).toBe('delivered');
    await waitFor(async () => hooks.received.find((r) => r.body.includes(push!.id)), 20_000, 'deferred webhook');
    expect(await t.runtime.db.query("SELECT id FROM outbox_events WHERE tenant_id = 'push-quiet'")).toHaveLength(1);
  });

  it('a rule that ignores quiet hours pushes at once', async () => {
    const tn = await setup('push-quiet-off', dwellRule({ respectQuietHours: false }));
    await tn.ok('PUT', '/v1/signals/settings', { timezone: 'UTC', quietHours: { start: '00:00', end: '23:59' } });
    await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L1' }) }, 202);
    const [push] = await waitFor(async () => (await pushesOf('push-quiet-off')).length > 0 && pushesOf('push-quiet-off'), 20_000, 'push row');
    expect(push!.status).toBe('delivered');
  });
});

describe('intent score', () => {
  it('rises with activity that concerns no rule, from the periodic update, and shows on the lead', async () => {
    const tn = await setup('intent-periodic');
    expect((await tn.ok('GET', '/v1/leads/L1')).intentScore).toBeNull();
    await tn.ok('POST', '/v1/signals/events', {
      events: [ev({ leadId: 'L1', type: 'pageview', url: 'https://www.example.com/pricing', tags: ['pricing'], dwellMs: undefined }), ev({ leadId: 'L1', type: 'download', url: 'https://www.example.com/pricing.pdf', tags: ['pricing'], dwellMs: undefined })],
    }, 202);
    const score = await waitFor(async () => (await tn.ok('GET', '/v1/leads/L1')).intentScore as number | null, 20_000, 'intent score');
    // A page view (1) and a download (5), just now: 100 × (1 − e^(−6/25)).
    expect(score).toBeCloseTo(100 * (1 - Math.exp(-6 / 25)), 0);
    expect(await pushesOf('intent-periodic')).toHaveLength(0);
    // A week later (one half-life) without activity, the daily decay pass halves the points.
    expect(await decayIntents(t.runtime, Date.now() + 7 * 86_400_000)).toBeGreaterThanOrEqual(1);
    expect((await tn.ok('GET', '/v1/leads/L1')).intentScore).toBeCloseTo(100 * (1 - Math.exp(-3 / 25)), 0);
  });
});

describe('attribution', () => {
  it('attributes anonymous reading once the visitor is identified (pre-identification)', async () => {
    const tn = await setup('attr-pre');
    // Anonymous reading: no push, nobody to push about.
    await tn.ok('POST', '/v1/signals/events', { events: reading(15, { visitorId: 'v-anon' }) }, 202);
    await sleep(300);
    expect(await pushesOf('attr-pre')).toHaveLength(0);
    // The visitor clicks a tracked link: identified by token.
    const { token } = await tn.ok('POST', '/v1/signals/link-tokens', { leadId: 'L1' }, 201);
    await tn.ok('POST', '/v1/signals/events', { events: [ev({ visitorId: 'v-anon', type: 'identify', token, dwellMs: undefined })] }, 202);
    const [push] = await waitFor(async () => (await pushesOf('attr-pre')).length > 0 && pushesOf('attr-pre'), 20_000, 'push row');
    expect(push!.reason).toBe('read 数据安全白皮书 for 3 min 45 s');
    // Later anonymous events of that browser are the lead's too.
    await tn.ok('POST', '/v1/signals/events', { events: [ev({ visitorId: 'v-anon' })] }, 202);
    await waitFor(async () => {
      const rows = await t.runtime.db.query("SELECT id FROM signal_events WHERE tenant_id = 'attr-pre' AND lead_id IS NULL");
      return rows.length === 0;
    }, 20_000, 'attribution of later events');
  });

  it('counts events that arrive out of order, in event time', async () => {
    const tn = await setup('attr-order');
    const events = reading(15, { visitorId: 'v-ooo' });
    // Identification first, then the reading in reverse order over four batches, the page view last.
    await tn.ok('POST', '/v1/signals/events', { events: [ev({ visitorId: 'v-ooo', type: 'identify', leadId: 'L1', dwellMs: undefined, ts: Date.now() })] }, 202);
    const reversed = events.slice().reverse();
    for (let i = 0; i < reversed.length; i += 4) {
      await tn.ok('POST', '/v1/signals/events', { events: reversed.slice(i, i + 4) }, 202);
      await sleep(60);
    }
    const [push] = await waitFor(async () => (await pushesOf('attr-order')).length > 0 && pushesOf('attr-order'), 20_000, 'push row');
    // It fires as soon as three minutes are known, whatever order they arrived in.
    expect(push!.reason).toMatch(/^read 数据安全白皮书 for 3 min( \d+ s)?$/);
    await sleep(300);
    await evaluateLead(deps(), 'attr-order', 'L1');
    expect(await pushesOf('attr-order')).toHaveLength(1);
    expect((await tn.ok('GET', '/v1/signals/leads/L1')).pages[0].dwellMs).toBe(225_000);
  });

  it('does not count gaps over the idle limit, nor leads outside the filter', async () => {
    const tn = await setup('attr-idle', dwellRule({ leadFilter: { industries: ['manufacturing'] } }));
    // 10 heartbeats of 15 s, then one of 30 min (tab left open): 2 min 30 s of reading.
    const evs = reading(10, { leadId: 'L1' });
    evs.push(ev({ leadId: 'L1', ts: Date.now() - 500, dwellMs: 30 * 60_000 }));
    await tn.ok('POST', '/v1/signals/events', { events: evs }, 202);
    await sleep(300);
    await evaluateLead(deps(), 'attr-idle', 'L1');
    expect(await pushesOf('attr-idle')).toHaveLength(0);
    expect((await tn.ok('GET', '/v1/signals/leads/L1')).pages[0].dwellMs).toBe(150_000);
    // A lead in another industry reads enough, but the rule is for manufacturing only.
    await tn.ok('POST', '/v1/leads', { id: 'L-edu', source: 'website_form', industry: 'education/k12', repId: 'r-wang' });
    await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L-edu' }) }, 202);
    await sleep(300);
    await evaluateLead(deps(), 'attr-idle', 'L-edu');
    expect(await pushesOf('attr-idle')).toHaveLength(0);
  });

  it('sends to the fallback rep when the lead has no owner', async () => {
    const tn = await setup('attr-fallback', dwellRule({ recipient: { owner: true, fallback: { repId: 'r-wang' } } }));
    await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'unknown-lead' }) }, 202);
    const [push] = await waitFor(async () => (await pushesOf('attr-fallback')).length > 0 && pushesOf('attr-fallback'), 20_000, 'push row');
    expect(push!.rep_id).toBe('r-wang');
  });

  it("another tenant's pushes and lead signals answer 404 / empty", async () => {
    const a = await setup('iso-a');
    const b = await signalsTenant(t, 'iso-b');
    await a.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L1' }) }, 202);
    const [push] = await waitFor(async () => (await pushesOf('iso-a')).length > 0 && pushesOf('iso-a'), 20_000, 'push row');
    const res = await b.call('GET', `/v1/pushes/${push!.id}`);
    expect(res.statusCode).toBe(404);
    expect((await b.ok('GET', '/v1/pushes')).items).toEqual([]);
    expect((await b.call('GET', '/v1/signals/leads/L1')).statusCode).toBe(404);
    expect((await b.call('GET', '/v1/pushes?limit=0')).statusCode).toBe(400);
  });
});

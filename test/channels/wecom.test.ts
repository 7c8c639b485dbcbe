import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fitMarkdown, WECOM_MARKDOWN_MAX_BYTES } from '../../src/channels/wecom.js';
import { dispatch, recordEvent } from '../../src/platform/outbox.js';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { startFakeWecom } from '../helpers/fake-wecom.js';
import { startReceiver } from '../helpers/receiver.js';
import { ev, WHITEPAPER } from '../signals/helpers.js';

const TIMEOUT_MS = 400;

let t: TestApp;
let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
let crm: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  wecom = await startFakeWecom();
  crm = await startReceiver();
  t = await createTestApp({ JOB_ATTEMPTS: '3', JOB_BACKOFF_MS: '50', DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS) });
});
afterAll(async () => {
  await t?.close();
  await wecom?.close();
  await crm?.close();
});
beforeEach(() => {
  wecom.reset();
  crm.received.length = 0;
  crm.failNext(0);
});

interface DeliveryRow {
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
}

async function emit(dedupeKey: string, markdown: string, opts: { key?: string; tenantId?: string } = {}) {
  const id = await t.runtime.db.tx((q) =>
    recordEvent(q, {
      tenantId: opts.tenantId ?? 'default',
      type: 'push.created',
      dedupeKey,
      payload: { pushId: dedupeKey },
      wecom: { webhookUrl: wecom.url(opts.key), markdown },
    }),
  );
  await dispatch(t.runtime.queue, [id]);
  return id!;
}

const delivery = async (eventId: string) =>
  (await t.runtime.db.query<DeliveryRow>("SELECT status, attempts, last_status, last_error FROM channel_deliveries WHERE event_id = $1 AND channel = 'wecom'", [eventId]))[0];

const settled = (eventId: string, status = 'delivered') =>
  waitFor(async () => (await delivery(eventId))?.status === status && (await delivery(eventId))!, 15_000, `wecom delivery ${status}`);

describe('fitMarkdown (WeCom 4096-byte limit)', () => {
  it('leaves short content alone', () => {
    expect(fitMarkdown('**hi** 你好')).toBe('**hi** 你好');
    const exact = 'a'.repeat(WECOM_MARKDOWN_MAX_BYTES);
    expect(fitMarkdown(exact)).toBe(exact);
  });

  it.each([
    ['ASCII', 'x'.repeat(10_000)],
    ['Chinese (3 bytes a character)', '数据安全白皮书'.repeat(400)],
    ['emoji (4 bytes, surrogate pairs)', '📄'.repeat(2000)],
    ['mixed, the limit falling inside a character', `${'a'.repeat(3999)}${'界'.repeat(100)}`],
  ])('cuts %s to at most 4096 bytes at a character boundary, with a note', (_name, content) => {
    const out = fitMarkdown(content);
    expect(Buffer.byteLength(out, 'utf8')).toBeLessThanOrEqual(WECOM_MARKDOWN_MAX_BYTES);
    expect(out).toContain('已截断 / message truncated');
    expect(out).not.toContain('\uFFFD');
    const kept = out.slice(0, out.indexOf('\n\n<font'));
    expect(content.startsWith(kept)).toBe(true);
    // Nothing that would have fitted was dropped.
    expect(Buffer.byteLength(kept, 'utf8')).toBeGreaterThan(WECOM_MARKDOWN_MAX_BYTES - 200);
  });
});

describe('WeCom group-robot delivery from the outbox', () => {
  it('posts the markdown once; the CRM webhook body never carries the robot URL or message', async () => {
    const ep = (await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: t.auth(), payload: { url: crm.url, events: ['push.created'] } })).json();
    const id = await emit('wecom-ok', '**Lead signal** · 王总\n> read 数据安全白皮书 for 3 min 40 s', { key: 'secret-robot-key' });
    const row = await settled(id);
    expect(row).toEqual({ status: 'delivered', attempts: 1, last_status: 200, last_error: null });
    expect(wecom.received).toHaveLength(1);
    expect(wecom.received[0]).toEqual({
      key: 'secret-robot-key',
      contentType: 'application/json; charset=utf-8',
      body: { msgtype: 'markdown', markdown: { content: '**Lead signal** · 王总\n> read 数据安全白皮书 for 3 min 40 s' } },
    });
    await waitFor(async () => crm.received.length === 1, 10_000, 'CRM webhook');
    expect(crm.received[0]!.body).not.toContain('secret-robot-key');
    expect(crm.received[0]!.body).not.toContain('数据安全白皮书');
    expect(crm.received[0]!.body).not.toContain('webhookUrl');
    expect(JSON.parse(crm.received[0]!.body).data).toEqual({ pushId: 'wecom-ok' });
    await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${ep.id}`, headers: t.auth() });
  });

  it('treats a non-zero errcode on HTTP 200 as a failure and retries it with backoff', async () => {
    wecom.replyNext({ errcode: 45009, errmsg: 'api freq out of limit' });
    const id = await emit('wecom-errcode', 'retry me');
    const row = await settled(id);
    expect(row).toEqual(expect.objectContaining({ status: 'delivered', attempts: 2, last_status: 200 }));
    expect(wecom.received).toHaveLength(2);
  });

  it('retries a robot that does not answer in time', async () => {
    wecom.replyNext({ hangMs: TIMEOUT_MS * 5 });
    const id = await emit('wecom-timeout', 'slow robot');
    const row = await settled(id);
    expect(row).toEqual(expect.objectContaining({ status: 'delivered', attempts: 2 }));
    // WeCom has no idempotency key: the request that timed out did reach the robot. A timeout is
    // the one case where a group can see a message twice (said in the README).
    expect(wecom.received).toHaveLength(2);
  });

  it('records the last error and gives up after the last attempt', async () => {
    wecom.replyNext({ errcode: 93000, errmsg: 'invalid webhook url' }, { httpStatus: 502, body: 'bad gateway' }, { httpStatus: 200, body: '<html>not json</html>' });
    const id = await emit('wecom-fail', 'never lands');
    const row = await settled(id, 'failed');
    expect(row).toEqual({ status: 'failed', attempts: 3, last_status: 200, last_error: 'not a WeCom reply: <html>not json</html>' });
    expect(wecom.received).toHaveLength(3);
    await waitFor(async () => (await t.runtime.db.query<{ d: Date | null }>('SELECT dispatched_at AS d FROM outbox_events WHERE id = $1', [id]))[0]?.d, 10_000, 'event closed');
  });

  it('sends nothing twice when the CRM webhook of the same event is retried (deliveries are per target)', async () => {
    const ep = (await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: t.auth(), payload: { url: crm.url, events: ['push.created'] } })).json();
    crm.failNext(2, 503);
    const id = await emit('wecom-once', 'exactly once');
    await waitFor(async () => crm.received.length === 3, 15_000, 'CRM webhook after two failures');
    const crmLog = (await t.app.inject({ method: 'GET', url: `/v1/webhooks/${ep.id}/deliveries`, headers: t.auth() })).json().items;
    await waitFor(async () => (await t.app.inject({ method: 'GET', url: `/v1/webhooks/${ep.id}/deliveries`, headers: t.auth() })).json().items[0]?.status === 'delivered', 10_000, 'CRM delivered');
    expect(crmLog).toHaveLength(1);
    expect(await delivery(id)).toEqual(expect.objectContaining({ status: 'delivered', attempts: 1 }));
    expect(wecom.received).toHaveLength(1);
    // Dispatching the event again (e.g. after a restart) sends nothing more.
    await dispatch(t.runtime.queue, [id]);
    await new Promise((r) => setTimeout(r, 300));
    expect(wecom.received).toHaveLength(1);
    await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${ep.id}`, headers: t.auth() });
  });

  it('sends oversized markdown cut to 4096 bytes with a note', async () => {
    const id = await emit('wecom-big', `**长消息**\n${'> 客户阅读了数据安全白皮书。\n'.repeat(400)}`);
    await settled(id);
    const content = wecom.received[0]!.body.markdown!.content;
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(4096);
    expect(content.startsWith('**长消息**\n> 客户阅读了数据安全白皮书。')).toBe(true);
    expect(content).toContain('已截断');
  });

  it('an event without a WeCom message creates no WeCom delivery', async () => {
    const id = await t.runtime.db.tx((q) => recordEvent(q, { tenantId: 'default', type: 'push.created', dedupeKey: 'no-wecom', payload: {} }));
    await dispatch(t.runtime.queue, [id]);
    await waitFor(async () => (await t.runtime.db.query<{ d: Date | null }>('SELECT dispatched_at AS d FROM outbox_events WHERE id = $1', [id]))[0]?.d, 10_000, 'event closed');
    expect(await delivery(id!)).toBeUndefined();
    expect(wecom.received).toHaveLength(0);
  });
});

describe('lead-assignment brief to the rep’s WeCom group', () => {
  it('goes to the robot of the rep who got the lead, with customer text escaped', async () => {
    const key = await t.newTenant('wecom-assign');
    const call = (method: 'POST' | 'PUT', url: string, payload: object) => t.app.inject({ method, url, headers: t.auth(key), payload });
    expect((await call('PUT', '/v1/reps/r-wang', { name: '王磊', industries: ['education/k12'], capacity: 5, wecomWebhook: wecom.url('wang-robot') })).statusCode).toBe(200);
    expect((await call('PUT', '/v1/reps/r-li', { name: '李娜', industries: ['manufacturing/automotive'], capacity: 5 })).statusCode).toBe(200);

    const hostile = '实验中学 [点我](https://evil.example) @all <font color="warning">x</font>';
    const res = await call('POST', '/v1/leads', { id: 'L-wecom-1', source: 'website_form', industry: 'education/k12', company: hostile, concerns: ['price_budget'] });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().repId).toBe('r-wang');
    await waitFor(async () => wecom.received.length === 1, 15_000, 'brief on WeCom');
    const msg = wecom.received[0]!;
    expect(msg.key).toBe('wang-robot');
    const content = msg.body.markdown!.content;
    expect(content).toContain('王磊');
    expect(content).toContain('L-wecom-1');
    expect(content).toContain('Opener');
    expect(content).not.toContain('](https://evil.example)');
    expect(content).not.toContain('@all');
    expect(content).not.toContain('<font color="warning">x');

    // A rep without a robot gets the webhook brief only.
    const other = await call('POST', '/v1/leads', { id: 'L-wecom-2', source: 'website_form', industry: 'manufacturing/automotive' });
    expect(other.json().repId).toBe('r-li');
    const evt = await waitFor(
      async () => (await t.runtime.db.query<{ id: string; wecom: unknown; d: Date | null }>("SELECT id, wecom, dispatched_at AS d FROM outbox_events WHERE tenant_id = 'wecom-assign' AND payload->>'leadId' = 'L-wecom-2'"))[0],
      10_000,
      'brief event',
    );
    expect(evt.wecom).toBeNull();
    await waitFor(async () => (await t.runtime.db.query<{ d: Date | null }>('SELECT dispatched_at AS d FROM outbox_events WHERE id = $1', [evt.id]))[0]?.d, 10_000, 'event closed');
    expect(wecom.received).toHaveLength(1);
  });
});

describe('lead-assignment brief with what the lead read', () => {
  it('lists the pages a lead read before it was posted (most-read first), in the CRM payload and on WeCom', async () => {
    const key = await t.newTenant('wecom-reading');
    const call = (method: 'POST' | 'PUT', url: string, payload: object) => t.app.inject({ method, url, headers: t.auth(key), payload });
    expect((await call('PUT', '/v1/reps/r-zhao', { name: '赵敏', industries: ['industrial/automation'], capacity: 5, wecomWebhook: wecom.url('zhao-robot') })).statusCode).toBe(200);
    // The browser identified as L-read-1 read the whitepaper for 3 min 45 s and glanced at pricing.
    const heartbeats = (url: string, title: string, n: number, end: number) => [
      ev({ type: 'pageview', dwellMs: undefined, url, title, leadId: 'L-read-1', ts: end - n * 15_000 }),
      ...Array.from({ length: n }, (_, i) => ev({ url, title, leadId: 'L-read-1', ts: end - (n - i - 1) * 15_000, dwellMs: 15_000 })),
    ];
    const now = Date.now();
    const events = [...heartbeats('https://www.example.com/pricing', '价格 <b>页</b>', 2, now - 600_000), ...heartbeats(WHITEPAPER, '数据安全白皮书', 15, now - 5_000)];
    expect((await call('POST', '/v1/signals/events', { events })).statusCode).toBe(202);

    const res = await call('POST', '/v1/leads', { id: 'L-read-1', source: 'website_form', industry: 'industrial/automation' });
    expect(res.json().repId).toBe('r-zhao');
    const payload = (await waitFor(
      async () => (await t.runtime.db.query<{ payload: { recentBrowsing: { url: string; title: string; readSec: number; views: number }[] } }>(
        "SELECT payload FROM outbox_events WHERE tenant_id = 'wecom-reading' AND type = 'lead.assigned'"))[0],
      10_000,
      'brief event',
    )).payload;
    expect(payload.recentBrowsing).toEqual([
      { url: WHITEPAPER, title: '数据安全白皮书', readSec: 225, views: 1 },
      { url: 'https://www.example.com/pricing', title: '价格 <b>页</b>', readSec: 30, views: 1 },
    ]);
    await waitFor(async () => wecom.received.some((m) => m.key === 'zhao-robot'), 15_000, 'brief on WeCom');
    const content = wecom.received.find((m) => m.key === 'zhao-robot')!.body.markdown!.content;
    expect(content).toContain('数据安全白皮书 (3 min 45 s)');
    expect(content).toContain('价格 ＜b＞页＜/b＞');

    // A lead nobody saw on the website gets an empty list.
    await call('POST', '/v1/leads', { id: 'L-read-2', source: 'website_form', industry: 'industrial/automation' });
    const second = await waitFor(
      async () => (await t.runtime.db.query<{ payload: { recentBrowsing: unknown[] } }>("SELECT payload FROM outbox_events WHERE tenant_id = 'wecom-reading' AND payload->>'leadId' = 'L-read-2'"))[0],
      10_000,
      'second brief',
    );
    expect(second.payload.recentBrowsing).toEqual([]);
    // Let its WeCom message land here, not in the next test.
    await waitFor(async () => wecom.received.filter((m) => m.key === 'zhao-robot').length === 2, 15_000, 'second brief on WeCom');
    expect(wecom.received.filter((m) => m.key === 'zhao-robot')[1]!.body.markdown!.content).not.toContain('最近阅读');
  });
});

describe('GET /v1/wecom/deliveries', () => {
  const list = (query: string, key = t.adminKey) => t.app.inject({ method: 'GET', url: `/v1/wecom/deliveries${query}`, headers: t.auth(key) });

  it('shows each robot delivery with its attempts and last error; filters by event and status', async () => {
    wecom.replyNext({ errcode: 93000, errmsg: 'invalid webhook url' }, { errcode: 93000, errmsg: 'invalid webhook url' }, { errcode: 93000, errmsg: 'invalid webhook url' });
    const failed = await emit('log-failed', 'bad robot');
    await settled(failed, 'failed');
    const ok = await emit('log-ok', 'good robot');
    await settled(ok);

    const one = await list(`?eventId=${failed}`);
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json().items).toEqual([
      expect.objectContaining({ eventId: failed, type: 'push.created', status: 'failed', attempts: 3, lastStatus: 200, lastError: 'errcode 93000: invalid webhook url', deliveredAt: null }),
    ]);
    const delivered = (await list('?status=delivered&limit=500')).json().items as { eventId: string; deliveredAt: string | null }[];
    expect(delivered.map((d) => d.eventId)).toContain(ok);
    expect(delivered.map((d) => d.eventId)).not.toContain(failed);
    expect(delivered.find((d) => d.eventId === ok)!.deliveredAt).toEqual(expect.any(String));
    // The robot URL (its key is a secret) is not in the log.
    expect((await list('?limit=500')).body).not.toContain('robot-key');
  });

  it.each([
    ['?eventId=not-a-uuid', 'querystring.eventId'],
    [`?eventId=${encodeURIComponent("' OR 1=1 --")}`, 'querystring.eventId'],
    [`?eventId=${'a'.repeat(5000)}`, 'querystring.eventId'],
    ['?status=sent', 'querystring.status'],
    ['?limit=0', 'querystring.limit'],
    ['?limit=1000000000', 'querystring.limit'],
    ['?limit=abc', 'querystring.limit'],
    ['?channel=wecom', 'querystring'],
  ])('rejects %s naming %s', async (query, field) => {
    const res = await list(query);
    const error = expectError(res, 400, 'validation_error');
    expect((error.details as { fields: { field: string }[] }).fields.map((f) => f.field)).toContain(field);
  });

  it("another tenant's event is 404, and its deliveries are not in the list", async () => {
    const id = await emit('log-tenant', 'tenant a only');
    await settled(id);
    const other = await t.newTenant('wecom-log-other');
    expectError(await list(`?eventId=${id}`, other), 404, 'not_found');
    expect((await list('?limit=500', other)).json().items).toEqual([]);
    expectError(await list(`?eventId=${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`), 404, 'not_found');
  });

  it('needs an admin key', async () => {
    const reader = await t.newTenant('wecom-log-reader', ['read', 'ingest']);
    expect((await list('', reader)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/wecom/deliveries' })).statusCode).toBe(401);
  });
});

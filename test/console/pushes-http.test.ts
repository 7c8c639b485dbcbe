import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeHref } from '../../src/console/pushes.js';
import { releasePush } from '../../src/signals/pushes.js';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';
import { startReceiver } from '../helpers/receiver.js';
import { dwellRule, reading, signalsTenant } from '../signals/helpers.js';
import { HOSTILE, signIn } from './fixtures.js';

let t: TestApp;
let base: string;
let tn: Awaited<ReturnType<typeof signalsTenant>>;
let other: Awaited<ReturnType<typeof signalsTenant>>;
/** Keys bound to rep r-1 and r-2 of tenant tn. */
let rep1Key: string;
let rep2Key: string;
let pushL1: { id: string; seq: number };
let pushL2: { id: string; seq: number };

const pushesOf = async (tenant: string) =>
  t.runtime.db.query<{ id: string; lead_id: string; seq: string | null }>('SELECT id, lead_id, seq::text FROM pushes WHERE tenant_id = $1 ORDER BY seq', [tenant]);

beforeAll(async () => {
  t = await createTestApp({ SIGNALS_EVAL_DELAY_MS: '50' });
  base = (await t.app.listen({ port: 0, host: '127.0.0.1' })).replace(/\/$/, '');
  tn = await signalsTenant(t, 'pushui-a');
  other = await signalsTenant(t, 'pushui-b');
  await tn.ok('PUT', '/v1/reps/r-1', { name: '王磊', capacity: 10 });
  await tn.ok('PUT', '/v1/reps/r-2', { name: `李明${HOSTILE}`, capacity: 10 });
  await tn.ok('POST', '/v1/leads', { id: 'L1', source: 'website_form', industry: 'manufacturing/automotive', company: `华东汽配${HOSTILE}`, repId: 'r-1' });
  await tn.ok('POST', '/v1/leads', { id: 'L2', source: 'website_form', industry: 'manufacturing/automotive', company: '苏州精工', repId: 'r-2' });
  const item = await tn.ok('POST', '/v1/content', { title: `GDPR/PIPL 合规检查清单${HOSTILE}`, url: 'https://www.example.com/checklists/gdpr-pipl?a=1&b=2', language: 'zh', tags: ['security'] }, 201);
  await tn.ok('POST', '/v1/signals/rules', dwellRule({ content: { itemId: item.id } }), 201);
  rep1Key = (await tn.ok('POST', '/v1/admin/keys', { scopes: ['read'], repId: 'r-1' }, 201)).key;
  rep2Key = (await tn.ok('POST', '/v1/admin/keys', { scopes: ['read'], repId: 'r-2' }, 201)).key;
  // L1 reads a page whose title is hostile markup; L2 reads the plain whitepaper.
  await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L1', visitorId: 'v1', title: `数据安全白皮书${HOSTILE}` }) }, 202);
  await waitFor(async () => (await pushesOf('pushui-a')).length === 1, 20_000, 'L1 push');
  await tn.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L2', visitorId: 'v2' }) }, 202);
  const rows = await waitFor(async () => {
    const r = await pushesOf('pushui-a');
    return r.length === 2 && r.every((p) => p.seq !== null) && r;
  }, 20_000, 'L2 push');
  const byLead = (lead: string) => rows.find((r) => r.lead_id === lead)!;
  pushL1 = { id: byLead('L1').id, seq: Number(byLead('L1').seq) };
  pushL2 = { id: byLead('L2').id, seq: Number(byLead('L2').seq) };
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });

describe('GET /console/pushes', () => {
  it('needs a session: without one it goes to the sign-in page, remembering the way back', async () => {
    for (const url of ['/console/pushes', `/console/pushes/${pushL1.id}/row`]) {
      const res = await get(url, {});
      expect(res.statusCode, url).toBe(302);
      expect(res.headers.location).toBe(`/console/login?next=${encodeURIComponent(url)}`);
    }
    // A Bearer key alone is not a console session.
    expect((await get('/console/pushes', { authorization: `Bearer ${tn.key}` })).statusCode).toBe(302);
  });

  it("shows a manager every push: lead, what was read and how long, the content with its link, rep, time, channels; in the nav", async () => {
    const s = await signIn(t, tn.key);
    const res = await get('/console/pushes', { cookie: s.cookie, 'accept-language': 'en' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    const body = res.body;
    expect(body).toContain('<a href="/console/pushes">Pushes</a>');
    expect(body).toContain(`id="p-${pushL1.id}"`);
    expect(body).toContain(`id="p-${pushL2.id}"`);
    // Newest first.
    expect(body.indexOf(`id="p-${pushL2.id}"`)).toBeLessThan(body.indexOf(`id="p-${pushL1.id}"`));
    expect(body).toContain('苏州精工');
    expect(body).toContain('read 数据安全白皮书 for 3 min 45 s');
    expect(body).toContain('<span class="push-dwell">3 min 45 s</span>');
    expect(body).toContain('href="https://www.example.com/checklists/gdpr-pipl?a=1&amp;b=2"');
    expect(body).toContain('王磊');
    expect(body).toContain('<span class="ch">console</span>');
    // The stream the page opens starts after the newest push it rendered.
    const cfg = JSON.parse(/<script type="application\/json" id="push-stream">([^<]*)<\/script>/.exec(body)![1]!);
    expect(cfg).toMatchObject({ url: '/v1/pushes/stream', cursor: pushL2.seq });

    const zh = await get('/console/pushes', { cookie: s.cookie, 'accept-language': 'zh-CN' });
    expect(zh.body).toContain('<a href="/console/pushes">推送</a>');
    expect(zh.body).toContain('<span class="push-dwell">3 分 45 秒</span>');
  });

  it('escapes hostile page titles, lead names, rep names and content titles', async () => {
    const s = await signIn(t, tn.key);
    const res = await get('/console/pushes', { cookie: s.cookie });
    expect(res.body).not.toContain('<script>window.__xss');
    expect(res.body).not.toContain('<img src=x');
    const escaped = '&lt;script&gt;window.__xss = 1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__xss = 2&quot;&gt;';
    expect(res.body).toContain(`数据安全白皮书${escaped}`); // page title
    expect(res.body).toContain(`华东汽配${escaped}`); // lead's company
    expect(res.body).toContain(`GDPR/PIPL 合规检查清单${escaped}`); // content title
    expect(res.body).toContain(`李明${escaped}`); // rep name (filter and row)
    const row = await get(`/console/pushes/${pushL1.id}/row`, { cookie: s.cookie });
    expect(row.statusCode).toBe(200);
    expect(row.body.trim().startsWith('<section class="card push-row')).toBe(true);
    expect(row.body).not.toContain('<script>window.__xss');
    expect(row.body).toContain(`华东汽配${escaped}`);
  });

  it('shows the channels a push went out on, with their delivery state (WeCom robot, CRM webhook)', async () => {
    const hooks = await startReceiver();
    // A WeCom group robot answers errcode 0 when it took the message.
    const robot = Fastify({ logger: false });
    const robotGot: unknown[] = [];
    robot.post('/cgi-bin/webhook/send', async (request) => {
      robotGot.push(request.body);
      return { errcode: 0, errmsg: 'ok' };
    });
    const robotUrl = `${await robot.listen({ port: 0, host: '127.0.0.1' })}/cgi-bin/webhook/send?key=test`;
    try {
      const tenant = await signalsTenant(t, 'pushui-channels');
      await tenant.ok('PUT', '/v1/reps/r-c', { name: '陈静', capacity: 10, wecomWebhook: robotUrl });
      await tenant.ok('POST', '/v1/leads', { id: 'LC', source: 'website_form', industry: 'manufacturing/automotive', repId: 'r-c' });
      await tenant.ok('POST', '/v1/content', { title: 'Checklist', url: 'https://www.example.com/c', language: 'en', tags: ['security'] }, 201);
      await tenant.ok('POST', '/v1/webhooks', { url: hooks.url, events: ['push.created'] }, 201);
      await tenant.ok('POST', '/v1/signals/rules', dwellRule(), 201);
      await tenant.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'LC', visitorId: 'vc' }) }, 202);
      const s = await signIn(t, tenant.key);
      const page = await waitFor(async () => {
        const res = await get('/console/pushes', { cookie: s.cookie, 'accept-language': 'en' });
        return res.body.includes('webhook 1/1 delivered') && res.body.includes('WeCom (delivered)') && res.body;
      }, 20_000, 'both channels delivered');
      expect(page).toContain('<span class="ch ch-delivered">WeCom (delivered)</span>');
      expect(robotGot).toHaveLength(1);
      expect(hooks.received.filter((r) => r.headers['x-dealsense-event'] === 'push.created')).toHaveLength(1);
    } finally {
      await robot.close();
      await hooks.close();
    }
  });

  it('shows a push held by quiet hours as held, and as sent once released (the live list replaces the row by id)', async () => {
    const tenant = await signalsTenant(t, 'pushui-quiet');
    await tenant.ok('PUT', '/v1/reps/r-q', { name: 'Q', capacity: 10 });
    await tenant.ok('POST', '/v1/leads', { id: 'LQ', source: 'website_form', industry: 'manufacturing/automotive', repId: 'r-q' });
    await tenant.ok('POST', '/v1/content', { title: 'Checklist', url: 'https://www.example.com/c', language: 'en', tags: ['security'] }, 201);
    await tenant.ok('POST', '/v1/signals/rules', dwellRule(), 201);
    const local = (ms: number) => new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
    await tenant.ok('PUT', '/v1/signals/settings', { timezone: 'UTC', quietHours: { start: local(Date.now() - 3_600_000), end: local(Date.now() + 2 * 3_600_000) } });
    await tenant.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'LQ', visitorId: 'vq' }) }, 202);
    const [row] = await waitFor(async () => (await pushesOf('pushui-quiet')).length === 1 && pushesOf('pushui-quiet'), 20_000, 'push');
    const s = await signIn(t, tenant.key);
    const held = await get(`/console/pushes/${row!.id}/row`, { cookie: s.cookie, 'accept-language': 'en' });
    expect(held.body).toContain('card push-row scheduled');
    expect(held.body).toContain('held (quiet hours)');
    expect(held.body).toContain('Waits for quiet hours to end');
    expect(held.body).not.toContain('<span class="ch">console</span>');
    const page = await get('/console/pushes', { cookie: s.cookie });
    // A held push has no stream number yet: the stream starts from 0 and will bring it when released.
    expect(JSON.parse(/id="push-stream">([^<]*)</.exec(page.body)![1]!).cursor).toBe(0);
    await t.runtime.db.query("UPDATE pushes SET deliver_at = now() - interval '1 second' WHERE id = $1", [row!.id]);
    await releasePush(t.runtime, 'pushui-quiet', row!.id);
    const sent = await get(`/console/pushes/${row!.id}/row`, { cookie: s.cookie, 'accept-language': 'en' });
    expect(sent.body).toContain('<section class="card push-row" id="p-');
    expect(sent.body).toContain('<span class="ch">console</span>');
    expect(sent.body).toMatch(/data-seq="\d+"/);
  });

  it('links only http(s) URLs, even when a stored push carries another scheme', async () => {
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,<b>x</b>')).toBeNull();
    expect(safeHref(' JAVASCRIPT:alert(1)')).toBeNull();
    expect(safeHref('not a url')).toBeNull();
    expect(safeHref('https://ok.example/x')).toBe('https://ok.example/x');
    // The API refuses such URLs on the way in; a row from elsewhere (an old import, a hand edit) must not become a link.
    const tenant = await signalsTenant(t, 'pushui-js');
    await tenant.ok('PUT', '/v1/reps/r-9', { name: 'R9', capacity: 10 });
    await tenant.ok('POST', '/v1/leads', { id: 'L9', source: 'website_form', industry: 'manufacturing/automotive', repId: 'r-9' });
    await tenant.ok('POST', '/v1/content', { title: 'Checklist', url: 'https://www.example.com/c', language: 'en', tags: ['security'] }, 201);
    await tenant.ok('POST', '/v1/signals/rules', dwellRule(), 201);
    await tenant.ok('POST', '/v1/signals/events', { events: reading(15, { leadId: 'L9', visitorId: 'v9' }) }, 202);
    const [row] = await waitFor(async () => (await pushesOf('pushui-js')).length === 1 && pushesOf('pushui-js'), 20_000, 'push');
    await t.runtime.db.query(
      `UPDATE pushes SET content = jsonb_set(content, '{url}', '"javascript:alert(1)"'), page = jsonb_set(page, '{url}', '"javascript:alert(2)"') WHERE id = $1`,
      [row!.id],
    );
    const s = await signIn(t, tenant.key);
    const res = await get('/console/pushes', { cookie: s.cookie });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<span class="content-link">Checklist</span>');
    expect(res.body).not.toMatch(/href="\s*javascript:/i);
  });

  it("gives a rep-bound session only its own pushes, and another rep's filter or push is refused", async () => {
    const rep = await signIn(t, rep1Key);
    const page = await get('/console/pushes', { cookie: rep.cookie });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`id="p-${pushL1.id}"`);
    expect(page.body).not.toContain(`id="p-${pushL2.id}"`);
    expect(page.body).not.toContain('苏州精工');
    expect(page.body).not.toContain('<select name="repId">'); // no rep picker for a rep
    expect((await get('/console/pushes?repId=r-2', { cookie: rep.cookie })).statusCode).toBe(403);
    expect((await get('/console/pushes?repId=r-1', { cookie: rep.cookie })).statusCode).toBe(200);
    expect((await get(`/console/pushes/${pushL2.id}/row`, { cookie: rep.cookie })).statusCode).toBe(404);
    expect((await get(`/console/pushes/${pushL1.id}/row`, { cookie: rep.cookie })).statusCode).toBe(200);
  });

  it("answers another tenant's push and malformed or oversized ids and filters with clear pages, never data", async () => {
    const foreign = await signIn(t, other.key);
    const page = await get('/console/pushes', { cookie: foreign.cookie });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(pushL1.id);
    expect(page.body).toContain('id="push-empty" >');
    const row = await get(`/console/pushes/${pushL1.id}/row`, { cookie: foreign.cookie });
    expect(row.statusCode).toBe(404);
    expect(row.body).not.toContain('华东汽配');
    for (const id of ['not-a-uuid', '%3Cscript%3E', 'x'.repeat(150), `${pushL1.id}'--`]) {
      const res = await get(`/console/pushes/${id}/row`, { cookie: foreign.cookie });
      expect(res.statusCode, id.slice(0, 40)).toBe(404);
      expect(res.body).not.toContain('<script>');
    }
    // Longer than the router takes for a path parameter: 414, before any lookup.
    expect((await get(`/console/pushes/${'x'.repeat(5000)}/row`, { cookie: foreign.cookie })).statusCode).toBe(414);
    const s = await signIn(t, tn.key);
    const long = await get(`/console/pushes?repId=${'r'.repeat(5000)}`, { cookie: s.cookie });
    expect(long.statusCode).toBe(200); // cut to 200 characters: an unknown rep, so no pushes
    expect(long.body).toContain('id="push-empty" >');
    const hostile = await get(`/console/pushes?repId=${encodeURIComponent(HOSTILE)}`, { cookie: s.cookie });
    expect(hostile.statusCode).toBe(200);
    expect(hostile.body).not.toContain('<script>window.__xss');
    const filtered = await get('/console/pushes?repId=r-2', { cookie: s.cookie });
    expect(filtered.body).toContain(`id="p-${pushL2.id}"`);
    expect(filtered.body).not.toContain(`id="p-${pushL1.id}"`);
    expect(JSON.parse(/id="push-stream">([^<]*)</.exec(filtered.body)![1]!).url).toBe('/v1/pushes/stream?repId=r-2');
  });
});

describe('rep-bound keys on the pushes API', () => {
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  it("lists only the rep's own pushes without repId, refuses another rep's with 403, and hides another rep's push", async () => {
    const own = await get('/v1/pushes', bearer(rep1Key));
    expect(own.statusCode).toBe(200);
    expect(own.json().items.map((p: { id: string }) => p.id)).toEqual([pushL1.id]);
    expect((await get('/v1/pushes?repId=r-1', bearer(rep1Key))).json().items).toHaveLength(1);
    expectError(await get('/v1/pushes?repId=r-2', bearer(rep1Key)), 403, 'forbidden', 'repId');
    // Filtering by another rep's lead only narrows the rep's own list.
    expect((await get('/v1/pushes?leadId=L2', bearer(rep1Key))).json().items).toEqual([]);
    expect((await get(`/v1/pushes/${pushL1.id}`, bearer(rep1Key))).statusCode).toBe(200);
    expectError(await get(`/v1/pushes/${pushL2.id}`, bearer(rep1Key)), 404, 'not_found');
    // A manager's key is unchanged: all pushes, any filter.
    expect((await get('/v1/pushes', bearer(tn.key))).json().items).toHaveLength(2);
    expect((await get('/v1/pushes?repId=r-2', bearer(tn.key))).json().items).toHaveLength(1);
    // Another tenant's key sees none of them.
    expect((await get('/v1/pushes', bearer(other.key))).json().items).toEqual([]);
    expectError(await get(`/v1/pushes/${pushL1.id}`, bearer(other.key)), 404, 'not_found');
  });

  it("the session cookie works for the API, with the same rep filter", async () => {
    const rep = await signIn(t, rep2Key);
    const own = await get('/v1/pushes', { cookie: rep.cookie });
    expect(own.json().items.map((p: { id: string }) => p.id)).toEqual([pushL2.id]);
    expectError(await get('/v1/pushes?repId=r-1', { cookie: rep.cookie }), 403, 'forbidden');
  });

  /** Reads SSE frames from a real connection until `n` push events or the reader is closed. */
  async function readStream(url: string, headers: Record<string, string>, n: number) {
    const abort = new AbortController();
    const res = await fetch(`${base}${url}`, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
    const events: { id: string; data: { id: string; repId: string } }[] = [];
    if (res.status !== 200) return { status: res.status, body: await res.text(), events };
    let buffer = '';
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const id = /^id: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (id && data) events.push({ id, data: JSON.parse(data) });
        }
        if (events.length >= n) break;
      }
    } finally {
      abort.abort();
    }
    return { status: res.status, body: '', events };
  }

  it("the stream: a rep-bound key gets only its own pushes without repId, 403 for another rep's; a session cookie opens it", async () => {
    // Replay from the start: of the tenant's two pushes, the r-1 key gets only L1's.
    const own = await readStream('/v1/pushes/stream?lastEventId=0', bearer(rep1Key), 1);
    expect(own.events.map((e) => e.data.id)).toEqual([pushL1.id]);
    const forbidden = await readStream('/v1/pushes/stream?repId=r-2', bearer(rep1Key), 1);
    expect(forbidden.status).toBe(403);
    expect(JSON.parse(forbidden.body).error).toMatchObject({ code: 'forbidden' });
    // The console's EventSource authenticates with the session cookie (same origin).
    const rep2 = await signIn(t, rep2Key);
    const viaCookie = await readStream('/v1/pushes/stream', { cookie: rep2.cookie, 'last-event-id': '0' }, 1);
    expect(viaCookie.events.map((e) => e.data.id)).toEqual([pushL2.id]);
    expect(viaCookie.events[0]!.data.repId).toBe('r-2');
    const manager = await readStream('/v1/pushes/stream?lastEventId=0', bearer(tn.key), 2);
    expect(manager.events.map((e) => e.data.id).sort()).toEqual([pushL1.id, pushL2.id].sort());
    // Another tenant replaying from 0 gets a stream, but nothing of this tenant's: its first frame is the heartbeat-free preamble only.
    const abort = new AbortController();
    const foreign = await fetch(`${base}/v1/pushes/stream?repId=r-1&lastEventId=0`, { headers: bearer(other.key), signal: abort.signal });
    expect(foreign.status).toBe(200);
    const first = await foreign.body!.getReader().read();
    expect(new TextDecoder().decode(first.value)).toBe('retry: 3000\n\n');
    abort.abort();
  });
});

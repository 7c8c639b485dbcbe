import { readFileSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { transformSync } from 'esbuild';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { trackerRoutes, trackerScript } from '../../src/signals/tracker/routes.js';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { launchTabbedBrowser } from '../helpers/browser.js';
import { startFakeWecom } from '../helpers/fake-wecom.js';
import { signalsTenant } from './helpers.js';
import { pageHtml, startCollector, startSite, type TrackedEvent } from './tracker-harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HEARTBEAT_MS = 300;

describe('GET /t.js', () => {
  const app = Fastify({ logger: false });
  beforeAll(async () => {
    await app.register(trackerRoutes());
    await app.ready();
  });
  afterAll(() => app.close());

  it('serves the minified tracker as JavaScript with cache headers and an ETag', async () => {
    const res = await app.inject({ method: 'GET', url: '/t.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toMatch(/public, max-age=\d+/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.headers.etag).toMatch(/^"[\w-]{22}"$/);
    expect(res.body).toBe(trackerScript().code);
    const source = readFileSync(new URL('../../src/signals/tracker/tracker.js', import.meta.url), 'utf8');
    expect(res.body.length).toBeLessThan(source.length / 2);
    expect(res.body).toContain('/v1/signals/beacon?k=');
  });

  it('is ES5: the readable source compiles for an ES5 target, which rejects any later syntax', () => {
    const source = readFileSync(new URL('../../src/signals/tracker/tracker.js', import.meta.url), 'utf8');
    expect(() => transformSync(source, { loader: 'js', target: 'es5' })).not.toThrow();
    expect(() => transformSync('const f = () => 1;', { loader: 'js', target: 'es5' })).toThrow();
  });

  it.each([
    ['br', 'gzip, deflate, br, zstd', (b: Buffer) => brotliDecompressSync(b)],
    ['gzip', 'gzip, deflate', (b: Buffer) => gunzipSync(b)],
    [undefined, 'identity', (b: Buffer) => b],
    ['gzip', 'br;q=0, gzip', (b: Buffer) => gunzipSync(b)],
    [undefined, undefined, (b: Buffer) => b],
  ])('sends %s to Accept-Encoding %s, each encoding with its own ETag', async (encoding, accept, decode) => {
    const res = await app.inject({ method: 'GET', url: '/t.js', headers: accept ? { 'accept-encoding': accept } : {} });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe(encoding);
    expect(res.headers.vary).toBe('Accept-Encoding');
    expect(decode(res.rawPayload).toString('utf8')).toBe(trackerScript().code);
    if (encoding) expect(res.rawPayload.length).toBeLessThan(trackerScript().code.length / 2);
    const again = await app.inject({ method: 'GET', url: '/t.js', headers: { ...(accept ? { 'accept-encoding': accept } : {}), 'if-none-match': String(res.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it('answers 304 to a matching If-None-Match (also in a list or weak), 200 otherwise', async () => {
    const { etag } = trackerScript();
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const res = await app.inject({ method: 'GET', url: '/t.js', headers: { 'if-none-match': header } });
      expect(res.statusCode, header).toBe(304);
      expect(res.body).toBe('');
      expect(res.headers.etag).toBe(etag);
    }
    const stale = await app.inject({ method: 'GET', url: '/t.js', headers: { 'if-none-match': '"stale"' } });
    expect(stale.statusCode).toBe(200);
  });

  it('ignores hostile query strings and oversized or garbage validators: the same static script', async () => {
    const { code } = trackerScript();
    for (const headers of [{ 'if-none-match': 'x'.repeat(8000) }, { 'if-none-match': '"\u0000<script>"' }, {}]) {
      const res = await app.inject({ method: 'GET', url: `/t.js?k=%3Cscript%3Ealert(1)%3C/script%3E&${'a=1&'.repeat(500)}`, headers });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(code);
      expect(res.body).not.toContain('alert(1)');
    }
  });

  it('answers HEAD without a body, and other methods are not routes', async () => {
    const head = await app.inject({ method: 'HEAD', url: '/t.js' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect((await app.inject({ method: 'POST', url: '/t.js', payload: 'x' })).statusCode).toBe(404);
  });
});

describe('the tracker in a real Chromium', () => {
  let chrome: Awaited<ReturnType<typeof launchTabbedBrowser>>;
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let site: Awaited<ReturnType<typeof startSite>>;
  const opened: Page[] = [];

  beforeAll(async () => {
    chrome = await launchTabbedBrowser();
    collector = await startCollector();
  });
  afterAll(async () => {
    await chrome?.close();
    await collector?.close();
  });
  // A new site (origin) per test: a fresh localStorage, and events told apart by URL.
  beforeEach(async () => {
    site = await startSite();
  });
  afterEach(async () => {
    for (const p of opened.splice(0)) await p.close().catch(() => undefined);
    await site.close();
  });

  const page = (path: string, o: Partial<Parameters<typeof pageHtml>[0]> = {}) =>
    site.page(path, pageHtml({ scriptOrigin: collector.origin, ...o, attrs: { 'data-heartbeat-ms': String(HEARTBEAT_MS), ...o.attrs } }));

  async function open(url: string): Promise<Page> {
    const p = await chrome.context.newPage();
    opened.push(p);
    await p.goto(url);
    return p;
  }

  /** Events sent from this test's site. */
  const siteEvents = () => collector.events().filter((e) => e.url.startsWith(site.origin));
  const ofType = (type: TrackedEvent['type'], url?: string) => siteEvents().filter((e) => e.type === type && (!url || e.url === url));
  const until = (what: string, check: () => boolean) => waitFor(async () => check(), 20_000, what);
  const storedKeys = (p: Page) => p.evaluate(() => Object.keys(localStorage).sort());

  /** Another tab to the front: the page is hidden, exactly as when a reader switches tabs. */
  async function hide(p: Page): Promise<Page> {
    const other = await chrome.context.newPage();
    opened.push(other);
    await other.bringToFront();
    await waitFor(async () => (await p.evaluate(() => document.visibilityState)) === 'hidden', 10_000, 'page hidden');
    return other;
  }
  async function show(p: Page, other: Page) {
    await p.bringToFront();
    await other.close();
    await waitFor(async () => (await p.evaluate(() => document.visibilityState)) === 'visible', 10_000, 'page visible');
  }

  it('sends a pageview with title and tags, cross-origin as text/plain to the beacon URL with the site key', async () => {
    const url = page('/whitepaper', {
      title: '数据安全白皮书',
      siteKey: 'sk_live_abc',
      head: '<meta name="dealsense:tags" content="数据安全, Whitepaper ,PIPL">',
      bodyAttrs: 'data-dealsense-tags="Data Security,whitepaper"',
    });
    const p = await open(url);
    await until('pageview', () => ofType('pageview', url).length === 1);
    const beacon = collector.beacons.find((b) => b.events.some((e) => e.url === url && e.type === 'pageview'))!;
    expect(beacon.siteKey).toBe('sk_live_abc');
    expect(beacon.origin).toBe(site.origin);
    expect(beacon.origin).not.toBe(collector.origin);
    expect(beacon.contentType).toMatch(/^text\/plain/);
    const view = ofType('pageview', url)[0]!;
    expect(view).toEqual({ id: expect.stringMatching(UUID), visitorId: expect.stringMatching(UUID), type: 'pageview', url, title: '数据安全白皮书', tags: ['数据安全', 'whitepaper', 'pipl', 'data-security'], ts: expect.any(Number) });
    expect(await storedKeys(p)).toEqual(['dealsense.visitor']);
    expect(await p.evaluate(() => localStorage.getItem('dealsense.visitor'))).toBe(view.visitorId);

    // The visitor id is kept across page loads; each event has its own id.
    await p.reload();
    await until('second pageview', () => ofType('pageview', url).length === 2);
    const [first, second] = ofType('pageview', url);
    expect(second!.visitorId).toBe(first!.visitorId);
    expect(second!.id).not.toBe(first!.id);
  });

  it('sends heartbeats while visible, none while hidden, a leave on hide, and counts only visible time', async () => {
    const url = page('/reading');
    const p = await open(url);
    await until('three heartbeats', () => ofType('heartbeat', url).length >= 3);
    for (const hb of ofType('heartbeat', url)) expect(hb.dwellMs).toBeGreaterThan(0);

    const other = await hide(p);
    await until('leave on hide', () => ofType('leave', url).length === 1);
    const beatsWhenHidden = ofType('heartbeat', url).length;
    // Hidden for many heartbeat intervals: none may be sent. The page's own clock proves how long.
    const hiddenFor = await p.evaluate(async (ms) => {
      const start = Date.now();
      await new Promise((r) => setTimeout(r, ms));
      return Date.now() - start;
    }, HEARTBEAT_MS * 6);
    expect(hiddenFor).toBeGreaterThanOrEqual(HEARTBEAT_MS * 6);
    expect(ofType('heartbeat', url)).toHaveLength(beatsWhenHidden);
    expect(ofType('leave', url)).toHaveLength(1);

    await p.evaluate(() => document.addEventListener('visibilitychange', () => ((window as unknown as { shownAt: number }).shownAt = Date.now())));
    await show(p, other);
    await until('heartbeats again', () => ofType('heartbeat', url).length >= beatsWhenHidden + 2);
    const shownAt = await p.evaluate(() => (window as unknown as { shownAt: number }).shownAt);
    const firstBack = ofType('heartbeat', url)[beatsWhenHidden]!;
    // Its dwell is the visible time since the leave: the hidden stretch is not in it.
    expect(firstBack.dwellMs!).toBeLessThanOrEqual(firstBack.ts - shownAt + 5);
    expect(firstBack.dwellMs!).toBeLessThan(hiddenFor);
  });

  it('sends a leave with the dwell when the reader navigates away, and when the tab is closed', async () => {
    const a = page('/a');
    const b = page('/b');
    const p = await open(a);
    await until('a heartbeat on /a', () => ofType('heartbeat', a).length >= 1);
    await p.goto(b);
    await until('leave of /a', () => ofType('leave', a).length === 1);
    const leave = ofType('leave', a)[0]!;
    expect(leave.dwellMs).toEqual(expect.any(Number));
    expect(leave.dwellMs!).toBeGreaterThanOrEqual(0);
    await until('pageview of /b', () => ofType('pageview', b).length === 1);
    expect(ofType('pageview', b)[0]!.visitorId).toBe(leave.visitorId);

    await p.close();
    await until('leave of /b on close', () => ofType('leave', b).length === 1);
    // Hidden then unloaded: still one leave, not two.
    expect(ofType('leave', a)).toHaveLength(1);
  });

  it('with data-consent="required" sends nothing and stores nothing until consent; consent(false) stops and forgets', async () => {
    const url = page('/consent', { attrs: { 'data-consent': 'required' }, body: '<a id="dl" href="/files/x.pdf" data-dealsense-download>x</a>' });
    const p = await open(`${url}?ds_t=tok-consent`);
    // identify, a tagged download, several heartbeat intervals: all before consent.
    await p.evaluate(() => (window as unknown as { dealsense: { identify(id: string): void } }).dealsense.identify('lead-before-consent'));
    await p.evaluate(() => document.getElementById('dl')!.addEventListener('click', (e) => e.preventDefault()));
    await p.click('#dl');
    await p.evaluate((ms) => new Promise((r) => setTimeout(r, ms)), HEARTBEAT_MS * 5);
    expect(siteEvents()).toEqual([]);
    expect(await storedKeys(p)).toEqual([]);
    expect(await p.evaluate(() => (window as unknown as { dealsense: { visitorId(): string | null } }).dealsense.visitorId())).toBeNull();

    await p.evaluate(() => (window as unknown as { dealsense: { consent(v: boolean): void } }).dealsense.consent(true));
    await until('pageview after consent', () => ofType('pageview', url).length === 1);
    // What was asked for before consent goes with the first beacon: the token and the lead.
    const identify = ofType('identify', url)[0]!;
    expect(identify).toEqual(expect.objectContaining({ token: 'tok-consent', leadId: 'lead-before-consent' }));
    expect(await storedKeys(p)).toEqual(['dealsense.consent', 'dealsense.lead', 'dealsense.visitor']);
    await until('heartbeat after consent', () => ofType('heartbeat', url).length >= 1);

    await p.evaluate(() => (window as unknown as { dealsense: { consent(v: boolean): void } }).dealsense.consent(false));
    const sent = siteEvents().length;
    expect(await storedKeys(p)).toEqual([]);
    await p.click('#dl');
    await p.evaluate((ms) => new Promise((r) => setTimeout(r, ms)), HEARTBEAT_MS * 5);
    expect(siteEvents()).toHaveLength(sent);
    expect(await storedKeys(p)).toEqual([]);
  });

  it('a remembered consent is honoured on the next page; an opt-out on a site without required consent is remembered too', async () => {
    const required = page('/required', { attrs: { 'data-consent': 'required' } });
    const p = await open(required);
    await p.evaluate(() => (window as unknown as { dealsense: { consent(v: boolean): void } }).dealsense.consent(true));
    await until('pageview after consent', () => ofType('pageview', required).length === 1);
    await p.reload();
    await until('pageview on the next load without asking again', () => ofType('pageview', required).length === 2);

    const optional = page('/optional');
    await p.goto(optional);
    await until('pageview by default', () => ofType('pageview', optional).length === 1);
    await p.evaluate(() => (window as unknown as { dealsense: { consent(v: boolean): void } }).dealsense.consent(false));
    expect(await storedKeys(p)).toEqual(['dealsense.consent']);
    await p.reload();
    await p.evaluate((ms) => new Promise((r) => setTimeout(r, ms)), HEARTBEAT_MS * 4);
    expect(ofType('pageview', optional)).toHaveLength(1);
    expect(await storedKeys(p)).toEqual(['dealsense.consent']);
  });

  it('identify(leadId) sends an identify event and marks every later event, also after a reload; queued calls work', async () => {
    const url = page('/pricing', { before: "window.dealsense = window.dealsense || []; dealsense.push(['identify', 'lead-queued']);" });
    const p = await open(url);
    await until('pageview', () => ofType('pageview', url).length === 1);
    expect(ofType('identify', url)[0]).toEqual(expect.objectContaining({ leadId: 'lead-queued' }));
    expect(ofType('pageview', url)[0]!.leadId).toBe('lead-queued');

    await p.evaluate(() => (window as unknown as { dealsense: { identify(id: string): void } }).dealsense.identify('lead-42'));
    await until('identify lead-42', () => ofType('identify', url).some((e) => e.leadId === 'lead-42'));
    await until('heartbeat with lead', () => ofType('heartbeat', url).some((e) => e.leadId === 'lead-42'));
    expect(await p.evaluate(() => localStorage.getItem('dealsense.lead'))).toBe('lead-42');

    // Bad ids are refused in the page, with a console warning, and change nothing.
    const warnings: string[] = [];
    p.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    await p.evaluate(() => {
      const ds = (window as unknown as { dealsense: { identify(id: unknown): void } }).dealsense;
      ds.identify('');
      ds.identify('x'.repeat(201));
      ds.identify({ toString: () => 'evil' });
    });
    expect(warnings.filter((w) => w.includes('[dealsense] identify'))).toHaveLength(3);
    expect(await p.evaluate(() => localStorage.getItem('dealsense.lead'))).toBe('lead-42');

    // The next page (which does not identify anyone) knows the lead from storage.
    const next = page('/next');
    await p.goto(next);
    await until('pageview of the next page', () => ofType('pageview', next).length === 1);
    expect(ofType('pageview', next)[0]!.leadId).toBe('lead-42');
    expect(ofType('identify', next)).toEqual([]);
  });

  it('a tracked link (?ds_t=) identifies the visitor, and the token leaves the reported URL and the address bar', async () => {
    const url = page('/landing');
    const p = await open(`${url}?utm_source=mail&ds_t=tok_ABC-123.x&lang=zh#section-2`);
    await until('identify with token', () => ofType('identify').some((e) => e.token === 'tok_ABC-123.x'));
    const clean = `${url}?utm_source=mail&lang=zh#section-2`;
    await until('pageview', () => ofType('pageview', clean).length === 1);
    const identify = ofType('identify').find((e) => e.token === 'tok_ABC-123.x')!;
    expect(identify.url).toBe(clean);
    expect(identify.visitorId).toBe(ofType('pageview', clean)[0]!.visitorId);
    expect(siteEvents().every((e) => !e.url.includes('ds_t'))).toBe(true);
    expect(await p.evaluate(() => location.href)).toBe(clean);

    // A malformed token is not sent at all.
    const other = page('/landing2');
    await p.goto(`${other}?ds_t=${encodeURIComponent('<script>"')}`);
    await until('pageview of landing2', () => ofType('pageview', other).length === 1);
    expect(ofType('identify', other)).toEqual([]);
  });

  it('reports clicks on tagged links as downloads with their own tags; untagged links are not reported', async () => {
    const url = page('/library', {
      head: '<meta name="dealsense:tags" content="library">',
      body: `<a id="wp" href="/files/security.pdf" data-dealsense-download="数据安全白皮书" data-dealsense-tags="security,whitepaper"><span>下载</span></a>
             <a id="plain-dl" href="/files/brochure.pdf" data-dealsense-download>Brochure</a>
             <a id="untagged" href="/files/other.pdf">other</a>`,
    });
    const p = await open(url);
    await p.evaluate(() => document.addEventListener('click', (e) => e.preventDefault()));
    await until('pageview', () => ofType('pageview', url).length === 1);
    await p.click('#wp span');
    await p.click('#untagged');
    await p.click('#plain-dl');
    await until('two downloads', () => ofType('download').filter((e) => e.url.startsWith(site.origin)).length === 2);
    const [wp, plain] = ofType('download');
    expect(wp).toEqual(expect.objectContaining({ url: site.url('/files/security.pdf'), title: '数据安全白皮书', tags: ['security', 'whitepaper'] }));
    expect(plain).toEqual(expect.objectContaining({ url: site.url('/files/brochure.pdf'), title: 'Brochure', tags: ['library'] }));
    expect(wp!.visitorId).toBe(ofType('pageview', url)[0]!.visitorId);
  });

  it('a single-page app route change is a leave of the old page and a pageview of the new one', async () => {
    const url = page('/app');
    const p = await open(url);
    await until('pageview', () => ofType('pageview', url).length === 1);
    await p.evaluate(() => history.pushState({}, '', '/app/settings'));
    await until('pageview of the route', () => ofType('pageview', site.url('/app/settings')).length === 1);
    expect(ofType('leave', url)).toHaveLength(1);
  });

  it('stops heartbeats when nobody touches the page for data-idle-ms, and resumes on activity', async () => {
    const url = page('/idle', { attrs: { 'data-idle-ms': '1000' } });
    const p = await open(url);
    await until('first heartbeat', () => ofType('heartbeat', url).length >= 1);
    // Idle: heartbeats stop once the idle limit has passed.
    await waitFor(
      async () => {
        const n = ofType('heartbeat', url).length;
        await p.evaluate((ms) => new Promise((r) => setTimeout(r, ms)), HEARTBEAT_MS * 4);
        return ofType('heartbeat', url).length === n;
      },
      20_000,
      'heartbeats to stop while idle',
    );
    const idleCount = ofType('heartbeat', url).length;
    await p.mouse.move(10, 10);
    await p.mouse.move(50, 60);
    await until('heartbeats again after activity', () => ofType('heartbeat', url).length >= idleCount + 2);
  });

  it.each([
    ['missing', 'delete Navigator.prototype.sendBeacon;'],
    ['refusing (queue full)', 'Navigator.prototype.sendBeacon = function () { return false; };'],
  ])('falls back to fetch with keepalive when sendBeacon is %s', async (_name, patch) => {
    const url = page('/fallback', {
      before: `${patch} window.fetchCalls = []; var f = window.fetch; window.fetch = function (u, o) { window.fetchCalls.push({ keepalive: o.keepalive, credentials: o.credentials, type: o.headers['content-type'] }); return f.apply(this, arguments); };`,
    });
    const p = await open(url);
    await until('pageview through fetch', () => ofType('pageview', url).length === 1);
    const calls = await p.evaluate(() => (window as unknown as { fetchCalls: unknown[] }).fetchCalls);
    expect(calls[0]).toEqual({ keepalive: true, credentials: 'omit', type: 'text/plain' });
    const beacon = collector.beacons.find((b) => b.events.some((e) => e.url === url))!;
    expect(beacon.contentType).toMatch(/^text\/plain/);
    expect(beacon.origin).toBe(site.origin);
    await p.close();
    await until('leave through fetch', () => ofType('leave', url).length === 1);
  });

  it('a script tag without data-site-key sends nothing and says why', async () => {
    const url = site.page('/nokey', `<!doctype html><html><head><script src="${collector.origin}/t.js" async></script></head><body>x</body></html>`);
    const p = await chrome.context.newPage();
    opened.push(p);
    const warnings: string[] = [];
    p.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    await p.goto(url);
    await waitFor(async () => warnings.some((w) => w.includes('data-site-key is missing')), 10_000, 'warning');
    await p.evaluate((ms) => new Promise((r) => setTimeout(r, ms)), HEARTBEAT_MS * 3);
    expect(siteEvents()).toEqual([]);
  });
});

describe('end to end: the tracker against the real service', () => {
  let t: TestApp;
  let service: string;
  let chrome: Awaited<ReturnType<typeof launchTabbedBrowser>>;
  let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
  const sites: Awaited<ReturnType<typeof startSite>>[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    service = await t.app.listen({ port: 0, host: '127.0.0.1' });
    chrome = await launchTabbedBrowser();
    wecom = await startFakeWecom();
  });
  afterAll(async () => {
    await chrome?.close();
    for (const s of sites) await s.close();
    await t?.close();
    await wecom?.close();
  });

  interface StoredEvent {
    type: string;
    lead_id: string | null;
    url: string;
    tags: string[];
    dwell_ms: number | null;
  }
  const stored = (tenantId: string, urlPrefix: string) =>
    t.runtime.db.query<StoredEvent>('SELECT type, lead_id, url, tags, dwell_ms FROM signal_events WHERE tenant_id = $1 AND url LIKE $2 ORDER BY ts', [tenantId, `${urlPrefix}%`]);

  it("a lead opening a tracked link is identified, its reading is stored, and a rule pushes to the owner's WeCom group", async () => {
    const tenant = await signalsTenant(t, 'tracker-e2e');
    const site = await startSite();
    const stranger = await startSite(); // not on the key's allow-list
    sites.push(site, stranger);

    const siteKey = (await tenant.ok('POST', '/v1/signals/site-keys', { name: 'www', allowedOrigins: [site.origin] }, 201)).key as string;
    await tenant.ok('PUT', '/v1/reps/r-e2e', { name: '王磊', industries: ['education/k12'], capacity: 5, wecomWebhook: wecom.url('e2e-robot') });
    await tenant.ok('POST', '/v1/leads', { id: 'L-e2e', source: 'website_form', industry: 'education/k12', company: '实验中学', repId: 'r-e2e' });
    await tenant.ok('POST', '/v1/signals/rules', { name: 'security readers', pages: { tags: ['security'] }, event: 'dwell', minDwellSec: 1 }, 201);
    const { token } = (await tenant.ok('POST', '/v1/signals/link-tokens', { leadId: 'L-e2e' }, 201)) as { token: string };

    const html = pageHtml({
      scriptOrigin: service,
      siteKey,
      title: '数据安全白皮书',
      // Tags as a marketer types them: the tracker turns them into tags the service accepts.
      head: '<meta name="dealsense:tags" content="security,Whitepaper, Data Security ,合规（2024）,emoji📄,<b>">',
      attrs: { 'data-heartbeat-ms': String(HEARTBEAT_MS) },
    });
    // The same page on an origin the key does not allow: the service refuses its beacons.
    const strangerPage = await chrome.context.newPage();
    await strangerPage.goto(stranger.page('/whitepaper', html));

    const url = site.page('/whitepaper', html);
    const p = await chrome.context.newPage();
    await p.goto(`${url}?ds_t=${encodeURIComponent(token)}`);

    await until('events attributed to the lead', async () => (await stored('tracker-e2e', url)).filter((e) => e.type === 'heartbeat' && e.lead_id === 'L-e2e').length >= 3);
    const events = await stored('tracker-e2e', url);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['identify', 'pageview', 'heartbeat']));
    expect(events.every((e) => e.lead_id === 'L-e2e')).toBe(true);
    expect(events.find((e) => e.type === 'pageview')!.tags).toEqual(['security', 'whitepaper', 'data-security', '合规2024', 'emoji', 'b']);
    expect(events.every((e) => e.url === url)).toBe(true);

    const lead = await tenant.ok('GET', '/v1/signals/leads/L-e2e');
    expect(lead.events).toBeGreaterThanOrEqual(4);
    expect(lead.pages[0]).toEqual(expect.objectContaining({ url }));

    // The rule fired once, and the owner's WeCom group got the push.
    await until('push on WeCom', async () => wecom.received.some((m) => m.key === 'e2e-robot' && m.body.markdown!.content.includes('Lead signal')));
    const pushes = (await tenant.ok('GET', '/v1/pushes?repId=r-e2e')).items as { leadId: string; reason: string }[];
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.leadId).toBe('L-e2e');
    expect(pushes[0]!.reason).toContain('数据安全白皮书');

    await p.close();
    await until('leave stored', async () => (await stored('tracker-e2e', url)).some((e) => e.type === 'leave' && e.dwell_ms !== null));
    expect(await stored('tracker-e2e', stranger.origin)).toEqual([]);
    await strangerPage.close();
  });

  async function until(what: string, check: () => Promise<boolean>) {
    await waitFor(check, 30_000, what);
  }
});

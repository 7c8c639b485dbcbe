import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { ACTIVITY_MONTH, analysed, consoleFixture, type ConsoleFixture } from './fixtures.js';

let f: ConsoleFixture;
let browser: Browser;
let base: string;

const SHOTS = join(tmpdir(), 'dealsense-console-shots');

beforeAll(async () => {
  f = await consoleFixture();
  base = (await f.t.app.listen({ port: 0, host: '127.0.0.1' })).replace(/\/$/, '');
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await f?.close();
});

/** A fresh browser profile, with every CSP violation and page error collected. */
async function newPage(locale = 'en-US'): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  return { context, page, problems };
}

async function signIn(page: Page, next: string, key = f.t.adminKey) {
  await page.goto(`${base}${next}`);
  expect(new URL(page.url()).pathname).toBe('/console/login');
  await page.fill('#key', key);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/console/login'), page.click('#sign-in')]);
}

async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  const png = await readFile(path);
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(png.length).toBeGreaterThan(5000);
  return path;
}

/** Navigation timing of the current page, printed (a figure, not an assertion). */
async function reportLoad(page: Page, what: string) {
  const ms = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    return { response: n.responseEnd - n.startTime, domContentLoaded: n.domContentLoadedEventEnd - n.startTime, load: n.loadEventEnd - n.startTime };
  });
  console.log(`[console page load] ${what}: response ${ms.response.toFixed(0)} ms, DOMContentLoaded ${ms.domContentLoaded.toFixed(0)} ms, load ${ms.load.toFixed(0)} ms`);
}

describe('the console in a real Chromium', () => {
  it('signs in, opens a call, and clicking a concern seeks the player to its evidence', async () => {
    const analysis = await analysed(f.t, f.callId);
    const delivery = analysis.concerns.find((c: { code: string }) => c.code === 'delivery_supply');
    const price = analysis.concerns.find((c: { code: string }) => c.code === 'price_budget');
    expect(delivery?.evidence[0]).toBeDefined();
    expect(price?.evidence[0]).toBeDefined();

    const { context, page, problems } = await newPage();
    await signIn(page, `/console/calls/${f.callId}`);
    expect(new URL(page.url()).pathname).toBe(`/console/calls/${f.callId}`);
    await reportLoad(page, 'call page');
    // The player has read the WAV header through the audio endpoint (with the session cookie).
    await page.waitForFunction(() => (document.getElementById('player') as HTMLAudioElement).readyState >= 1);
    const duration = await page.evaluate(() => (document.getElementById('player') as HTMLAudioElement).duration);
    expect(duration).toBeGreaterThan(9.5);

    await page.click('li.concern.c-delivery_supply .concern-label');
    const afterConcern = await page.evaluate(() => (document.getElementById('player') as HTMLAudioElement).currentTime);
    expect(afterConcern).toBeCloseTo(delivery.evidence[0].start, 3);

    await page.click('li.concern.c-price_budget .quote');
    const afterQuote = await page.evaluate(() => (document.getElementById('player') as HTMLAudioElement).currentTime);
    expect(afterQuote).toBeCloseTo(price.evidence[0].start, 3);
    // The transcript line of that moment is marked as current.
    expect(await page.locator('li.seg.current mark.c-price_budget').count()).toBe(1);

    await page.click('mark.c-delivery_supply');
    expect(await page.evaluate(() => (document.getElementById('player') as HTMLAudioElement).currentTime)).toBeCloseTo(delivery.evidence[0].start, 3);

    // The hostile customer text is shown as text and never ran.
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('#transcript').innerText()).toContain('<script>window.__xss = 1</script>');
    expect(await page.locator('#transcript img').count()).toBe(0);
    await screenshot(page, 'call-en');

    // Language switch: the same page in Chinese.
    await Promise.all([page.waitForURL(`**/console/calls/${f.callId}`), page.click('#lang-zh')]);
    expect(await page.locator('#concerns h2').first().innerText()).toBe('客户顾虑');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await screenshot(page, 'call-zh');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows an imported transcript without a player, in the language the browser asks for', async () => {
    const { context, page, problems } = await newPage('zh-CN');
    await signIn(page, `/console/calls/${f.importedId}`);
    expect(await page.locator('audio').count()).toBe(0);
    expect(await page.locator('#no-audio').innerText()).toContain('没有可播放的音频');
    expect(await page.locator('mark.c-delivery_supply').count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await screenshot(page, 'imported-zh');
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows the 404 page for another tenant's call", async () => {
    const otherKey = await f.t.newTenant('browser-other', ['read']);
    const { context, page } = await newPage();
    await signIn(page, '/console/maps', otherKey);
    const res = await page.goto(`${base}/console/calls/${f.callId}`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('#error-page h1').innerText()).toContain('Not found');
    await context.close();
  });

  it('loads the review queue, accepts a suggestion (it leaves the queue, the audit names the key), dismisses another with a note', async () => {
    const before = (await f.t.app.inject({ method: 'GET', url: '/v1/coaching/suggestions?status=pending', headers: f.t.auth() })).json();
    expect(before.total).toBeGreaterThanOrEqual(3);
    const { context, page, problems } = await newPage();
    await signIn(page, '/console/review');
    expect(new URL(page.url()).pathname).toBe('/console/review');
    await reportLoad(page, 'review queue');
    expect(await page.locator('.suggestion-row').count()).toBe(before.total);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await screenshot(page, 'review-en');

    const [first, second] = before.items as { id: string }[];
    await page.click(`#s-${first!.id} button.accept`);
    await page.locator(`#s-${first!.id}`).waitFor({ state: 'detached' });
    expect(await page.locator('#review-done').innerText()).toBe('Accepted.');
    await page.fill(`#s-${second!.id} input[name="note"]`, 'not relevant <b>here</b>');
    await page.click(`#s-${second!.id} button.dismiss`);
    await page.locator(`#s-${second!.id}`).waitFor({ state: 'detached' });
    expect(await page.locator('.suggestion-row').count()).toBe(before.total - 2);

    const seeded = await f.t.runtime.db.query<{ id: string }>(`SELECT id FROM api_keys WHERE name = 'ADMIN_API_KEY'`);
    const accepted = (await f.t.app.inject({ method: 'GET', url: `/v1/coaching/suggestions/${first!.id}`, headers: f.t.auth() })).json();
    expect(accepted.status).toBe('accepted');
    expect(accepted.audit).toHaveLength(1);
    expect(accepted.audit[0]).toMatchObject({ actor: seeded[0]!.id, action: 'accept', before: { status: 'pending' }, after: { status: 'accepted' } });
    const dismissed = (await f.t.app.inject({ method: 'GET', url: `/v1/coaching/suggestions/${second!.id}`, headers: f.t.auth() })).json();
    expect(dismissed).toMatchObject({ status: 'dismissed', review: { note: 'not relevant <b>here</b>' } });

    // Edit: the manager's own wording replaces the text.
    const third = (before.items as { id: string }[])[2]!;
    await page.fill(`#s-${third.id} textarea[name="text"]`, '先回应交期，再谈价格。');
    await page.click(`#s-${third.id} button.edit`);
    await page.locator(`#s-${third.id}`).waitFor({ state: 'detached' });
    expect(await page.locator('#review-done').innerText()).toBe('Edited and accepted.');
    const edited = (await f.t.app.inject({ method: 'GET', url: `/v1/coaching/suggestions/${third.id}`, headers: f.t.auth() })).json();
    expect(edited).toMatchObject({ status: 'edited', text: '先回应交期，再谈价格。' });

    // After a reload the queue still lacks both.
    await page.reload();
    expect(await page.locator(`#s-${first!.id}`).count()).toBe(0);
    expect(await page.locator(`#s-${second!.id}`).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('opens a call from a suggestion at the quoted moment', async () => {
    const { context, page } = await newPage();
    await signIn(page, `/console/calls/${f.callId}?t=7`);
    await page.waitForFunction(() => (document.getElementById('player') as HTMLAudioElement).readyState >= 1);
    expect(await page.evaluate(() => (document.getElementById('player') as HTMLAudioElement).currentTime)).toBeCloseTo(7, 3);
    await context.close();
  });

  it('draws the rep page (metrics, ECharts funnel against the team mean) and the team overview', async () => {
    const { context, page, problems } = await newPage('zh-CN');
    await signIn(page, `/console/reps/rep-li?month=${ACTIVITY_MONTH}`);
    await reportLoad(page, 'rep page');
    await page.waitForSelector('#funnel-chart[data-rendered="true"] canvas');
    expect(await page.locator('tr.metric').count()).toBe(5);
    expect(await page.locator('#weakest').innerText()).toContain('响应及时');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await screenshot(page, 'rep-zh');
    await Promise.all([page.waitForURL('**/console/team'), page.click('nav a[href="/console/team"]')]);
    await reportLoad(page, 'team overview');
    expect(await page.locator('#team-table tbody tr').count()).toBe(2);
    await screenshot(page, 'team-zh');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('builds a decision map from the console and opens it', async () => {
    const texts = ['交期多久能到？现货有吗', '价格能不能便宜点，预算有限', '交货周期太长了', '有没有折扣，报价太贵', '数据安全合规怎么保证', '交期能否保证，急用'];
    const res = await f.t.app.inject({
      method: 'POST', url: '/v1/inquiries', headers: f.t.auth(),
      payload: { inquiries: texts.map((text, i) => ({ text, industry: 'manufacturing/electronics', source: 'web', leadId: `inq-${i}` })) },
    });
    expect(res.statusCode, res.body).toBe(202);
    const { context, page, problems } = await newPage();
    await signIn(page, '/console/maps');
    // A bad industry comes back as the API's 400, shown next to the form.
    await page.fill('#map-form [name="industry"]', 'Not An Industry!');
    await page.click('#map-form button[type="submit"]');
    await page.waitForFunction(() => document.getElementById('map-status')?.textContent?.includes('could not be built'));
    expect(await page.locator('#map-status').innerText()).toContain('industry');
    await page.fill('#map-form [name="industry"]', 'manufacturing/electronics');
    await Promise.all([page.waitForURL(/\/v1\/decision-maps\/[0-9a-f-]{36}\.html$/, { timeout: 60_000 }), page.click('#map-form button[type="submit"]')]);
    expect(await page.locator('h1').innerText()).toContain('manufacturing/electronics');
    // The only error the browser logged is the refused request above.
    expect(problems).toEqual([expect.stringContaining('status of 400')]);
    await context.close();
  }, 90_000);
});

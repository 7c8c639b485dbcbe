import { mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllStreams } from '../../src/signals/stream.js';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { dwellRule, reading, signalsTenant } from '../signals/helpers.js';
import { HOSTILE } from './fixtures.js';

let t: TestApp;
let browser: Browser;
let base: string;
let tn: Awaited<ReturnType<typeof signalsTenant>>;
let rep2Key: string;

const SHOTS = join(tmpdir(), 'dealsense-console-shots');

beforeAll(async () => {
  t = await createTestApp({ SIGNALS_EVAL_DELAY_MS: '50' });
  base = (await t.app.listen({ port: 0, host: '127.0.0.1' })).replace(/\/$/, '');
  tn = await signalsTenant(t, 'pushui-browser');
  await tn.ok('PUT', '/v1/reps/r-1', { name: '王磊', capacity: 10 });
  await tn.ok('PUT', '/v1/reps/r-2', { name: '李明', capacity: 10 });
  for (const [lead, company] of [['L1', `华东汽配${HOSTILE}`], ['L2', '苏州精工']]) {
    await tn.ok('POST', '/v1/leads', { id: lead, source: 'website_form', industry: 'manufacturing/automotive', company, repId: 'r-1' });
  }
  const item = await tn.ok('POST', '/v1/content', { title: 'GDPR/PIPL 合规检查清单', url: 'https://www.example.com/checklists/gdpr-pipl', language: 'zh', tags: ['security'] }, 201);
  await tn.ok('POST', '/v1/signals/rules', dwellRule({ content: { itemId: item.id } }), 201);
  rep2Key = (await tn.ok('POST', '/v1/admin/keys', { scopes: ['read'], repId: 'r-2' }, 201)).key;
  browser = await launchBrowser();
  await mkdir(SHOTS, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** Reading events for a lead, sent through the real ingest API over HTTP, as a CRM would. */
async function read(leadId: string, title = '数据安全白皮书') {
  const res = await fetch(`${base}/v1/signals/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tn.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events: reading(15, { leadId, visitorId: `v-${leadId}`, title }) }),
  });
  expect(res.status, await res.text()).toBe(202);
}

async function openPushes(key: string): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(`${base}/console/pushes`);
  expect(new URL(page.url()).pathname).toBe('/console/login');
  await page.fill('#key', key);
  await Promise.all([page.waitForURL((u) => u.pathname === '/console/pushes'), page.click('#sign-in')]);
  await page.waitForSelector('#push-live[data-state="open"]');
  return { page, problems };
}

const rowIds = (page: Page) => page.$$eval('#push-list .push-row', (rows) => rows.map((r) => (r as HTMLElement).dataset.id));

describe('the pushes page in a real Chromium', () => {
  it('shows a push live, without reload, and resumes after a dropped stream without a gap', async () => {
    const manager = await openPushes(tn.key);
    const rep2 = await openPushes(rep2Key);
    expect(await rowIds(manager.page)).toEqual([]);
    // A reload would lose this.
    await manager.page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

    await read('L1', `数据安全白皮书${HOSTILE}`);
    await manager.page.waitForSelector('#push-list .push-row', { timeout: 20_000 });
    const row = manager.page.locator('#push-list .push-row').first();
    const text = await row.innerText();
    expect(text).toContain(`华东汽配${HOSTILE}`); // shown as text, not markup
    expect(text).toContain('3 分 45 秒');
    expect(text).toContain('GDPR/PIPL 合规检查清单');
    expect(text).toContain('王磊');
    expect(await row.locator('a.content-link').getAttribute('href')).toBe('https://www.example.com/checklists/gdpr-pipl');
    expect(await manager.page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    expect(await manager.page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await manager.page.locator('#push-empty').isHidden()).toBe(true);

    // The server drops every stream; the next push is made while the page reconnects.
    closeAllStreams();
    await manager.page.waitForSelector('#push-live[data-state="reconnecting"]');
    await read('L2');
    const rows = await waitFor(async () => {
      const r = await t.runtime.db.query<{ id: string; lead_id: string }>("SELECT id, lead_id FROM pushes WHERE tenant_id = $1 AND status = 'delivered' ORDER BY seq", ['pushui-browser']);
      return r.length === 2 && r;
    }, 20_000, 'second push row');
    const stateWhenMade = await manager.page.$eval('#push-live', (el) => (el as HTMLElement).dataset.state);
    console.log(`[pushes browser] second push committed while the page's stream was: ${stateWhenMade}`);
    await manager.page.waitForFunction((n) => document.querySelectorAll('#push-list .push-row').length >= n, 2, { timeout: 20_000 });
    await manager.page.waitForSelector('#push-live[data-state="open"]');
    // Newest first, each push once.
    expect(await rowIds(manager.page)).toEqual([rows[1]!.id, rows[0]!.id]);
    expect(await manager.page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);

    // The r-2 session's stream carried neither of r-1's pushes.
    expect(await rowIds(rep2.page)).toEqual([]);
    expect(await rep2.page.locator('#push-empty').isVisible()).toBe(true);

    const path = join(SHOTS, 'pushes-live.png');
    await manager.page.screenshot({ path, fullPage: true });
    const png = await readFile(path);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(png.length).toBeGreaterThan(5000);
    console.log(`[pushes browser] screenshot: ${path}`);
    // No CSP violation (EventSource and the row fetch are same-origin) and no script error.
    expect(manager.problems).toEqual([]);
    expect(rep2.problems).toEqual([]);

    // The session ends (signed out elsewhere): the stream's reconnect is refused (401) and the page says so.
    await t.runtime.db.query('DELETE FROM console_sessions');
    closeAllStreams();
    await manager.page.waitForSelector('#push-live[data-state="closed"]', { timeout: 20_000 });
    expect(await manager.page.locator('#push-live').innerText()).toContain('请刷新页面');
  });
});

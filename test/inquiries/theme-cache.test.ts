import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findThemeSet } from '../../src/inquiries/repo.js';
import { cachedThemes } from '../../src/inquiries/theme-cache.js';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { expectError } from '../helpers/errors.js';

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();
const DELIVERY = ['这批伺服电机交期多久？', 'PLC 现货有吗，交货期能不能两周内？', '你们库存够不够，交期太长我们等不起', 'What is the lead time for the servo drives?', '交期可以保证吗？月底前要到货'];
const DOMESTIC = ['有没有国产替代的PLC方案？', '国产化替换进口变频器可靠吗？', '信创要求下国产替代方案怎么选？', 'Do you have a domestic alternative to the imported PLC?', '国产替代以后售后怎么保障？'];
const PRICE = ['批量采购价格能便宜多少？', '这个报价太贵了，预算只有一半', '单价能不能再降一点？', 'Can you give a discount for 500 units?', '价格和别家比没有优势'];

type Answer = { statusCode: number; body: any };

describe('themes: a cached, job-computed result', () => {
  let t: TestApp;
  let key: string;
  const tenant = 'theme-cache-tenant';
  beforeAll(async () => {
    // a short settle delay so the refresh after an ingest runs within the test
    t = await createTestApp({ THEMES_REFRESH_DELAY_MS: '200' });
    key = await t.newTenant(tenant);
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (inquiries: object[], k = key) => t.app.inject({ method: 'POST', url: '/v1/inquiries', headers: t.auth(k), payload: { inquiries } });
  const get = async (url: string, k = key): Promise<Answer> => {
    const r = await t.app.inject({ method: 'GET', url, headers: t.auth(k) });
    return { statusCode: r.statusCode, body: r.json() };
  };
  const themesOf = (industry: string, k = key) => get(`/v1/inquiries/themes?industry=${industry}&days=30`, k);
  const until = (industry: string, ok: (a: Answer) => boolean, what: string) =>
    waitFor(async () => {
      const a = await themesOf(industry);
      return ok(a) ? a : undefined;
    }, 60_000, what);
  const fresh = (n: number) => (a: Answer) => a.statusCode === 200 && a.body.cache.state === 'fresh' && a.body.inquiries === n;

  it('answers 202 with progress until the first result exists, then 200 from the cache', async () => {
    const industry = 'industrial_automation/cache';
    const all = [...DELIVERY, ...DOMESTIC, ...PRICE];
    await post(all.map((text, i) => ({ text, industry, source: 'web_form', ts: daysAgo(1), leadId: `c${i}` })));
    const first = await themesOf(industry);
    if (first.statusCode === 202) {
      expect(first.body).toEqual({ industry, days: 30, status: expect.stringMatching(/^(queued|running)$/), progress: expect.any(Number) });
    }
    const ready = await until(industry, fresh(15), 'first theme result');
    expect(ready.body.themes.length).toBeGreaterThanOrEqual(2);
    expect(ready.body.themes.reduce((s: number, th: { members: { total: number } }) => s + th.members.total, 0)).toBe(15);
    expect(ready.body.cache).toEqual({ state: 'fresh', computedAt: expect.any(String), refreshing: false, progress: 100 });
    // asked again: the same stored result, not a new clustering
    const again = await themesOf(industry);
    expect(again.statusCode).toBe(200);
    expect(again.body.cache.computedAt).toBe(ready.body.cache.computedAt);
    expect(again.body.themes).toEqual(ready.body.themes);
  });

  it('a new inquiry in the window makes it stale: the old result is served while a refresh runs, then the new one', async () => {
    const industry = 'industrial_automation/cache';
    const before = await until(industry, fresh(15), 'fresh result');
    await post([{ text: '交期还能再快一点吗？', industry, source: 'chat', ts: daysAgo(0), leadId: 'late' }]);
    // the ingest queued the refresh with the settle delay, so right now the old result is served
    const stale = await themesOf(industry);
    expect(stale.statusCode).toBe(200);
    expect(stale.body.inquiries).toBe(15);
    expect(stale.body.cache).toEqual({ state: 'stale', computedAt: before.body.cache.computedAt, refreshing: true, progress: expect.any(Number) });
    const after = await until(industry, fresh(16), 'refreshed result');
    expect(after.body.cache.computedAt).not.toBe(before.body.cache.computedAt);
    expect(after.body.themes.reduce((s: number, th: { members: { total: number } }) => s + th.members.total, 0)).toBe(16);
  });

  it('an ingest refreshes the cached windows of that industry by itself, after the settle delay', async () => {
    const industry = 'industrial_automation/cache';
    await until(industry, fresh(16), 'fresh result');
    await post([{ text: '国产PLC的质保期多长？', industry, source: 'web_form', ts: daysAgo(2), leadId: 'bg' }]);
    // no GET in between: the job queued by the ingest recomputes the stored result
    const row = await waitFor(async () => {
      const r = await findThemeSet(t.runtime.db, tenant, industry, 30);
      return r && Number(r.stamp) === 17 && r.state === 'idle' ? r : undefined;
    }, 60_000, 'refresh after ingest');
    expect((row.result as { inquiries: number }).inquiries).toBe(17);
    const served = await themesOf(industry);
    expect(served.body.cache.state).toBe('fresh');
    expect(served.body.inquiries).toBe(17);
  });

  it('inquiries of another industry, of another tenant, or older than both windows leave the cache fresh', async () => {
    const industry = 'industrial_automation/cache';
    const ready = await until(industry, fresh(17), 'fresh result');
    const other = await t.newTenant('theme-cache-other');
    await post([{ text: '交期多久？', industry: 'industrial_automation/elsewhere', source: 'web_form', ts: daysAgo(1), leadId: 'x1' }]);
    await post([{ text: '交期多久？', industry, source: 'web_form', ts: daysAgo(1), leadId: 'x2' }], other);
    // 61+ days ago is before the previous window too, so it changes neither the themes nor their growth
    await post([{ text: '很久以前问过的交期问题', industry, source: 'web_form', ts: daysAgo(90), leadId: 'x3' }]);
    const still = await themesOf(industry);
    expect(still.statusCode).toBe(200);
    expect(still.body.cache).toEqual(ready.body.cache);
    // the other tenant has its own cache: its one inquiry, none of ours
    const theirs = await waitFor(async () => {
      const a = await themesOf(industry, other);
      return a.statusCode === 200 ? a : undefined;
    }, 60_000, 'other tenant themes');
    expect(theirs.body.inquiries).toBe(1);
    const ids = theirs.body.themes.flatMap((th: { members: { ids: string[] } }) => th.members.ids);
    const ours = ready.body.themes.flatMap((th: { members: { ids: string[] } }) => th.members.ids);
    expect(ids.filter((id: string) => ours.includes(id))).toEqual([]);
  });

  it('the day turning makes the result stale (the window moved)', async () => {
    const industry = 'industrial_automation/cache';
    await until(industry, fresh(17), 'fresh result');
    const deps = { db: t.runtime.db, queue: t.runtime.queue, config: t.runtime.config, log: t.runtime.log, themePool: t.runtime.themePool };
    const tomorrow = new Date(Date.now() + DAY);
    const answer = await cachedThemes(deps, tenant, industry, 30, tomorrow);
    expect(answer.status).toBe('ready');
    if (answer.status === 'ready') expect(answer.cache.state).toBe('stale');
  });

  it('a decision map reuses the fresh cached themes instead of clustering again; after a new inquiry it includes it', async () => {
    const industry = 'industrial_automation/map_cache';
    await post([...DELIVERY, ...DOMESTIC, ...PRICE].map((text, i) => ({ text, industry, source: 'web_form', ts: daysAgo(2), leadId: `mc${i}` })));
    const ready = await until(industry, fresh(15), 'cached themes');
    const mapOf = async () => {
      const req = await t.app.inject({ method: 'POST', url: '/v1/decision-maps', headers: t.auth(key), payload: { industry, days: 30 } });
      expect(req.statusCode).toBe(202);
      return waitFor(async () => {
        const r = (await get(`/v1/decision-maps/${req.json().id}.json`)).body;
        return r.status === 'done' ? r.map : r.status === 'failed' ? Promise.reject(new Error(r.error)) : undefined;
      }, 60_000, 'map');
    };
    // count the clusterings the jobs ask the pool for (jobs read the pool from the runtime when they run)
    const pool = t.runtime.themePool;
    let clusterings = 0;
    t.runtime.themePool = { ...pool, clusterWindow: (items, opts) => (clusterings++, pool.clusterWindow(items, opts)) };
    try {
      const map = await mapOf();
      expect(clusterings).toBe(0);
      expect(map.inquiries).toBe(15);
      const pairs = (list: { label: string; size: number }[]) => list.map((th) => [th.label, th.size]);
      expect(pairs(map.themes)).toEqual(pairs(ready.body.themes));
      // the cache is stale now: the map must not be built on the old themes
      await post([{ text: '伺服电机交期能不能再快一点？', industry, source: 'web_form', ts: daysAgo(1), leadId: 'mc-new' }]);
      const after = await mapOf();
      expect(after.inquiries).toBe(16);
      expect(clusterings).toBeGreaterThanOrEqual(1);
    } finally {
      t.runtime.themePool = pool;
    }
  });

  it('a window without inquiries answers 200 with no themes and queues nothing', async () => {
    const res = await themesOf('nothing/asked');
    expect(res.statusCode).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ inquiries: 0, themes: [], cache: expect.objectContaining({ state: 'empty' }) }));
    expect(await findThemeSet(t.runtime.db, tenant, 'nothing/asked', 30)).toBeUndefined();
  });

  it.each([
    ['industry=%3Cscript%3E&days=30', 'querystring.industry'],
    ["industry=a'%3B%20drop%20table%20inquiries--&days=30", 'querystring.industry'],
    ['days=30', 'querystring.industry'],
    ['industry=a&days=0', 'querystring.days'],
    ['industry=a&days=366', 'querystring.days'],
    ['industry=a&days=abc', 'querystring.days'],
    ['industry=a&page=0', 'querystring.page'],
    ['industry=a&pageSize=100000', 'querystring.pageSize'],
    [`industry=${'a'.repeat(5000)}`, 'querystring.industry'],
  ])('rejects ?%s with 400 naming %s', async (query, field) => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/inquiries/themes?${query}`, headers: t.auth(key) });
    const err = expectError(res, 400, 'validation_error');
    expect((err.details as { fields: { field: string }[] }).fields.map((f) => f.field)).toContain(field);
  });

  it('needs a key with the read scope', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/inquiries/themes?industry=a' });
    expect(res.statusCode).toBe(401);
  });
});

describe('themes without a worker running', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false' });
    key = await t.newTenant('theme-cache-idle');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps answering 202 queued, with one refresh claimed however often it is asked', async () => {
    const industry = 'industrial_automation/idle';
    await t.app.inject({
      method: 'POST', url: '/v1/inquiries', headers: t.auth(key),
      payload: { inquiries: DELIVERY.map((text, i) => ({ text, industry, source: 'web_form', ts: daysAgo(1), leadId: `i${i}` })) },
    });
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/inquiries/themes?industry=${industry}&days=7`, headers: t.auth(key) });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ industry, days: 7, status: 'queued', progress: 0 });
    }
    const row = await findThemeSet(t.runtime.db, 'theme-cache-idle', industry, 7);
    expect(row).toEqual(expect.objectContaining({ state: 'queued', target_stamp: '5', result: null }));
  });
});

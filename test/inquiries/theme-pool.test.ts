import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findThemeSet } from '../../src/inquiries/repo.js';
import { createThemePool } from '../../src/inquiries/theme-pool.js';
import { clusterWindow } from '../../src/inquiries/theme-worker.js';
import { createTestApp, waitFor, type TestApp } from '../helpers/app.js';
import { syntheticInquiries } from '../helpers/synthetic-inquiries.js';

/** n distinct mixed Chinese/English inquiries on five topics. */
const inquiryTexts = (n: number) => syntheticInquiries(n, { topics: 5, numberPrefix: '编号' });

describe('theme pool: clustering on worker threads', () => {
  it('gives the same themes as clustering inline (same input, same seed), and reports progress', async () => {
    const items = inquiryTexts(400).map((text, i) => ({ id: `q${i}`, text, terms: [] }));
    const pool = createThemePool(1);
    try {
      const stages: number[] = [];
      const viaPool = await pool.clusterWindow(items, { seed: 42, onProgress: async (p) => void stages.push(p) });
      expect(viaPool).toEqual(clusterWindow({ items, seed: 42 }));
      expect(viaPool.clusters.length).toBeGreaterThanOrEqual(2);
      expect(viaPool.clusters.flatMap((c) => c.memberIds).sort()).toEqual(items.map((i) => i.id).sort());
      expect(stages).toEqual([40]);
      // a second run on the warm thread: still the same
      expect(await pool.clusterWindow(items, { seed: 42 })).toEqual(viaPool);
    } finally {
      await pool.close();
    }
  });

  it('with two threads, two windows cluster at once and each gets its own result', async () => {
    const pool = createThemePool(2);
    try {
      const a = inquiryTexts(300).map((text, i) => ({ id: `a${i}`, text, terms: [] }));
      const b = inquiryTexts(500).slice(200).map((text, i) => ({ id: `b${i}`, text, terms: [] }));
      const [ra, rb] = await Promise.all([pool.clusterWindow(a, { seed: 42 }), pool.clusterWindow(b, { seed: 7 })]);
      expect(ra).toEqual(clusterWindow({ items: a, seed: 42 }));
      expect(rb).toEqual(clusterWindow({ items: b, seed: 7 }));
    } finally {
      await pool.close();
    }
  });

  it('close() ends a running clustering (the job fails instead of holding shutdown) and refuses new work', async () => {
    const pool = createThemePool(1);
    const items = inquiryTexts(3000).map((text, i) => ({ id: `q${i}`, text, terms: [] }));
    let started = false;
    const running = pool.clusterWindow(items, { seed: 42, onProgress: async () => void (started = true) });
    const outcome = running.then(() => 'finished', () => 'rejected');
    await waitFor(async () => started, 60_000, 'the worker to start clustering');
    await pool.close();
    expect(await outcome).toBe('rejected');
    await expect(pool.clusterWindow(items, { seed: 42 })).rejects.toThrow(/closed/);
  });
});

describe('a themes refresh leaves the API responsive', () => {
  let t: TestApp;
  let key: string;
  const tenant = 'theme-pool-tenant';
  const industry = 'industrial_automation/pool';
  const N = 3000;
  beforeAll(async () => {
    t = await createTestApp();
    key = await t.newTenant(tenant);
    const texts = inquiryTexts(N);
    const ts = new Date(Date.now() - 86_400_000).toISOString();
    for (let at = 0; at < N; at += 1000) {
      const inquiries = texts.slice(at, at + 1000).map((text, i) => ({ text, industry, source: 'web_form', ts, leadId: `lead-${at + i}` }));
      const res = await t.app.inject({ method: 'POST', url: '/v1/inquiries', headers: t.auth(key), payload: { inquiries } });
      expect(res.statusCode).toBe(202);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it(`GET /health keeps answering while ${N} inquiries are clustered, and the event loop is never held for long`, async () => {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const first = await t.app.inject({ method: 'GET', url: `/v1/inquiries/themes?industry=${industry}&days=30`, headers: t.auth(key) });
    expect(first.statusCode).toBe(202);
    const started = performance.now();
    // Health is asked again and again until the refresh is done; each answer notes the theme set's state right after it.
    const answeredDuringClustering: number[] = [];
    for (;;) {
      const health = await t.app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(200);
      const row = await findThemeSet(t.runtime.db, tenant, industry, 30);
      if (row?.state === 'idle' || row?.state === 'failed') break;
      // progress 40 comes from the worker thread once the vectors exist; 90 is set after clustering returns
      if (row?.state === 'running' && row.progress >= 40 && row.progress < 90) answeredDuringClustering.push(row.progress);
      await new Promise((r) => setTimeout(r, 20));
    }
    const refreshMs = performance.now() - started;
    delay.disable();
    const row = await findThemeSet(t.runtime.db, tenant, industry, 30);
    expect(row?.state).toBe('idle');
    expect(row?.result).not.toBeNull();
    const done = await t.app.inject({ method: 'GET', url: `/v1/inquiries/themes?industry=${industry}&days=30&pageSize=1`, headers: t.auth(key) });
    expect(done.statusCode).toBe(200);
    expect(done.json().inquiries).toBe(N);
    // Ordering, not speed: health answers arrived while the worker was still clustering …
    expect(answeredDuringClustering.length).toBeGreaterThanOrEqual(3);
    // … and no single stall of the event loop came near the length of the refresh (inline, one stall was most of it).
    const maxStallMs = delay.max / 1e6;
    expect(maxStallMs).toBeLessThan(refreshMs / 4);
  }, 120_000);
});

// Console page load in a real Chromium against the real server (a child process), measured with
// the browser's Navigation Timing. Seeds a team of 20 reps with a month of CRM activity, a one-hour
// 1,000-segment call (the heaviest call page) and 60 short calls (a review queue of ~100 items).
// Embedded PGlite by default; set DATABASE_URL (and REDIS_URL) to measure the production layout.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { freePort, startServer, stopServer, waitForHealth } from './server-process.js';
import { median, table } from './util.js';

const LOADS = Number(process.env.BENCH_LOADS ?? 15);
const REPS = 20;
const SHORT_CALLS = 60;
const KEY = `bench-${randomBytes(8).toString('hex')}`;
const SCHEMA = `bench_console_${randomBytes(4).toString('hex')}`;

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;

async function api(base: string, method: string, url: string, body?: unknown) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const CUSTOMER_LINES = [
  '这批货最快什么时候能到？我们产线等不起。', '价格比预算高了一点，能不能再便宜点？', '数据安全这块你们有等保认证吗？',
  '别家报价比你们低不少。', '实施周期要多久，会不会影响现在的生产？', '这个要领导拍板，我们还得走采购流程。',
];
const REP_LINES = ['好的，我理解您的顾虑。', '我们苏州仓有现货，标准品两周交付。', '我把方案和报价整理好发您。', '您看下周二方便做个演示吗？'];

function transcript(segments: number, seed: number) {
  const out = [];
  let t = 0;
  for (let i = 0; i < segments; i++) {
    const rep = i % 2 === 0;
    const lines = rep ? REP_LINES : CUSTOMER_LINES;
    const len = 2 + ((i * 7 + seed) % 5);
    out.push({ speaker: rep ? '销售' : '客户', role: rep ? 'rep' : 'customer', start: t, end: t + len, text: lines[(i + seed) % lines.length]! });
    t += len + 0.6;
  }
  return out;
}

async function seed(base: string) {
  const month = new Date().toISOString().slice(0, 7);
  const start = Date.parse(`${month}-01T00:00:00Z`);
  const span = Math.max(3600_000, Date.now() - 3600_000 - start);
  for (let r = 0; r < REPS; r++) await api(base, 'PUT', `/v1/reps/rep-${r}`, { name: `销售 ${r}`, capacity: 50, team: 'east' });
  const activities = [];
  let n = 0;
  for (let r = 0; r < REPS; r++) {
    for (let l = 0; l < 40; l++) {
      const lead = `lead-${r}-${l}`;
      const at = start + ((r * 40 + l) * 7919_000) % span;
      const iso = (dt: number) => new Date(Math.min(Date.now() - 60_000, at + dt)).toISOString();
      activities.push({ id: `e${n++}`, type: 'lead_assigned', at: iso(0), repId: `rep-${r}`, leadId: lead });
      activities.push({ id: `e${n++}`, type: 'first_touch', at: iso(((l + r) % 5) * 3600_000), repId: `rep-${r}`, leadId: lead });
      if (l % 2 === 0) activities.push({ id: `e${n++}`, type: 'stage_changed', at: iso(4 * 3600_000), leadId: lead, stage: 'need_clarified', repId: `rep-${r}` });
      if (l % 4 === 0) activities.push({ id: `e${n++}`, type: 'stage_changed', at: iso(5 * 3600_000), leadId: lead, stage: 'demo_accepted', repId: `rep-${r}` });
      if (l % 3 === 0) activities.push({ id: `e${n++}`, type: 'quote_submitted', at: iso(3600_000), repId: `rep-${r}`, leadId: lead, quoteId: `q-${r}-${l}` });
    }
  }
  for (let i = 0; i < activities.length; i += 1000) await api(base, 'POST', '/v1/activities', { activities: activities.slice(i, i + 1000) });
  const long = await api(base, 'POST', '/v1/recordings', { repId: 'rep-0', leadId: 'lead-0-0', language: 'zh', transcript: transcript(1000, 1) });
  const ids = [long.id as string];
  for (let c = 0; c < SHORT_CALLS; c++) {
    ids.push((await api(base, 'POST', '/v1/recordings', { repId: `rep-${c % REPS}`, leadId: `lead-${c % REPS}-${c % 40}`, language: 'zh', transcript: transcript(12, c) })).id);
  }
  for (;;) {
    const statuses = await Promise.all(ids.map(async (id) => (await api(base, 'GET', `/v1/recordings/${id}`)).status as string));
    if (statuses.every((s) => s === 'analyzed')) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  // Suggestions come from a job after each analysis: wait until their number settles.
  let suggestions = -1;
  for (let stable = 0; stable < 4; ) {
    await new Promise((r) => setTimeout(r, 500));
    const total = (await api(base, 'GET', '/v1/coaching/suggestions?status=pending&limit=1')).total as number;
    stable = total === suggestions ? stable + 1 : 0;
    suggestions = total;
  }
  return { callId: long.id as string, month, events: activities.length, suggestions };
}

async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), 'dealsense-bench-console-'));
  const { DATABASE_URL, REDIS_URL } = process.env;
  const env: Record<string, string> = { ADMIN_API_KEY: KEY, DATA_DIR: dataDir, LOG_LEVEL: 'warn', NODE_ENV: 'production' };
  if (DATABASE_URL) Object.assign(env, { DATABASE_URL, DATABASE_SCHEMA: SCHEMA });
  if (REDIS_URL) Object.assign(env, { REDIS_URL, QUEUE_PREFIX: SCHEMA });
  const server = startServer(await freePort(), env);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    await waitForHealth(server);
    const base = `http://127.0.0.1:${server.port}`;
    console.log(`back-end: ${DATABASE_URL ? 'PostgreSQL' : 'PGlite'} + ${REDIS_URL ? 'Redis/BullMQ' : 'in-process queue'}; seeding…`);
    const s = await seed(base);
    console.log(`seeded: ${REPS} reps, ${s.events} activity events, a 1,000-segment call, ${SHORT_CALLS} short calls, ${s.suggestions} pending suggestions`);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/console/login`);
    await page.fill('#key', KEY);
    await Promise.all([page.waitForURL('**/console/review'), page.click('#sign-in')]);
    const pages: [string, string][] = [
      ['review queue', '/console/review'],
      ['call (1,000 segments)', `/console/calls/${s.callId}`],
      ['rep (metrics + ECharts funnel)', `/console/reps/rep-0?month=${s.month}`],
      ['team overview (20 reps)', `/console/team?team=east&month=${s.month}`],
    ];
    const rows = [['page', 'server response p50', 'DOMContentLoaded p50', 'load p50', 'load p95', 'load max', 'HTML size']];
    for (const [name, url] of pages) {
      const t: { response: number[]; dcl: number[]; load: number[] } = { response: [], dcl: [], load: [] };
      let size = 0;
      for (let i = 0; i < LOADS + 1; i++) {
        await page.goto(`${base}${url}`, { waitUntil: 'load' });
        const n = await page.evaluate(() => {
          const e = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
          return { response: e.responseEnd - e.requestStart, dcl: e.domContentLoadedEventEnd - e.startTime, load: e.loadEventEnd - e.startTime, size: e.decodedBodySize };
        });
        if (i === 0) continue; // the first load warms caches (templates, ECharts)
        t.response.push(n.response);
        t.dcl.push(n.dcl);
        t.load.push(n.load);
        size = n.size;
      }
      rows.push([name, ms(median(t.response)), ms(median(t.dcl)), ms(median(t.load)), ms(p95(t.load)), ms(Math.max(...t.load)), `${(size / 1024).toFixed(0)} KB`]);
    }
    console.log(`\nconsole page loads in headless Chromium (${LOADS} loads each after one warm-up; target: < 1 s)\n`);
    console.log(table(rows));
    await context.close();
  } finally {
    await browser.close();
    await stopServer(server, 15_000);
    if (DATABASE_URL) {
      const c = new pg.Client({ connectionString: DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).finally(() => c.end());
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();

// `npm run bench:signals`: browsing-signal ingest in production mode.
// The API server (RUN_WORKERS=false) and one separate worker process on PostgreSQL + Redis;
// autocannon posts 100-event batches to POST /v1/signals/events for BENCH_SECONDS (30). During
// Load 1 offers 6,000 events/s (60 batches/s, open loop) for BENCH_SECONDS; during it, planted leads
// read the data-security whitepaper long enough to fire a rule, and the bench measures from sending
// their events to their push row existing. Load 2 sends as fast as the server answers (closed loop,
// BENCH_CONNECTIONS). The same closed-loop load then runs against a bare Fastify route that only
// answers 202 (a child process too): the ceiling on this machine.
// Targets (≥ 5,000 events/s, p99 < 100 ms, trigger → push < 5 s) are printed as met / NOT met.
//
// Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), REDIS_URL
// (default redis://127.0.0.1:6379), BENCH_SECONDS (30), BENCH_CONNECTIONS (16), BENCH_PLANTS (5),
// BENCH_RATE (events/s offered in load 1, 6000).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import pg from 'pg';
import { freePort, REPO_ROOT, startServer, stopServer, waitForHealth, type Server } from './server-process.js';
import { dropRedisPrefix, table } from './util.js';
import { seededRandom } from '../src/platform/random.js';

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env.BENCH_SECONDS || 30);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || 16);
const PLANTS = Number(process.env.BENCH_PLANTS || 5);
const RATE_CONNECTIONS = 10;
/** Events/s offered in load 1 (the target plus 20 %). */
const OFFERED_EPS = Number(process.env.BENCH_RATE || 6000);
const BATCH = 100;
const SCHEMA = `bench_signals_${process.pid}`;
const QUEUE_PREFIX = `bench-signals-${process.pid}-${Date.now().toString(36)}`;
const API_KEY = `bench-${randomBytes(16).toString('hex')}`;
const TENANT = 'default';
const LEADS = 500;
const VISITORS = 5000;
const TARGET_EPS = 5000;
const TARGET_P99_MS = 100;
const TARGET_TRIGGER_MS = 5000;
const WHITEPAPER = 'https://www.example.com/whitepapers/data-security';

const log = (s = '') => console.log(s);
const f1 = (x: number) => x.toFixed(1);
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

// ---- the load: 100-event batches from 10 browsers each, 1 in 5 a known lead ----

const PAGES = [
  { url: 'https://www.example.com/products/plc', title: 'PLC 控制器', tags: ['product', 'automation'] },
  { url: 'https://www.example.com/pricing', title: '价格方案', tags: ['pricing'] },
  { url: 'https://www.example.com/cases/auto-parts', title: '汽配行业案例', tags: ['case'] },
  { url: 'https://www.example.com/blog/mes', title: 'MES 选型指南', tags: ['blog'] },
];

function batchMaker(seed: number) {
  const r = seededRandom(seed);
  return () => {
    const events: object[] = [];
    const now = Date.now();
    for (let v = 0; v < 10; v++) {
      const visitor = Math.floor(r() * VISITORS);
      const lead = visitor % 5 === 0 ? { leadId: `lead-${visitor % LEADS}` } : {};
      const page = PAGES[Math.floor(r() * PAGES.length)]!;
      for (let i = 0; i < BATCH / 10; i++) {
        events.push({
          id: randomUUID(), visitorId: `v-${visitor}`, ...lead, type: i === 0 ? 'pageview' : 'heartbeat', url: page.url, title: page.title, tags: page.tags,
          ts: now - (10 - i) * 15_000, ...(i === 0 ? {} : { dwellMs: 15_000 }),
        });
      }
    }
    return JSON.stringify({ events });
  };
}

interface LoadResult {
  requests: number;
  non2xx: number;
  errors: number;
  seconds: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

async function load(port: number, seconds: number, seed: number, auth: boolean, ratePerSec?: number): Promise<LoadResult> {
  const make = batchMaker(seed);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    // Rate-limited: fewer connections, since autocannon fires each connection's share of the rate
    // in bursts (a burst of 16 batches at once measures the burst more than the server), but
    // enough that one slow answer does not hold the offered rate back.
    connections: ratePerSec ? RATE_CONNECTIONS : CONNECTIONS,
    duration: seconds,
    ...(ratePerSec ? { overallRate: ratePerSec } : {}),
    requests: [
      {
        method: 'POST',
        path: '/v1/signals/events',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${API_KEY}` } : {}) },
        setupRequest: (req) => ({ ...req, body: make() }),
      },
    ],
  });
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    seconds: result.duration,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  };
}

// ---- processes ----

function startWorker(env: Record<string, string>): { child: ChildProcess; tail: () => string } {
  const inherited = ['PATH', 'HOME', 'LANG', 'TMPDIR'];
  const base = Object.fromEntries(inherited.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/index.ts'], { cwd: REPO_ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString('utf8')).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, tail: () => out.trim() };
}

async function stopChild(child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

async function api(port: number, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A planted lead reads the whitepaper for 3 min 45 s (one batch); resolves with the ms until its push row exists. */
async function plant(port: number, db: pg.Pool, leadId: string): Promise<number> {
  const end = Date.now() - 1000;
  const events = [
    { id: randomUUID(), visitorId: `v-${leadId}`, leadId, type: 'pageview', url: WHITEPAPER, title: '数据安全白皮书', tags: ['security'], ts: end - 16 * 15_000 },
    ...Array.from({ length: 15 }, (_, i) => ({
      id: randomUUID(), visitorId: `v-${leadId}`, leadId, type: 'heartbeat', url: WHITEPAPER, title: '数据安全白皮书', tags: ['security'], ts: end - (15 - i) * 15_000, dwellMs: 15_000,
    })),
  ];
  const t0 = performance.now();
  await api(port, 'POST', '/v1/signals/events', { events });
  for (;;) {
    const rows = await db.query('SELECT 1 FROM pushes WHERE tenant_id = $1 AND lead_id = $2', [TENANT, leadId]);
    if (rows.rowCount) return performance.now() - t0;
    if (performance.now() - t0 > 120_000) return Number.POSITIVE_INFINITY;
    await sleep(20);
  }
}

/** Rule-evaluation jobs not yet done: waiting, running, or delayed to their slot (the periodic intent and decay jobs are not backlog). */
async function backlog(redis: Redis, prefix: string): Promise<number> {
  const delayed = (await redis.zrange(`${prefix}:signals:delayed`, '0', '-1')).filter((id) => id.startsWith('eval.')).length;
  return (await redis.llen(`${prefix}:signals:wait`)) + (await redis.llen(`${prefix}:signals:active`)) + delayed;
}

/** Waits until the worker has no rule evaluation left to do. */
async function drained(prefix: string, timeoutMs = 120_000): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  try {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if ((await backlog(redis, prefix)) === 0) return;
      await sleep(200);
    }
  } finally {
    redis.disconnect();
  }
}


// ---- main ----

async function main(): Promise<number> {
  log(`bench:signals — ${BATCH}-event batches, ${CONNECTIONS} connections × ${SECONDS} s; API (RUN_WORKERS=false) + 1 worker process`);
  log(`database ${DATABASE_URL} schema ${SCHEMA}; redis ${REDIS_URL} prefix ${QUEUE_PREFIX}; node ${process.version}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'dealsense-bench-signals-'));
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 3, application_name: 'dealsense-bench', options: `-c search_path=${SCHEMA},public` });
  const env = { DATABASE_URL, DATABASE_SCHEMA: SCHEMA, REDIS_URL, QUEUE_PREFIX, ADMIN_API_KEY: API_KEY, LOG_LEVEL: 'warn', DATA_DIR: dataDir, NODE_ENV: 'production' };
  let server: Server | undefined;
  let bare: Server | undefined;
  let worker: ReturnType<typeof startWorker> | undefined;
  try {
    const port = await freePort();
    server = startServer(port, { ...env, RUN_WORKERS: 'false' });
    await waitForHealth(server);
    worker = startWorker({ ...env, RUN_WORKERS: 'true' });
    log(`server pid ${server.child.pid} on :${port}; worker pid ${worker.child.pid}`);

    // Setup through the API: a rep with leads, the content library, one rule.
    await api(port, 'PUT', '/v1/reps/r-bench', { name: 'Bench Rep', industries: ['manufacturing/automotive'], capacity: 10_000 });
    for (let i = 0; i < LEADS; i += 25) {
      await Promise.all(
        Array.from({ length: Math.min(25, LEADS - i) }, (_, j) =>
          api(port, 'POST', '/v1/leads', { id: `lead-${i + j}`, source: 'website_form', industry: 'manufacturing/automotive', repId: 'r-bench' }),
        ),
      );
    }
    for (let p = 0; p < PLANTS; p++) {
      await api(port, 'POST', '/v1/leads', { id: `planted-${p}`, source: 'website_form', industry: 'manufacturing/automotive', company: `种子客户 ${p}`, repId: 'r-bench' });
    }
    await api(port, 'POST', '/v1/content', { title: 'GDPR/PIPL 合规检查清单', url: 'https://www.example.com/checklists/gdpr-pipl', language: 'zh', tags: ['security', 'compliance'], description: '数据安全 合规 检查清单' });
    await api(port, 'POST', '/v1/content', { title: 'PLC 产线改造案例', url: 'https://www.example.com/cases/plc', language: 'zh', tags: ['automation'], description: 'PLC 产线 自动化' });
    await api(port, 'POST', '/v1/signals/rules', { name: 'security whitepaper readers', pages: { tags: ['security'] }, event: 'dwell', minDwellSec: 180 });
    log(`seeded ${LEADS + PLANTS} leads, 2 content items, 1 rule (dwell ≥ 180 s on pages tagged security); traffic pages are not tagged security, so only planted leads fire`);

    // Steady state: the known browsers were identified before (a browser is identified once; the
    // load then carries their lead ids on every event, as the tracker does after identify()).
    const known = Array.from({ length: VISITORS }, (_, v) => v).filter((v) => v % 5 === 0);
    for (let i = 0; i < known.length; i += 500) {
      await api(port, 'POST', '/v1/signals/events', {
        events: known.slice(i, i + 500).map((v) => ({ id: randomUUID(), visitorId: `v-${v}`, leadId: `lead-${v % LEADS}`, type: 'identify', url: 'https://www.example.com/', ts: Date.now() - 3_600_000 })),
      });
    }
    await drained(QUEUE_PREFIX);
    log(`identified ${known.length} of ${VISITORS} browsers beforehand; in the load, 1 browser in 5 sends its lead id (as the tracker does after identify), the rest are anonymous`);

    // Warm-up (JIT, pool connections), not measured.
    await load(port, 3, 1, true);

    // 1. Open loop at the target rate: latency as a client sending 6,000 events/s sees it.
    const rate = Math.ceil(OFFERED_EPS / BATCH);
    log(`\nload 1: POST /v1/signals/events at ${rate} batches/s (${rate * BATCH} events/s, ${RATE_CONNECTIONS} connections) for ${SECONDS} s; ${PLANTS} planted leads fire the rule during it …`);
    const before = Number((await admin.query('SELECT count(*) AS n FROM signal_events')).rows[0].n);
    const plants: Promise<number>[] = [];
    const planting = (async () => {
      for (let p = 0; p < PLANTS; p++) {
        await sleep((SECONDS * 1000) / (PLANTS + 1));
        plants.push(plant(port, admin, `planted-${p}`));
      }
    })();
    const atRate = await load(port, SECONDS, 2, true, rate);
    await planting;
    const triggerMs = await Promise.all(plants);
    const stored = Number((await admin.query('SELECT count(*) AS n FROM signal_events')).rows[0].n) - before;

    // The worker's backlog right after the load: evaluation jobs still waiting.
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
    const waiting = await backlog(redis, QUEUE_PREFIX);
    redis.disconnect();
    const tDrain = performance.now();
    await drained(QUEUE_PREFIX);
    const drainMs = performance.now() - tDrain;

    // 2. Closed loop, as fast as the server answers: the most it takes on this machine.
    log(`load 2: ${CONNECTIONS} connections as fast as answered for ${SECONDS} s …`);
    const real = await load(port, SECONDS, 3, true);

    await stopChild(worker.child);
    await stopServer(server, 45_000);

    // The ceiling: the same closed-loop load against a bare Fastify route.
    const barePort = await freePort();
    bare = startBare(barePort);
    await waitForPort(barePort);
    await load(barePort, 3, 1, false);
    const ceiling = await load(barePort, SECONDS, 3, false);

    const eps = (r: LoadResult) => ((r.requests - r.non2xx) * BATCH) / r.seconds;
    log('');
    log(
      table([
        ['figure', `dealsense at ${rate * BATCH} events/s`, 'dealsense, max (closed loop)', 'bare Fastify 202 (closed loop)'],
        ['requests (100 events each)', atRate.requests.toLocaleString('en'), real.requests.toLocaleString('en'), ceiling.requests.toLocaleString('en')],
        ['non-2xx / errors', `${atRate.non2xx} / ${atRate.errors}`, `${real.non2xx} / ${real.errors}`, `${ceiling.non2xx} / ${ceiling.errors}`],
        ['events/s', f1(eps(atRate)), f1(eps(real)), f1(eps(ceiling))],
        ['latency p50', `${atRate.p50} ms`, `${real.p50} ms`, `${ceiling.p50} ms`],
        ['latency p90', `${atRate.p90} ms`, `${real.p90} ms`, `${ceiling.p90} ms`],
        ['latency p99', `${atRate.p99} ms`, `${real.p99} ms`, `${ceiling.p99} ms`],
        ['latency max', `${atRate.max} ms`, `${real.max} ms`, `${ceiling.max} ms`],
      ]),
    );
    log(`\nload 1: events stored ${stored.toLocaleString('en')} (answered 2xx: ${((atRate.requests - atRate.non2xx) * BATCH).toLocaleString('en')}); rule evaluations not yet done at the end: ${waiting} (worker done ${f1(drainMs / 1000)} s later)`);
    log(`trigger → push row (send of the planted batch until its push row exists): ${triggerMs.map((ms) => `${Number.isFinite(ms) ? f1(ms) : 'none after 120 s'} ms`).join(', ')}`);
    log(`machine load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores (other work on the machine shares them)`);
    const worst = Math.max(...triggerMs);
    log('\ntargets:');
    log(`  ≥ ${TARGET_EPS} events/s: ${met(eps(real) >= TARGET_EPS)} (max ${f1(eps(real))}; ${f1(eps(atRate))} at the offered ${rate * BATCH})`);
    log(`  p99 < ${TARGET_P99_MS} ms at ${rate * BATCH} events/s: ${met(atRate.p99 < TARGET_P99_MS)} (${atRate.p99} ms; closed loop at max: ${real.p99} ms)`);
    log(`  trigger → push < ${TARGET_TRIGGER_MS} ms at that load: ${met(worst < TARGET_TRIGGER_MS)} (worst ${f1(worst)} ms)`);
    return real.errors + real.non2xx + atRate.errors + atRate.non2xx > 0 ? 1 : 0;
  } finally {
    if (worker) await stopChild(worker.child);
    if (server) await stopServer(server, 45_000);
    if (bare) await stopServer(bare, 5_000);
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch((err: Error) => log(`drop schema failed: ${err.message}`));
    await admin.end();
    const keys = await dropRedisPrefix(REDIS_URL, QUEUE_PREFIX).catch(() => 0);
    rmSync(dataDir, { recursive: true, force: true });
    log(`\ncleaned up: schema ${SCHEMA} dropped, ${keys} Redis keys under ${QUEUE_PREFIX} deleted`);
  }
}

function startBare(port: number): Server {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-202.ts'], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: 'ignore' });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, port, exited, logTail: () => '' };
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);
    if (ok) return;
    await sleep(100);
  }
  throw new Error('bare server did not start');
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

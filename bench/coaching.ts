// `npm run bench:coaching`: health score and funnel at scale on PostgreSQL.
// 200 reps in 10 teams, 12 closed months, 1,000,000 CRM activity events loaded through the real
// ingest path (ingestActivities: raw events + the derived per-customer tables, batches of 1,000,
// partly out of order), then the real API server (a child process) answers a team's monthly health
// page (all its reps) and the team funnel; p50/p95 over repeated requests. Target: < 300 ms.
//
// Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), REDIS_URL
// (default redis://127.0.0.1:6379), BENCH_EVENTS (1000000), BENCH_REQUESTS (50), BENCH_KEEP=1 keeps the schema.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { upsertRep } from '../src/assignment/repo.js';
import { ingestActivities, type Activity } from '../src/coaching/activities.js';
import { recomputeDirty } from '../src/coaching/interventions.js';
import { addMonths, monthName, monthStart } from '../src/coaching/months.js';
import { openDb } from '../src/platform/db.js';
import { migrate } from '../src/platform/migrate.js';
import type { JobQueue } from '../src/platform/queue.js';
import { seededRandom } from '../src/platform/random.js';
import { freePort, startServer, stopServer, waitForHealth } from './server-process.js';
import { table } from './util.js';

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const EVENTS = Number(process.env.BENCH_EVENTS || 1_000_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS || 50);
const SCHEMA = `bench_coach_${process.pid}`;
const API_KEY = `bench-${randomBytes(16).toString('hex')}`;
const TENANT = 'default';
const REPS = 200;
const TEAMS = 10;
const MONTHS = 12;
const TARGET_MS = 300;

const log = (s = '') => console.log(s);
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

/** Jobs are not run while loading: the recompute is timed separately afterwards. */
const noQueue: JobQueue = { kind: 'in-process', add: async () => {}, work: () => {}, ping: async () => true, close: async () => {} };

/** One customer's life with a rep: ~10 events on average. */
function* leadEvents(rnd: () => number, repId: string, leadId: string, t0: number): Generator<Activity> {
  const h = 3600_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  let n = 0;
  const id = () => `${leadId}-${n++}`;
  yield { id: id(), type: 'lead_assigned', repId, leadId, at: iso(t0) };
  const touch = t0 + (rnd() < 0.8 ? rnd() * 2 : 2 + rnd() * 30) * h;
  yield { id: id(), type: 'first_touch', repId, leadId, at: iso(touch) };
  yield { id: id(), type: 'stage_changed', leadId, stage: 'response', at: iso(touch) };
  let t = touch + rnd() * 72 * h;
  const quote = `${leadId}-q`;
  yield { id: id(), type: 'quote_submitted', repId, leadId, quoteId: quote, at: iso(t) };
  if (rnd() < 0.8) yield { id: id(), type: 'quote_feedback', leadId, quoteId: quote, at: iso(t + rnd() * 80 * h) };
  for (let k = 0; k < 2; k++) yield { id: id(), type: 'value_metric_updated', repId, leadId, metric: 'oee', value: rnd(), at: iso(t0 + rnd() * 80 * 24 * h) };
  const task = `${leadId}-k`;
  yield { id: id(), type: 'task_created', repId, taskId: task, leadId, department: 'finance', at: iso(t) };
  if (rnd() < 0.9) yield { id: id(), type: 'task_responded', taskId: task, at: iso(t + rnd() * 8 * h) };
  if (rnd() < 0.6) {
    t += rnd() * 10 * 24 * h;
    yield { id: id(), type: 'stage_changed', leadId, stage: 'need_clarified', at: iso(t) };
    if (rnd() < 0.55) {
      t += rnd() * 10 * 24 * h;
      yield { id: id(), type: 'stage_changed', leadId, stage: 'demo_accepted', at: iso(t) };
      if (rnd() < 0.5) yield { id: id(), type: 'stage_changed', leadId, stage: 'contract_signed', at: iso(t + rnd() * 20 * 24 * h) };
    }
  }
  if (rnd() < 0.3) yield { id: id(), type: 'stage_changed', leadId, stage: 'lost', at: iso(t + 5 * 24 * h) };
}

/** Events for every rep over the 12 closed months, chronological per lead, shuffled within chunks (late arrivals). */
function* allEvents(first: Date, last: Date): Generator<Activity[]> {
  const rnd = seededRandom(7);
  const span = last.getTime() - first.getTime();
  let produced = 0;
  let lead = 0;
  let chunk: Activity[] = [];
  while (produced < EVENTS) {
    const repId = `rep-${String(lead % REPS).padStart(3, '0')}`;
    const t0 = first.getTime() + rnd() * span * 0.97;
    for (const e of leadEvents(rnd, repId, `lead-${lead}`, t0)) {
      if (Date.parse(e.at) >= last.getTime() || produced >= EVENTS) continue;
      chunk.push(e);
      produced++;
    }
    lead++;
    if (chunk.length >= 5000 || produced >= EVENTS) {
      for (let i = chunk.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [chunk[i], chunk[j]] = [chunk[j]!, chunk[i]!];
      }
      for (let i = 0; i < chunk.length; i += 1000) yield chunk.slice(i, i + 1000);
      chunk = [];
    }
  }
}

function get(agent: Agent, port: number, path: string): Promise<{ status: number; ms: number; bytes: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent, headers: { authorization: `Bearer ${API_KEY}` } }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function timeRoute(agent: Agent, port: number, name: string, path: string) {
  for (let i = 0; i < 10; i++) await get(agent, port, path); // warm-up
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const r = await get(agent, port, path);
    if (r.status !== 200) throw new Error(`${path} answered ${r.status}`);
    ms.push(r.ms);
    bytes = r.bytes;
  }
  ms.sort((a, b) => a - b);
  return { name, p50: pct(ms, 50), p95: pct(ms, 95), max: ms[ms.length - 1]!, kb: bytes / 1024 };
}

async function main() {
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query('CREATE EXTENSION IF NOT EXISTS vector');
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-coaching-'));
  const db = await openDb({ databaseUrl: DATABASE_URL, schema: SCHEMA, dataDir });
  let server: ReturnType<typeof startServer> | undefined;
  try {
    await migrate(db);
    await db.query(`INSERT INTO tenants (id, name) VALUES ($1, 'Bench') ON CONFLICT DO NOTHING`, [TENANT]);
    for (let i = 0; i < REPS; i++) {
      await upsertRep(db, TENANT, {
        id: `rep-${String(i).padStart(3, '0')}`, name: `Rep ${i}`, email: null, industries: [], skills: [], capacity: 1000, active: true,
        timezone: 'Asia/Shanghai', working_hours: null, wecom_webhook: null, team: `team-${i % TEAMS}`, manager_id: `mgr-${i % TEAMS}`,
      });
    }
    const current = monthStart(new Date());
    const first = addMonths(current, -MONTHS);
    log(`dealsense coaching bench: ${REPS} reps in ${TEAMS} teams, ${MONTHS} months (${monthName(first)} … ${monthName(addMonths(current, -1))}), ${EVENTS.toLocaleString('en')} events, PostgreSQL schema ${SCHEMA}`);

    // ---- load through the ingest path ----
    const t0 = performance.now();
    let accepted = 0;
    let batches = 0;
    for (const batch of allEvents(first, current)) {
      const r = await ingestActivities({ db, queue: noQueue }, TENANT, batch);
      accepted += r.accepted;
      if (r.rejected.length) throw new Error(`rejected: ${JSON.stringify(r.rejected.slice(0, 3))}`);
      if (++batches % 100 === 0) log(`  ${accepted.toLocaleString('en')} events ingested (${((accepted / (performance.now() - t0)) * 1000).toFixed(0)}/s)`);
    }
    const loadMs = performance.now() - t0;
    const t1 = performance.now();
    await recomputeDirty({ db, queue: noQueue, config: {} as never, log: { info() {}, warn() {}, error() {} } as never }, TENANT);
    const recomputeMs = performance.now() - t1;
    const sizes = await db.query<{ t: string; n: string }>(
      `SELECT 'coaching_activities' AS t, count(*)::text AS n FROM coaching_activities UNION ALL SELECT 'coaching_lead_reps', count(*)::text FROM coaching_lead_reps
       UNION ALL SELECT 'coaching_health_months', count(*)::text FROM coaching_health_months UNION ALL SELECT 'coaching_interventions', count(*)::text FROM coaching_interventions`,
    );
    await db.query('ANALYZE');
    log();
    log(`load: ${accepted.toLocaleString('en')} events in ${(loadMs / 1000).toFixed(1)} s (${((accepted / loadMs) * 1000).toFixed(0)} events/s, batches of 1,000)`);
    log(`recompute of every marked rep-month (stored health + intervention check): ${(recomputeMs / 1000).toFixed(1)} s`);
    log(table([['table', 'rows'], ...sizes.map((s) => [s.t, Number(s.n).toLocaleString('en')])]));

    // ---- the real server on PostgreSQL ----
    const port = await freePort();
    server = startServer(port, {
      DATABASE_URL, DATABASE_SCHEMA: SCHEMA, REDIS_URL, QUEUE_PREFIX: `bench-coach-${process.pid}`, ADMIN_API_KEY: API_KEY, RUN_WORKERS: 'false',
      LOG_LEVEL: 'warn', DATA_DIR: dataDir, NODE_ENV: 'production',
    });
    await waitForHealth(server);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const month = monthName(addMonths(current, -1));
    const results = [
      await timeRoute(agent, port, `team health page (20 reps, ${month}, rows=20)`, `/v1/coaching/health?team=team-3&month=${month}`),
      await timeRoute(agent, port, `team health page (20 reps, ${month}, rows=0)`, `/v1/coaching/health?team=team-3&month=${month}&rows=0`),
      await timeRoute(agent, port, 'one rep health (rows=20)', `/v1/coaching/health?repId=rep-003&month=${month}`),
      await timeRoute(agent, port, 'team funnel, 12 months', `/v1/coaching/funnel?team=team-3&from=${monthName(first)}&to=${month}`),
      await timeRoute(agent, port, 'team funnel, last month', `/v1/coaching/funnel?team=team-3&from=${month}&to=${month}`),
      await timeRoute(agent, port, 'all teams funnel (200 reps), 12 months', `/v1/coaching/funnel?from=${monthName(first)}&to=${month}`),
      await timeRoute(agent, port, 'funnel drill-down (rep, signing, 12 months)', `/v1/coaching/funnel/drilldown?repId=rep-003&stage=signing&from=${monthName(first)}&to=${month}`),
    ];
    agent.destroy();
    log();
    log(`HTTP, sequential keep-alive requests, ${REQUESTS} per route after 10 warm-up:`);
    log(table([
      ['route', 'p50 ms', 'p95 ms', 'max ms', 'body KB', `< ${TARGET_MS} ms (p95)`],
      ...results.map((r) => [r.name, r.p50.toFixed(1), r.p95.toFixed(1), r.max.toFixed(1), r.kb.toFixed(1), r.p95 < TARGET_MS ? 'met' : 'NOT met']),
    ]));
  } finally {
    if (server) await stopServer(server, 30_000);
    await db.close();
    if (process.env.BENCH_KEEP !== '1') await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

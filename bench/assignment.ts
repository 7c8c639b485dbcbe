// `npm run bench:assignment`: lead assignment under load against PostgreSQL + Redis.
// 500 reps, 100,000 historical leads (+ ~60,000 outcomes), then 50 concurrent keep-alive clients
// posting new leads to the real API server (a child process) for 30 s.
// Prints throughput, latency percentiles and a capacity/consistency check. Targets (p99 < 25 ms,
// no rep over capacity) are reported as met / NOT met; the exit code is non-zero only when the
// bench itself fails or requests fail (transport errors, non-2xx answers).
//
// Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), REDIS_URL
// (default redis://127.0.0.1:6379), BENCH_SECONDS (30), BENCH_CLIENTS (50), BENCH_PROFILE
// (1: afterwards, time each step of one assignment on the idle system; 0: skip), BENCH_WEBHOOK
// (1: subscribe a local receiver to lead.assigned, so every assignment is also delivered by the
// server's workers during the load; default 0: no subscriber, briefs are recorded in the outbox
// with nothing to deliver), BENCH_PROCESSES (1: the API processes; the first runs the BullMQ
// workers too, the others only serve HTTP — RUN_WORKERS=false — and the clients are spread over
// them round-robin, as behind a load balancer), BENCH_RATE (0: closed loop, each client posts
// its next lead when the answer arrives, as the issue's target is stated; N: open loop, the
// clients together offer N leads/s on a fixed schedule and latency counts from the scheduled
// send time, so waiting behind a slow answer is counted too — what a CRM posting N leads/s sees).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { Agent, createServer as createHttpServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { BENCH_RULES, leadBody, makeReps, seedHistory } from './assignment-data.js';
import { cpuAccount, profileAssignment, summarizeCpuProfile } from './assignment-profile.js';
import { freePort, REPO_ROOT, startServer, stopServer, waitForHealth, type Server } from './server-process.js';
import { dropRedisPrefix, table } from './util.js';
import { seededRandom } from '../src/platform/random.js';

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env.BENCH_SECONDS || 30);
const CLIENTS = Number(process.env.BENCH_CLIENTS || 50);
const PROFILE = (process.env.BENCH_PROFILE ?? '1') !== '0';
const WEBHOOK = process.env.BENCH_WEBHOOK === '1';
const PROCESSES = Math.max(1, Number(process.env.BENCH_PROCESSES || 1));
/** BENCH_CPU_PROF=1: run the server under `node --cpu-prof` and print where its CPU went during the load. */
const CPU_PROF = process.env.BENCH_CPU_PROF === '1';
/** BENCH_RATE=N: open loop at N leads/s offered (0: closed loop). */
const RATE = Math.max(0, Number(process.env.BENCH_RATE || 0));
const SCHEMA = `bench_assign_${process.pid}`;
const QUEUE_PREFIX = `bench-assign-${process.pid}-${Date.now().toString(36)}`;
const API_KEY = `bench-${randomBytes(16).toString('hex')}`;
const TENANT = 'default'; // ADMIN_API_KEY's tenant
const HIST_LEADS = 100_000;
const HIST_OUTCOMES = 60_000;
const RUN_PREFIX = `run-${process.pid}-`;
/** The servers' PostgreSQL connections carry this name (PGAPPNAME), so their backends can be told from other users of a shared database. */
const SERVER_APP = 'dealsense-bench-server';
const P99_TARGET_MS = 25;
const HEALTH_TIMEOUT_MS = 90_000;
const EXIT_TIMEOUT_MS = 45_000;

const log = (s = '') => console.log(s);
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const metStr = (ok: boolean) => (ok ? 'met' : 'NOT met');
const pct = (sorted: ArrayLike<number>, p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;


// ---- HTTP ----

interface Answer {
  status: number;
  body: string;
}

function call(agent: Agent, port: number, method: string, path: string, payload?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${API_KEY}` };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

// ---- sampler: what the server's PostgreSQL connections are doing ----

/** Samples pg_stat_activity: the server's connections (by PGAPPNAME), by state and wait event, and their backend pids. */
function startPgSampler(pool: pg.Pool, everyMs: number) {
  const counts = new Map<string, number>();
  const pids = new Set<number>();
  let samples = 0;
  let maxActive = 0;
  let stop = false;
  const done = (async () => {
    while (!stop) {
      const rows = await pool
        .query<{ state: string | null; wait: string | null; n: string; pids: number[] }>(
          `SELECT state, CASE WHEN wait_event IS NULL THEN NULL ELSE wait_event_type || ':' || wait_event END AS wait, count(*) AS n, array_agg(pid) AS pids
           FROM pg_stat_activity
           WHERE datname = current_database() AND backend_type = 'client backend' AND application_name = $1
           GROUP BY 1, 2`,
          [SERVER_APP],
        )
        .then((r) => r.rows, () => []);
      samples++;
      let active = 0;
      for (const r of rows) {
        for (const p of r.pids) pids.add(p);
        const key = `${r.state ?? '?'}${r.wait ? ` (${r.wait})` : ''}`;
        counts.set(key, (counts.get(key) ?? 0) + Number(r.n));
        if (r.state === 'active') active += Number(r.n);
      }
      maxActive = Math.max(maxActive, active);
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      stop = true;
      await done;
      return { samples, maxActive, pids, mean: [...counts.entries()].map(([k, v]) => ({ k, mean: v / Math.max(1, samples) })).sort((a, b) => b.mean - a.mean) };
    },
  };
}

// ---- load ----

interface LoadResult {
  latencies: Float64Array;
  startedAt: Float64Array;
  statuses: Map<number, number>;
  transportErrors: number;
  errorSamples: string[];
  assigned: number;
  pooled: number;
  duplicates: number;
  /** Assigned to another rep than its own first candidate: the first choice filled up meanwhile. */
  raceLost: number;
  contended: number;
  perRep: Map<string, number>;
  elapsedMs: number;
}

async function runLoad(ports: number[], clients: number, seconds: number, rate = 0): Promise<LoadResult> {
  const lat: number[] = [];
  const at: number[] = [];
  const statuses = new Map<number, number>();
  const perRep = new Map<string, number>();
  const errorSamples: string[] = [];
  let transportErrors = 0;
  let assigned = 0;
  let pooled = 0;
  let duplicates = 0;
  let raceLost = 0;
  let contended = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;

  const client = async (c: number) => {
    const port = ports[c % ports.length]!;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const r = seededRandom(10_000 + c);
    // Open loop: this client's sends are due every `every` ms, the clients staggered evenly.
    const every = rate > 0 ? (1000 * clients) / rate : 0;
    let n = 0;
    try {
      while (performance.now() < deadline) {
        const body = JSON.stringify(leadBody(r, `${RUN_PREFIX}${c}-${n}`));
        const due = t0 + (c / clients) * every + n * every;
        n++;
        if (rate > 0) {
          if (due >= deadline) break;
          const wait = due - performance.now();
          if (wait > 0) await sleep(wait);
        }
        const start = rate > 0 ? due : performance.now();
        let ans: Answer;
        try {
          ans = await call(agent, port, 'POST', '/v1/leads', body);
        } catch (err) {
          transportErrors++;
          if (errorSamples.length < 5) errorSamples.push(`transport: ${(err as Error).message}`);
          await sleep(10);
          continue;
        }
        const end = performance.now();
        lat.push(end - start);
        at.push(start - t0);
        statuses.set(ans.status, (statuses.get(ans.status) ?? 0) + 1);
        if (ans.status === 201 || ans.status === 200) {
          const res = JSON.parse(ans.body) as { repId: string | null; kind: string; duplicate?: boolean; candidates: { repId: string }[] };
          if (res.duplicate) duplicates++;
          else if (res.repId) {
            assigned++;
            if (res.candidates[0]?.repId !== res.repId) raceLost++;
            perRep.set(res.repId, (perRep.get(res.repId) ?? 0) + 1);
          } else pooled++;
        } else {
          if (ans.body.includes('assignment_contended')) contended++;
          if (errorSamples.length < 5) errorSamples.push(`${ans.status}: ${ans.body.slice(0, 200)}`);
        }
      }
    } finally {
      agent.destroy();
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
  const elapsedMs = performance.now() - t0;
  return {
    latencies: Float64Array.from(lat), startedAt: Float64Array.from(at), statuses, transportErrors, errorSamples, assigned, pooled, duplicates,
    raceLost, contended, perRep, elapsedMs,
  };
}

// ---- cleanup ----


/** The commit the server runs, and whether src/ has uncommitted changes. */
function sourceVersion(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'migrations'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '';
    return `commit ${head}${dirty ? ' + uncommitted src changes' : ''}`;
  } catch {
    return 'commit unknown';
  }
}

// ---- main ----

async function main(): Promise<number> {
  log(`bench:assignment — ${CLIENTS} clients × ${SECONDS} s, 500 reps, ${HIST_LEADS.toLocaleString('en')} historical leads`);
  log(`database ${DATABASE_URL} schema ${SCHEMA}; redis ${REDIS_URL} prefix ${QUEUE_PREFIX}; node ${process.version}; ${sourceVersion()}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'dealsense-bench-assign-'));
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 4, application_name: 'dealsense-bench', options: `-c search_path=${SCHEMA},public` });
  let server: Server | undefined;
  const extra: Server[] = [];
  let receiver: ReturnType<typeof createHttpServer> | undefined;
  let receivedHooks = 0;
  let failed = false;
  try {
    // 1. the real API server, single node: API + BullMQ workers in one process
    const port = await freePort();
    const tStart = performance.now();
    const profDir = join(dataDir, 'cpuprofile');
    server = startServer(
      port,
      { DATABASE_URL, DATABASE_SCHEMA: SCHEMA, REDIS_URL, QUEUE_PREFIX, RUN_WORKERS: 'true', ADMIN_API_KEY: API_KEY, LOG_LEVEL: 'warn', DATA_DIR: dataDir, PGAPPNAME: SERVER_APP },
      CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
    );
    await waitForHealth(server, HEALTH_TIMEOUT_MS);
    log(`server pid ${server.child.pid} healthy on :${port} after ${f1((performance.now() - tStart) / 1000)} s (schema created and migrated)`);
    const ports = [port];
    for (let k = 1; k < PROCESSES; k++) {
      const p = await freePort();
      const s = startServer(p, { DATABASE_URL, DATABASE_SCHEMA: SCHEMA, REDIS_URL, QUEUE_PREFIX, RUN_WORKERS: 'false', ADMIN_API_KEY: API_KEY, LOG_LEVEL: 'warn', DATA_DIR: dataDir, PGAPPNAME: SERVER_APP });
      extra.push(s);
      await waitForHealth(s, HEALTH_TIMEOUT_MS);
      ports.push(p);
    }
    log(
      PROCESSES === 1
        ? 'server layout: ONE Node process serving the API with the BullMQ workers inside it (RUN_WORKERS=true), pg pool of 10; PostgreSQL, Redis and the bench clients on the same machine'
        : `server layout: ${PROCESSES} Node API processes (pids ${[server, ...extra].map((x) => x.child.pid).join(', ')}; the first also runs the BullMQ workers), each with a pg pool of 10, clients spread round-robin; PostgreSQL, Redis and the bench clients on the same machine`,
    );

    // 2. seed: reps through the API, history with SQL
    const reps = makeReps();
    const seedAgent = new Agent({ keepAlive: true, maxSockets: 8 });
    const tReps = performance.now();
    for (let i = 0; i < reps.length; i += 8) {
      await Promise.all(
        reps.slice(i, i + 8).map(async (rep) => {
          const body = JSON.stringify({ name: rep.name, industries: rep.industries, skills: rep.skills, capacity: rep.capacity, active: rep.active });
          const ans = await call(seedAgent, port, 'PUT', `/v1/reps/${rep.id}`, body);
          if (ans.status !== 200) throw new Error(`PUT /v1/reps/${rep.id} → ${ans.status} ${ans.body}`);
        }),
      );
    }
    const rulesAns = await call(seedAgent, port, 'PUT', '/v1/assignment/rules', JSON.stringify(BENCH_RULES));
    if (WEBHOOK) {
      receiver = createHttpServer((req, res) => {
        req.resume();
        req.on('end', () => {
          receivedHooks++;
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
      const addr = receiver.address() as { port: number };
      const hook = await call(seedAgent, port, 'POST', '/v1/webhooks', JSON.stringify({ url: `http://127.0.0.1:${addr.port}/hook`, events: ['lead.assigned'] }));
      if (hook.status !== 201) throw new Error(`POST /v1/webhooks → ${hook.status} ${hook.body}`);
      log(`webhook: a local receiver subscribed to lead.assigned (every assignment is delivered by the server's workers during the load)`);
    } else {
      log('webhook: none subscribed (BENCH_WEBHOOK=1 adds one): briefs are recorded in the outbox as dispatched, nothing to deliver');
    }
    if (rulesAns.status !== 200) throw new Error(`PUT /v1/assignment/rules → ${rulesAns.status} ${rulesAns.body}`);
    seedAgent.destroy();
    const repsMs = performance.now() - tReps;
    await admin.query(
      `UPDATE reps SET open_leads = x.open FROM unnest($2::text[], $3::int[]) AS x(id, open) WHERE reps.tenant_id = $1 AND reps.id = x.id`,
      [TENANT, reps.map((r) => r.id), reps.map((r) => r.openLeads)],
    );
    const tHist = performance.now();
    const hist = await seedHistory(admin, TENANT, reps, { leads: HIST_LEADS, outcomes: HIST_OUTCOMES, batch: 5000, now: Date.now() });
    await admin.query('ANALYZE reps, leads, lead_outcomes, assignment_log, outbox_events, api_keys');
    const histMs = performance.now() - tHist;
    const small = reps.filter((r) => r.small);
    log(
      `seeded ${reps.length} reps via PUT /v1/reps/:id in ${f1(repsMs / 1000)} s (${small.length} small-capacity 5–10, ${reps.filter((r) => !r.active).length} inactive; ` +
        `capacity ${reps.reduce((a, r) => a + r.capacity, 0).toLocaleString('en')}, open at start ${reps.reduce((a, r) => a + r.openLeads, 0).toLocaleString('en')}; ` +
        `small reps ${small.reduce((a, r) => a + r.capacity - r.openLeads, 0)} free slots); rule set v${(JSON.parse(rulesAns.body) as { version: number }).version}: gt_2m budgets → key-account managers (the small reps), PLC boost`,
    );
    log(
      `seeded ${hist.leads.toLocaleString('en')} closed leads (90 days) + ${hist.outcomes.toLocaleString('en')} outcomes (60 days; ${hist.outcomesIn30d.toLocaleString('en')} in the 30-day window) with SQL in ${f1(histMs / 1000)} s`,
    );

    // 3. load
    const before = new Map(
      (await admin.query<{ id: string; open_leads: number }>('SELECT id, open_leads FROM reps WHERE tenant_id = $1', [TENANT])).rows.map((r) => [r.id, r.open_leads]),
    );
    const pids = [server, ...extra].map((x) => x.child.pid!);
    const sampler = startPgSampler(admin, 100);
    const mode = RATE > 0 ? `together offering ${RATE} leads/s (open loop; latency from the scheduled send time)` : 'each posting its next lead on the answer (closed loop)';
    log(`\nload: ${CLIENTS} keep-alive clients ${mode}, POST /v1/leads for ${SECONDS} s${CPU_PROF ? ' (server under --cpu-prof)' : ''} …`);
    const cpuDone = cpuAccount(pids);
    const loadFromUs = Number(process.hrtime.bigint() / 1000n);
    const load = await runLoad(ports, CLIENTS, SECONDS, RATE);
    const loadToUs = Number(process.hrtime.bigint() / 1000n);
    const pgStats = await sampler.stop();
    const cpu = cpuDone(pgStats.pids);

    const sorted = Float64Array.from(load.latencies).sort();
    const ok = (load.statuses.get(201) ?? 0) + (load.statuses.get(200) ?? 0);
    const requests = sorted.length + load.transportErrors;
    const errors = requests - ok;
    const secs = load.elapsedMs / 1000;
    const p99 = sorted.length ? pct(sorted, 99) : NaN;
    log('');
    log(
      table([
        ['figure', 'value'],
        ['requests', requests.toLocaleString('en')],
        ['requests/s', f1(requests / secs)],
        ['assignments (201, rep chosen)', load.assigned.toLocaleString('en')],
        ['assignments/s', f1(load.assigned / secs)],
        ['pooled (201, no rep)', `${load.pooled.toLocaleString('en')} (${f1((100 * load.pooled) / Math.max(1, ok))} % of answers)`],
        ['duplicates (200)', String(load.duplicates)],
        ['capacity races lost (assigned to a later candidate)', String(load.raceLost)],
        ['503 assignment_contended (3 races lost)', String(load.contended)],
        ['errors', `${errors}${errors ? ` (${[...load.statuses].filter(([s]) => s !== 200 && s !== 201).map(([s, n]) => `${s}×${n}`).concat(load.transportErrors ? [`transport×${load.transportErrors}`] : []).join(', ')})` : ''}`],
        ['latency p50', `${f2(pct(sorted, 50))} ms`],
        ['latency p90', `${f2(pct(sorted, 90))} ms`],
        ['latency p99', `${f2(p99)} ms`],
        ['latency max', `${f2(sorted[sorted.length - 1] ?? NaN)} ms`],
        ['elapsed', `${f2(secs)} s`],
        [PROCESSES > 1 ? `server CPU per request (all ${PROCESSES} processes)` : 'server CPU per request', `${f2((cpu.server * load.elapsedMs) / Math.max(1, requests))} ms`],
        ["PostgreSQL CPU per request (the server's backends)", `${f2((cpu.postgresServer * load.elapsedMs) / Math.max(1, requests))} ms`],
        ['CPU, cores busy (machine has ' + cpu.cores + ')', `${f2(cpu.machine)}: server ${f2(cpu.server)}, PostgreSQL ${f2(cpu.postgres)} (of which the server's connections ${f2(cpu.postgresServer)}), Redis ${f2(cpu.redis)}, bench clients ${f2(cpu.bench)}, other processes ${f2(cpu.others)}`],
      ]),
    );
    for (const e of load.errorSamples) log(`  error sample: ${e}`);

    // latency over time: 5-second windows (the first one includes the cold close-rate cache)
    const windows: string[][] = [['window', 'requests', 'p50 ms', 'p99 ms', 'max ms']];
    const w = 5000;
    for (let from = 0; from < load.elapsedMs; from += w) {
      const xs: number[] = [];
      for (let i = 0; i < load.startedAt.length; i++) if (load.startedAt[i]! >= from && load.startedAt[i]! < from + w) xs.push(load.latencies[i]!);
      if (!xs.length) continue;
      xs.sort((a, b) => a - b);
      windows.push([`${from / 1000}–${(from + w) / 1000} s`, String(xs.length), f2(pct(xs, 50)), f2(pct(xs, 99)), f2(xs[xs.length - 1]!)]);
    }
    log('\nlatency by 5-second window:');
    log(table(windows));
    log(`\nPostgreSQL connections of the server (pool max 10), mean over ${pgStats.samples} samples of pg_stat_activity every 100 ms (max active ${pgStats.maxActive}):`);
    log(table([['state (wait event)', 'mean'], ...pgStats.mean.map((m) => [m.k, f2(m.mean)])]));

    // 4. consistency: capacity, and slots taken = leads assigned = decisions logged, per rep
    const rows = (
      await admin.query<{ id: string; capacity: number; open_leads: number; assigned: string }>(
        `SELECT r.id, r.capacity, r.open_leads, count(l.id) AS assigned
         FROM reps r LEFT JOIN leads l ON l.tenant_id = r.tenant_id AND l.rep_id = r.id AND l.status = 'assigned' AND l.id LIKE $2
         WHERE r.tenant_id = $1 GROUP BY r.id, r.capacity, r.open_leads`,
        [TENANT, `${RUN_PREFIX}%`],
      )
    ).rows;
    const over = rows.filter((r) => r.open_leads > r.capacity);
    const mismatch = rows.filter((r) => r.open_leads - (before.get(r.id) ?? 0) !== Number(r.assigned));
    const clientMismatch = rows.filter((r) => (load.perRep.get(r.id) ?? 0) !== Number(r.assigned));
    const dbAssigned = rows.reduce((a, r) => a + Number(r.assigned), 0);
    const slotDelta = rows.reduce((a, r) => a + r.open_leads - (before.get(r.id) ?? 0), 0);
    const full = rows.filter((r) => r.open_leads >= r.capacity && r.capacity > 0);
    const smallIds = new Set(small.map((r) => r.id));
    const smallFull = full.filter((r) => smallIds.has(r.id)).length;
    const [counts] = (
      await admin.query<{ pool: string; logs_auto: string; logs_pool: string; multi: string; events: string }>(
        `SELECT (SELECT count(*) FROM leads WHERE tenant_id = $1 AND id LIKE $2 AND status = 'pool') AS pool,
                (SELECT count(*) FROM assignment_log WHERE tenant_id = $1 AND lead_id LIKE $2 AND kind = 'auto') AS logs_auto,
                (SELECT count(*) FROM assignment_log WHERE tenant_id = $1 AND lead_id LIKE $2 AND kind = 'pool') AS logs_pool,
                (SELECT count(*) FROM (SELECT lead_id FROM assignment_log WHERE tenant_id = $1 AND lead_id LIKE $2 GROUP BY lead_id HAVING count(*) > 1) d) AS multi,
                (SELECT count(*) FROM outbox_events WHERE tenant_id = $1 AND type = 'lead.assigned' AND payload->>'leadId' LIKE $2) AS events`,
        [TENANT, `${RUN_PREFIX}%`],
      )
    ).rows;
    // Leads written by one statement share its transaction's now() (leads.created_at).
    const [stmts] = (
      await admin.query<{ statements: string }>(
        `SELECT count(DISTINCT created_at) AS statements FROM leads WHERE tenant_id = $1 AND id LIKE $2 AND status = 'assigned'`,
        [TENANT, `${RUN_PREFIX}%`],
      )
    ).rows;
    const delivered = WEBHOOK
      ? (await admin.query<{ n: string }>(`SELECT count(*) AS n FROM webhook_deliveries WHERE tenant_id = $1 AND status = 'delivered'`, [TENANT])).rows[0]!.n
      : null;
    const consistent = mismatch.length === 0 && clientMismatch.length === 0 && Number(counts!.logs_auto) === dbAssigned && Number(counts!.multi) === 0 &&
      Number(counts!.events) === dbAssigned && Number(counts!.pool) === load.pooled && Number(counts!.logs_pool) === load.pooled;
    log('\ncheck after the run (SQL):');
    log(
      table([
        ['check', 'result'],
        ['reps with open_leads > capacity', `${over.length}${over.length ? ` (${over.slice(0, 5).map((r) => `${r.id} ${r.open_leads}/${r.capacity}`).join(', ')})` : ''}`],
        ['reps at capacity at the end', `${full.length} (${smallFull} of ${small.length} small-capacity reps)`],
        ['open_leads increase, all reps', slotDelta.toLocaleString('en')],
        ["leads status='assigned' from this run", dbAssigned.toLocaleString('en')],
        ['assignments answered to clients', load.assigned.toLocaleString('en')],
        ['reps whose increase ≠ their assigned leads', String(mismatch.length)],
        ['reps whose assigned leads ≠ answers naming them', String(clientMismatch.length)],
        ["assignment_log 'auto' rows / leads logged twice", `${counts!.logs_auto} / ${counts!.multi}`],
        ["pool leads / 'pool' log rows / pooled answers", `${counts!.pool} / ${counts!.logs_pool} / ${load.pooled}`],
        ['lead.assigned outbox events', counts!.events],
        ['assigning statements (distinct transaction times) / leads per statement', `${Number(stmts!.statements).toLocaleString('en')} / ${f2(dbAssigned / Math.max(1, Number(stmts!.statements)))}`],
        ...(WEBHOOK ? [['webhook deliveries done by the end / received', `${delivered} / ${receivedHooks}`]] : []),
      ]),
    );
    for (const r of mismatch.slice(0, 5)) log(`  mismatch ${r.id}: open ${before.get(r.id)} → ${r.open_leads}, assigned leads ${r.assigned}`);

    // 5. stop the server (SIGTERM drains HTTP, closes the queue and the database)
    for (const x of extra) await stopServer(x, EXIT_TIMEOUT_MS);
    const exit = await stopServer(server, EXIT_TIMEOUT_MS);
    log(`\nserver stopped: SIGTERM → exit ${exit.code ?? exit.signal} in ${f1(exit.ms)} ms${exit.timedOut ? ' (did not exit: SIGKILL)' : ''}`);
    const serverLog = server.logTail().split('\n').filter(Boolean);
    if (serverLog.length) log(`server log (LOG_LEVEL=warn), last lines:\n${serverLog.slice(-3).map((l) => `  ${l.slice(0, 300)}`).join('\n')}`);

    if (CPU_PROF) {
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      if (!file) log('no CPU profile written');
      else {
        const s = summarizeCpuProfile(join(profDir, file), loadFromUs, loadToUs);
        const perReq = (ms: number) => f2(ms / Math.max(1, requests));
        log(`\nserver CPU profile during the load: ${f1(s.busyMs)} ms busy of ${f1(s.windowMs)} ms (${perReq(s.busyMs)} ms per request); self time by category:`);
        log(table([['category', 'ms', 'ms/request', '% of busy'], ...s.categories.filter((c) => c.k !== '(idle)').slice(0, 18).map((c) => [c.k, f1(c.ms), perReq(c.ms), f1((100 * c.ms) / s.busyMs)])]));
        log('\ntop functions by self time:');
        log(table([['function', 'ms/request', '% of busy'], ...s.functions.slice(0, 25).map((c) => [c.k.slice(0, 110), perReq(c.ms), f1((100 * c.ms) / s.busyMs)])]));
      }
    }

    log('\ntargets:');
    log(`  p99 < ${P99_TARGET_MS} ms: ${metStr(p99 < P99_TARGET_MS)} (p99 ${f2(p99)} ms${RATE > 0 ? `, open loop at ${RATE} leads/s offered: the issue states the target for the closed loop` : ''})`);
    log(`  no rep over capacity at the end: ${metStr(over.length === 0)} (${over.length} over)`);
    log(`  slots = assigned leads = answers, per rep (no double assignment, no lost slot): ${metStr(consistent)}`);
    log(`  assignments/s: ${f1(load.assigned / secs)}`);

    // Optional: where the time of one assignment goes, step by step, with nothing else running.
    if (PROFILE) {
      log('\nprofile: the steps of one assignment (assignLead), one at a time, server stopped, 200 iterations:');
      const prof = await profileAssignment({ databaseUrl: DATABASE_URL, schema: SCHEMA, redisUrl: REDIS_URL, queuePrefix: QUEUE_PREFIX, tenantId: TENANT, apiKey: API_KEY, iterations: 200 });
      log(table([['step', 'median ms', 'p99 ms'], ...prof.steps.map((s) => [s.step, f2(s.medianMs), f2(s.p99Ms)])]));
      log(
        `  PostgreSQL execution (EXPLAIN ANALYZE): reps as one JSON row ${f2(prof.explain.snapshotMs)} ms; ` +
          `outcome tallies 30 d ${f2(prof.explain.outcomesMs)} ms over ${prof.explain.outcomeRows.toLocaleString('en')} rows`,
      );
      log('  round trips to PostgreSQL per request: at most 2 — the API key lookup and the assigning statement — each shared by the requests that arrive together (see leads per statement above)');
    }

    failed = errors > 0;
    return failed ? 1 : 0;
  } finally {
    for (const x of extra) if (x.child.exitCode === null && x.child.signalCode === null) await stopServer(x, EXIT_TIMEOUT_MS);
    if (server && server.child.exitCode === null && server.child.signalCode === null) await stopServer(server, EXIT_TIMEOUT_MS);
    receiver?.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch((err: Error) => log(`drop schema failed: ${err.message}`));
    await admin.end();
    const keys = await dropRedisPrefix(REDIS_URL, QUEUE_PREFIX).catch((err: Error) => (log(`redis cleanup failed: ${err.message}`), 0));
    rmSync(dataDir, { recursive: true, force: true });
    log(`\ncleaned up: schema ${SCHEMA} dropped, ${keys} Redis keys under ${QUEUE_PREFIX} deleted`);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

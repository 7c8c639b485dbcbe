// Where the time of one `POST /v1/leads` goes: the steps of `assignLead` (src/assignment/service.ts)
// replayed one at a time against the seeded schema, with the service's own repo functions,
// scoring and queue, on an idle machine (server stopped). Used by bench/assignment.ts.
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { closeRatesFromTallies } from '../src/assignment/close-rates.js';
import * as repo from '../src/assignment/repo.js';
import { defaultRuleSet, validateRuleSet } from '../src/assignment/rules.js';
import { decide, newDecideMemo, type LeadInput, type RepProfile } from '../src/assignment/scoring.js';
import { openDb } from '../src/platform/db.js';
import { createQueue } from '../src/platform/queue.js';
import { leadBody } from './assignment-data.js';
import { seededRandom } from '../src/platform/random.js';

export interface StepStats {
  step: string;
  n: number;
  medianMs: number;
  p99Ms: number;
  note?: string;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

const BATCH = 20;

export async function profileAssignment(opts: {
  databaseUrl: string;
  schema: string;
  redisUrl: string;
  queuePrefix: string;
  tenantId: string;
  apiKey: string;
  iterations: number;
}): Promise<{ steps: StepStats[]; explain: { snapshotMs: number; outcomesMs: number; outcomeRows: number } }> {
  const db = await openDb({ databaseUrl: opts.databaseUrl, schema: opts.schema, dataDir: '/nonexistent' });
  const silent = { warn() {}, error() {}, info() {}, debug() {}, trace() {}, fatal() {}, child() { return silent; }, level: 'silent', silent() {} };
  const queue = createQueue({ redisUrl: opts.redisUrl, prefix: opts.queuePrefix, attempts: 1, backoffMs: 1000, lockMs: 30_000, logger: silent as never });
  const times = new Map<string, number[]>();
  const record = (step: string, ms: number) => (times.get(step) ?? times.set(step, []).get(step)!).push(ms);
  const time = async <T>(step: string, fn: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    const out = await fn();
    record(step, performance.now() - t0);
    return out;
  };
  const tenantId = opts.tenantId;
  const keyHash = createHash('sha256').update(opts.apiKey).digest('hex');
  const r = seededRandom(4242);
  try {
    // The in-memory state, as the service reads it on a miss (once, then once a second in the background).
    const snap = await repo.assignmentSnapshot(db, tenantId);
    const rules = snap.rules ? validateRuleSet(snap.rules.rules) : defaultRuleSet();
    const item = (lead: LeadInput & { id: string }, d: ReturnType<typeof decide>): repo.AssignItem => {
      const c = d.candidates[0]!;
      return {
        repId: c.repId,
        lead: {
          tenant_id: tenantId, id: lead.id, source: lead.source, industry: lead.industry, budget_band: lead.budgetBand ?? null, tech_need: lead.techNeed ?? null,
          region: lead.region ?? null, intent_score: lead.intentScore ?? null, concerns: lead.concerns ?? [], company: null, contact_name: null,
        },
        slaDeadline: new Date(Date.now() + rules.sla.firstTouchMinutes * 60_000),
        log: { rule_version: snap.rules?.version ?? 0, score: c.score, industry_match: c.breakdown.industry.value, breakdown: c.breakdown, reasons: c.reasons, candidates: d.candidates, actor: 'profile' },
        event: { dedupeKey: `lead.assigned:${lead.id}:1:${c.repId}`, payload: { leadId: lead.id, repId: c.repId, why: c.reasons } },
      };
    };
    let profiles: RepProfile[] = [];
    const memo = newDecideMemo();
    // Keep the cached loads current, as the service does with what each statement reports.
    const seen = (res: repo.BatchResult, items: repo.AssignItem[]) =>
      res.items.forEach((x, k) => {
        const p = profiles.find((q) => q.id === items[k]!.repId);
        if (p && x.rep) p.openLeads = x.rep.open;
      });
    for (let i = 0; i < opts.iterations + 5; i++) {
      const warm = i < 5;
      const lead: LeadInput & { id: string } = leadBody(r, `profile-${i}-${randomUUID().slice(0, 8)}`);
      lead.source = 'website_form';
      const t0 = performance.now();
      await time('auth: api_keys lookup, alone (concurrent requests share one)', () =>
        db.query('SELECT id, tenant_id, scopes, key_hash FROM api_keys WHERE key_hash = ANY($1::text[]) AND revoked_at IS NULL', [[keyHash]]),
      );
      const s = await time('state read: versions + rules + 500 reps, one JSON row (miss / once a second)', () => repo.assignmentSnapshot(db, tenantId));
      const now = new Date();
      const since = new Date(now.getTime() - rules.closeRate.windowDays * 86_400_000);
      const tallies = await time('outcome tallies 30 d, SQL GROUP BY (miss / outcomes changed / 60 s)', () => repo.outcomeTallies(db, tenantId, since, now));
      const rates = await time('closeRatesFromTallies() JS (with the tallies)', () =>
        closeRatesFromTallies(tallies, { priorWeight: rules.closeRate.priorWeight, repIds: s.reps.map((x) => x.id) }),
      );
      if (i === 0) {
        profiles = s.reps.map((x) => ({
          id: x.id, name: x.name, industries: x.industries, skills: x.skills, capacity: x.capacity, openLeads: x.open_leads, active: x.active,
          lastAssignedAt: x.last_assigned_ms === null ? null : new Date(x.last_assigned_ms), closeRate: rates.get(x.id) ?? { overall: 0, bySegment: new Map() },
        }));
      }
      const decision = await time('decide() over 500 cached reps (every request)', () => decide(lead, profiles, rules, memo));
      if (!decision.candidates[0]) throw new Error('profile: no rep has room left after the load (raise the reps\' capacity in bench/assignment-data.ts)');
      const one = await time('assignMany, 1 lead: slot + lead + log + outbox in one statement (commit)', () =>
        repo.assignMany(db, tenantId, { reps: s.versions.reps, rules: s.versions.rules }, [item(lead, decision)]),
      );
      seen(one, [item(lead, decision)]);
      await time('queue.add sla sweep (BullMQ; once a second per tenant and process)', () =>
        queue.add('sla', { tenantId, sweep: true }, `${tenantId}.sla-sweep.profile-${i}`, { delayMs: rules.sla.firstTouchMinutes * 60_000 }),
      );
      await time('JSON.stringify(response)', () => JSON.stringify({ ...decision, leadId: lead.id }));
      record('= one request alone on a cache hit (auth + decide + 1-lead statement + stringify)', performance.now() - t0 - last(times, 'state read: versions + rules + 500 reps, one JSON row (miss / once a second)') - last(times, 'outcome tallies 30 d, SQL GROUP BY (miss / outcomes changed / 60 s)') - last(times, 'closeRatesFromTallies() JS (with the tallies)') - last(times, 'queue.add sla sweep (BullMQ; once a second per tenant and process)'));
      // The same statement for a batch, as concurrent requests share it.
      const batch = Array.from({ length: BATCH }, (_, k) => {
        const l: LeadInput & { id: string } = leadBody(r, `profile-${i}-b${k}-${randomUUID().slice(0, 8)}`);
        l.source = 'website_form';
        return item(l, decide(l, profiles, rules, memo));
      });
      const tb = performance.now();
      seen(await repo.assignMany(db, tenantId, { reps: s.versions.reps, rules: s.versions.rules }, batch), batch);
      record(`assignMany, ${BATCH} leads in one statement, per lead`, (performance.now() - tb) / BATCH);
      if (warm) times.clear();
    }

    // What PostgreSQL itself spends on the two reads.
    const explain = async (sql: string, params: unknown[]) => {
      const rows = await db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
      const plan = (rows[0]!['QUERY PLAN'] as { 'Execution Time': number }[])[0]!;
      return plan['Execution Time'];
    };
    const since = new Date(Date.now() - 30 * 86_400_000);
    const snapshotMs = await explain(
      `SELECT coalesce(json_agg(json_build_array(id, name, industries, skills, capacity, open_leads, active, extract(epoch FROM last_assigned_at) * 1000) ORDER BY id), '[]')::text FROM reps WHERE tenant_id = $1`,
      [tenantId],
    );
    const outcomesMs = await explain(
      `SELECT rep_id, segment, (count(*) FILTER (WHERE result = 'won'))::int, count(*)::int FROM lead_outcomes WHERE tenant_id = $1 AND closed_at > $2 GROUP BY rep_id, segment`,
      [tenantId, since],
    );
    const outcomeRows = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM lead_outcomes WHERE tenant_id = $1 AND closed_at >= $2', [tenantId, since]))[0]!.n;

    const steps: StepStats[] = [...times.entries()].map(([step, xs]) => {
      const s = [...xs].sort((a, b) => a - b);
      return { step, n: s.length, medianMs: pct(s, 50), p99Ms: pct(s, 99) };
    });
    return { steps, explain: { snapshotMs, outcomesMs, outcomeRows } };
  } finally {
    await queue.close();
    await db.close();
  }
}

function last(times: Map<string, number[]>, step: string): number {
  const xs = times.get(step);
  return xs?.[xs.length - 1] ?? 0;
}

// ---- CPU accounting and the server's CPU profile ----

const CLK_TCK = 100; // USER_HZ on Linux

/** CPU ticks (utime + stime) of every process, by pid, with its command name. */
export function processTicks(): Map<number, { comm: string; ticks: number }> {
  const out = new Map<number, { comm: string; ticks: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(d), { comm, ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

function machineTicks(): { busy: number; total: number } {
  const xs = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = xs.reduce((a, b) => a + b, 0);
  return { busy: total - xs[3]! - (xs[4] ?? 0), total };
}

/**
 * CPU used between start() and stop(), in cores (1.0 = one core busy all the time): the server,
 * this bench process, PostgreSQL backends, Redis, and everything else on the machine (other
 * workloads on a shared box show up there).
 */
export function cpuAccount(serverPids: number[]) {
  const p0 = processTicks();
  const m0 = machineTicks();
  const t0 = performance.now();
  return (serverBackends: Set<number> = new Set()) => {
    const p1 = processTicks();
    const m1 = machineTicks();
    const sec = (performance.now() - t0) / 1000;
    const cores = (ticks: number) => ticks / CLK_TCK / sec;
    const delta = (pred: (pid: number, comm: string) => boolean) => {
      let t = 0;
      for (const [pid, v] of p1) if (pred(pid, v.comm)) t += v.ticks - (p0.get(pid)?.ticks ?? 0);
      return cores(t);
    };
    const server = delta((pid) => serverPids.includes(pid));
    const bench = delta((pid) => pid === process.pid);
    const postgres = delta((_p, comm) => comm === 'postgres');
    const postgresServer = delta((pid, comm) => comm === 'postgres' && serverBackends.has(pid));
    const redis = delta((_p, comm) => comm.startsWith('redis-server'));
    const machine = ((m1.busy - m0.busy) / (m1.total - m0.total)) * cpus().length;
    return { server, bench, postgres, postgresServer, redis, others: Math.max(0, machine - server - bench - postgres - redis), machine, cores: cpus().length };
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

function category(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return '(idle)';
  if (fn === '(program)') return '(program: native, outside JS)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (nm) {
    if (/^(pg|pg-protocol|pg-types|postgres-array|postgres-date|postgres-interval|postgres-bytea|pg-pool|pgpass)$/.test(nm)) return `pg driver (${nm})`;
    if (/^(bullmq|ioredis|msgpackr|cron-parser|@ioredis\/.*|redis-parser|denque|cluster-key-slot|standard-as-callback)$/.test(nm)) return 'BullMQ + ioredis';
    if (/^(fastify|find-my-way|avvio|light-my-request|fast-json-stringify|@fastify\/.*|fast-querystring|fast-uri|toad-cache|secure-json-parse|rfdc|abstract-logging)$/.test(nm)) return 'Fastify';
    if (/^(pino|pino-std-serializers|sonic-boom|thread-stream|quick-format-unescaped|fast-redact|on-exit-leak-free)$/.test(nm)) return 'pino';
    if (/^(zod|fastify-type-provider-zod|zod-to-json-schema)$/.test(nm)) return 'zod';
    if (nm === 'prom-client' || nm === 'tdigest' || nm === 'bintrees') return 'prom-client metrics';
    if (nm === 'tsx' || nm === 'esbuild' || nm === 'get-tsconfig') return 'tsx loader';
    return `other package (${nm})`;
  }
  if (url.includes('/src/assignment/scoring')) return 'src: scoring (decide)';
  if (url.includes('/src/assignment/close-rates')) return 'src: closeRates()';
  if (url.includes('/src/')) return `src: ${url.slice(url.indexOf('/src/') + 5)}`;
  if (url.startsWith('node:')) return `node core (${url.slice(5).split('/')[0]})`;
  if (url === '') return `(native/builtin: ${fn || 'anonymous'})`;
  return `other (${url.split('/').slice(-2).join('/')})`;
}

/**
 * Self time of the server's V8 CPU profile (`node --cpu-prof`) between two moments of the
 * monotonic clock (both V8's profiler and process.hrtime read CLOCK_MONOTONIC), by category
 * and by function.
 */
export function summarizeCpuProfile(file: string, fromUs: number, toUs: number) {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let t = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i]!;
    const next = i + 1 < prof.timeDeltas.length ? prof.timeDeltas[i + 1]! : 0;
    if (t < fromUs || t > toUs) continue;
    selfUs.set(prof.samples[i]!, (selfUs.get(prof.samples[i]!) ?? 0) + next);
  }
  const cats = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const cat = category(n.callFrame.url, n.callFrame.functionName);
    cats.set(cat, (cats.get(cat) ?? 0) + us);
    if (cat !== '(idle)') total += us;
    const where = n.callFrame.url ? `${n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^.*\/work\/[^/]+\//, '').replace(/^file:\/\//, '')}:${n.callFrame.lineNumber + 1}` : '';
    const key = `${n.callFrame.functionName || '(anonymous)'} ${where}`.trim();
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const sort = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, us]) => ({ k, ms: us / 1000 }));
  return { busyMs: total / 1000, windowMs: (toUs - fromUs) / 1000, categories: sort(cats), functions: sort(fns).filter((f) => !f.k.startsWith('(idle)')) };
}

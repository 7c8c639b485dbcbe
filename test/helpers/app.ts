import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createApiKey, type Scope } from '../../src/platform/auth.js';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime.js';

export interface TestApp {
  app: FastifyInstance;
  runtime: Runtime;
  config: Config;
  adminKey: string;
  /** Env a separate worker process needs to join this app's database, queue and storage. */
  env: Record<string, string>;
  auth(key?: string): { authorization: string };
  newTenant(id: string, scopes?: Scope[]): Promise<string>;
  /** Files left under DATA_DIR (recordings and temp uploads). */
  storedFiles(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * A full app on the back-ends the environment selects: PGlite + in-process queue by default,
 * or the real PostgreSQL (own schema per app) and Redis (own queue prefix) when
 * DATABASE_URL / REDIS_URL are set, as in CI.
 */
export async function createTestApp(env: Record<string, string> = {}, opts: Partial<RuntimeOptions> = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dealsense-test-'));
  const suffix = randomBytes(5).toString('hex');
  const adminKey = `test-admin-${suffix}`;
  const full: Record<string, string> = {
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    ADMIN_API_KEY: adminKey,
    JOB_ATTEMPTS: '3',
    JOB_BACKOFF_MS: '50',
    JOB_LOCK_MS: '3000',
    LOG_LEVEL: 'silent',
    QUEUE_PREFIX: `dstest-${suffix}`,
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL, DATABASE_SCHEMA: `t_${suffix}` } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...env,
  };
  if (full.DATABASE_URL && full.DATABASE_SCHEMA) await withPg(full.DATABASE_URL, (c) => c.query(`CREATE SCHEMA ${full.DATABASE_SCHEMA}`));
  const config = loadConfig(full);
  const silent = (await import('fastify')).default({ logger: false }).log;
  const runtime = await startRuntime(config, silent, { workers: config.RUN_WORKERS, inMemoryDb: !config.DATABASE_URL, ...opts });
  const app = await buildApp(runtime);
  await app.ready();
  return {
    app,
    runtime,
    config,
    adminKey,
    env: full,
    auth: (key = adminKey) => ({ authorization: `Bearer ${key}` }),
    async newTenant(id, scopes = ['ingest', 'read', 'admin']) {
      await runtime.db.query('INSERT INTO tenants (id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING', [id]);
      return (await createApiKey(runtime.db, { tenantId: id, scopes })).key;
    },
    async storedFiles() {
      return listFiles(dataDir, ['pglite']);
    },
    async close() {
      await app.close();
      await runtime.close();
      if (full.DATABASE_URL && full.DATABASE_SCHEMA) {
        await withPg(full.DATABASE_URL, (c) => c.query(`DROP SCHEMA ${full.DATABASE_SCHEMA} CASCADE`));
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function listFiles(dir: string, skip: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (skip.includes(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p, [])));
    else out.push(p);
  }
  return out;
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Transcribed, and possibly already analysed (analysis starts right after transcription). */
export const hasTranscript = (status: string) => status === 'transcribed' || status === 'analyzed';

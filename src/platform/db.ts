import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The one query interface both back-ends serve: parameterised SQL in, rows out. */
export interface Queryable {
  /**
   * `opts.name` makes it a named prepared statement on PostgreSQL (parsed and planned once per
   * connection; for hot statements whose planning costs more than running them). PGlite ignores it.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], opts?: { name?: string }): Promise<T[]>;
  /** Runs a multi-statement script without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DbOptions {
  databaseUrl?: string;
  schema?: string;
  dataDir: string;
  /** PGlite only: keep the database in memory (tests). */
  inMemory?: boolean;
}

export async function openDb(opts: DbOptions): Promise<Db> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.schema) : openPglite(opts);
}

async function openPostgres(url: string, schema?: string): Promise<Db> {
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`DATABASE_SCHEMA must be a plain identifier, got "${schema}"`);
  if (schema) {
    // Without this, tables would silently land in the next schema on the search path (public).
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // Keep connections through short lulls: pg's default closes one idle for 10 s, and reopening it
    // (connect + re-preparing the named statements) showed up as 40–110 ms stalls in bench:assignment
    // at 500–1,000 leads/s. Idle ones don't keep a finished script alive.
    idleTimeoutMillis: 5 * 60_000,
    allowExitOnIdle: true,
    // public stays on the path: the vector extension's types live there.
    options: schema ? `-c search_path=${schema},public` : undefined,
  });
  pool.on('error', () => {
    /* idle client errors surface on the next query */
  });
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params: unknown[] = [], opts?: { name?: string }) {
      const res = opts?.name ? await c.query({ name: opts.name, text: sql, values: params as unknown[] }) : await c.query(sql, params as unknown[]);
      return res.rows as T[];
    },
    async exec(sql: string) {
      await c.query(sql);
    },
  });
  return {
    kind: 'postgres',
    ...wrap(pool),
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn(wrap(client));
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async ping() {
      await pool.query('SELECT 1');
      return true;
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}

async function openPglite(opts: DbOptions): Promise<Db> {
  let dataDir: string | undefined;
  if (!opts.inMemory) {
    dataDir = join(opts.dataDir, 'pglite');
    mkdirSync(dataDir, { recursive: true });
  }
  // Loaded only in embedded mode: the WASM build is large and a PostgreSQL deployment never needs it.
  const [{ PGlite }, { vector }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-pgvector')]);
  const db = await PGlite.create({
    dataDir,
    extensions: { vector },
    // Postgres' 128 MB default buffer pool sits inside the API process here; the embedded
    // mode serves small deployments, and 16 MB takes ~110 MB off its resident memory.
    postgresqlconf: ['shared_buffers=16MB', 'work_mem=4MB', 'maintenance_work_mem=32MB'],
  });
  const wrap = (c: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<T>(sql: string, params: unknown[] = []) {
      return (await c.query<T>(sql, params)).rows;
    },
    async exec(sql: string) {
      await c.exec(sql);
    },
  });
  return {
    kind: 'pglite',
    ...wrap(db),
    tx: (fn) => db.transaction((t) => fn(wrap(t))),
    async ping() {
      await db.query('SELECT 1');
      return true;
    },
    async close() {
      if (!db.closed) await db.close();
    },
  };
}

export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}

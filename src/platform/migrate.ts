import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Db } from './db.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Applies numbered plain-SQL files (`001_name.sql`) in order, each in its own
 * transaction, forward-only. Hand-written because the migration libraries
 * drive a `pg` client directly and cannot run on PGlite; this is the whole runner.
 */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  return db.tx(async (q) => {
    // Serialises API and worker processes starting together against one database.
    await q.query('SELECT pg_advisory_xact_lock(74219)');
    await q.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await q.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    const applied: string[] = [];
    for (const file of files) {
      const version = Number.parseInt(file, 10);
      if (done.has(version)) continue;
      await q.exec(await readFile(join(dir, file), 'utf8'));
      await q.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [version, file]);
      applied.push(file);
    }
    return applied;
  });
}

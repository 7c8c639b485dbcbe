import DataLoader from 'dataloader';
import type { Db } from './db.js';

export interface KeyRow {
  id: string;
  tenant_id: string;
  scopes: string[];
  rep_id: string | null;
}

/**
 * API-key lookups of requests that arrive together go to the database as one query
 * (`key_hash = ANY(…)`): one round trip for a burst of requests instead of one each. Nothing is
 * cached — every request still sees the key as the database has it at that moment, so a revoked
 * key fails on the very next request.
 */
const loaders = new WeakMap<Db, DataLoader<string, KeyRow | undefined>>();

export function lookupKey(db: Db, keyHash: string): Promise<KeyRow | undefined> {
  let loader = loaders.get(db);
  if (!loader) {
    loader = new DataLoader<string, KeyRow | undefined>(
      async (hashes) => {
        const rows = await db.query<KeyRow & { key_hash: string }>(
          'SELECT id, tenant_id, scopes, rep_id, key_hash FROM api_keys WHERE key_hash = ANY($1::text[]) AND revoked_at IS NULL',
          [hashes],
        );
        const byHash = new Map(rows.map((r) => [r.key_hash, { id: r.id, tenant_id: r.tenant_id, scopes: r.scopes, rep_id: r.rep_id }]));
        return hashes.map((h) => byHash.get(h));
      },
      // No cache (freshness), and a batch gathers what arrives until the event loop's next turn.
      { cache: false, batchScheduleFn: (run) => setImmediate(run), maxBatchSize: 500 },
    );
    loaders.set(db, loader);
  }
  return loader.load(keyHash);
}

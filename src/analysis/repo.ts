import type { Queryable } from '../platform/db.js';
import type { Analysis } from './types.js';

export interface StoredAnalysis {
  analysis: Analysis;
  model: string | null;
  promptVersion: string | null;
  fallback: string | null;
  createdAt: string;
}

export async function saveAnalysis(
  q: Queryable,
  row: { recordingId: string; tenantId: string; analysis: Analysis; model?: string; promptVersion?: string; fallback?: string },
): Promise<void> {
  await q.query(
    `INSERT INTO recording_analyses (recording_id, tenant_id, engine, model, prompt_version, fallback, result)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (recording_id) DO UPDATE SET engine = EXCLUDED.engine, model = EXCLUDED.model, prompt_version = EXCLUDED.prompt_version,
       fallback = EXCLUDED.fallback, result = EXCLUDED.result, created_at = now()`,
    [row.recordingId, row.tenantId, row.analysis.engine, row.model ?? null, row.promptVersion ?? null, row.fallback ?? null, JSON.stringify(row.analysis)],
  );
}

export async function findAnalysis(q: Queryable, tenantId: string, recordingId: string): Promise<StoredAnalysis | undefined> {
  const rows = await q.query<{ result: Analysis; model: string | null; prompt_version: string | null; fallback: string | null; created_at: Date }>(
    'SELECT result, model, prompt_version, fallback, created_at FROM recording_analyses WHERE tenant_id = $1 AND recording_id = $2',
    [tenantId, recordingId],
  );
  const r = rows[0];
  return r && { analysis: r.result, model: r.model, promptVersion: r.prompt_version, fallback: r.fallback, createdAt: new Date(r.created_at).toISOString() };
}

export async function getTaxonomyAdditions(q: Queryable, tenantId: string): Promise<{ additions: unknown; version: number } | undefined> {
  const rows = await q.query<{ additions: unknown; version: number }>('SELECT additions, version FROM tenant_taxonomies WHERE tenant_id = $1', [tenantId]);
  return rows[0];
}

export async function saveTaxonomyAdditions(q: Queryable, tenantId: string, additions: unknown): Promise<number> {
  const rows = await q.query<{ version: number }>(
    `INSERT INTO tenant_taxonomies (tenant_id, additions) VALUES ($1, $2)
     ON CONFLICT (tenant_id) DO UPDATE SET additions = EXCLUDED.additions, version = tenant_taxonomies.version + 1, updated_at = now()
     RETURNING version`,
    [tenantId, JSON.stringify(additions)],
  );
  return rows[0]!.version;
}

const vectorLiteral = (v: number[]) => `[${v.join(',')}]`;

export async function replaceEmbeddings(
  q: Queryable,
  tenantId: string,
  recordingId: string,
  model: string,
  vectors: { idx: number; vector: number[] }[],
): Promise<void> {
  await q.query('DELETE FROM segment_embeddings WHERE recording_id = $1', [recordingId]);
  for (let from = 0; from < vectors.length; from += 500) {
    const batch = vectors.slice(from, from + 500);
    await q.query(
      `INSERT INTO segment_embeddings (recording_id, tenant_id, idx, model, dims, embedding)
       SELECT $1, $2, e.idx, $3, $4, e.v::vector FROM unnest($5::int[], $6::text[]) AS e(idx, v)`,
      [recordingId, tenantId, model, batch[0]!.vector.length, batch.map((b) => b.idx), batch.map((b) => vectorLiteral(b.vector))],
    );
  }
}

/**
 * Nearest segments by cosine distance. `dims` is a trusted integer from the provider and is
 * spelled into the SQL so the cast matches the partial HNSW index for that size.
 */
export async function nearestSegments(
  q: Queryable,
  tenantId: string,
  model: string,
  vector: number[],
  limit: number,
): Promise<{ recording_id: string; idx: number; similarity: number }[]> {
  const dims = Math.trunc(vector.length);
  return q.query(
    `SELECT recording_id, idx, 1 - ((embedding::vector(${dims})) <=> $1::vector(${dims})) AS similarity
     FROM segment_embeddings WHERE tenant_id = $2 AND model = $3 AND dims = ${dims}
     ORDER BY (embedding::vector(${dims})) <=> $1::vector(${dims}) LIMIT $4`,
    [vectorLiteral(vector), tenantId, model, limit],
  );
}

/** HNSW index for a vector size other than the migration's 512 (created once, on first use). */
export async function ensureVectorIndex(q: Queryable, dims: number): Promise<void> {
  const d = Math.trunc(dims);
  await q.exec(
    `CREATE INDEX IF NOT EXISTS segment_embeddings_hnsw_${d} ON segment_embeddings USING hnsw ((embedding::vector(${d})) vector_cosine_ops) WHERE dims = ${d}`,
  );
}

import type { Queryable } from '../platform/db.js';

export interface ContentRow {
  id: string;
  tenant_id: string;
  title: string;
  url: string;
  language: string;
  industries: string[];
  tags: string[];
  description: string;
  model: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, tenant_id, title, url, language, industries, tags, description, model, created_at, updated_at';
const vectorLiteral = (v: number[]) => `[${v.join(',')}]`;

export interface ContentFields {
  title: string;
  url: string;
  language: string;
  industries: string[];
  tags: string[];
  description: string;
}

export interface StoredVector {
  /** Null with a null vector: not embedded. */
  model: string | null;
  vector: number[] | null;
}

/** Inserts an item; undefined when the tenant already has an item at that URL. */
export async function insertItem(q: Queryable, tenantId: string, id: string, f: ContentFields, v: StoredVector): Promise<ContentRow | undefined> {
  const rows = await q.query<ContentRow>(
    `INSERT INTO content_items (id, tenant_id, title, url, language, industries, tags, description, model, dims, embedding)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::vector)
     ON CONFLICT (tenant_id, url) DO NOTHING RETURNING ${COLUMNS}`,
    [id, tenantId, f.title, f.url, f.language, f.industries, f.tags, f.description, v.model, v.vector?.length ?? null, v.vector ? vectorLiteral(v.vector) : null],
  );
  return rows[0];
}

export async function updateItem(q: Queryable, tenantId: string, id: string, f: ContentFields, v: StoredVector): Promise<ContentRow | undefined> {
  const rows = await q.query<ContentRow>(
    `UPDATE content_items SET title = $3, url = $4, language = $5, industries = $6, tags = $7, description = $8,
       model = $9, dims = $10, embedding = $11::vector, updated_at = now()
     WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    [tenantId, id, f.title, f.url, f.language, f.industries, f.tags, f.description, v.model, v.vector?.length ?? null, v.vector ? vectorLiteral(v.vector) : null],
  );
  return rows[0];
}

export async function findItem(q: Queryable, tenantId: string, id: string): Promise<ContentRow | undefined> {
  return (await q.query<ContentRow>(`SELECT ${COLUMNS} FROM content_items WHERE tenant_id = $1 AND id = $2`, [tenantId, id]))[0];
}

export async function findByUrl(q: Queryable, tenantId: string, url: string): Promise<ContentRow | undefined> {
  return (await q.query<ContentRow>(`SELECT ${COLUMNS} FROM content_items WHERE tenant_id = $1 AND url = $2`, [tenantId, url]))[0];
}

export async function listItems(q: Queryable, tenantId: string, f: { language?: string; tag?: string; limit: number; offset: number }): Promise<ContentRow[]> {
  return q.query<ContentRow>(
    `SELECT ${COLUMNS} FROM content_items
     WHERE tenant_id = $1 AND ($2::text IS NULL OR language = $2) AND ($3::text IS NULL OR $3 = ANY(tags))
     ORDER BY created_at DESC, id LIMIT $4 OFFSET $5`,
    [tenantId, f.language ?? null, f.tag ?? null, f.limit, f.offset],
  );
}

export async function deleteItem(q: Queryable, tenantId: string, id: string): Promise<boolean> {
  return (await q.query(`DELETE FROM content_items WHERE tenant_id = $1 AND id = $2 RETURNING id`, [tenantId, id])).length > 0;
}

/**
 * Candidate items with their cosine similarity to `vector` (pgvector), filtered by language and
 * industry; items embedded by another model (or not at all) come back with similarity 0.
 */
export async function candidates(
  q: Queryable,
  tenantId: string,
  f: { model: string | null; vector: number[] | null; language?: string; industry?: string; limit: number },
): Promise<(ContentRow & { similarity: number })[]> {
  // dims is a trusted integer from the provider, spelled into the SQL so the cast matches the vectors.
  const dims = f.vector ? Math.trunc(f.vector.length) : 1;
  const similarity = `CASE WHEN $3::text IS NOT NULL AND model = $2::text AND dims = ${dims}
    THEN 1 - ((embedding::vector(${dims})) <=> $3::text::vector(${dims})) ELSE 0 END`;
  // An item without industries suits every industry; otherwise the lead's industry (or a parent of
  // it: "manufacturing" covers "manufacturing/automotive") must be listed.
  return q.query(
    `SELECT ${COLUMNS}, (${similarity})::float8 AS similarity FROM content_items
     WHERE tenant_id = $1 AND ($4::text IS NULL OR language = $4)
       AND ($5::text IS NULL OR cardinality(industries) = 0
            OR EXISTS (SELECT 1 FROM unnest(industries) i WHERE $5 = i OR $5 LIKE i || '/%'))
     ORDER BY similarity DESC, created_at LIMIT $6`,
    [tenantId, f.model, f.vector ? vectorLiteral(f.vector) : null, f.language ?? null, f.industry ?? null, f.limit],
  );
}

import { randomUUID } from 'node:crypto';
import type { Queryable } from '../platform/db.js';

export interface NewInquiry {
  industry: string;
  source: string;
  leadKey: string;
  text: string;
  textHash: string;
  truncated: boolean;
  terms: string[];
  askedAt: Date;
  recordingId?: string;
}

/**
 * Inserts inquiries and bumps the per-day term and inquiry counters for the ones that were new
 * (a near-duplicate, same normalised text from the same lead, is skipped and not counted).
 */
export async function insertInquiries(q: Queryable, tenantId: string, rows: NewInquiry[]): Promise<{ inserted: number; industries: string[] }> {
  if (rows.length === 0) return { inserted: 0, industries: [] };
  const inserted = await q.query<{ industry: string; day: string; terms: string[] }>(
    `INSERT INTO inquiries (id, tenant_id, industry, source, lead_key, text, text_hash, truncated, terms, asked_at, recording_id)
     SELECT i.id, $1, i.industry, i.source, i.lead_key, i.text, i.text_hash, i.truncated, string_to_array(i.terms, E'\\x1f'), i.asked_at, i.recording_id
     FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bool[], $9::text[], $10::timestamptz[], $11::uuid[])
       AS i(id, industry, source, lead_key, text, text_hash, truncated, terms, asked_at, recording_id)
     ON CONFLICT (tenant_id, lead_key, text_hash) DO NOTHING
     RETURNING industry, (asked_at AT TIME ZONE 'UTC')::date::text AS day, terms`,
    [
      tenantId, rows.map(() => randomUUID()), rows.map((r) => r.industry), rows.map((r) => r.source), rows.map((r) => r.leadKey),
      rows.map((r) => r.text), rows.map((r) => r.textHash), rows.map((r) => r.truncated), rows.map((r) => r.terms.join('\x1f')),
      rows.map((r) => r.askedAt), rows.map((r) => r.recordingId ?? null),
    ],
  );
  const days = new Map<string, number>();
  const terms = new Map<string, number>();
  for (const r of inserted) {
    const dayKey = `${r.industry}\x1f${r.day}`;
    days.set(dayKey, (days.get(dayKey) ?? 0) + 1);
    for (const t of new Set(r.terms.filter(Boolean))) terms.set(`${dayKey}\x1f${t}`, (terms.get(`${dayKey}\x1f${t}`) ?? 0) + 1);
  }
  if (days.size) {
    const keys = [...days.keys()].map((k) => k.split('\x1f'));
    await q.query(
      `INSERT INTO inquiry_days (tenant_id, industry, day, n) SELECT $1, d.industry, d.day, d.n FROM unnest($2::text[], $3::date[], $4::int[]) AS d(industry, day, n)
       ON CONFLICT (tenant_id, industry, day) DO UPDATE SET n = inquiry_days.n + EXCLUDED.n`,
      [tenantId, keys.map((k) => k[0]), keys.map((k) => k[1]), [...days.values()]],
    );
  }
  if (terms.size) {
    const keys = [...terms.keys()].map((k) => k.split('\x1f'));
    await q.query(
      `INSERT INTO inquiry_term_days (tenant_id, industry, day, term, n)
       SELECT $1, t.industry, t.day, t.term, t.n FROM unnest($2::text[], $3::date[], $4::text[], $5::int[]) AS t(industry, day, term, n)
       ON CONFLICT (tenant_id, industry, day, term) DO UPDATE SET n = inquiry_term_days.n + EXCLUDED.n`,
      [tenantId, keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2]), [...terms.values()]],
    );
  }
  return { inserted: inserted.length, industries: [...new Set(inserted.map((r) => r.industry))] };
}

export interface TermWindowRow {
  term: string;
  current: number;
  previous: number;
}

/** Term counts in [from, to) and in the window of the same length before it, from the day counters. */
export async function termWindows(q: Queryable, tenantId: string, industry: string, from: Date, to: Date, prevFrom: Date, limit: number): Promise<TermWindowRow[]> {
  return q.query<TermWindowRow>(
    `SELECT term,
            coalesce(sum(n) FILTER (WHERE day >= $3::date AND day < $4::date), 0)::int AS current,
            coalesce(sum(n) FILTER (WHERE day >= $5::date AND day < $3::date), 0)::int AS previous
     FROM inquiry_term_days WHERE tenant_id = $1 AND industry = $2 AND day >= $5::date AND day < $4::date
     GROUP BY term HAVING coalesce(sum(n) FILTER (WHERE day >= $3::date AND day < $4::date), 0) > 0
     ORDER BY current DESC, term LIMIT $6`,
    [tenantId, industry, from, to, prevFrom, limit],
  );
}

export async function inquiryCount(q: Queryable, tenantId: string, industry: string, from: Date, to: Date): Promise<number> {
  const rows = await q.query<{ n: number }>(
    `SELECT coalesce(sum(n), 0)::int AS n FROM inquiry_days WHERE tenant_id = $1 AND industry = $2 AND day >= $3::date AND day < $4::date`,
    [tenantId, industry, from, to],
  );
  return rows[0]?.n ?? 0;
}

export interface InquiryRow {
  id: string;
  text: string;
  terms: string[];
  asked_at: Date;
}

export async function inquiriesIn(q: Queryable, tenantId: string, industry: string, from: Date, to: Date, limit: number): Promise<InquiryRow[]> {
  return q.query<InquiryRow>(
    `SELECT id, text, terms, asked_at FROM inquiries WHERE tenant_id = $1 AND industry = $2 AND asked_at >= $3 AND asked_at < $4
     ORDER BY asked_at DESC LIMIT $5`,
    [tenantId, industry, from, to, limit],
  );
}

export interface MapRow {
  id: string;
  industry: string;
  days: number;
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: number;
  error: string | null;
  result: unknown;
  created_at: Date;
  updated_at: Date;
}

export async function insertMap(q: Queryable, tenantId: string, industry: string, days: number): Promise<MapRow> {
  return (await q.query<MapRow>(
    `INSERT INTO decision_maps (id, tenant_id, industry, days, status) VALUES ($1, $2, $3, $4, 'queued') RETURNING *`,
    [randomUUID(), tenantId, industry, days],
  ))[0]!;
}

export async function findMap(q: Queryable, tenantId: string, id: string): Promise<MapRow | undefined> {
  return (await q.query<MapRow>('SELECT * FROM decision_maps WHERE tenant_id = $1 AND id = $2', [tenantId, id]))[0];
}

export async function updateMap(q: Queryable, id: string, patch: Partial<Pick<MapRow, 'status' | 'progress' | 'error' | 'result'>>): Promise<void> {
  const entries = Object.entries(patch).map(([k, v]) => [k, k === 'result' ? JSON.stringify(v) : v] as const);
  await q.query(
    `UPDATE decision_maps SET ${entries.map(([k], i) => `${k} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1`,
    [id, ...entries.map(([, v]) => v)],
  );
}

export async function unfinishedMaps(q: Queryable): Promise<{ id: string; tenant_id: string }[]> {
  return q.query(`SELECT id, tenant_id FROM decision_maps WHERE status IN ('queued', 'running')`);
}

// ---- cached theme sets (GET /v1/inquiries/themes) ----

export interface ThemeSetRow {
  tenant_id: string;
  industry: string;
  days: number;
  state: 'queued' | 'running' | 'idle' | 'failed';
  progress: number;
  target_stamp: string | null;
  target_to: string | null;
  result: unknown;
  stamp: string | null;
  window_to: string | null;
  computed_at: Date | null;
  error: string | null;
}

const THEME_SET_COLUMNS = `tenant_id, industry, days, state, progress, target_stamp::text, target_to::text, result, stamp::text, window_to::text, computed_at, error`;

export async function findThemeSet(q: Queryable, tenantId: string, industry: string, days: number): Promise<ThemeSetRow | undefined> {
  return (await q.query<ThemeSetRow>(`SELECT ${THEME_SET_COLUMNS} FROM inquiry_theme_sets WHERE tenant_id = $1 AND industry = $2 AND days = $3`, [tenantId, industry, days]))[0];
}

/** The window lengths someone has asked themes for in this industry (their caches get refreshed after ingest). */
export async function themeSetDays(q: Queryable, tenantId: string, industry: string): Promise<number[]> {
  return (await q.query<{ days: number }>(`SELECT days FROM inquiry_theme_sets WHERE tenant_id = $1 AND industry = $2 ORDER BY days`, [tenantId, industry])).map((r) => r.days);
}

/**
 * Marks a refresh towards (stamp, windowTo) as queued, unless the stored result already is for
 * that target or a refresh towards it is queued, running or has failed (its retries are spent).
 * True when the caller should enqueue the job.
 */
export async function claimThemeRefresh(q: Queryable, tenantId: string, industry: string, days: number, stamp: number, windowTo: string): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO inquiry_theme_sets (tenant_id, industry, days, state, target_stamp, target_to) VALUES ($1, $2, $3, 'queued', $4, $5::date)
     ON CONFLICT (tenant_id, industry, days) DO UPDATE SET state = 'queued', progress = 0, error = NULL,
       target_stamp = EXCLUDED.target_stamp, target_to = EXCLUDED.target_to, updated_at = now()
     WHERE NOT (inquiry_theme_sets.state IN ('queued', 'running', 'failed')
                AND inquiry_theme_sets.target_stamp = EXCLUDED.target_stamp AND inquiry_theme_sets.target_to = EXCLUDED.target_to)
       AND NOT (inquiry_theme_sets.result IS NOT NULL
                AND inquiry_theme_sets.stamp = EXCLUDED.target_stamp AND inquiry_theme_sets.window_to = EXCLUDED.target_to)
     RETURNING days`,
    [tenantId, industry, days, stamp, windowTo],
  );
  return rows.length > 0;
}

export async function updateThemeSetProgress(q: Queryable, tenantId: string, industry: string, days: number, state: 'running' | 'failed', progress: number, error?: string): Promise<void> {
  await q.query(
    `UPDATE inquiry_theme_sets SET state = $4, progress = $5, error = $6, updated_at = now() WHERE tenant_id = $1 AND industry = $2 AND days = $3`,
    [tenantId, industry, days, state, progress, error ?? null],
  );
}

/**
 * Stores a computed result. The set goes idle unless a refresh towards a newer target was asked
 * for meanwhile (its job is queued and will run next).
 */
export async function storeThemeSet(q: Queryable, tenantId: string, industry: string, days: number, result: unknown, stamp: number, windowTo: string): Promise<void> {
  await q.query(
    `UPDATE inquiry_theme_sets SET result = $4, stamp = $5, window_to = $6::date, computed_at = now(), error = NULL, progress = 100,
       state = CASE WHEN target_to IS NULL OR target_to < $6::date OR (target_to = $6::date AND target_stamp <= $5) THEN 'idle' ELSE state END,
       updated_at = now()
     WHERE tenant_id = $1 AND industry = $2 AND days = $3`,
    [tenantId, industry, days, JSON.stringify(result), stamp, windowTo],
  );
}

/** Theme sets whose refresh was queued or running when the process stopped. */
export async function unfinishedThemeSets(q: Queryable): Promise<{ tenant_id: string; industry: string; days: number; target_stamp: string | null; target_to: string | null }[]> {
  return q.query(`SELECT tenant_id, industry, days, target_stamp::text, target_to::text FROM inquiry_theme_sets WHERE state IN ('queued', 'running')`);
}

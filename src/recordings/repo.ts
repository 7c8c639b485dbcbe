import type { Queryable } from '../platform/db.js';
import type { ChannelLayout, Track } from './audio.js';

export type RecordingStatus = 'queued' | 'processing' | 'transcribed' | 'analyzed' | 'failed';
export type Role = 'rep' | 'customer' | 'unknown';

export interface RecordingRow {
  id: string;
  tenant_id: string;
  external_id: string | null;
  lead_id: string | null;
  rep_id: string | null;
  source: 'upload' | 'import';
  language: string;
  detected_language: string | null;
  channel_layout: ChannelLayout;
  status: RecordingStatus;
  stage: string | null;
  progress: number;
  run: number;
  error_code: string | null;
  error_message: string | null;
  original_filename: string | null;
  storage_dir: string | null;
  size_bytes: string | null;
  duration_sec: number | null;
  audio_format: string | null;
  audio_channels: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface ChunkRow {
  idx: number;
  channel: Track;
  start_sec: number;
  end_sec: number;
  status: 'pending' | 'done';
  result: { language?: string; segments: { start: number; end: number; text: string; speaker?: string }[] } | null;
}

export interface SegmentRow {
  idx: number;
  speaker: string;
  role: Role;
  start_sec: number;
  end_sec: number;
  text: string;
}

export type NewRecording = Pick<
  RecordingRow,
  'id' | 'tenant_id' | 'external_id' | 'lead_id' | 'rep_id' | 'source' | 'language' | 'channel_layout' | 'status' | 'stage' | 'progress'
> &
  Partial<Pick<RecordingRow, 'original_filename' | 'storage_dir' | 'size_bytes' | 'duration_sec' | 'audio_format' | 'audio_channels'>>;

export async function insertRecording(q: Queryable, r: NewRecording): Promise<void> {
  await q.query(
    `INSERT INTO recordings (id, tenant_id, external_id, lead_id, rep_id, source, language, channel_layout, status, stage, progress,
       original_filename, storage_dir, size_bytes, duration_sec, audio_format, audio_channels)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)`,
    [
      r.id, r.tenant_id, r.external_id, r.lead_id, r.rep_id, r.source, r.language, r.channel_layout, r.status, r.stage, r.progress,
      r.original_filename ?? null, r.storage_dir ?? null, r.size_bytes ?? null, r.duration_sec ?? null, r.audio_format ?? null,
      r.audio_channels ?? null,
    ],
  );
}

export async function findRecording(q: Queryable, tenantId: string, id: string): Promise<RecordingRow | undefined> {
  const rows = await q.query<RecordingRow>('SELECT * FROM recordings WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  return rows[0];
}

export async function findByExternalId(q: Queryable, tenantId: string, externalId: string): Promise<RecordingRow | undefined> {
  const rows = await q.query<RecordingRow>('SELECT * FROM recordings WHERE tenant_id = $1 AND external_id = $2', [tenantId, externalId]);
  return rows[0];
}

export async function deleteRecording(q: Queryable, tenantId: string, id: string): Promise<void> {
  await q.query('DELETE FROM recordings WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
}

/** Updates only while `run` matches, so a stale job from before a retry cannot overwrite newer state. */
export async function updateRecording(
  q: Queryable,
  key: { tenantId: string; id: string; run: number },
  patch: Partial<Pick<RecordingRow, 'status' | 'stage' | 'progress' | 'error_code' | 'error_message' | 'detected_language'>>,
): Promise<boolean> {
  const entries = Object.entries(patch);
  const sets = entries.map(([k], i) => `${k} = $${i + 4}`);
  const rows = await q.query(
    `UPDATE recordings SET ${sets.join(', ')}, updated_at = now() WHERE tenant_id = $1 AND id = $2 AND run = $3 RETURNING id`,
    [key.tenantId, key.id, key.run, ...entries.map(([, v]) => v)],
  );
  return rows.length > 0;
}

/** Moves a failed recording to a new run; returns the new run number, or undefined if it is not failed. */
export async function startRetry(q: Queryable, tenantId: string, id: string): Promise<number | undefined> {
  const rows = await q.query<{ run: number }>(
    `UPDATE recordings SET status = 'queued', run = run + 1, error_code = NULL, error_message = NULL, updated_at = now()
     WHERE tenant_id = $1 AND id = $2 AND status = 'failed' RETURNING run`,
    [tenantId, id],
  );
  return rows[0]?.run;
}

export async function listUnfinished(q: Queryable): Promise<Pick<RecordingRow, 'id' | 'tenant_id' | 'run' | 'stage'>[]> {
  // 'transcribed' is unfinished too: its analysis has not been stored yet.
  return q.query(`SELECT id, tenant_id, run, stage FROM recordings WHERE status IN ('queued', 'processing', 'transcribed') ORDER BY created_at`);
}

export async function insertChunks(
  q: Queryable,
  tenantId: string,
  recordingId: string,
  chunks: { channel: Track; start: number; end: number }[],
): Promise<void> {
  if (chunks.length === 0) return;
  await q.query(
    `INSERT INTO recording_chunks (recording_id, tenant_id, idx, channel, start_sec, end_sec)
     SELECT $1, $2, c.idx, c.channel, c.start_sec, c.end_sec
     FROM unnest($3::int[], $4::text[], $5::float8[], $6::float8[]) AS c(idx, channel, start_sec, end_sec)
     ON CONFLICT (recording_id, idx) DO NOTHING`,
    [recordingId, tenantId, chunks.map((_, i) => i), chunks.map((c) => c.channel), chunks.map((c) => c.start), chunks.map((c) => c.end)],
  );
}

export async function listChunks(q: Queryable, recordingId: string): Promise<ChunkRow[]> {
  return q.query<ChunkRow>(
    'SELECT idx, channel, start_sec, end_sec, status, result FROM recording_chunks WHERE recording_id = $1 ORDER BY idx',
    [recordingId],
  );
}

export async function countSegments(q: Queryable, recordingId: string): Promise<number> {
  const rows = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM transcript_segments WHERE recording_id = $1', [recordingId]);
  return rows[0]?.n ?? 0;
}

/** Segments whose text contains any of `terms` (case-insensitive), for keyword search. */
export async function segmentsMatching(q: Queryable, tenantId: string, terms: string[], limit: number): Promise<(SegmentRow & { recording_id: string })[]> {
  if (terms.length === 0) return [];
  const patterns = terms.map((t) => `%${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  return q.query(
    `SELECT s.recording_id, s.idx, s.speaker, s.role, s.start_sec, s.end_sec, s.text FROM transcript_segments s
     WHERE s.tenant_id = $1 AND s.text ILIKE ANY($2::text[]) ORDER BY s.recording_id, s.idx LIMIT $3`,
    [tenantId, patterns, limit],
  );
}

export async function segmentsByKeys(q: Queryable, tenantId: string, keys: { recordingId: string; idx: number }[]): Promise<(SegmentRow & { recording_id: string })[]> {
  if (keys.length === 0) return [];
  return q.query(
    `SELECT s.recording_id, s.idx, s.speaker, s.role, s.start_sec, s.end_sec, s.text FROM transcript_segments s
     JOIN unnest($2::uuid[], $3::int[]) AS k(recording_id, idx) ON k.recording_id = s.recording_id AND k.idx = s.idx
     WHERE s.tenant_id = $1`,
    [tenantId, keys.map((k) => k.recordingId), keys.map((k) => k.idx)],
  );
}

export async function countChunks(q: Queryable, recordingId: string): Promise<number> {
  const rows = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM recording_chunks WHERE recording_id = $1', [recordingId]);
  return rows[0]?.n ?? 0;
}

export async function saveChunkResult(q: Queryable, recordingId: string, idx: number, result: ChunkRow['result']): Promise<void> {
  await q.query(
    `UPDATE recording_chunks SET status = 'done', result = $3, attempts = attempts + 1, updated_at = now()
     WHERE recording_id = $1 AND idx = $2`,
    [recordingId, idx, JSON.stringify(result)],
  );
}

export async function replaceSegments(
  q: Queryable,
  tenantId: string,
  recordingId: string,
  segments: Omit<SegmentRow, 'idx'>[],
): Promise<void> {
  await q.query('DELETE FROM transcript_segments WHERE recording_id = $1', [recordingId]);
  // unnest keeps it to one round trip per 1000 segments on both pg and PGlite.
  for (let from = 0; from < segments.length; from += 1000) {
    const batch = segments.slice(from, from + 1000);
    await q.query(
      `INSERT INTO transcript_segments (recording_id, tenant_id, idx, speaker, role, start_sec, end_sec, text)
       SELECT $1, $2, s.* FROM unnest($3::int[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::text[])
         AS s(idx, speaker, role, start_sec, end_sec, text)`,
      [
        recordingId, tenantId, batch.map((_, i) => from + i), batch.map((s) => s.speaker), batch.map((s) => s.role),
        batch.map((s) => s.start_sec), batch.map((s) => s.end_sec), batch.map((s) => s.text),
      ],
    );
  }
}

export async function listSegments(q: Queryable, tenantId: string, recordingId: string): Promise<SegmentRow[]> {
  return q.query<SegmentRow>(
    'SELECT idx, speaker, role, start_sec, end_sec, text FROM transcript_segments WHERE tenant_id = $1 AND recording_id = $2 ORDER BY idx',
    [tenantId, recordingId],
  );
}

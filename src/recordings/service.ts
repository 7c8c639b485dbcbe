import { randomUUID } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Config } from '../config.js';
import { isUniqueViolation, type Db, type Queryable } from '../platform/db.js';
import { AppError, fromZodError, notFound } from '../platform/errors.js';
import type { JobQueue } from '../platform/queue.js';
import type { Storage } from '../platform/storage.js';
import { AudioRejected, probe } from './audio.js';
import * as repo from './repo.js';
import { uploadFieldsSchema, type ImportBody, type RecordingView } from './schemas.js';
import { getTenantSettings } from '../platform/tenants.js';
import { redact } from '../analysis/redact.js';
import { parseTranscript, TranscriptFormatError } from './transcript-formats.js';
import type { ReceivedUpload } from './upload.js';

export interface RecordingDeps {
  db: Db;
  queue: JobQueue;
  storage: Storage;
  config: Config;
}

export interface Accepted {
  id: string;
  status: repo.RecordingStatus;
  duplicate?: true;
}

export type Stage = 'audio' | 'transcribe' | 'analyze';
export const jobId = (recordingId: string, stage: Stage, run: number) => `${recordingId}.${stage}.${run}`;

/** The stage a recording resumes at: work already stored (chunks, transcript) is never redone. */
async function nextStage(db: Db, recordingId: string): Promise<Stage> {
  if ((await repo.countSegments(db, recordingId)) > 0) return 'analyze';
  if ((await repo.countChunks(db, recordingId)) > 0) return 'transcribe';
  return 'audio';
}

/** Applies the tenant's redaction setting to text about to be stored. */
export async function storableSegments<T extends { text: string }>(db: Db, tenantId: string, segments: T[]): Promise<T[]> {
  if (!(await getTenantSettings(db, tenantId)).redactPii) return segments;
  return segments.map((s) => ({ ...s, text: redact(s.text).text }));
}

/** Validates an uploaded file, files it under the recording, and queues the audio stage. */
export async function createFromUpload(deps: RecordingDeps, tenantId: string, upload: ReceivedUpload): Promise<Accepted> {
  const { db, storage, config } = deps;
  let dir: string | undefined;
  try {
    const parsed = uploadFieldsSchema.safeParse(upload.fields);
    if (!parsed.success) throw fromZodError(parsed.error, 'fields');
    const fields = parsed.data;
    if (fields.externalId) {
      const existing = await repo.findByExternalId(db, tenantId, fields.externalId);
      if (existing) return { id: existing.id, status: existing.status, duplicate: true };
    }
    const info = await probeOrReject(upload.tempPath);
    if (info.durationSec > config.MAX_DURATION_SEC) {
      throw new AppError(422, 'too_long', `the recording lasts ${Math.round(info.durationSec)} s, over the ${config.MAX_DURATION_SEC} s limit (MAX_DURATION_SEC)`);
    }
    if (fields.channelLayout !== 'mixed' && info.channels !== 2) {
      throw new AppError(422, 'not_stereo', `channelLayout ${fields.channelLayout} needs a stereo recording; this one has ${info.channels} channel(s)`);
    }
    const id = randomUUID();
    const storageDir = storage.recordingDir(tenantId, id);
    const original = `original${safeExtension(upload.filename)}`;
    dir = await storage.ensureDir(storageDir);
    await rename(upload.tempPath, join(dir, original));
    try {
      await repo.insertRecording(db, {
        id, tenant_id: tenantId, external_id: fields.externalId ?? null, lead_id: fields.leadId ?? null, rep_id: fields.repId ?? null,
        source: 'upload', language: fields.language, channel_layout: fields.channelLayout, status: 'queued', stage: 'audio', progress: 0,
        original_filename: upload.filename, storage_dir: storageDir, size_bytes: String(upload.sizeBytes), duration_sec: info.durationSec,
        audio_format: `${info.formatName}/${info.codec}`, audio_channels: info.channels,
      });
    } catch (err) {
      // Two uploads with one externalId raced: the other one won.
      if (isUniqueViolation(err) && fields.externalId) {
        const existing = await repo.findByExternalId(db, tenantId, fields.externalId);
        if (existing) return { id: existing.id, status: existing.status, duplicate: true };
      }
      throw err;
    }
    try {
      await deps.queue.add('audio', { tenantId, recordingId: id, run: 1 }, jobId(id, 'audio', 1));
    } catch (err) {
      await repo.deleteRecording(db, tenantId, id);
      throw new AppError(503, 'queue_unavailable', 'the job queue is unavailable; try again shortly', undefined, err);
    }
    dir = undefined; // the recording owns the folder now
    return { id, status: 'queued' };
  } finally {
    await storage.remove(upload.tempPath);
    if (dir) await storage.remove(dir);
  }
}

async function probeOrReject(path: string) {
  try {
    return await probe(path);
  } catch (err) {
    if (err instanceof AudioRejected) {
      throw new AppError(err.code === 'not_audio' ? 415 : 422, err.code, err.message);
    }
    throw err;
  }
}

/** Keeps a short, known-safe extension for the stored original (ffmpeg sniffs content anyway). */
function safeExtension(filename: string): string {
  const ext = extname(filename).toLowerCase();
  return /^\.[a-z0-9]{1,5}$/.test(ext) ? ext : '';
}

/** Stores a ready transcript (segments, WebVTT or SRT); it is transcribed at once. */
export async function createFromImport(deps: RecordingDeps, tenantId: string, body: ImportBody): Promise<Accepted> {
  const { db } = deps;
  let segments;
  try {
    segments = parseTranscript(body.transcript, { format: body.format, speakerRoles: body.speakerRoles });
  } catch (err) {
    if (err instanceof TranscriptFormatError) {
      throw new AppError(400, 'invalid_transcript', `transcript: ${err.message}`, err.line ? { line: err.line } : undefined);
    }
    throw err;
  }
  if (body.externalId) {
    const existing = await repo.findByExternalId(db, tenantId, body.externalId);
    if (existing) return { id: existing.id, status: existing.status, duplicate: true };
  }
  const id = randomUUID();
  const stored = await storableSegments(db, tenantId, segments);
  try {
    await db.tx(async (q) => {
      await repo.insertRecording(q, {
        id, tenant_id: tenantId, external_id: body.externalId ?? null, lead_id: body.leadId ?? null, rep_id: body.repId ?? null,
        source: 'import', language: body.language, channel_layout: body.channelLayout, status: 'transcribed', stage: 'done', progress: 100,
        duration_sec: segments.reduce((m, s) => Math.max(m, s.end), 0),
      });
      await repo.replaceSegments(
        q, tenantId, id,
        stored.map((s) => ({ speaker: s.speaker, role: s.role, start_sec: s.start, end_sec: s.end, text: s.text })),
      );
    });
  } catch (err) {
    if (isUniqueViolation(err) && body.externalId) {
      const existing = await repo.findByExternalId(db, tenantId, body.externalId);
      if (existing) return { id: existing.id, status: existing.status, duplicate: true };
    }
    throw err;
  }
  // If this enqueue is lost (crash), the start-up scan finds the 'transcribed' row and queues it.
  await deps.queue.add('analyze', { tenantId, recordingId: id, run: 1 }, jobId(id, 'analyze', 1));
  return { id, status: 'transcribed' };
}

export async function getRecording(deps: RecordingDeps, tenantId: string, id: string): Promise<RecordingView> {
  const row = await repo.findRecording(deps.db, tenantId, id);
  if (!row) throw notFound('recording');
  const segments = await repo.listSegments(deps.db, tenantId, id);
  return toView(row, segments.length > 0 ? segments : null);
}

/** Puts a failed recording back in the queue; chunks already transcribed are reused. */
export async function retryRecording(deps: RecordingDeps, tenantId: string, id: string): Promise<Accepted> {
  const row = await repo.findRecording(deps.db, tenantId, id);
  if (!row) throw notFound('recording');
  const run = await repo.startRetry(deps.db, tenantId, id);
  if (run === undefined) throw new AppError(409, 'not_retryable', `only failed recordings can be retried; this one is ${row.status}`);
  const stage = await nextStage(deps.db, id);
  await deps.queue.add(stage, { tenantId, recordingId: id, run }, jobId(id, stage, run));
  return { id, status: 'queued' };
}

/** Queues every unfinished recording's current stage again (job ids make this idempotent). */
export async function requeueUnfinished(deps: RecordingDeps): Promise<number> {
  const rows = await repo.listUnfinished(deps.db);
  for (const r of rows) {
    const stage = await nextStage(deps.db, r.id);
    await deps.queue.add(stage, { tenantId: r.tenant_id, recordingId: r.id, run: r.run }, jobId(r.id, stage, r.run));
  }
  return rows.length;
}

function toView(row: repo.RecordingRow, segments: repo.SegmentRow[] | null): RecordingView {
  return {
    id: row.id,
    externalId: row.external_id,
    leadId: row.lead_id,
    repId: row.rep_id,
    source: row.source,
    status: row.status,
    stage: row.stage,
    progress: row.progress,
    language: row.language,
    detectedLanguage: row.detected_language,
    channelLayout: row.channel_layout,
    durationSec: row.duration_sec,
    originalFilename: row.original_filename,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    error: row.error_code ? { code: row.error_code, message: row.error_message ?? '' } : null,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    transcript: segments
      ? { segments: segments.map((s) => ({ speaker: s.speaker, role: s.role, start: s.start_sec, end: s.end_sec, text: s.text })) }
      : null,
  };
}

// ---- for the analysis feature ----

export interface TranscriptForAnalysis {
  id: string;
  run: number;
  language: string;
  externalId: string | null;
  leadId: string | null;
  repId: string | null;
  segments: { speaker: string; role: repo.Role; start: number; end: number; text: string }[];
}

/** The transcript of a recording waiting for analysis in run `run`, or undefined if that run is stale. */
export async function transcriptForAnalysis(db: Db, tenantId: string, id: string, run: number): Promise<TranscriptForAnalysis | undefined> {
  const row = await repo.findRecording(db, tenantId, id);
  if (!row || row.run !== run || row.status === 'failed') return undefined;
  const segments = await repo.listSegments(db, tenantId, id);
  return {
    id, run, language: row.language, externalId: row.external_id, leadId: row.lead_id, repId: row.rep_id,
    segments: segments.map((s) => ({ speaker: s.speaker, role: s.role, start: s.start_sec, end: s.end_sec, text: s.text })),
  };
}

export async function statusOf(db: Db, tenantId: string, id: string): Promise<repo.RecordingStatus | undefined> {
  return (await repo.findRecording(db, tenantId, id))?.status;
}

export async function markAnalyzed(q: Queryable, key: { tenantId: string; id: string; run: number }): Promise<boolean> {
  return repo.updateRecording(q, key, { status: 'analyzed', stage: 'done', progress: 100 });
}

export async function markFailed(q: Queryable, key: { tenantId: string; id: string; run: number }, code: string, message: string): Promise<boolean> {
  return repo.updateRecording(q, key, { status: 'failed', error_code: code, error_message: message });
}

export const segmentsMatching = repo.segmentsMatching;
export const segmentsByKeys = repo.segmentsByKeys;

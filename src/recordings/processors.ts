import { readdir } from 'node:fs/promises';
import pLimit from 'p-limit';
import type { FastifyBaseLogger } from 'fastify';
import { PermanentError, type JobContext, type Processors } from '../platform/queue.js';
import { createSpeechProvider, SpeechConfigError, type SpeechProvider } from '../providers/speech/index.js';
import { AudioRejected, normalise, type Track } from './audio.js';
import { planChunks } from './chunking.js';
import * as repo from './repo.js';
import { jobId, storableSegments, type RecordingDeps } from './service.js';
import { readWavSlice } from './wav.js';

interface StageJob {
  tenantId: string;
  recordingId: string;
  run: number;
}

// Progress bands: the audio stage fills 0–20 %, transcription 20–100 %.
const AUDIO_DONE = 20;

export interface ProcessorDeps extends RecordingDeps {
  log: FastifyBaseLogger;
  /** Overridable in tests; by default built from config once and reused. */
  speechProvider?: () => Promise<SpeechProvider>;
}

export function recordingProcessors(deps: ProcessorDeps): Processors {
  let provider: Promise<SpeechProvider> | undefined;
  const speech =
    deps.speechProvider ??
    (() => {
      provider ??= createSpeechProvider(deps.config);
      // A failed build (missing model) is not cached, so fixing the setup and retrying works.
      provider.catch(() => (provider = undefined));
      return provider;
    });
  return {
    audio: (job) => withFailureHandling(deps, job, () => audioStage(deps, job.data as StageJob)),
    transcribe: (job) => withFailureHandling(deps, job, () => transcribeStage(deps, job.data as StageJob, speech)),
  };
}

/** Records the reason on the recording when retrying is pointless or this was the last try. */
async function withFailureHandling(deps: ProcessorDeps, job: JobContext, stage: () => Promise<void>): Promise<void> {
  const data = job.data as unknown as StageJob;
  try {
    await stage();
  } catch (err) {
    const permanent = err instanceof PermanentError || err instanceof SpeechConfigError || err instanceof AudioRejected;
    const code = permanent ? (err as { code: string }).code : 'processing_failed';
    const message = err instanceof Error ? err.message : String(err);
    if (permanent || job.isLastAttempt) {
      await repo.updateRecording(deps.db, { tenantId: data.tenantId, id: data.recordingId, run: data.run }, {
        status: 'failed',
        error_code: code,
        error_message: permanent ? message : `${message} (after ${job.attempt} attempts)`,
      });
    }
    throw permanent ? new PermanentError(code, message) : err;
  }
}

/**
 * Loads the recording unless this job is stale: a retry started a newer run, the run failed, or
 * the run is already past the audio and transcribe stages (a stalled job that BullMQ ran a second
 * time must not set a transcribed or analysed recording back to `processing`).
 */
async function current(deps: RecordingDeps, job: StageJob): Promise<repo.RecordingRow | undefined> {
  const row = await repo.findRecording(deps.db, job.tenantId, job.recordingId);
  if (!row || row.run !== job.run || row.status === 'failed') return undefined;
  if (row.status === 'transcribed' || row.status === 'analyzed') return undefined;
  return row;
}

/** Progress writes are throttled to whole-percent changes. */
function progressWriter(deps: RecordingDeps, job: StageJob) {
  let last = -1;
  return async (percent: number) => {
    const p = Math.max(0, Math.min(99, Math.floor(percent)));
    if (p <= last) return;
    last = p;
    await repo.updateRecording(deps.db, { tenantId: job.tenantId, id: job.recordingId, run: job.run }, { progress: p });
  };
}

async function audioStage(deps: ProcessorDeps, job: StageJob): Promise<void> {
  const row = await current(deps, job);
  if (!row) return;
  const key = { tenantId: job.tenantId, id: job.recordingId, run: job.run };
  // Chunks are written only after normalisation finished, so their presence means this stage is done.
  if ((await repo.countChunks(deps.db, row.id)) === 0) {
    await repo.updateRecording(deps.db, key, { status: 'processing', stage: 'audio', progress: 1 });
    if (!row.storage_dir || !row.duration_sec) throw new PermanentError('missing_audio', 'the recording has no stored audio');
    const dir = deps.storage.abs(row.storage_dir);
    const original = `${dir}/${await originalName(dir)}`;
    const progress = progressWriter(deps, job);
    let pending = Promise.resolve();
    const tracks = await normalise(original, dir, {
      layout: row.channel_layout,
      durationSec: row.duration_sec,
      silenceDb: deps.config.SILENCE_THRESHOLD_DB,
      silenceMinSec: deps.config.SILENCE_MIN_SEC,
      onProgress: (f) => {
        pending = pending.then(() => progress(1 + f * (AUDIO_DONE - 1))).catch(() => undefined);
      },
    });
    await pending;
    const chunks = tracks.flatMap((t) =>
      planChunks(row.duration_sec!, t.silences, { maxChunkSec: deps.config.TRANSCRIBE_CHUNK_SEC }).map((c) => ({ channel: t.track, ...c })),
    );
    // Order by time across channels, so chunk indices follow the conversation.
    chunks.sort((a, b) => a.start - b.start || a.channel.localeCompare(b.channel));
    await repo.insertChunks(deps.db, job.tenantId, row.id, chunks);
    deps.log.info({ recordingId: row.id, tracks: tracks.length, chunks: chunks.length }, 'audio normalised and chunked');
  }
  await repo.updateRecording(deps.db, key, { status: 'processing', stage: 'transcribe', progress: AUDIO_DONE });
  await deps.queue.add('transcribe', job, jobId(row.id, 'transcribe', job.run));
}

async function originalName(dir: string): Promise<string> {
  const name = (await readdir(dir)).find((f) => f.startsWith('original'));
  if (!name) throw new PermanentError('missing_audio', 'the stored recording file is missing');
  return name;
}

async function transcribeStage(deps: ProcessorDeps, job: StageJob, speech: () => Promise<SpeechProvider>): Promise<void> {
  const row = await current(deps, job);
  if (!row || !row.storage_dir) return;
  const key = { tenantId: job.tenantId, id: job.recordingId, run: job.run };
  await repo.updateRecording(deps.db, key, { status: 'processing', stage: 'transcribe' });
  const provider = await speech();
  const chunks = await repo.listChunks(deps.db, row.id);
  const dir = deps.storage.abs(row.storage_dir);
  const language = row.language === 'auto' ? undefined : (row.language as 'zh' | 'en');
  const progress = progressWriter(deps, job);
  let done = chunks.filter((c) => c.status === 'done').length;
  const total = Math.max(1, chunks.length);
  const limit = pLimit(deps.config.TRANSCRIBE_CONCURRENCY);
  const outcomes = await Promise.allSettled(
    chunks
      .filter((c) => c.status !== 'done')
      .map((c) =>
        limit(async () => {
          const wav = await readWavSlice(`${dir}/${c.channel}.wav`, c.start_sec, c.end_sec);
          const result = await provider.transcribe(wav, { language });
          await repo.saveChunkResult(deps.db, row.id, c.idx, result);
          c.status = 'done';
          c.result = result;
          done += 1;
          await progress(AUDIO_DONE + ((100 - AUDIO_DONE) * done) / total);
        }),
      ),
  );
  // Every finished chunk is already stored; the retry resumes from the first failure.
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;

  const segments = await storableSegments(deps.db, job.tenantId, stitch(row.channel_layout, chunks));
  const detected = mostCommon(chunks.map((c) => c.result?.language).filter((l): l is string => !!l));
  await deps.db.tx(async (q) => {
    await repo.replaceSegments(q, job.tenantId, row.id, segments);
    await repo.updateRecording(q, key, { status: 'transcribed', stage: 'done', progress: 100, detected_language: detected ?? null });
  });
  deps.log.info({ recordingId: row.id, segments: segments.length }, 'recording transcribed');
  await deps.queue.add('analyze', job, jobId(row.id, 'analyze', job.run));
}

/** Shifts chunk-relative times onto the recording's timeline and labels speakers by channel. */
export function stitch(layout: repo.RecordingRow['channel_layout'], chunks: repo.ChunkRow[]): Omit<repo.SegmentRow, 'idx'>[] {
  const roleOf = (track: Track): repo.Role => {
    if (track === 'mono') return 'unknown';
    const repTrack = layout === 'rep-left' ? 'left' : 'right';
    return track === repTrack ? 'rep' : 'customer';
  };
  const out = chunks.flatMap((c) =>
    (c.result?.segments ?? []).map((s) => {
      const role = roleOf(c.channel);
      return {
        speaker: role === 'unknown' ? (s.speaker ?? 'unknown') : role,
        role,
        start_sec: round(c.start_sec + s.start),
        end_sec: round(Math.min(c.end_sec, c.start_sec + s.end)),
        text: s.text,
      };
    }),
  );
  return out.sort((a, b) => a.start_sec - b.start_sec || a.end_sec - b.end_sec);
}

const round = (n: number) => Math.round(n * 1000) / 1000;

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

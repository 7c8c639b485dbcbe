// Audio benchmark (`npm run bench`): figures for the two targets in the issue.
//  1. probe + normalise (channel split, 16 kHz, silencedetect) + planChunks on a 60-minute stereo call,
//     against a bare `ffmpeg -i in.m4a -ar 16000 -ac 1 out.wav` on the same file. Target ≤ 1.3×.
//  2. Peak RSS of the API process while a ~400 MB upload streams in. Target < 200 MB.
// It reports figures (and whether each target is met); it exits non-zero only when something breaks.
// Knobs: BENCH_REPS (3), BENCH_CALL_MIN (60), BENCH_UPLOAD_MIN (40, ≈ 10.1 MB per minute).
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probe, normalise } from '../src/recordings/audio.js';
import { planChunks } from '../src/recordings/chunking.js';
import { ffmpegBin, run } from '../src/recordings/ffmpeg.js';
import { ensureCallRecording, expectedSilences, makeUploadWav, type CallSchedule } from './call-audio.js';
import { measureUploadRss, type UploadRssResult } from './server-rss.js';
import pg from 'pg';

async function dropSchema(url: string, schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => c.end());
}
import { mbStr, median, min, sec, table, toMb, yesNo } from './util.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const CACHE_DIR = join(BENCH_DIR, '.out');

const REPS = Number(process.env.BENCH_REPS ?? 3);
const CALL_SEC = Number(process.env.BENCH_CALL_MIN ?? 60) * 60;
const UPLOAD_SEC = Number(process.env.BENCH_UPLOAD_MIN ?? 40) * 60;
const RATIO_TARGET = 1.3;
const RSS_TARGET_MB = 200;
// The same settings the service uses by default (config.ts), so the figures match production work.
const SILENCE = { silenceDb: -35, silenceMinSec: 0.6 };
const MAX_CHUNK_SEC = 600;

interface PipelineRun {
  totalMs: number;
  probeMs: number;
  normaliseMs: number;
  planMs: number;
  tracks: { track: string; silences: number; chunks: number }[];
}

/** The reference: what it costs ffmpeg alone to decode and resample this file. */
async function runBare(input: string, out: string): Promise<number> {
  const t0 = performance.now();
  await run(ffmpegBin(), ['-y', '-v', 'error', '-i', input, '-ar', '16000', '-ac', '1', out]);
  return performance.now() - t0;
}

/** What the audio stage does with an upload, minus the database writes. */
async function runPipeline(input: string, outDir: string): Promise<PipelineRun> {
  const t0 = performance.now();
  const info = await probe(input);
  const t1 = performance.now();
  const tracks = await normalise(input, outDir, { layout: 'rep-left', ...SILENCE, durationSec: info.durationSec });
  const t2 = performance.now();
  const plans = tracks.map((t) => ({
    track: t.track,
    silences: t.silences.length,
    chunks: planChunks(info.durationSec, t.silences, { maxChunkSec: MAX_CHUNK_SEC }).length,
  }));
  const t3 = performance.now();
  return { totalMs: t3 - t0, probeMs: t1 - t0, normaliseMs: t2 - t1, planMs: t3 - t2, tracks: plans };
}

/** Alternates which side goes first, so page-cache warmth and thermal drift do not favour one. */
async function timePipelineVsBare(input: string, work: string) {
  const bare: number[] = [];
  const pipe: PipelineRun[] = [];
  for (let i = 0; i < REPS; i++) {
    const dir = join(work, `rep-${i}`);
    await mkdir(dir, { recursive: true });
    const order = i % 2 === 0 ? (['bare', 'pipeline'] as const) : (['pipeline', 'bare'] as const);
    for (const side of order) {
      if (side === 'bare') bare.push(await runBare(input, join(dir, 'bare.wav')));
      else pipe.push(await runPipeline(input, dir));
    }
    const p = pipe[pipe.length - 1]!;
    console.log(
      `  rep ${i + 1}/${REPS} (${order.join(' → ')}): bare ${sec(bare[bare.length - 1]!)}, pipeline ${sec(p.totalMs)}` +
        ` [probe ${sec(p.probeMs)}, normalise ${sec(p.normaliseMs)}, plan ${p.planMs.toFixed(1)} ms]`,
    );
    await rm(dir, { recursive: true, force: true }); // ~350 MB of WAVs per rep
  }
  return { bare, pipe };
}

function reportPipeline(schedule: CallSchedule, durationSec: number, r: Awaited<ReturnType<typeof timePipelineVsBare>>) {
  const totals = r.pipe.map((p) => p.totalMs);
  const ratio = median(totals) / median(r.bare);
  const last = r.pipe[r.pipe.length - 1]!;
  const expected = { left: expectedSilences(schedule.left, durationSec, SILENCE.silenceMinSec), right: expectedSilences(schedule.right, durationSec, SILENCE.silenceMinSec) };
  console.log(`  bare ffmpeg   median ${sec(median(r.bare))}, min ${sec(min(r.bare))}`);
  console.log(`  pipeline      median ${sec(median(totals))}, min ${sec(min(totals))}`);
  console.log(
    `    of which    probe ${sec(median(r.pipe.map((p) => p.probeMs)))}, normalise ${sec(median(r.pipe.map((p) => p.normaliseMs)))},` +
      ` planChunks ${median(r.pipe.map((p) => p.planMs)).toFixed(2)} ms (medians)`,
  );
  for (const t of last.tracks) {
    const exp = expected[t.track as 'left' | 'right'];
    console.log(`  ${t.track.padEnd(5)} track   ${t.silences} silences (schedule implies ${exp}), ${t.chunks} chunks`);
  }
  const chunks = last.tracks.reduce((n, t) => n + t.chunks, 0);
  console.log(`  ratio pipeline/bare: ${ratio.toFixed(2)}× median, ${(min(totals) / min(r.bare)).toFixed(2)}× min; target ≤ ${RATIO_TARGET}× met: ${yesNo(ratio <= RATIO_TARGET)}`);
  return { ratio, chunks, bareMedian: median(r.bare), pipeMedian: median(totals) };
}

function reportUpload(r: UploadRssResult) {
  const sentMb = toMb(r.fileBytes);
  console.log(`  server pid ${r.pid}: ${r.cmdline}`);
  console.log(`  HTTP ${r.status} ${r.body.slice(0, 200)}`);
  console.log(`  upload ${mbStr(sentMb)}: body sent in ${sec(r.sendMs)} (${(sentMb / (r.sendMs / 1000)).toFixed(0)} MB/s), response after ${sec(r.responseMs)} (${sec(r.responseMs - r.sendMs)} after the last byte)`);
  console.log(`  RSS baseline (idle, median) ${mbStr(r.baselineMb)}; VmHWM before upload ${mbStr(r.hwmBeforeMb)}`);
  console.log(`  RSS during upload: max sampled ${mbStr(r.maxSampledMb)} over ${r.samples} samples; VmHWM at response ${mbStr(r.hwmAtResponseMb)}`);
  console.log(`  RSS by share of file sent: ${r.rssAtSentFraction.map((f) => `${Math.round(f.fraction * 100)}% ${f.mb.toFixed(0)} MB`).join(', ')}`);
  console.log(`  RSS when the last byte was sent ${mbStr(r.rssAtSentFraction[r.rssAtSentFraction.length - 1]!.mb)}, at the response ${mbStr(r.rssAtResponseMb)}`);
  console.log(`  RSS growth: ${r.growthPer100Mb.toFixed(1)} MB per 100 MB uploaded (≈ 100 would mean the body is buffered in memory)`);
  console.log(`  peak RSS during upload ${mbStr(r.peakDuringUploadMb)} (${signed(r.peakDuringUploadMb - r.baselineMb)} over baseline); target < ${RSS_TARGET_MB} MB met: ${yesNo(r.peakDuringUploadMb < RSS_TARGET_MB)}`);
  const after = Number.isNaN(r.peakAfterResponseMb) ? 'n/a (exited before the next sample)' : mbStr(r.peakAfterResponseMb);
  console.log(`  after the response (in-process audio job + shutdown): max sampled RSS ${after} over ${r.samplesAfterResponse} samples`);
  const how = r.exit.timedOut ? `did NOT exit within the timeout; killed` : `exited (code ${r.exit.code}, signal ${r.exit.signal})`;
  console.log(`  SIGTERM: server ${how} after ${sec(r.exit.ms)}`);
  if (r.status >= 300 || r.exit.timedOut || r.exit.code !== 0) console.log(`  server log tail:\n${indent(r.serverLogTail)}`);
}

function uploadRows(label: string, r: UploadRssResult): string[][] {
  return [
    [`[${label}] HTTP status`, String(r.status), '202', yesNo(r.status === 202)],
    [`[${label}] upload throughput`, `${(toMb(r.fileBytes) / (r.sendMs / 1000)).toFixed(0)} MB/s`, '', ''],
    [`[${label}] API RSS baseline`, mbStr(r.baselineMb), '', ''],
    [`[${label}] API peak RSS during upload`, mbStr(r.peakDuringUploadMb), `< ${RSS_TARGET_MB} MB`, yesNo(r.peakDuringUploadMb < RSS_TARGET_MB)],
    [`[${label}] peak − baseline`, mbStr(r.peakDuringUploadMb - r.baselineMb), '', ''],
    [`[${label}] RSS growth per 100 MB sent`, mbStr(r.growthPer100Mb), '', ''],
    [`[${label}] exit after SIGTERM`, r.exit.timedOut ? 'timed out' : sec(r.exit.ms), 'exits', yesNo(!r.exit.timedOut && r.exit.code === 0)],
  ];
}

const signed = (mb: number) => `${mb >= 0 ? '+' : ''}${mbStr(mb)}`;

const indent = (s: string) => s.split('\n').map((l) => `    ${l}`).join('\n');

async function ffmpegVersion(): Promise<string> {
  const { stdout } = await run(ffmpegBin(), ['-hide_banner', '-version']);
  return stdout.split('\n')[0] ?? '?';
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'dealsense-bench-'));
  // Ctrl-C mid-run must not leave gigabytes of WAVs in /tmp.
  const onSigint = () => {
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSigint);
  try {
    console.log(`dealsense audio bench — node ${process.version}, ${cpus().length} CPUs, ${await ffmpegVersion()}`);
    console.log(`work dir ${work}, cache ${CACHE_DIR}, ${REPS} repetitions\n`);

    const t0 = performance.now();
    const call = await ensureCallRecording(CACHE_DIR, CALL_SEC);
    const info = await probe(call.path);
    console.log(
      `input: ${call.path} (${call.cached ? 'cached' : `generated in ${sec(performance.now() - t0)}`})\n` +
        `  ${info.codec} ${info.sampleRate} Hz ${info.channels} ch, ${(info.durationSec / 60).toFixed(1)} min, ` +
        `${call.schedule.turns} turns (${call.schedule.left.length} left / ${call.schedule.right.length} right speech spans)`,
    );
    await readFile(call.path); // warm the page cache so the first timed run does not pay for the disk

    console.log(`\n[1] pipeline vs bare ffmpeg`);
    // Both sides are single ffmpeg processes; other work on the machine skews the ratio, so show it.
    console.log(`  load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const timing = reportPipeline(call.schedule, info.durationSec, await timePipelineVsBare(call.path, work));
    console.log(`  load average after:  ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

    console.log(`\n[2] API process RSS during a large upload`);
    const wav = join(work, 'upload.wav');
    const wavBytes = await makeUploadWav(call.path, wav, UPLOAD_SEC);
    console.log(`  upload file: ${(UPLOAD_SEC / 60).toFixed(0)} min 44.1 kHz stereo s16 WAV, ${mbStr(toMb(wavBytes))}`);
    // Two starts on one DATA_DIR: the first creates the embedded database (as the brief's fresh temp dir),
    // the second opens an existing one, which is what a running deployment does after its first boot.
    const uploads: { label: string; r: UploadRssResult }[] = [];
    const runs: { label: string; env?: Record<string, string> }[] = [{ label: 'embedded, fresh DATA_DIR' }, { label: 'embedded, existing DATA_DIR' }];
    // Production layout: PostgreSQL + Redis, jobs in separate workers, so the API process only serves HTTP.
    const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
    const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL;
    if (pgUrl && redisUrl) {
      const schema = `bench_${process.pid}`;
      runs.push({ label: 'PostgreSQL + Redis, RUN_WORKERS=false', env: { DATABASE_URL: pgUrl, DATABASE_SCHEMA: schema, REDIS_URL: redisUrl, QUEUE_PREFIX: schema, RUN_WORKERS: 'false' } });
    } else {
      console.log('  (set DATABASE_URL and REDIS_URL to also measure the production layout)');
    }
    for (const { label, env } of runs) {
      console.log(`  -- server on ${label}:`);
      const r = await measureUploadRss({ dataDir: join(work, 'data'), file: wav, apiKey: 'bench-admin-key-0123456789', env });
      reportUpload(r);
      uploads.push({ label, r });
      if (env?.DATABASE_SCHEMA) await dropSchema(env.DATABASE_URL!, env.DATABASE_SCHEMA);
    }

    console.log(`\nsummary`);
    console.log(
      table([
        ['metric', 'value', 'target', 'met'],
        ['bare ffmpeg (median)', sec(timing.bareMedian), '', ''],
        ['pipeline (median)', sec(timing.pipeMedian), '', ''],
        ['pipeline / bare', `${timing.ratio.toFixed(2)}×`, `≤ ${RATIO_TARGET}×`, yesNo(timing.ratio <= RATIO_TARGET)],
        ['chunks (left + right)', String(timing.chunks), '', ''],
        ['upload size', mbStr(toMb(uploads[0]!.r.fileBytes)), '', ''],
        ...uploads.flatMap(({ label, r }) => uploadRows(label, r)),
      ]),
    );
  } finally {
    process.off('SIGINT', onSigint);
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error('bench failed:', err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});

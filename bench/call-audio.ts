// Synthetic phone-call audio for the benchmark: a stereo recording in which the rep (left) and
// the customer (right) take turns, so silencedetect finds the same kind of boundaries as on a real call.
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ffmpegBin, run } from '../src/recordings/ffmpeg.js';
import type { Interval } from '../src/recordings/chunking.js';
import { seededRandom } from '../src/platform/random.js';

export interface CallSchedule {
  left: Interval[];
  right: Interval[];
  turns: number;
}


/**
 * Speech spans per channel. A turn is 1–4 phrases split by breaths (0.15–0.45 s, shorter than the
 * 0.6 s silence minimum, so they must NOT split a region); turns alternate with 0.5–3 s of silence.
 * Now and then the listener says "mm-hm" during a long turn, as on real calls.
 */
export function callSchedule(durationSec: number, seed = 20240601): CallSchedule {
  const rnd = seededRandom(seed);
  const between = (a: number, b: number) => a + (b - a) * rnd();
  const spans: Record<'left' | 'right', Interval[]> = { left: [], right: [] };
  const end = durationSec - 1;
  let speaker: 'left' | 'right' = 'left'; // the rep opens the call
  let t = between(0.8, 2);
  let turns = 0;
  while (t < end) {
    const turnStart = t;
    const phrases = 1 + Math.floor(rnd() * 4);
    for (let p = 0; p < phrases && t < end; p++) {
      if (p > 0) t += between(0.15, 0.45);
      const stop = Math.min(end, t + between(0.8, 7));
      spans[speaker].push({ start: t, end: stop });
      t = stop;
    }
    const listener: 'left' | 'right' = speaker === 'left' ? 'right' : 'left';
    if (t - turnStart > 6 && rnd() < 0.3) {
      const at = between(turnStart + 2, t - 2);
      spans[listener].push({ start: at, end: at + between(0.3, 0.6) });
    }
    turns += 1;
    t += between(0.5, 3);
    speaker = listener;
  }
  return { left: spans.left, right: spans.right, turns };
}

/** Silences of at least minSec between (and around) a channel's speech spans: what silencedetect should find. */
export function expectedSilences(spans: Interval[], durationSec: number, minSec: number): number {
  let count = 0;
  let cursor = 0;
  for (const s of spans) {
    if (s.start - cursor >= minSec) count += 1;
    cursor = Math.max(cursor, s.end);
  }
  if (durationSec - cursor >= minSec) count += 1;
  return count;
}

const gate = (spans: Interval[]) => spans.map((s) => `between(t,${s.start.toFixed(3)},${s.end.toFixed(3)})`).join('+');

/**
 * One channel: band-limited pink noise plus a voice-pitch tone, gated by the schedule and given a
 * syllable-rate envelope (dips are far shorter than 0.6 s), over a -70 dB line-noise floor.
 */
function channelGraph(label: string, spans: Interval[], o: { durationSec: number; rate: number; pitchHz: number; sylHz: number; seed: number }): string {
  const src = `r=${o.rate}:d=${o.durationSec}`;
  const envelope = `6*(${gate(spans)})*(0.35+0.65*abs(sin(2*PI*${o.sylHz}*t)))`;
  return [
    `anoisesrc=${src}:c=pink:a=0.5:s=${o.seed},highpass=f=250,lowpass=f=3400[nz${label}]`,
    `sine=f=${o.pitchHz}:${src}[to${label}]`,
    `[nz${label}][to${label}]amix=inputs=2,volume=eval=frame:volume='${envelope}'[sp${label}]`,
    `anoisesrc=${src}:c=brown:a=0.003:s=${o.seed + 1}[fl${label}]`,
    `[sp${label}][fl${label}]amix=inputs=2[${label}]`,
  ].join(';\n');
}

export function callGraph(schedule: CallSchedule, durationSec: number, rate = 44100): string {
  return [
    channelGraph('L', schedule.left, { durationSec, rate, pitchHz: 125, sylHz: 2.3, seed: 11 }),
    channelGraph('R', schedule.right, { durationSec, rate, pitchHz: 205, sylHz: 2.9, seed: 21 }),
    '[L][R]join=inputs=2:channel_layout=stereo[out]',
  ].join(';\n');
}

const ENCODE_ARGS = ['-map', '[out]', '-c:a', 'aac', '-b:a', '64k', '-movflags', '+faststart'];

/**
 * Returns the path of a stereo AAC .m4a call, generating it on a cache miss. The cache key covers the
 * filter graph and encoder arguments, so changing either regenerates the file.
 */
export async function ensureCallRecording(cacheDir: string, durationSec: number): Promise<{ path: string; cached: boolean; schedule: CallSchedule }> {
  const schedule = callSchedule(durationSec);
  const graph = callGraph(schedule, durationSec);
  const key = createHash('sha1').update(graph).update(ENCODE_ARGS.join(' ')).digest('hex').slice(0, 10);
  const path = join(cacheDir, `call-${Math.round(durationSec / 60)}min-${key}.m4a`);
  if (await exists(path)) return { path, cached: true, schedule };

  await mkdir(cacheDir, { recursive: true });
  // The graph is ~30 kB of gate terms: a script file avoids argv limits and shell-style escaping.
  const script = `${path}.graph.txt`;
  const partial = `${path}.partial.m4a`;
  await writeFile(script, graph);
  try {
    await run(ffmpegBin(), ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-filter_complex_script', script, ...ENCODE_ARGS, partial]);
    await rename(partial, path); // only a complete file ever carries the cache name
  } finally {
    await rm(script, { force: true });
    await rm(partial, { force: true });
  }
  return { path, cached: false, schedule };
}

/** A large upload body: the call's first `durationSec` decoded to 44.1 kHz stereo s16 WAV (≈ 10.1 MB/min). */
export async function makeUploadWav(call: string, out: string, durationSec: number): Promise<number> {
  await run(ffmpegBin(), ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-t', String(durationSec), '-i', call, '-ar', '44100', '-ac', '2', '-c:a', 'pcm_s16le', '-f', 'wav', out]);
  return (await stat(out)).size;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ffmpegBin, ffprobeBin, run, ToolError } from './ffmpeg.js';
import type { Interval } from './chunking.js';

export type ChannelLayout = 'mixed' | 'rep-left' | 'rep-right';
export type Track = 'mono' | 'left' | 'right';

export interface ProbeResult {
  formatName: string;
  durationSec: number;
  channels: number;
  sampleRate: number;
  codec: string;
  hasVideo: boolean;
}

/** Why a file is not usable audio; `code` becomes the API error code. */
export class AudioRejected extends Error {
  constructor(
    readonly code: 'not_audio' | 'truncated_audio' | 'no_duration',
    message: string,
  ) {
    super(message);
  }
}

interface FfprobeJson {
  format?: { format_name?: string; duration?: string };
  streams?: { codec_type?: string; codec_name?: string; channels?: number; sample_rate?: string; duration?: string; nb_read_packets?: string }[];
}

/**
 * Validates a file with ffprobe. Packets are counted (demux only, no decoding) so a
 * cut-off MP3 whose header promises more audio than the file holds is caught here.
 */
export async function probe(path: string): Promise<ProbeResult> {
  let json: FfprobeJson;
  try {
    const { stdout } = await run(ffprobeBin(), [
      '-v', 'error', '-count_packets', '-print_format', 'json',
      '-show_entries', 'format=format_name,duration:stream=codec_type,codec_name,channels,sample_rate,duration,nb_read_packets',
      path,
    ]);
    json = JSON.parse(stdout) as FfprobeJson;
  } catch (err) {
    if (err instanceof ToolError) throw new AudioRejected('not_audio', 'the file is not a readable audio or video file');
    throw err;
  }
  const audio = json.streams?.find((s) => s.codec_type === 'audio');
  if (!audio) throw new AudioRejected('not_audio', 'the file has no audio track');
  const durationSec = Number(json.format?.duration ?? audio.duration);
  if (!Number.isFinite(durationSec) || durationSec <= 0) throw new AudioRejected('no_duration', 'the audio has no measurable duration');
  const sampleRate = Number(audio.sample_rate ?? 0);
  const packets = Number(audio.nb_read_packets ?? 0);
  if (packets === 0) throw new AudioRejected('not_audio', 'the audio track holds no data');
  if (audio.codec_name === 'mp3' && sampleRate > 0) {
    // MPEG-1 layer III frames hold 1152 samples, MPEG-2/2.5 (< 32 kHz) 576.
    const contentSec = (packets * (sampleRate >= 32000 ? 1152 : 576)) / sampleRate;
    if (contentSec < durationSec * 0.95 - 0.5) {
      throw new AudioRejected(
        'truncated_audio',
        `the MP3 is cut off: its header promises ${durationSec.toFixed(1)} s but the file holds ${contentSec.toFixed(1)} s`,
      );
    }
  }
  return {
    formatName: json.format?.format_name ?? 'unknown',
    durationSec,
    channels: audio.channels ?? 1,
    sampleRate,
    codec: audio.codec_name ?? 'unknown',
    hasVideo: json.streams?.some((s) => s.codec_type === 'video') ?? false,
  };
}

export interface NormalisedTrack {
  track: Track;
  wavPath: string;
  silences: Interval[];
}

export interface NormaliseOptions {
  layout: ChannelLayout;
  silenceDb: number;
  silenceMinSec: number;
  durationSec: number;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * Decodes, resamples to 16 kHz and writes one WAV per track (mono, or left and right for
 * a two-channel call), with silencedetect inline on each output, so no extra pass is needed.
 * Stereo tracks run as two ffmpeg processes side by side: ffmpeg's filter graph is
 * single-threaded, and on two cores this halves the wall time of the split.
 */
export async function normalise(input: string, outDir: string, opts: NormaliseOptions): Promise<NormalisedTrack[]> {
  const tracks: Track[] = opts.layout === 'mixed' ? ['mono'] : ['left', 'right'];
  const done = new Map<Track, number>();
  const report = (t: Track, f: number) => {
    done.set(t, f);
    if (done.size === tracks.length) opts.onProgress?.(Math.min(...done.values()));
  };
  await Promise.all(tracks.map((t) => normaliseTrack(resolve(input), resolve(outDir), t, opts, (f) => report(t, f))));
  return Promise.all(
    tracks.map(async (t) => ({
      track: t,
      wavPath: wavPath(outDir, t),
      silences: parseSilenceLog(await readFile(silencePath(outDir, t), 'utf8'), opts.durationSec),
    })),
  );
}

const PICK_CHANNEL: Record<Track, string> = {
  // aformat lets swresample downmix every input layout to mono.
  mono: 'aformat=channel_layouts=mono',
  left: 'pan=mono|c0=c0',
  right: 'pan=mono|c0=c1',
};

function normaliseTrack(input: string, outDir: string, track: Track, opts: NormaliseOptions, onProgress: (f: number) => void) {
  const filter = [
    PICK_CHANNEL[track],
    'aresample=16000',
    'aformat=sample_fmts=s16',
    `silencedetect=n=${opts.silenceDb}dB:d=${opts.silenceMinSec}`,
    // Relative file name + cwd: a path inside a filter graph would need ffmpeg's own escaping.
    `ametadata=mode=print:file=${track}.silence.txt`,
  ].join(',');
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', input, '-map', '0:a:0', '-af', filter];
  // -bitexact: no LIST/encoder chunk, so the WAV is plain PCM after a 44-byte header.
  args.push('-c:a', 'pcm_s16le', '-bitexact', '-f', 'wav', wavPath(outDir, track), '-progress', 'pipe:1', '-nostats');
  return run(ffmpegBin(), args, {
    cwd: outDir,
    signal: opts.signal,
    onStdoutLine: (line) => {
      const m = /^out_time_us=(\d+)/.exec(line);
      if (m) onProgress(Math.min(1, Number(m[1]) / 1e6 / opts.durationSec));
    },
  });
}

const wavPath = (dir: string, t: Track) => join(dir, `${t}.wav`);
const silencePath = (dir: string, t: Track) => join(dir, `${t}.silence.txt`);

/** Reads ametadata's print-out of silencedetect; a silence still open at the end runs to the end. */
export function parseSilenceLog(log: string, durationSec: number): Interval[] {
  const out: Interval[] = [];
  let open: number | undefined;
  for (const line of log.split('\n')) {
    // ametadata prints 6 significant digits (10 ms steps past 1000 s) and small values as 5e-05.
    const start = /lavfi\.silence_start=(-?[\d.]+(?:e[-+]?\d+)?)/.exec(line);
    if (start) open = Math.max(0, Number(start[1]));
    const end = /lavfi\.silence_end=([\d.]+(?:e[-+]?\d+)?)/.exec(line);
    if (end && open !== undefined) {
      out.push({ start: open, end: Number(end[1]) });
      open = undefined;
    }
  }
  if (open !== undefined && open < durationSec) out.push({ start: open, end: durationSec });
  return out;
}

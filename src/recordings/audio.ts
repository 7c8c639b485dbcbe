import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
 * One ffmpeg pass: decode, resample to 16 kHz, write mono (or one WAV per stereo
 * channel) and run silencedetect on each output, so the file is decoded only once.
 */
export async function normalise(input: string, outDir: string, opts: NormaliseOptions): Promise<NormalisedTrack[]> {
  const tracks: Track[] = opts.layout === 'mixed' ? ['mono'] : ['left', 'right'];
  const silence = `silencedetect=n=${opts.silenceDb}dB:d=${opts.silenceMinSec}`;
  const graph: string[] = [];
  if (opts.layout === 'mixed') {
    graph.push(`[0:a:0]aresample=16000,aformat=sample_fmts=s16:channel_layouts=mono,asplit[mono][mono_s]`);
  } else {
    graph.push(`[0:a:0]aresample=16000,aformat=sample_fmts=s16:channel_layouts=stereo,channelsplit=channel_layout=stereo[l][r]`);
    // channelsplit labels its outputs FL/FR; as plain mono they get a canonical WAV header.
    graph.push(`[l]aformat=channel_layouts=mono,asplit[left][left_s]`, `[r]aformat=channel_layouts=mono,asplit[right][right_s]`);
  }
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', input];
  for (const t of tracks) {
    // Relative name + cwd: a path inside a filter graph would need ffmpeg's own escaping.
    graph.push(`[${t}_s]${silence},ametadata=mode=print:file=${t}.silence.txt,anullsink`);
  }
  args.push('-filter_complex', graph.join(';'));
  for (const t of tracks) {
    // -bitexact keeps ffmpeg from writing a LIST chunk, so the WAV is a plain 44-byte-header file.
    args.push('-map', `[${t}]`, '-c:a', 'pcm_s16le', '-bitexact', '-f', 'wav', wavPath(outDir, t));
  }
  args.push('-progress', 'pipe:1', '-nostats');
  await run(ffmpegBin(), args, {
    cwd: outDir,
    signal: opts.signal,
    onStdoutLine: (line) => {
      const m = /^out_time_us=(\d+)/.exec(line);
      if (m && opts.onProgress) opts.onProgress(Math.min(1, Number(m[1]) / 1e6 / opts.durationSec));
    },
  });
  return Promise.all(
    tracks.map(async (t) => ({
      track: t,
      wavPath: wavPath(outDir, t),
      silences: parseSilenceLog(await readFile(silencePath(outDir, t), 'utf8'), opts.durationSec),
    })),
  );
}

const wavPath = (dir: string, t: Track) => join(dir, `${t}.wav`);
const silencePath = (dir: string, t: Track) => join(dir, `${t}.silence.txt`);

/** Reads ametadata's print-out of silencedetect; a silence still open at the end runs to the end. */
export function parseSilenceLog(log: string, durationSec: number): Interval[] {
  const out: Interval[] = [];
  let open: number | undefined;
  for (const line of log.split('\n')) {
    const start = /lavfi\.silence_start=(-?[\d.]+)/.exec(line);
    if (start) open = Math.max(0, Number(start[1]));
    const end = /lavfi\.silence_end=([\d.]+)/.exec(line);
    if (end && open !== undefined) {
      out.push({ start: open, end: Number(end[1]) });
      open = undefined;
    }
  }
  if (open !== undefined && open < durationSec) out.push({ start: open, end: durationSec });
  return out;
}

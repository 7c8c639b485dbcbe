import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { ffmpegBin } from '../../src/recordings/ffmpeg.js';

const exec = promisify(execFile);

export interface Burst {
  start: number;
  end: number;
  hz: number;
}

/** A lavfi expression: a sine of `hz` sounding only inside [start, end). */
function toneExpr(bursts: Burst[]): string {
  if (bursts.length === 0) return '0';
  // Commas inside a filter option must be escaped for ffmpeg's filter parser.
  return bursts.map((b) => `0.5*sin(2*PI*${b.hz}*t)*between(t\\,${b.start}\\,${b.end - 0.001})`).join('+');
}

/** Format → ffmpeg output options. mp4/webm carry a video track too (the service must take the audio). */
export const FORMATS = {
  wav: { ext: 'wav', args: ['-c:a', 'pcm_s16le'] },
  mp3: { ext: 'mp3', args: ['-c:a', 'libmp3lame', '-b:a', '64k'] },
  m4a: { ext: 'm4a', args: ['-c:a', 'aac', '-b:a', '64k'] },
  amr: { ext: 'amr', args: ['-c:a', 'libopencore_amrnb', '-ar', '8000', '-ac', '1', '-b:a', '12.2k'] },
  ogg: { ext: 'ogg', args: ['-c:a', 'libopus', '-b:a', '48k', '-ar', '48000'] },
  webm: { ext: 'webm', args: ['-c:a', 'libopus', '-b:a', '48k', '-ar', '48000'], video: 'webm' },
  mp4: { ext: 'mp4', args: ['-c:a', 'aac', '-b:a', '64k'], video: 'mp4' },
} as const;
export type Format = keyof typeof FORMATS;

/**
 * Writes a recording: mono (one burst list) or stereo (left/right lists), in `format`.
 * Video formats get a small test-pattern video track alongside.
 */
export async function makeRecording(
  dir: string,
  name: string,
  format: Format,
  duration: number,
  channels: { mono: Burst[] } | { left: Burst[]; right: Burst[] },
): Promise<string> {
  const spec = FORMATS[format];
  const out = join(dir, `${name}.${spec.ext}`);
  const expr = 'mono' in channels ? toneExpr(channels.mono) : `${toneExpr(channels.left)}|${toneExpr(channels.right)}`;
  const layout = 'mono' in channels ? 'mono' : 'stereo';
  const args = ['-v', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc=${expr}:s=16000:d=${duration}:c=${layout}`];
  if ('video' in spec) {
    args.push('-f', 'lavfi', '-i', `testsrc=size=160x120:rate=5:duration=${duration}`);
    args.push(...(spec.video === 'webm' ? ['-c:v', 'libvpx', '-b:v', '50k'] : ['-c:v', 'libx264', '-preset', 'ultrafast']));
  }
  // 44.1 kHz like real phone and meeting files; AMR (8 kHz) and Opus (48 kHz) set their own rate after this.
  args.push('-ar', '44100', ...spec.args, '-shortest', out);
  await exec(ffmpegBin(), args);
  return out;
}

/** Spoken text through espeak-ng (Debian package), or undefined if it is not installed. */
export async function speak(dir: string, name: string, text: string, voice = 'en'): Promise<string | undefined> {
  const out = join(dir, `${name}.wav`);
  try {
    await exec('espeak-ng', ['-v', voice, '-w', out, text]);
    return out;
  } catch {
    return undefined;
  }
}

/** Two mono speech files as one stereo call: `left` from 0 s, `right` starting at `rightAt` seconds. */
export async function stereoCall(dir: string, name: string, left: string, right: string, rightAt: number): Promise<string> {
  const out = join(dir, `${name}.m4a`);
  const ms = Math.round(rightAt * 1000);
  // Both channels padded with silence up to the end of the later speaker.
  const total = Math.max(await durationOf(left), rightAt + (await durationOf(right))) + 0.5;
  await exec(ffmpegBin(), [
    '-v', 'error', '-y', '-i', left, '-i', right,
    '-filter_complex',
    `[0:a]aresample=44100,aformat=channel_layouts=mono,apad[l];[1:a]aresample=44100,aformat=channel_layouts=mono,adelay=${ms},apad[r];` +
      '[l][r]join=inputs=2:channel_layout=stereo[a]',
    '-map', '[a]', '-t', String(total), '-c:a', 'aac', '-b:a', '96k', out,
  ]);
  return out;
}

export async function durationOf(file: string): Promise<number> {
  const { ffprobeBin } = await import('../../src/recordings/ffmpeg.js');
  const { stdout } = await exec(ffprobeBin(), ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  return Number(stdout.trim());
}

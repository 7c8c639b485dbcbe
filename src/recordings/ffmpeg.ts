import { spawn } from 'node:child_process';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import ffprobeInstaller from '@ffprobe-installer/ffprobe';

/** FFMPEG_PATH / FFPROBE_PATH override the binaries that npm ships. */
export const ffmpegBin = (override?: string) => override ?? process.env.FFMPEG_PATH ?? ffmpegInstaller.path;
export const ffprobeBin = (override?: string) => override ?? process.env.FFPROBE_PATH ?? ffprobeInstaller.path;

export class ToolError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** Runs a binary, collecting stdout (optionally streamed line by line) and the tail of stderr. */
export function run(
  bin: string,
  args: string[],
  opts: { onStdoutLine?: (line: string) => void; signal?: AbortSignal; cwd?: string } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal, cwd: opts.cwd });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (!opts.onStdoutLine) {
        stdout += d;
        return;
      }
      partial += d;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) opts.onStdoutLine(l);
    });
    // Keep only the tail: ffmpeg can be chatty on long files.
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-8000);
    });
    child.on('error', (err) => reject(err));
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new ToolError(`${bin.split('/').pop()} exited with ${code}: ${lastLine(stderr)}`, code, stderr));
    });
  });
}

const lastLine = (s: string) => s.trim().split('\n').pop()?.trim() ?? '';

import { randomUUID } from 'node:crypto';
import { access, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, notFound } from '../platform/errors.js';
import { ffmpegBin, run } from './ffmpeg.js';
import * as repo from './repo.js';
import type { RecordingDeps } from './service.js';

const exists = (p: string) => access(p).then(() => true, () => false);

/**
 * The file a browser plays for a recording: the stored normalised 16 kHz WAV. A mono call plays
 * `mono.wav` as it is; a two-channel call was split into `left.wav` / `right.wav`, which are joined
 * back into one stereo WAV on first request (same samples, no re-encoding) and kept next to them.
 */
export async function playableAudio(deps: RecordingDeps, tenantId: string, id: string): Promise<string> {
  const row = await repo.findRecording(deps.db, tenantId, id);
  if (!row) throw notFound('recording');
  if (row.source === 'import' || !row.storage_dir) {
    throw new AppError(404, 'no_audio', 'this recording is an imported transcript; it has no audio');
  }
  // Chunks are written only after normalisation finished, so they mark the WAV files as complete.
  if ((await repo.countChunks(deps.db, id)) === 0) {
    throw new AppError(409, 'audio_not_ready', `the audio is still being prepared (status ${row.status}); try again shortly`);
  }
  const dir = deps.storage.abs(row.storage_dir);
  if (row.channel_layout === 'mixed') return join(dir, 'mono.wav');
  const joined = join(dir, 'player.wav');
  if (await exists(joined)) return joined;
  // Written under a temporary name and renamed, so a concurrent request never streams half a file.
  const tmp = join(dir, `player.${randomUUID()}.tmp.wav`);
  try {
    await run(ffmpegBin(), [
      '-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', join(dir, 'left.wav'), '-i', join(dir, 'right.wav'),
      '-filter_complex', '[0:a][1:a]join=inputs=2:channel_layout=stereo[a]', '-map', '[a]',
      '-c:a', 'pcm_s16le', '-bitexact', '-f', 'wav', tmp,
    ]);
    await rename(tmp, joined);
  } finally {
    await rm(tmp, { force: true });
  }
  return joined;
}

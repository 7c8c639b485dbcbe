import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';

/** Files live under DATA_DIR; database rows store paths relative to it so the folder can move. */
export class Storage {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = resolve(dataDir);
  }

  abs(relative: string): string {
    return join(this.root, relative);
  }

  recordingDir(tenantId: string, recordingId: string): string {
    return join('recordings', tenantId, recordingId);
  }

  /** A fresh temp file path for an upload in flight (same filesystem as the final place, so rename is atomic). */
  async tempFile(): Promise<string> {
    const dir = join(this.root, 'tmp');
    await mkdir(dir, { recursive: true });
    return join(dir, `${randomUUID()}.upload`);
  }

  async ensureDir(relative: string): Promise<string> {
    const dir = this.abs(relative);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async remove(pathOrRelative: string): Promise<void> {
    const p = pathOrRelative.startsWith(this.root) ? pathOrRelative : this.abs(pathOrRelative);
    await rm(p, { recursive: true, force: true });
  }
}

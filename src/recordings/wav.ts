import { open, type FileHandle } from 'node:fs/promises';

// Normalised files are 16 kHz, mono, 16-bit PCM, written by our own ffmpeg pass.
const SAMPLE_RATE = 16000;
const BYTES_PER_SAMPLE = 2;

export function wavHeader(dataBytes: number, sampleRate = SAMPLE_RATE): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * BYTES_PER_SAMPLE, 28);
  h.writeUInt16LE(BYTES_PER_SAMPLE, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** Walks the RIFF chunks to the `data` chunk, checking the format on the way. */
async function locateData(fh: FileHandle, path: string): Promise<{ offset: number; bytes: number }> {
  const head = Buffer.alloc(12);
  await fh.read(head, 0, 12, 0);
  if (head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${path} is not a WAV file`);
  const size = (await fh.stat()).size;
  const chunk = Buffer.alloc(24);
  for (let pos = 12; pos + 8 <= size; ) {
    await fh.read(chunk, 0, 24, pos);
    const id = chunk.toString('ascii', 0, 4);
    const len = chunk.readUInt32LE(4);
    if (id === 'fmt ' && (chunk.readUInt16LE(10) !== 1 || chunk.readUInt32LE(12) !== SAMPLE_RATE || chunk.readUInt16LE(22) !== 16)) {
      throw new Error(`${path} is not a normalised 16 kHz mono 16-bit WAV`);
    }
    if (id === 'data') return { offset: pos + 8, bytes: Math.min(len, size - pos - 8) };
    pos += 8 + len + (len % 2);
  }
  throw new Error(`${path} has no data chunk`);
}

/** Reads [startSec, endSec) of a normalised WAV as a standalone WAV file. */
export async function readWavSlice(path: string, startSec: number, endSec: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const data = await locateData(fh, path);
    const from = Math.min(data.bytes, Math.floor(startSec * SAMPLE_RATE) * BYTES_PER_SAMPLE);
    const to = Math.min(data.bytes, Math.ceil(endSec * SAMPLE_RATE) * BYTES_PER_SAMPLE);
    const pcm = Buffer.alloc(Math.max(0, to - from));
    await fh.read(pcm, 0, pcm.length, data.offset + from);
    return Buffer.concat([wavHeader(pcm.length), pcm]);
  } finally {
    await fh.close();
  }
}

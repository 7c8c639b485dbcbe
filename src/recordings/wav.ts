import { open } from 'node:fs/promises';

// Normalised files are written by ffmpeg with -bitexact: a canonical 44-byte header,
// 16 kHz, mono, 16-bit PCM. Reading a slice is then plain byte arithmetic.
const HEADER_BYTES = 44;
const SAMPLE_RATE = 16000;
const BYTES_PER_SAMPLE = 2;

export function wavHeader(dataBytes: number, sampleRate = SAMPLE_RATE): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
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

/** Reads [startSec, endSec) of a normalised WAV as a standalone WAV file. */
export async function readWavSlice(path: string, startSec: number, endSec: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    await fh.read(header, 0, HEADER_BYTES, 0);
    if (header.toString('ascii', 36, 40) !== 'data' || header.readUInt16LE(22) !== 1 || header.readUInt32LE(24) !== SAMPLE_RATE) {
      throw new Error(`${path} is not a normalised 16 kHz mono WAV`);
    }
    const dataBytes = Math.min(header.readUInt32LE(40), (await fh.stat()).size - HEADER_BYTES);
    const from = Math.min(dataBytes, Math.floor(startSec * SAMPLE_RATE) * BYTES_PER_SAMPLE);
    const to = Math.min(dataBytes, Math.ceil(endSec * SAMPLE_RATE) * BYTES_PER_SAMPLE);
    const pcm = Buffer.alloc(Math.max(0, to - from));
    await fh.read(pcm, 0, pcm.length, HEADER_BYTES + from);
    return Buffer.concat([wavHeader(pcm.length), pcm]);
  } finally {
    await fh.close();
  }
}

import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalSpeechProvider, decodeWavPcm16 } from '../../src/providers/speech/local.js';
import { SpeechConfigError } from '../../src/providers/speech/types.js';

// Real inference is not tested here: no Whisper weights can be fetched on this machine.
// These tests cover everything around it: the model folder checks, WAV decoding, input rejection,
// and that loading goes to the local folder only.

const run = promisify(execFile);
const ffmpegPath = async () => ((await import('@ffmpeg-installer/ffmpeg')).default as { path: string }).path;

/** Renders an ffmpeg lavfi source to a WAV buffer (written to a file, or streamed to stdout with `pipe`). */
async function ffmpegWav(source: string, args: string[] = [], pipe = false): Promise<Buffer> {
  const ffmpeg = await ffmpegPath();
  const input = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', source];
  if (pipe) {
    const { stdout } = await run(ffmpeg, [...input, ...args, '-f', 'wav', '-'], { encoding: 'buffer', maxBuffer: 1 << 24 });
    return stdout;
  }
  const file = path.join(tmp, `a-${Math.random().toString(36).slice(2)}.wav`);
  await run(ffmpeg, [...input, ...args, '-y', file]);
  const { readFile } = await import('node:fs/promises');
  return readFile(file);
}
const tone16kMono = ['-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le'];

function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}
function zeroCrossings(x: Float32Array): number {
  let n = 0;
  for (let i = 1; i < x.length; i++) if ((x[i - 1]! < 0) !== (x[i]! < 0)) n++;
  return n;
}

/** A hand-built WAV: RIFF/WAVE, the given chunks in order. */
function riff(chunks: Array<[string, Buffer]>): Buffer {
  const parts = chunks.map(([id, body]) => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'ascii');
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
  });
  const body = Buffer.concat([Buffer.from('WAVE'), ...parts]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}
function fmtChunk(channels: number, rate: number, bits = 16, format = 1): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(format, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE((rate * channels * bits) / 8, 8);
  b.writeUInt16LE((channels * bits) / 8, 12);
  b.writeUInt16LE(bits, 14);
  return b;
}
function pcm(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeInt16LE(v, i * 2));
  return b;
}

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'local-speech-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('decodeWavPcm16', () => {
  it('decodes a 1 s 440 Hz tone made by ffmpeg (16 kHz mono s16le)', async () => {
    const wav = await ffmpegWav('sine=f=440:d=1', tone16kMono);
    const { sampleRate, channels, samples } = decodeWavPcm16(wav);
    expect(sampleRate).toBe(16000);
    expect(channels).toBe(1);
    expect(samples.length).toBe(16000);
    expect(samples.every((v) => v >= -1 && v <= 1)).toBe(true);
    expect(rms(samples)).toBeGreaterThan(0.05); // ffmpeg's sine is at 1/8 full scale: RMS ≈ 0.088
    expect(zeroCrossings(samples)).toBeGreaterThan(870); // 440 Hz → ~880 crossings a second
    expect(zeroCrossings(samples)).toBeLessThan(890);
  });

  it('finds the data chunk behind the LIST chunk ffmpeg writes (no 44-byte header assumed)', async () => {
    const wav = await ffmpegWav('sine=f=440:d=1', tone16kMono);
    const list = wav.indexOf('LIST');
    const data = wav.indexOf('data');
    expect(list).toBeGreaterThan(0);
    expect(data).toBeGreaterThan(list);
    expect(data).not.toBe(36);
    const { samples } = decodeWavPcm16(wav);
    expect(samples[0]).toBeCloseTo(wav.readInt16LE(data + 8) / 32768, 6);
    expect(samples[100]).toBeCloseTo(wav.readInt16LE(data + 8 + 200) / 32768, 6);
  });

  it('decodes a WAV without LIST chunk and a streamed WAV whose sizes are unknown', async () => {
    const plain = await ffmpegWav('sine=f=440:d=1', [...tone16kMono, '-fflags', '+bitexact', '-flags:a', '+bitexact']);
    expect(plain.indexOf('LIST')).toBe(-1);
    expect(decodeWavPcm16(plain).samples.length).toBe(16000);
    const streamed = await ffmpegWav('sine=f=440:d=1', tone16kMono, true);
    expect(streamed.readUInt32LE(4)).toBe(0xffffffff);
    const decoded = decodeWavPcm16(streamed);
    expect(decoded.samples.length).toBe(16000);
    expect(rms(decoded.samples)).toBeGreaterThan(0.05);
  });

  it('returns interleaved samples for a stereo file', async () => {
    const wav = await ffmpegWav('sine=f=440:d=0.5', ['-ar', '16000', '-ac', '2', '-c:a', 'pcm_s16le']);
    const { channels, samples } = decodeWavPcm16(wav);
    expect(channels).toBe(2);
    expect(samples.length).toBe(16000);
  });

  it('skips odd-sized chunks with their pad byte and scales full-scale values to [-1, 1)', () => {
    const wav = riff([
      ['fmt ', fmtChunk(1, 16000)],
      ['junk', Buffer.from('abc')], // odd size → one pad byte follows
      ['data', pcm([0, 16384, -16384, 32767, -32768])],
    ]);
    const { samples } = decodeWavPcm16(wav);
    expect([...samples]).toEqual([0, 0.5, -0.5, 32767 / 32768, -1]);
  });

  it('accepts WAVE_FORMAT_EXTENSIBLE with a PCM sub-format', () => {
    const ext = Buffer.alloc(40);
    fmtChunk(1, 16000).copy(ext);
    ext.writeUInt16LE(0xfffe, 0);
    ext.writeUInt16LE(22, 16);
    ext.writeUInt16LE(1, 24); // KSDATAFORMAT_SUBTYPE_PCM starts with 0x0001
    expect(decodeWavPcm16(riff([['fmt ', ext], ['data', pcm([1, 2])]])).samples.length).toBe(2);
  });

  it('rejects what is not a 16-bit PCM WAV', async () => {
    expect(() => decodeWavPcm16(Buffer.alloc(0))).toThrow(/not a WAV file/);
    expect(() => decodeWavPcm16(Buffer.from('this is definitely not audio at all'))).toThrow(/not a WAV file/);
    expect(() => decodeWavPcm16(Buffer.from('RIFF\x10\x00\x00\x00AVI LIST'))).toThrow(/not a WAV file/);
    expect(() => decodeWavPcm16(riff([['data', pcm([1, 2])]]))).toThrow(/no fmt chunk/);
    expect(() => decodeWavPcm16(riff([['fmt ', fmtChunk(1, 16000)]]))).toThrow(/no data chunk/);
    expect(() => decodeWavPcm16(riff([['fmt ', Buffer.alloc(8)], ['data', pcm([1])]]))).toThrow(/fmt chunk is truncated/);
    const float = await ffmpegWav('sine=f=440:d=0.1', ['-ar', '16000', '-ac', '1', '-c:a', 'pcm_f32le']);
    expect(() => decodeWavPcm16(float)).toThrow(/unsupported WAV encoding \(format 3, 32 bits\)/);
    const u8 = await ffmpegWav('sine=f=440:d=0.1', ['-ar', '16000', '-ac', '1', '-c:a', 'pcm_u8']);
    expect(() => decodeWavPcm16(u8)).toThrow(/unsupported WAV encoding \(format 1, 8 bits\)/);
    const mp3ish = await ffmpegWav('sine=f=440:d=0.1', ['-ar', '16000', '-ac', '1', '-c:a', 'pcm_alaw']);
    expect(() => decodeWavPcm16(mp3ish)).toThrow(/unsupported WAV encoding/);
  });
});

describe('createLocalSpeechProvider', () => {
  const model = 'acme/whisper-test';

  async function expectConfigError(p: Promise<unknown>, code: string): Promise<SpeechConfigError> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SpeechConfigError);
    expect((err as SpeechConfigError).code).toBe(code);
    return err as SpeechConfigError;
  }

  /** A folder laid out like a pulled model, but whose weights are empty files (not a model). */
  async function fakeModelFolder(weights: string[]): Promise<string> {
    const modelsDir = path.join(tmp, 'models');
    const dir = path.join(modelsDir, 'acme', 'whisper-test');
    await mkdir(path.join(dir, 'onnx'), { recursive: true });
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'whisper' }));
    for (const w of weights) await writeFile(path.join(dir, 'onnx', w), '');
    return modelsDir;
  }

  it('names the missing folder and the pull command when the model is not there', async () => {
    const modelsDir = path.join(tmp, 'models');
    const err = await expectConfigError(createLocalSpeechProvider({ modelsDir, model }), 'model_missing');
    expect(err.message).toContain(path.join(modelsDir, 'acme', 'whisper-test'));
    expect(err.message).toContain('npm run models:pull -- acme/whisper-test');
  });

  it('names the missing config.json when the folder exists without it', async () => {
    const modelsDir = path.join(tmp, 'models');
    await mkdir(path.join(modelsDir, 'acme', 'whisper-test'), { recursive: true });
    const err = await expectConfigError(createLocalSpeechProvider({ modelsDir, model }), 'model_missing');
    expect(err.message).toContain(path.join(modelsDir, 'acme', 'whisper-test', 'config.json'));
    expect(err.message).toContain('npm run models:pull -- acme/whisper-test');
  });

  it('reports a folder without ONNX weights as missing', async () => {
    const modelsDir = await fakeModelFolder([]);
    const err = await expectConfigError(createLocalSpeechProvider({ modelsDir, model }), 'model_missing');
    expect(err.message).toMatch(/encoder_model_quantized\.onnx/);
  });

  it.each(['../outside', '/etc/whisper', 'a/b/c', 'acme/..'])('rejects the model id %j', async (bad) => {
    await expectConfigError(createLocalSpeechProvider({ modelsDir: tmp, model: bad }), 'model_invalid');
  });

  it('describes itself and rejects bad audio before loading any weights', async () => {
    const modelsDir = await fakeModelFolder(['encoder_model_quantized.onnx', 'decoder_model_merged_quantized.onnx']);
    const provider = await createLocalSpeechProvider({ modelsDir, model });
    expect(provider.name).toBe('local');
    expect(provider.model).toBe(model);
    expect(provider.maxChunkSec).toBe(600);
    const garbage = await expectConfigError(provider.transcribe(Buffer.from('not a wav'), {}), 'bad_audio');
    expect(garbage.message).toMatch(/not a WAV file/);
    const wav8k = await ffmpegWav('sine=f=440:d=0.2', ['-ar', '8000', '-ac', '1', '-c:a', 'pcm_s16le']);
    const rate = await expectConfigError(provider.transcribe(wav8k, { language: 'en' }), 'bad_audio');
    expect(rate.message).toMatch(/16 kHz mono.*8000 Hz/);
    const empty = riff([['fmt ', fmtChunk(1, 16000)], ['data', Buffer.alloc(0)]]);
    await expect(provider.transcribe(empty, { language: 'zh' })).resolves.toEqual({ language: 'zh', segments: [] });
  });

  it('honours an aborted signal', async () => {
    const modelsDir = await fakeModelFolder(['encoder_model_quantized.onnx', 'decoder_model_merged_quantized.onnx']);
    const provider = await createLocalSpeechProvider({ modelsDir, model });
    const wav = await ffmpegWav('sine=f=440:d=0.2', tone16kMono);
    await expect(provider.transcribe(wav, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  // Goes as far as this machine allows: transformers.js is imported and reads the model from the folder
  // (quantized weights), then fails on the empty weight file. Nothing is fetched from a hub.
  it.each([
    [['encoder_model_quantized.onnx', 'decoder_model_merged_quantized.onnx'], 'encoder_model_quantized.onnx'],
    [['encoder_model.onnx', 'decoder_model_merged.onnx'], 'encoder_model.onnx'],
  ])('loads weights %j only from the model folder', async (weights, expectedFile) => {
    const modelsDir = await fakeModelFolder(weights);
    // Minimal but valid tokenizer and feature-extractor files, so the weights are what fails to load.
    const dir = path.join(modelsDir, 'acme', 'whisper-test');
    const files: Record<string, unknown> = {
      'generation_config.json': {},
      'tokenizer_config.json': {},
      'tokenizer.json': { model: { type: 'BPE', vocab: {}, merges: [] }, added_tokens: [], normalizer: null, pre_tokenizer: null, decoder: null, post_processor: null },
      'preprocessor_config.json': { feature_extractor_type: 'WhisperFeatureExtractor', feature_size: 80, sampling_rate: 16000, hop_length: 160, chunk_length: 30, n_fft: 400, n_samples: 480000, nb_max_frames: 3000 },
    };
    for (const [f, v] of Object.entries(files)) await writeFile(path.join(dir, f), JSON.stringify(v));
    const provider = await createLocalSpeechProvider({ modelsDir, model });
    const wav = await ffmpegWav('sine=f=440:d=0.2', tone16kMono);
    // Calls run one at a time, in order: the bad-audio call (instant on its own) settles after both loads.
    const order: string[] = [];
    const track = (name: string, p: Promise<unknown>) => p.finally(() => order.push(name));
    const [a, b] = await Promise.allSettled([
      track('first', provider.transcribe(wav, {})),
      track('second', provider.transcribe(wav, { language: 'zh' })),
      track('bad', provider.transcribe(Buffer.from('garbage'), {})),
    ]);
    expect(order).toEqual(['first', 'second', 'bad']);
    for (const r of [a, b]) {
      expect(r.status).toBe('rejected');
      const err = (r as PromiseRejectedResult).reason as SpeechConfigError;
      expect(err).toBeInstanceOf(SpeechConfigError);
      expect(err.code).toBe('model_load_failed');
      expect(err.message).toContain(path.join(modelsDir, 'acme', 'whisper-test'));
      expect(err.message).not.toMatch(/https?:\/\//);
    }
    // the serialised second call retried the load after the first failed
    expect((a as PromiseRejectedResult).reason.message).toContain(path.join(dir, 'onnx', expectedFile));
    expect((b as PromiseRejectedResult).reason.message).toContain(path.join(dir, 'onnx', expectedFile));
    const { env } = await import('@huggingface/transformers');
    expect(env.allowRemoteModels).toBe(false);
    expect(env.localModelPath).toBe(modelsDir);
  }, 60_000);
});

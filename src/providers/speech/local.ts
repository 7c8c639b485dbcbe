import { existsSync } from 'node:fs';
import path from 'node:path';
import { errorText, localPipeline } from '../transformers.js';
import {
  SpeechConfigError,
  type SpeechProvider,
  type SpeechResult,
  type SpeechSegment,
  type TranscribeOptions,
} from './types.js';

/** The model `npm run models:pull` fetches and the local provider loads when TRANSCRIBE_MODEL is unset. */
export const DEFAULT_WHISPER_MODEL = 'onnx-community/whisper-base';

const WHISPER_SAMPLE_RATE = 16_000;
const WHISPER_LANGUAGE = { zh: 'chinese', en: 'english' } as const;

// ─── WAV decoding ────────────────────────────────────────────────────────────

export interface DecodedWav {
  sampleRate: number;
  channels: number;
  /** Samples scaled to [-1, 1); interleaved when `channels` > 1. */
  samples: Float32Array;
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/**
 * Decodes a RIFF/WAVE file holding 16-bit integer PCM. Walks the chunk list to find
 * `fmt ` and `data` (LIST, fact, bext … chunks are skipped), so no fixed header size is assumed.
 * A `data` size larger than the file (streamed WAVs write 0 or 0xFFFFFFFF) is clamped to what is there.
 */
export function decodeWavPcm16(buf: Buffer): DecodedWav {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a WAV file (missing RIFF/WAVE header)');
  }
  let fmt: { format: number; channels: number; sampleRate: number; blockAlign: number; bits: number } | undefined;
  let data: Buffer | undefined;
  let pos = 12;
  while (pos + 8 <= buf.length && !data) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw new Error('WAV fmt chunk is truncated');
      let format = buf.readUInt16LE(body);
      // WAVE_FORMAT_EXTENSIBLE carries the real format code in the first two bytes of its sub-format GUID.
      if (format === WAVE_FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= buf.length) format = buf.readUInt16LE(body + 24);
      fmt = {
        format,
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        blockAlign: buf.readUInt16LE(body + 12),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      data = buf.subarray(body, Math.min(body + size, buf.length));
    }
    pos = body + size + (size % 2); // chunks are word-aligned
  }
  if (!fmt) throw new Error('WAV file has no fmt chunk before its data');
  if (!data) throw new Error('WAV file has no data chunk');
  if (fmt.format !== WAVE_FORMAT_PCM || fmt.bits !== 16) {
    throw new Error(`unsupported WAV encoding (format ${fmt.format}, ${fmt.bits} bits): expected 16-bit integer PCM`);
  }
  if (fmt.channels < 1 || fmt.sampleRate < 1 || fmt.blockAlign !== fmt.channels * 2) {
    throw new Error(`invalid WAV fmt chunk (${fmt.channels} channels, ${fmt.sampleRate} Hz, block ${fmt.blockAlign})`);
  }
  const frames = Math.floor(data.length / fmt.blockAlign);
  const samples = new Float32Array(frames * fmt.channels);
  for (let i = 0; i < samples.length; i++) samples[i] = data.readInt16LE(i * 2) / 32768;
  return { sampleRate: fmt.sampleRate, channels: fmt.channels, samples };
}

// ─── provider ────────────────────────────────────────────────────────────────

interface AsrChunk {
  timestamp: [number, number | null];
  text: string;
}
type AsrPipeline = (
  audio: Float32Array,
  options: Record<string, unknown>,
) => Promise<{ text: string; chunks?: AsrChunk[] }>;

// What transformers.js accepts as a model id ("name" or "owner/name"); anything else it would read as a path.
const MODEL_ID = /^(?:[\w.-]+\/)?[\w.-]{1,96}$/;

/** `<modelsDir>/<model>`, for a model id that cannot point outside modelsDir. */
function modelFolder(modelsDir: string, model: string): string {
  if (!MODEL_ID.test(model) || model.includes('..') || model.includes('--')) {
    throw new SpeechConfigError('model_invalid', `TRANSCRIBE_MODEL "${model}" is not a model id such as ${DEFAULT_WHISPER_MODEL}`);
  }
  return path.join(path.resolve(modelsDir), ...model.split('/'));
}

/** Quantized weights are what models:pull fetches; full-precision ones are used when only they are present. */
function pickDtype(dir: string, model: string): 'q8' | 'fp32' {
  const has = (f: string) => existsSync(path.join(dir, 'onnx', f));
  if (has('encoder_model_quantized.onnx') && has('decoder_model_merged_quantized.onnx')) return 'q8';
  if (has('encoder_model.onnx') && has('decoder_model_merged.onnx')) return 'fp32';
  throw missing(model, path.join(dir, 'onnx'), 'has no Whisper ONNX weights (encoder_model_quantized.onnx, decoder_model_merged_quantized.onnx)');
}

function missing(model: string, where: string, what: string): SpeechConfigError {
  return new SpeechConfigError(
    'model_missing',
    `Local Whisper model "${model}": ${where} ${what}. Run \`npm run models:pull -- ${model}\` on a machine that can reach ` +
      `the model hub (HF_ENDPOINT), or copy the model folder there, with MODELS_DIR pointing at its parent.`,
  );
}

/**
 * Local Whisper through transformers.js, loaded only from `<modelsDir>/<model>` (never from a hub).
 * The folder is checked here; the weights are loaded on the first transcription and reused.
 */
export async function createLocalSpeechProvider(opts: { modelsDir: string; model: string }): Promise<SpeechProvider> {
  const { model } = opts;
  const dir = modelFolder(opts.modelsDir, model);
  if (!existsSync(dir)) throw missing(model, dir, 'does not exist');
  if (!existsSync(path.join(dir, 'config.json'))) throw missing(model, path.join(dir, 'config.json'), 'does not exist');
  const dtype = pickDtype(dir, model);

  const load = localPipeline<AsrPipeline>('automatic-speech-recognition', { modelsDir: opts.modelsDir, model, dtype }, (message) =>
    new SpeechConfigError('model_load_failed', `Local Whisper model "${model}" in ${dir} failed to load: ${message}`),
  );

  const run = async (wav: Buffer, o: TranscribeOptions): Promise<SpeechResult> => {
    o.signal?.throwIfAborted();
    let audio: DecodedWav;
    try {
      audio = decodeWavPcm16(wav);
    } catch (err) {
      throw new SpeechConfigError('bad_audio', `local speech provider: ${errorText(err)}`);
    }
    if (audio.sampleRate !== WHISPER_SAMPLE_RATE || audio.channels !== 1) {
      throw new SpeechConfigError('bad_audio', `local speech provider needs 16 kHz mono audio, got ${audio.sampleRate} Hz × ${audio.channels} channels`);
    }
    const duration = audio.samples.length / audio.sampleRate;
    if (audio.samples.length === 0) return { language: o.language, segments: [] };
    const asr = await load();
    o.signal?.throwIfAborted();
    const out = await asr(audio.samples, {
      return_timestamps: true,
      chunk_length_s: 30,
      stride_length_s: 5,
      language: o.language ? WHISPER_LANGUAGE[o.language] : null,
      task: 'transcribe',
    });
    return { language: o.language, segments: toSegments(out.chunks ?? [], out.text, duration) };
  };

  // One transcription at a time: an onnxruntime session is not safe to run re-entrantly.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    name: 'local',
    model,
    maxChunkSec: 600,
    transcribe(wav, o) {
      const result = queue.then(() => run(wav, o));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

function toSegments(chunks: AsrChunk[], text: string, duration: number): SpeechSegment[] {
  if (chunks.length === 0) return text.trim() ? [{ start: 0, end: duration, text: text.trim() }] : [];
  const segments: SpeechSegment[] = [];
  for (const c of chunks) {
    const t = c.text.trim();
    if (!t) continue;
    const start = Math.max(0, c.timestamp[0] ?? 0);
    const end = Math.max(start, Math.min(c.timestamp[1] ?? duration, duration));
    segments.push({ start, end, text: t });
  }
  return segments;
}


import OpenAI, { APIError, toFile } from 'openai';
import { SpeechConfigError, type SpeechProvider, type SpeechResult, type SpeechSegment } from './types.js';

export interface OpenAiSpeechOptions {
  baseURL?: string;
  apiKey?: string;
  model: string;
  maxChunkSec: number;
  timeoutMs: number;
}

interface VerboseSegment {
  start: number;
  end: number;
  text: string;
  speaker?: string;
}

/** Any OpenAI-compatible `/audio/transcriptions` endpoint (OpenAI, Groq, SiliconFlow, faster-whisper servers). */
export function createOpenAiSpeechProvider(opts: OpenAiSpeechOptions): SpeechProvider {
  const client = new OpenAI({
    baseURL: opts.baseURL,
    // Self-hosted servers often need no key; the SDK insists on a non-empty string.
    apiKey: opts.apiKey ?? 'not-needed',
    timeout: opts.timeoutMs,
    maxRetries: 2,
  });
  return {
    name: 'openai',
    model: opts.model,
    maxChunkSec: opts.maxChunkSec,
    async transcribe(wav, { language, signal }): Promise<SpeechResult> {
      try {
        const res = (await client.audio.transcriptions.create(
          {
            file: await toFile(wav, 'chunk.wav', { type: 'audio/wav' }),
            model: opts.model,
            language,
            response_format: 'verbose_json',
            timestamp_granularities: ['segment'],
          },
          { signal },
        )) as unknown as { language?: string; text?: string; duration?: number; segments?: VerboseSegment[] };
        return { language: normaliseLanguage(res.language), segments: toSegments(res) };
      } catch (err) {
        throw classify(err);
      }
    },
  };
}

function toSegments(res: { text?: string; duration?: number; segments?: VerboseSegment[] }): SpeechSegment[] {
  if (Array.isArray(res.segments)) {
    return res.segments
      .filter((s) => typeof s.text === 'string' && s.text.trim() !== '' && Number.isFinite(s.start) && Number.isFinite(s.end))
      .map((s) => ({ start: s.start, end: Math.max(s.start, s.end), text: s.text.trim(), speaker: s.speaker }));
  }
  // Some compatible servers ignore timestamp_granularities: keep the text as one segment.
  const text = res.text?.trim();
  return text ? [{ start: 0, end: res.duration ?? 0, text }] : [];
}

/** verbose_json reports language names ("chinese"); we store ISO codes. */
function normaliseLanguage(lang: string | undefined): string | undefined {
  if (!lang) return undefined;
  const l = lang.toLowerCase();
  if (l === 'chinese' || l.startsWith('zh')) return 'zh';
  if (l === 'english' || l.startsWith('en')) return 'en';
  return l;
}

function classify(err: unknown): Error {
  if (err instanceof APIError && err.status !== undefined) {
    if (err.status === 401 || err.status === 403) {
      return new SpeechConfigError('provider_auth', `speech provider rejected the credentials (HTTP ${err.status}); check TRANSCRIBE_API_KEY`);
    }
    if (err.status === 404) {
      return new SpeechConfigError('provider_not_found', `speech provider answered 404; check TRANSCRIBE_BASE_URL and TRANSCRIBE_MODEL`);
    }
    if (err.status === 400 || err.status === 413 || err.status === 415 || err.status === 422) {
      return new SpeechConfigError('provider_rejected_audio', `speech provider rejected the audio (HTTP ${err.status}): ${err.message}`);
    }
  }
  return err instanceof Error ? err : new Error(String(err));
}

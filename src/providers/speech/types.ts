/** What every speech-to-text provider returns for one chunk; times are seconds from the chunk start. */
export interface SpeechSegment {
  start: number;
  end: number;
  text: string;
  /** Set by providers that diarise (speaker labels such as "A", "B"). */
  speaker?: string;
}

export interface SpeechResult {
  language?: string;
  segments: SpeechSegment[];
}

export interface TranscribeOptions {
  /** ISO 639-1 hint; undefined lets the model detect it. */
  language?: 'zh' | 'en';
  signal?: AbortSignal;
}

export interface SpeechProvider {
  readonly name: 'openai' | 'local';
  readonly model: string;
  /** Longest audio the provider accepts in one request, in seconds. */
  readonly maxChunkSec: number;
  /** `wav` is a complete 16 kHz mono 16-bit PCM WAV file. */
  transcribe(wav: Buffer, opts: TranscribeOptions): Promise<SpeechResult>;
}

/** A provider failure that retrying will not fix (bad key, rejected audio, missing model). */
export class SpeechConfigError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

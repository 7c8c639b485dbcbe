import type { Config } from '../../config.js';
import { createOpenAiSpeechProvider } from './openai.js';
import { SpeechConfigError, type SpeechProvider } from './types.js';

export * from './types.js';

export const NO_PROVIDER_MESSAGE =
  'no speech-to-text provider is configured: set TRANSCRIBE_PROVIDER=openai with TRANSCRIBE_BASE_URL, TRANSCRIBE_API_KEY and TRANSCRIBE_MODEL ' +
  '(any OpenAI-compatible /audio/transcriptions server), or TRANSCRIBE_PROVIDER=local with a Whisper model under MODELS_DIR; ' +
  'then retry with POST /v1/recordings/:id/retry. Transcripts can be imported without a provider.';

/** Builds the configured provider, or throws SpeechConfigError saying which variable to set. */
export async function createSpeechProvider(config: Config): Promise<SpeechProvider> {
  switch (config.TRANSCRIBE_PROVIDER) {
    case 'openai':
      return createOpenAiSpeechProvider({
        baseURL: config.TRANSCRIBE_BASE_URL,
        apiKey: config.TRANSCRIBE_API_KEY,
        model: config.TRANSCRIBE_MODEL ?? 'whisper-1',
        maxChunkSec: config.TRANSCRIBE_CHUNK_SEC,
        timeoutMs: config.TRANSCRIBE_TIMEOUT_MS,
      });
    case 'local': {
      const { createLocalSpeechProvider } = await import('./local.js');
      return createLocalSpeechProvider({
        modelsDir: config.MODELS_DIR,
        model: config.TRANSCRIBE_MODEL ?? 'onnx-community/whisper-base',
      });
    }
    case 'none':
      throw new SpeechConfigError('transcription_not_configured', NO_PROVIDER_MESSAGE);
  }
}

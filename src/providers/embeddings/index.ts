import { createHashingEmbeddings, type HashingEmbeddingsProvider } from './hashing.js';
import { createLocalEmbeddings, DEFAULT_LOCAL_EMBEDDINGS_MODEL } from './local.js';
import { createOpenAiEmbeddings, DEFAULT_OPENAI_EMBEDDINGS_MODEL } from './openai.js';
import type { EmbeddingsProvider } from './types.js';

export * from './types.js';
export {
  createHashingEmbeddings,
  featureHash,
  DEFAULT_HASHING_DIMENSIONS,
  HASHING_SCHEME,
  type HashingEmbeddingsOptions,
  type HashingEmbeddingsProvider,
  type IdfTable,
} from './hashing.js';
export { createOpenAiEmbeddings, DEFAULT_OPENAI_EMBEDDINGS_MODEL, type OpenAiEmbeddingsOptions } from './openai.js';
// local.ts itself is light: it imports transformers.js only when a local model is first used.
export {
  createLocalEmbeddings,
  DEFAULT_LOCAL_EMBEDDINGS_MODEL,
  LOCAL_EMBEDDINGS_FILES,
  type LocalEmbeddingsOptions,
} from './local.js';

/** The settings the embeddings provider reads (a subset of Config). */
export interface EmbeddingsConfig {
  EMBEDDINGS_PROVIDER: 'hashing' | 'openai' | 'local';
  EMBEDDINGS_BASE_URL?: string;
  EMBEDDINGS_API_KEY?: string;
  EMBEDDINGS_MODEL?: string;
  /** hashing: number of buckets; openai: the vector length the model returns (and requests, for text-embedding-3-*); local: ignored (the model's hidden size). */
  EMBEDDINGS_DIMENSIONS: number;
  MODELS_DIR: string;
}

/**
 * Builds the configured provider. Throws EmbeddingsConfigError naming the variable to fix
 * (a missing local model folder is reported here; bad credentials on the first `embed`).
 */
export async function createEmbeddingsProvider(config: EmbeddingsConfig): Promise<EmbeddingsProvider> {
  switch (config.EMBEDDINGS_PROVIDER) {
    case 'hashing':
      return createHashingEmbeddings({ dimensions: config.EMBEDDINGS_DIMENSIONS });
    case 'openai':
      return createOpenAiEmbeddings({
        baseURL: config.EMBEDDINGS_BASE_URL,
        apiKey: config.EMBEDDINGS_API_KEY,
        model: config.EMBEDDINGS_MODEL ?? DEFAULT_OPENAI_EMBEDDINGS_MODEL,
        dimensions: config.EMBEDDINGS_DIMENSIONS,
      });
    case 'local':
      return createLocalEmbeddings({ modelsDir: config.MODELS_DIR, model: config.EMBEDDINGS_MODEL ?? DEFAULT_LOCAL_EMBEDDINGS_MODEL });
  }
}

/** True for the hashing provider, which can be fitted to a corpus (`fit`) and embeds synchronously. */
export function isHashingProvider(p: EmbeddingsProvider): p is HashingEmbeddingsProvider {
  return p.name === 'hashing' && typeof (p as Partial<HashingEmbeddingsProvider>).fit === 'function';
}

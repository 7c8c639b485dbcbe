import OpenAI, { APIError } from 'openai';
import { EmbeddingsConfigError, l2normalize, type EmbeddingsProvider } from './types.js';

export const DEFAULT_OPENAI_EMBEDDINGS_MODEL = 'text-embedding-3-small';

export interface OpenAiEmbeddingsOptions {
  /** e.g. https://api.openai.com/v1, https://api.siliconflow.cn/v1, http://localhost:11434/v1 (Ollama). */
  baseURL?: string;
  /** Self-hosted servers often need none. */
  apiKey?: string;
  model: string;
  /** Length of the vectors the server returns; checked on every answer. */
  dimensions: number;
  /**
   * Send `dimensions` in the request (only models trained for shortened outputs accept it, e.g.
   * OpenAI's text-embedding-3-*; many compatible servers reject or ignore it). Default: true for
   * model names starting with "text-embedding-3", false otherwise.
   */
  requestDimensions?: boolean;
  /** Inputs per request (≤ 2048, OpenAI's limit). Default 256. */
  batchSize?: number;
  /** Characters per request across its inputs; a batch is closed early when it would exceed this. Default 100,000. */
  maxBatchChars?: number;
  /** Longer inputs are cut to this many characters (OpenAI's models take 8,192 tokens). Default 6,000. */
  maxInputChars?: number;
  timeoutMs?: number;
  /** Retries of 408/409/429/5xx and connection errors, with the SDK's backoff. Default 2. */
  maxRetries?: number;
}

/**
 * Any OpenAI-compatible `/embeddings` endpoint (OpenAI, SiliconFlow, DashScope, Ollama, vLLM, TEI …).
 *
 * Inputs are sent in batches (sequentially), as floats (`encoding_format: "float"`, which every
 * compatible server supports); answers are put back in input order by `index` and re-normalised
 * (not every server normalises). Empty or whitespace-only inputs are not sent (OpenAI rejects
 * them) and get a zero vector.
 */
export function createOpenAiEmbeddings(opts: OpenAiEmbeddingsOptions): EmbeddingsProvider {
  const { model, dimensions } = opts;
  if (!model.trim()) throw new EmbeddingsConfigError('invalid_config', 'EMBEDDINGS_MODEL is empty');
  if (!Number.isInteger(dimensions) || dimensions < 1) {
    throw new EmbeddingsConfigError('invalid_config', `EMBEDDINGS_DIMENSIONS must be a positive whole number, got ${dimensions}`);
  }
  const batchSize = Math.max(1, Math.min(opts.batchSize ?? 256, 2048));
  const maxBatchChars = Math.max(1, opts.maxBatchChars ?? 100_000);
  const maxInputChars = Math.max(1, opts.maxInputChars ?? 6_000);
  const requestDimensions = opts.requestDimensions ?? model.startsWith('text-embedding-3');
  const client = new OpenAI({
    baseURL: opts.baseURL,
    apiKey: opts.apiKey ?? 'not-needed',
    timeout: opts.timeoutMs ?? 60_000,
    maxRetries: opts.maxRetries ?? 2,
  });

  const request = async (inputs: string[], signal: AbortSignal | undefined): Promise<number[][]> => {
    let res: OpenAI.Embeddings.CreateEmbeddingResponse;
    try {
      res = await client.embeddings.create(
        { model, input: inputs, encoding_format: 'float', ...(requestDimensions ? { dimensions } : {}) },
        { signal },
      );
    } catch (err) {
      throw classify(err);
    }
    const data = Array.isArray(res?.data) ? res.data : [];
    if (data.length !== inputs.length) {
      throw new Error(`embeddings server returned ${data.length} vectors for ${inputs.length} inputs`);
    }
    const out: number[][] = new Array(inputs.length);
    data.forEach((d, pos) => {
      const i = Number.isInteger(d.index) ? d.index : pos;
      const v = d.embedding as unknown;
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) {
        throw new Error('embeddings server returned a non-numeric embedding (a base64 answer to encoding_format "float"?)');
      }
      if (v.length !== dimensions) {
        throw new EmbeddingsConfigError(
          'dimensions_mismatch',
          `embeddings model "${model}" returned ${v.length}-dimensional vectors but EMBEDDINGS_DIMENSIONS is ${dimensions}; ` +
            `set EMBEDDINGS_DIMENSIONS=${v.length}`,
        );
      }
      if (i < 0 || i >= inputs.length || out[i] !== undefined) throw new Error(`embeddings server returned a bad index ${d.index}`);
      out[i] = l2normalize(v.slice() as number[]);
    });
    return out;
  };

  return {
    name: 'openai',
    model,
    dimensions,
    async embed(texts, o) {
      const signal = o?.signal;
      signal?.throwIfAborted();
      const out: number[][] = new Array(texts.length);
      let batch: string[] = [];
      let where: number[] = [];
      let chars = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        const vectors = await request(batch, signal);
        where.forEach((i, k) => (out[i] = vectors[k]!));
        batch = [];
        where = [];
        chars = 0;
      };
      for (let i = 0; i < texts.length; i++) {
        const t = texts[i] ?? '';
        if (t.trim() === '') {
          out[i] = new Array<number>(dimensions).fill(0);
          continue;
        }
        const input = t.length > maxInputChars ? t.slice(0, maxInputChars) : t;
        if (batch.length > 0 && (batch.length >= batchSize || chars + input.length > maxBatchChars)) await flush();
        batch.push(input);
        where.push(i);
        chars += input.length;
      }
      await flush();
      return out;
    },
  };
}

function classify(err: unknown): Error {
  if (err instanceof APIError && err.status !== undefined) {
    const detail = err.message ? `: ${err.message}` : '';
    if (err.status === 401 || err.status === 403) {
      return new EmbeddingsConfigError(
        'provider_auth',
        `embeddings provider rejected the credentials (HTTP ${err.status}); check EMBEDDINGS_API_KEY${detail}`,
      );
    }
    if (err.status === 404) {
      return new EmbeddingsConfigError(
        'provider_not_found',
        `embeddings provider answered 404; check EMBEDDINGS_BASE_URL (it should end in /v1 or the provider's equivalent) and EMBEDDINGS_MODEL${detail}`,
      );
    }
    if (err.status === 400 || err.status === 413 || err.status === 422) {
      return new EmbeddingsConfigError(
        'provider_rejected',
        `embeddings provider rejected the request (HTTP ${err.status}); check EMBEDDINGS_MODEL and EMBEDDINGS_DIMENSIONS${detail}`,
      );
    }
  }
  return err instanceof Error ? err : new Error(String(err));
}

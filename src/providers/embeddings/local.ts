import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { errorText, localPipeline } from '../transformers.js';
import { EmbeddingsConfigError, l2normalize, type EmbeddingsProvider } from './types.js';

/**
 * The model the local provider loads when EMBEDDINGS_MODEL is unset: multilingual E5 small
 * (ONNX export by Xenova). 384 dimensions, ~100 languages with Chinese and English in one space
 * (mixed zh/en transcripts and cross-language search), 512 tokens of context, ~120 MB quantized.
 * For Chinese-only data `Xenova/bge-small-zh-v1.5` (512 dimensions) is the alternative.
 */
export const DEFAULT_LOCAL_EMBEDDINGS_MODEL = 'Xenova/multilingual-e5-small';

/** Files a feature-extraction model needs in `<MODELS_DIR>/<owner>/<name>` (quantized weights). */
export const LOCAL_EMBEDDINGS_FILES = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'onnx/model_quantized.onnx',
] as const;

export interface LocalEmbeddingsOptions {
  modelsDir: string;
  model: string;
  /**
   * How token vectors become one vector. Default: 'cls' for BGE models (how they were trained),
   * 'mean' for everything else (E5, MiniLM, GTE …).
   */
  pooling?: 'mean' | 'cls';
  /**
   * Put before every input. Default: "query: " for E5 models (E5 expects a prefix; "query: " is
   * the one its authors give for symmetric tasks such as similarity and clustering), none otherwise.
   */
  prefix?: string;
  /** Texts per forward pass (padded to the longest). Default 16. */
  batchSize?: number;
}

type Extractor = (
  texts: string[],
  options: { pooling: 'mean' | 'cls'; normalize: boolean },
) => Promise<{ dims: number[]; tolist(): unknown }>;

// What transformers.js accepts as a model id ("name" or "owner/name"); anything else it would read as a path.
const MODEL_ID = /^(?:[\w.-]+\/)?[\w.-]{1,96}$/;

function modelFolder(modelsDir: string, model: string): string {
  if (!MODEL_ID.test(model) || model.includes('..') || model.includes('--')) {
    throw new EmbeddingsConfigError('model_invalid', `EMBEDDINGS_MODEL "${model}" is not a model id such as ${DEFAULT_LOCAL_EMBEDDINGS_MODEL}`);
  }
  return path.join(path.resolve(modelsDir), ...model.split('/'));
}

function missing(model: string, where: string, what: string): EmbeddingsConfigError {
  return new EmbeddingsConfigError(
    'model_missing',
    `Local embeddings model "${model}": ${where} ${what}. Run \`npm run models:pull -- ${model}\` on a machine that can reach ` +
      `the model hub (HF_ENDPOINT), or copy the model folder there (${LOCAL_EMBEDDINGS_FILES.join(', ')}), ` +
      `with MODELS_DIR pointing at its parent.`,
  );
}

/** Quantized weights are what a pull fetches; full-precision ones are used when only they are present. */
function pickDtype(dir: string, model: string): 'q8' | 'fp32' {
  if (existsSync(path.join(dir, 'onnx', 'model_quantized.onnx'))) return 'q8';
  if (existsSync(path.join(dir, 'onnx', 'model.onnx'))) return 'fp32';
  throw missing(model, path.join(dir, 'onnx'), 'has no ONNX weights (model_quantized.onnx or model.onnx)');
}

/** Vector length from the model's config.json (BERT/XLM-R `hidden_size`, DistilBERT `dim`, T5-style `d_model`). */
async function readDimensions(dir: string, model: string): Promise<number> {
  const file = path.join(dir, 'config.json');
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new EmbeddingsConfigError('model_invalid', `Local embeddings model "${model}": ${file} is not readable JSON: ${errorText(err)}`);
  }
  for (const key of ['hidden_size', 'dim', 'd_model']) {
    const v = cfg[key];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  }
  throw new EmbeddingsConfigError('model_invalid', `Local embeddings model "${model}": ${file} names no hidden_size; is this a text encoder?`);
}

/**
 * A sentence-embedding model through transformers.js (`feature-extraction` pipeline), loaded only
 * from `<modelsDir>/<model>`, never from a hub. The folder and config are checked here; the weights
 * are loaded on the first `embed` and reused. `dimensions` is the model's hidden size.
 */
export async function createLocalEmbeddings(opts: LocalEmbeddingsOptions): Promise<EmbeddingsProvider> {
  const { model } = opts;
  const dir = modelFolder(opts.modelsDir, model);
  if (!existsSync(dir)) throw missing(model, dir, 'does not exist');
  if (!existsSync(path.join(dir, 'config.json'))) throw missing(model, path.join(dir, 'config.json'), 'does not exist');
  const dtype = pickDtype(dir, model);
  const dimensions = await readDimensions(dir, model);
  const pooling = opts.pooling ?? (/bge/i.test(model) ? 'cls' : 'mean');
  const prefix = opts.prefix ?? (/(^|[/_-])e5([_-]|$)/i.test(model) ? 'query: ' : '');
  const batchSize = Math.max(1, opts.batchSize ?? 16);

  const load = localPipeline<Extractor>('feature-extraction', { modelsDir: opts.modelsDir, model, dtype }, (message) =>
    new EmbeddingsConfigError('model_load_failed', `Local embeddings model "${model}" in ${dir} failed to load: ${message}`),
  );

  const run = async (texts: string[], signal: AbortSignal | undefined): Promise<number[][]> => {
    signal?.throwIfAborted();
    const out: number[][] = new Array(texts.length);
    const todo: number[] = [];
    texts.forEach((t, i) => {
      if ((t ?? '').trim() === '') out[i] = new Array<number>(dimensions).fill(0);
      else todo.push(i);
    });
    if (todo.length === 0) return out;
    const extract = await load();
    for (let k = 0; k < todo.length; k += batchSize) {
      signal?.throwIfAborted();
      const idx = todo.slice(k, k + batchSize);
      const tensor = await extract(idx.map((i) => prefix + texts[i]!), { pooling, normalize: true });
      const rows = tensor.tolist() as number[][];
      if (rows.length !== idx.length || rows.some((r) => r.length !== dimensions)) {
        throw new EmbeddingsConfigError(
          'dimensions_mismatch',
          `Local embeddings model "${model}" returned vectors of shape [${tensor.dims.join(', ')}], expected [${idx.length}, ${dimensions}]`,
        );
      }
      idx.forEach((i, r) => (out[i] = l2normalize(rows[r]!)));
    }
    return out;
  };

  // One call at a time: an onnxruntime session is not safe to run re-entrantly.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    name: 'local',
    model,
    dimensions,
    embed(texts, o) {
      const result = queue.then(() => run(texts, o?.signal));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}


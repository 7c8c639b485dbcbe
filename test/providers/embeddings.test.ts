import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createEmbeddingsProvider,
  createHashingEmbeddings,
  createLocalEmbeddings,
  createOpenAiEmbeddings,
  DEFAULT_LOCAL_EMBEDDINGS_MODEL,
  dot,
  EmbeddingsConfigError,
  featureHash,
  HASHING_SCHEME,
  isHashingProvider,
  type EmbeddingsConfig,
} from '../../src/providers/embeddings/index.js';

function norm(v: number[]): number {
  return Math.sqrt(dot(v, v));
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

async function expectConfigError(p: Promise<unknown>, code: string): Promise<EmbeddingsConfigError> {
  const err = await rejection(p);
  expect(err).toBeInstanceOf(EmbeddingsConfigError);
  expect((err as EmbeddingsConfigError).code).toBe(code);
  return err as EmbeddingsConfigError;
}

const baseConfig: EmbeddingsConfig = { EMBEDDINGS_PROVIDER: 'hashing', EMBEDDINGS_DIMENSIONS: 512, MODELS_DIR: './models' };

// ─── hashing ─────────────────────────────────────────────────────────────────

describe('hashing embeddings', () => {
  const hashing = createHashingEmbeddings();

  it('describes itself: 512 dimensions by default, configurable, validated', async () => {
    expect(hashing.name).toBe('hashing');
    expect(hashing.model).toBe(HASHING_SCHEME);
    expect(hashing.dimensions).toBe(512);
    const [v] = await hashing.embed(['交期']);
    expect(v).toHaveLength(512);
    const small = createHashingEmbeddings({ dimensions: 64 });
    expect((await small.embed(['lead time', '交期']))[1]).toHaveLength(64);
    for (const bad of [0, -1, 1.5, 20_000, Number.NaN]) {
      expect(() => createHashingEmbeddings({ dimensions: bad })).toThrow(EmbeddingsConfigError);
    }
    const fromConfig = await createEmbeddingsProvider({ ...baseConfig, EMBEDDINGS_DIMENSIONS: 256 });
    expect(fromConfig.dimensions).toBe(256);
    expect(isHashingProvider(fromConfig)).toBe(true);
  });

  it('is deterministic across instances and pinned to a stable hash', async () => {
    const texts = ['交货期太长了', 'The lead time is too long', 'PLC交期多久？能不能加急', ''];
    const a = await createHashingEmbeddings().embed(texts);
    const b = await createHashingEmbeddings().embed(texts);
    expect(a).toEqual(b);
    expect(hashing.embedSync(texts)).toEqual(a);
    // FNV-1a + fmix32: these values must never change (stored vectors depend on them)
    expect(featureHash('')).toBe(featureHash(''));
    expect(featureHash('交期', 1)).toBe(featureHash('交期', 1));
    expect(featureHash('交期', 1)).not.toBe(featureHash('交期', 3));
    expect([featureHash('lead'), featureHash('交期', 1), featureHash('abc', 4)]).toEqual(PINNED_HASHES);
  });

  it('returns unit vectors, and a zero vector (not NaN) for text without features', async () => {
    const texts = ['交货期太长了', 'Can you shorten the delivery lead time?', '混合 mixed 文本 text 123', 'x', '好'];
    for (const v of await hashing.embed(texts)) expect(norm(v)).toBeCloseTo(1, 9);
    const empty = await hashing.embed(['', '   ', '。，！', 'the and of', '的了吗']);
    for (const v of empty) {
      expect(v).toHaveLength(512);
      expect(v.every((x) => x === 0)).toBe(true);
    }
    expect(await hashing.embed([])).toEqual([]);
  });

  it('puts Chinese texts that share words or characters closer than unrelated ones', async () => {
    const [a, b, c, d, e, f] = await hashing.embed([
      '交货期太长了',
      '交期能不能缩短',
      '我们下周开会讨论预算',
      '售后服务怎么样',
      '数据安全怎么保证',
      '你们的数据安全合规吗',
    ]);
    const related = dot(a!, b!);
    expect(related).toBeGreaterThan(0.03);
    for (const other of [c!, d!, e!, f!]) expect(related).toBeGreaterThan(dot(a!, other));
    expect(dot(e!, f!)).toBeGreaterThan(0.2);
    for (const other of [a!, b!, c!, d!]) expect(dot(e!, f!)).toBeGreaterThan(dot(e!, other) + 0.15);
  });

  it('handles English (inflections via character 3-grams) and mixed Chinese/English', async () => {
    const [late1, late2, price, plcZh, plcEn, budget] = await hashing.embed([
      'deliveries are late',
      'the delivery is late',
      'your price is too high',
      '这个PLC交期多久',
      'PLC lead time',
      '预算不够',
    ]);
    expect(dot(late1!, late2!)).toBeGreaterThan(0.4);
    expect(dot(late1!, late2!)).toBeGreaterThan(dot(late1!, price!) + 0.3);
    // "PLC" is the same feature in a Chinese and an English sentence
    expect(dot(plcZh!, plcEn!)).toBeGreaterThan(0.2);
    expect(dot(plcZh!, plcEn!)).toBeGreaterThan(dot(plcZh!, budget!) + 0.1);
    // full-width letters are the same as half-width ones
    const [fw, hw] = await hashing.embed(['ＰＬＣ交期', 'PLC交期']);
    expect(fw).toEqual(hw);
  });

  it('fit() re-weights features by corpus document frequency', async () => {
    // "交期" is everywhere in this corpus, so it stops carrying weight; "账期" is rare.
    const corpus = [
      '交期多久', '交期能不能提前', '交期太长', '交期是多少天', '交期可以保证吗', '交期和账期怎么算',
      '这个交期不行', '交期要确认', '交期呢', '交期问题',
    ];
    const fitted = hashing.fit(corpus);
    expect(fitted.model).toMatch(new RegExp(`^${HASHING_SCHEME}\\+idf-[0-9a-f]{8}$`));
    expect(fitted.model).not.toBe(hashing.model);
    expect(fitted.dimensions).toBe(hashing.dimensions);
    expect(hashing.idfTable()).toBeUndefined();
    const table = fitted.idfTable()!;
    expect(table.documents).toBe(corpus.length);

    const pair = ['交期多久', '交期有保证吗'];
    const [u1, u2] = await hashing.embed(pair);
    const [f1, f2] = await fitted.embed(pair);
    expect(norm(f1!)).toBeCloseTo(1, 9);
    expect(f1).not.toEqual(u1);
    // the shared, now common, word counts for less after fitting
    expect(dot(f1!, f2!)).toBeLessThan(dot(u1!, u2!));

    // the table survives JSON and gives the same vectors and model name
    const restored = createHashingEmbeddings({ idf: JSON.parse(JSON.stringify(table)) });
    expect(restored.model).toBe(fitted.model);
    expect(await restored.embed(pair)).toEqual([f1, f2]);
    // a different corpus is a different vector space
    expect(hashing.fit(['别的语料']).model).not.toBe(fitted.model);
  });

  it('embeds 1,000 short texts (speed: bench/analysis.ts)', async () => {
    const texts = Array.from({ length: 1000 }, (_, i) =>
      i % 2 ? `客户第${i}次问交货期能不能缩短，价格能不能便宜点` : `Customer ${i} asked if the lead time can be shortened`,
    );
    const vectors = await hashing.embed(texts);
    expect(vectors).toHaveLength(1000);
    expect(vectors.every((v) => v.length === hashing.dimensions && Math.abs(v.reduce((s, x) => s + x * x, 0) - 1) < 1e-6)).toBe(true);
  });

  it('honours an aborted signal', async () => {
    await expect(hashing.embed(['x'], { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });
});

// featureHash (FNV-1a 32 over the namespace code unit then the UTF-16 code units, then murmur3 fmix32) of ('lead', 0), ('交期', 1), ('abc', 4) under HASHING_SCHEME hash-ngram-v1.
const PINNED_HASHES = [24070719, 1343894340, 54394757];

// ─── OpenAI-compatible ───────────────────────────────────────────────────────

interface EmbeddingsRequest {
  model: string;
  input: string[];
  dimensions?: number;
  encoding_format?: string;
  authorization?: string;
}

/** A real HTTP server speaking `/v1/embeddings`: each input's vector is derived from its text (not normalised). */
async function startFakeEmbeddings() {
  const requests: EmbeddingsRequest[] = [];
  let next: Array<{ status: number; body: unknown }> = [];
  let dims = 8;
  const app = Fastify({ logger: false, bodyLimit: 50 * 1024 * 1024 });
  app.post('/v1/embeddings', async (request, reply) => {
    const body = request.body as { model: string; input: string | string[]; dimensions?: number; encoding_format?: string };
    const input = Array.isArray(body.input) ? body.input : [body.input];
    requests.push({ model: body.model, input, dimensions: body.dimensions, encoding_format: body.encoding_format, authorization: request.headers.authorization });
    const injected = next.shift();
    if (injected) return reply.status(injected.status).send(injected.body);
    if (input.some((t) => t === '')) return reply.status(400).send({ error: { message: 'input must not be empty' } });
    const n = body.dimensions ?? dims;
    const data = input.map((text, index) => ({
      object: 'embedding',
      index,
      embedding: Array.from({ length: n }, (_, k) => ((text.length + 1) * (k + 1)) % 7 + (k === 0 ? text.length : 0) + 1),
    }));
    // answer out of order: the client must place vectors by `index`
    return { object: 'list', model: body.model, data: data.reverse(), usage: { prompt_tokens: 1, total_tokens: 1 } };
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    baseURL: `${address}/v1`,
    requests,
    /** The next requests answer with these statuses/bodies, in order. */
    inject(...answers: Array<{ status: number; body?: unknown }>) {
      next = answers.map((a) => ({ status: a.status, body: a.body ?? { error: { message: `injected ${a.status}` } } }));
    },
    setDims(n: number) {
      dims = n;
    },
    close: () => app.close(),
  };
}

function expectedVector(text: string, n: number): number[] {
  const raw = Array.from({ length: n }, (_, k) => ((text.length + 1) * (k + 1)) % 7 + (k === 0 ? text.length : 0) + 1);
  const len = Math.sqrt(raw.reduce((s, x) => s + x * x, 0));
  return raw.map((x) => x / len);
}

describe('OpenAI-compatible embeddings', () => {
  let server: Awaited<ReturnType<typeof startFakeEmbeddings>>;
  beforeAll(async () => {
    server = await startFakeEmbeddings();
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.inject();
    server.setDims(8);
  });

  const provider = (over: Partial<Parameters<typeof createOpenAiEmbeddings>[0]> = {}) =>
    createOpenAiEmbeddings({ baseURL: server.baseURL, apiKey: 'sk-test', model: 'bge-m3', dimensions: 8, maxRetries: 1, ...over });

  it('sends batches of at most 256 inputs and returns normalised vectors in input order', async () => {
    const texts = Array.from({ length: 600 }, (_, i) => `text ${'x'.repeat(i % 13)} ${i}`);
    const p = provider();
    expect(p.name).toBe('openai');
    expect(p.model).toBe('bge-m3');
    expect(p.dimensions).toBe(8);
    const vectors = await p.embed(texts);
    expect(server.requests.map((r) => r.input.length)).toEqual([256, 256, 88]);
    expect(server.requests.flatMap((r) => r.input)).toEqual(texts);
    for (const r of server.requests) {
      expect(r.model).toBe('bge-m3');
      expect(r.encoding_format).toBe('float');
      expect(r.dimensions).toBeUndefined(); // only text-embedding-3-* get `dimensions`
      expect(r.authorization).toBe('Bearer sk-test');
    }
    expect(vectors).toHaveLength(600);
    vectors.forEach((v, i) => {
      expect(norm(v)).toBeCloseTo(1, 9);
      expect(v).toEqual(expectedVector(texts[i]!, 8).map((x) => expect.closeTo(x, 12)));
    });
  });

  it('skips empty inputs (zero vectors) and sends `dimensions` to text-embedding-3 models', async () => {
    const p = provider({ model: 'text-embedding-3-small', dimensions: 16 });
    const vectors = await p.embed(['', '交期多久', '  ', 'lead time']);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ model: 'text-embedding-3-small', input: ['交期多久', 'lead time'], dimensions: 16 });
    expect(vectors[0]).toEqual(new Array(16).fill(0));
    expect(vectors[2]).toEqual(new Array(16).fill(0));
    expect(norm(vectors[1]!)).toBeCloseTo(1, 9);
    expect(await p.embed([])).toEqual([]);
    expect(await p.embed(['', ''])).toEqual([new Array(16).fill(0), new Array(16).fill(0)]);
    expect(server.requests).toHaveLength(1);
  });

  it('also splits batches by size', async () => {
    await provider({ maxBatchChars: 100 }).embed(Array.from({ length: 5 }, () => 'x'.repeat(40)));
    expect(server.requests.map((r) => r.input.length)).toEqual([2, 2, 1]);
  });

  it('turns 401 into an EmbeddingsConfigError naming EMBEDDINGS_API_KEY, without retrying', async () => {
    server.inject({ status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } } });
    const err = await expectConfigError(provider().embed(['hello']), 'provider_auth');
    expect(err.message).toContain('EMBEDDINGS_API_KEY');
    expect(err.message).toContain('401');
    expect(server.requests).toHaveLength(1);
  });

  it('turns 403 and 404 into errors naming the setting to fix', async () => {
    server.inject({ status: 403 });
    expect((await expectConfigError(provider().embed(['a']), 'provider_auth')).message).toContain('EMBEDDINGS_API_KEY');
    server.inject({ status: 404, body: { error: { message: 'model not found' } } });
    const notFound = await expectConfigError(provider().embed(['a']), 'provider_not_found');
    expect(notFound.message).toContain('EMBEDDINGS_BASE_URL');
    expect(notFound.message).toContain('EMBEDDINGS_MODEL');
  });

  it('retries a 500 through the SDK, then succeeds', async () => {
    server.inject({ status: 500 });
    const [v] = await provider().embed(['again']);
    expect(server.requests).toHaveLength(2);
    expect(norm(v!)).toBeCloseTo(1, 9);
  });

  it('reports vectors of the wrong length as a dimensions mismatch naming the value to set', async () => {
    server.setDims(12);
    const err = await expectConfigError(provider().embed(['a']), 'dimensions_mismatch');
    expect(err.message).toContain('EMBEDDINGS_DIMENSIONS=12');
  });

  it('is built from config', async () => {
    const p = await createEmbeddingsProvider({
      ...baseConfig,
      EMBEDDINGS_PROVIDER: 'openai',
      EMBEDDINGS_BASE_URL: server.baseURL,
      EMBEDDINGS_API_KEY: 'sk-config',
      EMBEDDINGS_DIMENSIONS: 8,
    });
    expect(p.model).toBe('text-embedding-3-small');
    await p.embed(['x']);
    expect(server.requests[0]).toMatchObject({ model: 'text-embedding-3-small', dimensions: 8, authorization: 'Bearer sk-config' });
  });

  it('honours an aborted signal', async () => {
    await expect(provider().embed(['x'], { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.requests).toHaveLength(0);
  });
});

// ─── local (transformers.js) ─────────────────────────────────────────────────

// No model weights can be fetched on this machine: these tests cover the folder checks and that
// loading goes to the local folder only, up to the point where the (empty) weights fail to load.
describe('local embeddings', () => {
  let tmp: string;
  beforeEach(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'local-embeddings-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });
  const model = 'acme/e5-test';

  async function modelFolder(weights: string[], config: unknown = { model_type: 'bert', hidden_size: 384 }): Promise<string> {
    const modelsDir = path.join(tmp, 'models');
    const dir = path.join(modelsDir, 'acme', 'e5-test');
    await mkdir(path.join(dir, 'onnx'), { recursive: true });
    await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
    for (const w of weights) await writeFile(path.join(dir, 'onnx', w), '');
    return modelsDir;
  }

  it('names the missing folder and the pull command when the model is not there', async () => {
    const modelsDir = path.join(tmp, 'models');
    const err = await expectConfigError(createLocalEmbeddings({ modelsDir, model }), 'model_missing');
    expect(err.message).toContain(path.join(modelsDir, 'acme', 'e5-test'));
    expect(err.message).toContain('npm run models:pull -- acme/e5-test');
  });

  it('uses multilingual E5 by default and reports it missing from config', async () => {
    expect(DEFAULT_LOCAL_EMBEDDINGS_MODEL).toBe('Xenova/multilingual-e5-small');
    const err = await expectConfigError(
      createEmbeddingsProvider({ ...baseConfig, EMBEDDINGS_PROVIDER: 'local', MODELS_DIR: tmp }),
      'model_missing',
    );
    expect(err.message).toContain(path.join(tmp, 'Xenova', 'multilingual-e5-small'));
    expect(err.message).toContain('npm run models:pull -- Xenova/multilingual-e5-small');
  });

  it('names a missing config.json, missing ONNX weights, and rejects bad model ids', async () => {
    await mkdir(path.join(tmp, 'models', 'acme', 'e5-test'), { recursive: true });
    const noConfig = await expectConfigError(createLocalEmbeddings({ modelsDir: path.join(tmp, 'models'), model }), 'model_missing');
    expect(noConfig.message).toContain(path.join(tmp, 'models', 'acme', 'e5-test', 'config.json'));
    const modelsDir = await modelFolder([]);
    const noWeights = await expectConfigError(createLocalEmbeddings({ modelsDir, model }), 'model_missing');
    expect(noWeights.message).toMatch(/model_quantized\.onnx/);
    for (const bad of ['../outside', '/etc/e5', 'a/b/c', 'acme/..']) {
      await expectConfigError(createLocalEmbeddings({ modelsDir, model: bad }), 'model_invalid');
    }
    const noSize = await modelFolder(['model_quantized.onnx'], { model_type: 'bert' });
    await expectConfigError(createLocalEmbeddings({ modelsDir: noSize, model }), 'model_invalid');
  });

  it('takes its dimensions from config.json and loads weights only from the model folder', async () => {
    const modelsDir = await modelFolder(['model_quantized.onnx']);
    const dir = path.join(modelsDir, 'acme', 'e5-test');
    const tokenizer = { model: { type: 'BPE', vocab: {}, merges: [] }, added_tokens: [], normalizer: null, pre_tokenizer: null, decoder: null, post_processor: null };
    await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
    await writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify({}));
    const p = await createLocalEmbeddings({ modelsDir, model });
    expect(p).toMatchObject({ name: 'local', model, dimensions: 384 });
    // nothing to embed: no model load
    expect(await p.embed(['', ' '])).toEqual([new Array(384).fill(0), new Array(384).fill(0)]);
    const err = await expectConfigError(p.embed(['交期多久']), 'model_load_failed');
    expect(err.message).toContain(dir);
    // it got as far as the (empty) quantized weights in the folder
    expect(err.message).toContain(path.join(dir, 'onnx', 'model_quantized.onnx'));
    expect(err.message).not.toMatch(/https?:\/\//);
    // a later call tries again (the folder may have been fixed)
    await expectConfigError(p.embed(['lead time']), 'model_load_failed');
    const { env } = await import('@huggingface/transformers');
    expect(env.allowRemoteModels).toBe(false);
    expect(env.localModelPath).toBe(modelsDir);
  }, 60_000);
});

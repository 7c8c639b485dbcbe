/**
 * Hashed n-gram TF-IDF embeddings: no weights, no network, deterministic, fast.
 *
 * Features of a text (after `normalizeText`: ASCII lower-cased, full-width → half-width):
 *
 * | feature                                                                        | group weight |
 * | ------------------------------------------------------------------------------ | ------------ |
 * | Chinese word (jieba search mode, so 数据安全 also gives 数据, 安全; the project's domain words apply), stop words dropped | 1.0 |
 * | Chinese character bigram (within a run of Han characters; not of two stop characters) | 0.6 |
 * | Chinese character skip-bigram (c[i], c[i+2]), same space as bigrams: 交货期 → 交期 | 0.2 |
 * | Chinese character unigram, stop characters (的 了 吗 …) dropped                 | 0.6 |
 * | English word (Intl.Segmenter word tokens, lower-cased, stop words dropped; numbers kept) | 1.0 |
 * | English word bigram (consecutive kept words; reset at punctuation and Han text) | 0.7 |
 * | English character 3-gram of each word of ≥ 3 characters, with `<` `>` boundary marks | 0.3 |
 *
 * Latin words inside Chinese text ("PLC交期") are taken by the English rules, so "PLC" is the same
 * feature in both languages.
 *
 * Each feature is hashed (FNV-1a over UTF-16 code units with a per-group prefix, then the
 * murmur3 finaliser) into one of `dimensions` buckets, with a second hash bit choosing the sign
 * (+/−) so collisions cancel out on average instead of piling up. Weight of a feature:
 *
 *     group weight × (1 + ln tf) × idf
 *
 * idf comes from `fit(corpus)` (smoothed: ln((1 + N) / (1 + df)) + 1; a feature the corpus never
 * saw gets the largest value, ln(1 + N) + 1). Unfitted, a built-in proxy is used: jieba's idf
 * dictionary (`@node-rs/jieba/dict` `idf`) divided by its median (so a typical word weighs 1, "的"
 * 0.07) for Chinese words and characters (a word missing from the dictionary gets 1); a
 * (skip-)bigram that is not a dictionary word gets 0.3 × the mean of its two characters, since it
 * mostly cuts across two words; English features get 1.
 *
 * The vector is L2-normalised. A text without features (empty, punctuation, stop words only)
 * gives an all-zero vector.
 *
 * The hash is fixed: vectors computed today stay comparable with vectors stored earlier as long as
 * `model` (which names this scheme and, when fitted, a fingerprint of the idf table) and
 * `dimensions` match. Changing any weight or feature here must bump HASHING_SCHEME.
 */
import { createRequire } from 'node:module';
import { getJieba, normalizeText } from '../../analysis/text/index.js';
import { EmbeddingsConfigError, l2normalize, type EmbeddingsProvider } from './types.js';

const require = createRequire(import.meta.url);

/** Names the feature set, weights and hash; part of `model`. */
export const HASHING_SCHEME = 'hash-ngram-v1';
export const DEFAULT_HASHING_DIMENSIONS = 512;
/** pgvector's limit for the `vector` type (HNSW indexes stop at 2,000). */
const MAX_DIMENSIONS = 16_000;

/** Document frequencies of hashed features, as produced by `fit`; plain JSON, safe to store. */
export interface IdfTable {
  /** Number of documents the table was fitted on. */
  documents: number;
  /** [feature hash, number of documents containing it], sorted by hash. */
  df: Array<[number, number]>;
}

export interface HashingEmbeddingsOptions {
  /** Number of hash buckets (vector length). Default 512. */
  dimensions?: number;
  /** A table from an earlier `fit(...).idfTable()`; without it the built-in idf proxy is used. */
  idf?: IdfTable;
}

export interface HashingEmbeddingsProvider extends EmbeddingsProvider {
  readonly name: 'hashing';
  /** Same as `embed`, synchronously. */
  embedSync(texts: readonly string[]): number[][];
  /**
   * A new provider whose idf comes from `corpus` (document frequency of every feature). The
   * receiver is unchanged. Its `model` carries a fingerprint of the table, so vectors from
   * differently fitted providers are not mixed up.
   */
  fit(corpus: readonly string[]): HashingEmbeddingsProvider;
  /** The fitted table (to persist and pass back as `idf`), or undefined when unfitted. */
  idfTable(): IdfTable | undefined;
}

// ─── hashing ─────────────────────────────────────────────────────────────────

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Hash namespaces: one per feature group, so "交期" the word and "交期" the bigram differ. */
const Ns = { ZhWord: 1, ZhUni: 2, ZhBi: 3, EnWord: 4, EnBi: 5, EnTri: 6, IdfLookup: 7 } as const;

function fnvStart(ns: number): number {
  return Math.imul(FNV_OFFSET ^ ns, FNV_PRIME);
}
function fnvCode(h: number, code: number): number {
  return Math.imul(h ^ code, FNV_PRIME);
}
function fnvStr(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}
/** murmur3 fmix32: spreads FNV's weak low bits over the whole word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The stable 32-bit hash used for features: FNV-1a over UTF-16 code units of `ns` + `s`, then fmix32. */
export function featureHash(s: string, ns = 0): number {
  return fmix32(fnvStr(fnvStart(ns), s));
}

// ─── vocabulary helpers ──────────────────────────────────────────────────────

function isHanCode(c: number): boolean {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff);
}

const ZH_STOP_WORDS = new Set([
  '的', '了', '着', '过', '地', '得', '是', '吗', '呢', '吧', '啊', '呀', '哦', '哈', '嗯', '嘛', '啦', '哎', '诶', '喔',
  '和', '与', '及', '或', '就', '都', '也', '还', '在', '把', '被', '给', '跟', '对', '从', '向', '而',
  '我', '你', '您', '他', '她', '它', '我们', '你们', '您们', '他们', '她们', '它们', '咱们', '自己',
  '这', '那', '这个', '那个', '这些', '那些', '这样', '那样', '这么', '那么', '一个', '一下', '一些',
  '然后', '就是', '其实', '能不能', '有没有', '是不是', '可不可以', '会不会', '要不要', '行不行', '好不好', '对不对', '的话', '所以', '因为', '但是', '可以', '什么', '怎么',
]);
/** Single characters left out of the character-unigram features. */
const ZH_STOP_CHARS = new Set(
  [...'的了着过地得是吗呢吧啊呀哦哈嗯嘛啦哎诶喔和与及或就都也还在把被给跟我你您他她它们这那个'].map((c) => c.charCodeAt(0)),
);

const EN_STOP_WORDS = new Set(
  (
    "a an the and or but if then so of to in on at by for with from as into about over under than " +
    "is are was were be been being am do does did done have has had having will would shall should can could may might must " +
    "i me my mine we us our ours you your yours he him his she her hers it its they them their theirs " +
    "this that these those there here what which who whom whose when where why how " +
    "i'm you're we're they're it's that's there's i've we've you've i'll we'll you'll i'd we'd " +
    "just also very really quite any some such own same other each both all ok okay um uh yeah yes oh well"
  ).split(/\s+/),
);

const wordSegmenter = new Intl.Segmenter('en', { granularity: 'word' });
/** Non-word segments that do not break an English bigram (spaces, hyphens, slashes, &). */
const BIGRAM_GLUE = /^[\s\-/&'’]*$/;
const HAS_ALNUM = /[\p{L}\p{N}]/u;
const HAS_LETTER = /\p{L}/u;

/** Feature group weights (see the table at the top). */
const GROUP = {
  zhWord: 1.0,
  zhBi: 0.6,
  zhSkip: 0.2,
  zhUni: 0.6,
  enWord: 1.0,
  enBi: 0.7,
  enTri: 0.3,
  /** Unfitted: factor for a character bigram that is not in jieba's idf dictionary (mostly a cut across two words). */
  nonWord: 0.3,
} as const;

// ─── jieba idf proxy ─────────────────────────────────────────────────────────

/** jieba's idf.txt as an open-addressing table: hash(word) → idf / median idf. */
interface IdfProxy {
  keys: Uint32Array;
  vals: Float32Array;
  mask: number;
}

let idfProxy: IdfProxy | null | undefined;

function loadIdfProxy(): IdfProxy | null {
  if (idfProxy !== undefined) return idfProxy;
  try {
    const { idf } = require('@node-rs/jieba/dict') as { idf?: Uint8Array };
    if (!idf || idf.length === 0) return (idfProxy = null);
    const text = Buffer.from(idf.buffer, idf.byteOffset, idf.byteLength).toString('utf8');
    const words: number[] = [];
    const values: number[] = [];
    let pos = 0;
    while (pos < text.length) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = text.length;
      const space = text.lastIndexOf(' ', end);
      if (space > pos) {
        const v = Number(text.slice(space + 1, end));
        if (Number.isFinite(v) && v > 0) {
          words.push(fmix32(fnvStr(fnvStart(Ns.IdfLookup), text.slice(pos, space))) || 1);
          values.push(v);
        }
      }
      pos = end + 1;
    }
    if (values.length === 0) return (idfProxy = null);
    const sorted = Float64Array.from(values).sort();
    const median = sorted[sorted.length >> 1]!;
    let cap = 1;
    while (cap < words.length * 2) cap <<= 1;
    const table: IdfProxy = { keys: new Uint32Array(cap), vals: new Float32Array(cap), mask: cap - 1 };
    for (let i = 0; i < words.length; i++) {
      const key = words[i]!;
      let slot = key & table.mask;
      while (table.keys[slot] !== 0 && table.keys[slot] !== key) slot = (slot + 1) & table.mask;
      table.keys[slot] = key;
      table.vals[slot] = values[i]! / median;
    }
    return (idfProxy = table);
  } catch {
    // the idf dictionary is optional: without it every Chinese feature weighs 1
    return (idfProxy = null);
  }
}

/** idf / median for a finished IdfLookup hash, or undefined when jieba's dictionary lacks the word. */
function proxyLookup(table: IdfProxy | null, hash: number): number | undefined {
  if (!table) return undefined;
  const key = hash || 1;
  let slot = key & table.mask;
  for (;;) {
    const k = table.keys[slot]!;
    if (k === 0) return undefined;
    if (k === key) return table.vals[slot];
    slot = (slot + 1) & table.mask;
  }
}

function proxyWord(table: IdfProxy | null, w: string): number | undefined {
  return proxyLookup(table, fmix32(fnvStr(fnvStart(Ns.IdfLookup), w)));
}
function proxyChars(table: IdfProxy | null, a: number, b?: number): number | undefined {
  let h = fnvCode(fnvStart(Ns.IdfLookup), a);
  if (b !== undefined) h = fnvCode(h, b);
  return proxyLookup(table, fmix32(h));
}

// ─── feature extraction ──────────────────────────────────────────────────────

/** Feature hash → [term count, prior weight]. The prior is group weight × idf proxy (proxy = 1 when fitted). */
type Features = Map<number, [number, number]>;

function add(features: Features, hash: number, prior: number): void {
  const f = features.get(hash);
  if (f) f[0] += 1;
  else features.set(hash, [1, prior]);
}

function extract(text: string, useProxy: boolean): Features {
  const features: Features = new Map();
  if (text.length === 0) return features;
  const norm = normalizeText(text);
  const proxy = useProxy ? loadIdfProxy() : null;
  let sawHan = false;
  let chunkStart = 0;
  let i = 0;
  const n = norm.length;
  while (i < n) {
    if (!isHanCode(norm.charCodeAt(i))) {
      i++;
      continue;
    }
    if (i > chunkStart) latinChunk(norm.slice(chunkStart, i), features);
    sawHan = true;
    let j = i;
    while (j < n && isHanCode(norm.charCodeAt(j))) j++;
    hanRun(norm, i, j, features, proxy);
    chunkStart = j;
    i = j;
  }
  if (chunkStart < n) latinChunk(chunkStart === 0 ? norm : norm.slice(chunkStart), features);
  if (sawHan) {
    for (const tok of getJieba().cutForSearch(norm, true)) {
      if (ZH_STOP_WORDS.has(tok) || !hasHanCode(tok) || /\s/.test(tok)) continue;
      const p = proxy ? (proxyWord(proxy, tok) ?? 1) : 1;
      add(features, fmix32(fnvStr(fnvStart(Ns.ZhWord), tok)), GROUP.zhWord * p);
    }
  }
  return features;
}

function hasHanCode(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isHanCode(s.charCodeAt(i))) return true;
  return false;
}

function hanRun(s: string, from: number, to: number, features: Features, proxy: IdfProxy | null): void {
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    const pc = proxy ? (proxyChars(proxy, c) ?? 1) : 1;
    const stop = ZH_STOP_CHARS.has(c);
    if (!stop) add(features, fmix32(fnvCode(fnvStart(Ns.ZhUni), c)), GROUP.zhUni * pc);
    // (skip-)bigrams of two stop characters ("了吗", "的吧") carry nothing
    if (k + 1 < to && !(stop && ZH_STOP_CHARS.has(s.charCodeAt(k + 1)))) {
      const d = s.charCodeAt(k + 1);
      let pb = 1;
      if (proxy) pb = proxyChars(proxy, c, d) ?? GROUP.nonWord * (pc + (proxyChars(proxy, d) ?? 1)) / 2;
      add(features, fmix32(fnvCode(fnvCode(fnvStart(Ns.ZhBi), c), d)), GROUP.zhBi * pb);
    }
    if (k + 2 < to && !(stop && ZH_STOP_CHARS.has(s.charCodeAt(k + 2)))) {
      // skip-bigram: "交货期" also yields 交_期, the bigram of "交期"
      const e = s.charCodeAt(k + 2);
      let ps = 1;
      if (proxy) ps = proxyChars(proxy, c, e) ?? GROUP.nonWord * (pc + (proxyChars(proxy, e) ?? 1)) / 2;
      add(features, fmix32(fnvCode(fnvCode(fnvStart(Ns.ZhBi), c), e)), GROUP.zhSkip * ps);
    }
  }
}

function latinChunk(chunk: string, features: Features): void {
  if (!HAS_ALNUM.test(chunk)) return;
  let prev: string | undefined;
  for (const seg of wordSegmenter.segment(chunk)) {
    if (!seg.isWordLike) {
      if (!BIGRAM_GLUE.test(seg.segment)) prev = undefined;
      continue;
    }
    let w = seg.segment.toLowerCase();
    if (w.length > 3 && (w.endsWith("'s") || w.endsWith('’s'))) w = w.slice(0, -2);
    if (EN_STOP_WORDS.has(w)) continue;
    add(features, fmix32(fnvStr(fnvStart(Ns.EnWord), w)), GROUP.enWord);
    if (prev !== undefined) {
      add(features, fmix32(fnvStr(fnvCode(fnvStr(fnvStart(Ns.EnBi), prev), 0x20), w)), GROUP.enBi);
    }
    prev = w;
    if (w.length >= 3 && HAS_LETTER.test(w)) {
      // "<word>" → "<wo", "wor", "ord", "rd>"
      const len = w.length;
      for (let k = -1; k < len - 1; k++) {
        const a = k < 0 ? 0x3c : w.charCodeAt(k);
        const b = w.charCodeAt(k + 1);
        const c = k + 2 < len ? w.charCodeAt(k + 2) : 0x3e;
        add(features, fmix32(fnvCode(fnvCode(fnvCode(fnvStart(Ns.EnTri), a), b), c)), GROUP.enTri);
      }
    }
  }
}

// ─── provider ────────────────────────────────────────────────────────────────

interface Fitted {
  documents: number;
  idf: Map<number, number>;
  unseen: number;
  table: IdfTable;
  fingerprint: string;
}

function buildFitted(table: IdfTable): Fitted {
  const N = table.documents;
  if (!Number.isInteger(N) || N < 0) throw new EmbeddingsConfigError('invalid_config', `idf table: documents must be a whole number ≥ 0, got ${N}`);
  const idf = new Map<number, number>();
  let h = fnvStr(fnvStart(0), String(N));
  for (const [hash, df] of table.df) {
    idf.set(hash >>> 0, Math.log((1 + N) / (1 + df)) + 1);
    h = fnvStr(h, `|${hash >>> 0}:${df}`);
  }
  return {
    documents: N,
    idf,
    unseen: Math.log(1 + N) + 1,
    table,
    fingerprint: fmix32(h).toString(16).padStart(8, '0'),
  };
}

function signOf(hash: number): number {
  return fmix32(hash ^ 0x9e3779b9) & 1 ? -1 : 1;
}

/** Builds the hashing provider. Throws EmbeddingsConfigError for a bad `dimensions`. */
export function createHashingEmbeddings(opts: HashingEmbeddingsOptions = {}): HashingEmbeddingsProvider {
  const dimensions = opts.dimensions ?? DEFAULT_HASHING_DIMENSIONS;
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSIONS) {
    throw new EmbeddingsConfigError(
      'invalid_config',
      `EMBEDDINGS_DIMENSIONS must be a whole number from 1 to ${MAX_DIMENSIONS} for the hashing provider, got ${dimensions}`,
    );
  }
  const fitted = opts.idf ? buildFitted(opts.idf) : undefined;

  const vectorize = (text: string): number[] => {
    const out = new Float64Array(dimensions);
    const features = extract(text, fitted === undefined);
    for (const [hash, [tf, prior]] of features) {
      const idf = fitted ? (fitted.idf.get(hash) ?? fitted.unseen) : 1;
      const b = hash % dimensions;
      out[b] = out[b]! + signOf(hash) * prior * (1 + Math.log(tf)) * idf;
    }
    l2normalize(out);
    return Array.from(out);
  };

  const embedSync = (texts: readonly string[]): number[][] => texts.map((t) => vectorize(t ?? ''));

  return {
    name: 'hashing',
    model: fitted ? `${HASHING_SCHEME}+idf-${fitted.fingerprint}` : HASHING_SCHEME,
    dimensions,
    embedSync,
    async embed(texts, o) {
      o?.signal?.throwIfAborted();
      const out: number[][] = new Array(texts.length);
      for (let i = 0; i < texts.length; i++) {
        if (i > 0 && i % 500 === 0) {
          // ~25 ms of work per slice: let the event loop breathe on large batches
          await new Promise<void>((resolve) => setImmediate(resolve));
          o?.signal?.throwIfAborted();
        }
        out[i] = vectorize(texts[i] ?? '');
      }
      return out;
    },
    fit(corpus) {
      const df = new Map<number, number>();
      for (const doc of corpus) {
        for (const hash of extract(doc ?? '', false).keys()) df.set(hash, (df.get(hash) ?? 0) + 1);
      }
      const table: IdfTable = { documents: corpus.length, df: [...df.entries()].sort((a, b) => a[0] - b[0]) };
      return createHashingEmbeddings({ dimensions, idf: table });
    },
    idfTable: () => fitted?.table,
  };
}

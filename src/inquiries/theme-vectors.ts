/**
 * Vectors for theme clustering: TF-IDF over the window's own vocabulary, reduced by LSA.
 *
 * The stored embeddings (hashing provider, 512 buckets, stop words dropped) are built for search;
 * clustering a window wants something else, so this fits a vectorizer on the window itself:
 *
 * | feature                                                                  | why |
 * | ------------------------------------------------------------------------ | --- |
 * | Latin word of 2+ letters/digits, lower-cased, stop words kept              | "how do i", "can you" carry the kind of request |
 * | Latin character 3-gram of each word, with `<` `>` boundary marks          | inflections and typos share features (card/cards) |
 * | Chinese character and character bigram (within a run of Han characters)   | robust to segmentation; 怎么/多少 kept |
 * | jieba word of 2+ Han characters (accurate mode, HMM on)                   | whole words weigh more than their pieces |
 *
 * Weights: sublinear tf × smoothed idf (1 + ln tf) · (ln((1 + n) / (1 + df)) + 1), rows
 * L2-normalised, as scikit-learn's TfidfVectorizer(sublinear_tf=True). A feature seen in one text
 * only cannot link two texts and is dropped; at most MAX_FEATURES features (highest document
 * frequency) are kept so memory stays bounded at the 20,000-inquiry cap. Then LSA (truncated SVD
 * fitted on at most FIT_SAMPLE rows, see themes.ts) to `rank` dimensions and L2 again.
 *
 * Measured in eval/clustering.ts against the hashing provider's vectors (the previous default).
 */
import { getJieba, normalizeText } from '../analysis/text/index.js';
import { seededRandom } from '../platform/random.js';
import { FIT_SAMPLE, fitLsa, projectLsa, sampleIndices, type SparseRow } from './themes.js';

/** Dimensions the theme vectors keep (LSA rank). */
export const THEME_RANK = 200;
/** Most vocabulary features kept (those in the most texts). */
export const MAX_FEATURES = 30_000;

const HAN_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/gu;
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;
const LATIN_WORD = /[\p{L}\p{N}]{2,}/gu;

/** The features of one text (see the table above); repeated features repeat. */
export function themeFeatures(text: string): string[] {
  const norm = normalizeText(text).toLowerCase();
  const out: string[] = [];
  const latin = norm.replace(HAN_RUN, ' ');
  for (const w of latin.match(LATIN_WORD) ?? []) {
    out.push(`w:${w}`);
    const marked = `<${w}>`;
    for (let i = 0; i + 3 <= marked.length; i++) out.push(`t:${marked.slice(i, i + 3)}`);
  }
  const runs = norm.match(HAN_RUN);
  if (runs) {
    for (const run of runs) {
      const cs = [...run];
      for (let i = 0; i < cs.length; i++) {
        out.push(`c:${cs[i]}`);
        if (i + 1 < cs.length) out.push(`c:${cs[i]}${cs[i + 1]}`);
      }
    }
    for (const w of getJieba().cut(norm, true)) if (w.length >= 2 && [...w].every((c) => HAN.test(c))) out.push(`j:${w}`);
  }
  return out;
}

/** Sparse TF-IDF rows over the texts' own vocabulary (features in ≥ 2 texts, at most MAX_FEATURES). */
export function themeTfIdf(texts: readonly string[]): { rows: SparseRow[]; dims: number } {
  const docs = texts.map((t) => themeFeatures(t ?? ''));
  const df = new Map<string, number>();
  for (const doc of docs) for (const f of new Set(doc)) df.set(f, (df.get(f) ?? 0) + 1);
  const kept = [...df].filter(([, c]) => c >= 2).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_FEATURES);
  const index = new Map(kept.map(([f], i) => [f, i]));
  const n = texts.length;
  const idf = kept.map(([, c]) => Math.log((1 + n) / (1 + c)) + 1);
  const rows = docs.map((doc): SparseRow => {
    const tf = new Map<number, number>();
    for (const f of doc) {
      const i = index.get(f);
      if (i !== undefined) tf.set(i, (tf.get(i) ?? 0) + 1);
    }
    const entries = [...tf].sort((a, b) => a[0] - b[0]);
    const val = Float64Array.from(entries, ([i, c]) => (1 + Math.log(c)) * idf[i]!);
    let s = 0;
    for (const v of val) s += v * v;
    if (s > 0) for (let j = 0; j < val.length; j++) val[j] = val[j]! / Math.sqrt(s);
    return { idx: Int32Array.from(entries, ([i]) => i), val };
  });
  return { rows, dims: kept.length };
}

/** Unit vectors of `rank` dimensions for `clusterThemes`; all-zero for a text with no shared feature. */
export function themeVectors(texts: readonly string[], opts: { rank?: number; seed?: number } = {}): number[][] {
  const seed = opts.seed ?? 42;
  const { rows, dims } = themeTfIdf(texts);
  if (dims === 0) return rows.map(() => [0]);
  const fitIdx = sampleIndices(rows.length, FIT_SAMPLE, seededRandom(seed ^ 0x2545f491));
  const basis = fitLsa(fitIdx.map((i) => rows[i]!), dims, opts.rank ?? THEME_RANK, seed);
  if (basis.rank === 0) return rows.map(() => [0]);
  return rows.map((row) => {
    const v = projectLsa(row, basis);
    let s = 0;
    for (const x of v) s += x * x;
    return s > 0 ? v.map((x) => x / Math.sqrt(s)) : v;
  });
}

/**
 * Key terms of one inquiry (Chinese, English or mixed), for the hot-keyword counters.
 *
 * Pipeline (`extractTerms`):
 *
 * 1. Clean: `normalizeText` (full-width → half-width, ASCII lower-case); e-mail addresses, URLs
 *    and emoji are replaced by a break.
 * 2. Split scripts: table / domain terms mixing scripts ("3C认证", "等保2.0") are taken whole first;
 *    then runs of Latin letters/digits (joined by spaces, hyphens, apostrophes) go to
 *    the English path, everything between them to the Chinese path, in text order, into one
 *    stream of positions (a token, a phrase's words or a punctuation break each take one).
 * 3. Chinese: the shared jieba instance (`getJieba()`: default dictionary + the domain
 *    dictionary) tags each Han segment. Adjacent tokens whose concatenation is a synonym-table
 *    entry, a domain word or a multi-character stop phrase are joined first ("付款"+"周期" →
 *    付款周期 → 账期, "贵"+"公司" → 贵公司 → stop). A token is a candidate when it is a synonym /
 *    domain term, or has a content part of speech (nouns, verbs, verbal nouns, abbreviations,
 *    set phrases, unknown words), is not a stop word and has ≥ 2 Han characters (single
 *    characters only from a short whitelist: 价 税 铜 铝 钢 锂).
 * 4. English: `tokenizeEn` (Intl.Segmenter) tokens; at each token the longest synonym-table
 *    phrase (≤ 5 words, e.g. "minimum order quantity") is taken first; otherwise stop words,
 *    numbers, one-letter tokens and punctuation end a noun-phrase chunk (a run of content words
 *    such as "servo drives"); a chunk becomes phrases of 1–3 words (longer runs are cut from the
 *    right, where the English head noun is).
 * 5. Every candidate is mapped through `canonical()` (synonyms merged, English plural folded),
 *    so 国产化 / 国产替代 / "import substitution" are one term with one score.
 * 6. Score = 0.6 × TF-IDF + 0.4 × TextRank, each divided by its maximum in the inquiry, and the
 *    sum divided by the best term's (so the first term weighs 1):
 *    - TF-IDF is jieba's formula (term count / candidate count × idf) with jieba's own idf
 *      dictionary (`@node-rs/jieba/dict` `idf`; unknown words get its median, as in jieba).
 *      Synonym-table and domain-dictionary terms get a fixed high idf (DOMAIN_IDF): in sales
 *      inquiries 价格 is exactly the kind of word we want, though a general corpus finds it
 *      common. English terms have no corpus idf and get a constant near the median (EN_IDF).
 *    - TextRank as in jieba's `textrank`: undirected co-occurrence graph over candidates that
 *      are fewer than 5 positions apart, weighted PageRank, damping 0.85, 10 iterations.
 *    `@node-rs/jieba` 2 has `TfIdf.extractKeywords` but no TextRank. Its TF-IDF is not called:
 *    it re-segments the text on its own, so it can neither see the joined compounds and merged
 *    synonyms above (it would score 付款 and 周期, 国产化 and 替代, separately) nor share one
 *    token stream with the TextRank graph; the same idf table and formula are used here instead.
 *    The idf table is read once (lazily, ~0.1 s) into a compact hash table (~12 MB).
 * 7. Sort by weight (rounded to 4 decimals), then first position, then term; keep `max`.
 *
 * Terms never contain numbers-only tokens, single Han characters outside the whitelist, URLs,
 * e-mail addresses or emoji. `lang` is the script of the canonical term ('zh' when it contains a
 * Han character, otherwise 'en'), so one term always has one lang, wherever it was found.
 *
 * Everything is deterministic: fixed dictionaries (the shared jieba instance is never given
 * words by this module), insertion-ordered maps, a fixed number of TextRank iterations.
 * Long texts work (the graph is linear in the text) but callers store `truncateInquiry` output.
 */
import { createRequire } from 'node:module';
import { DOMAIN_WORDS } from '../analysis/text/domain-dict.js';
import { hasHan, normalizeText } from '../analysis/text/normalize.js';
import { getJieba, tokenizeEn, type Token } from '../analysis/text/tokenize.js';
import { EN_STOP_WORDS, ZH_STOP_WORDS } from './stopwords.js';
import { canonical, hasHanChar, inSynonymTable, synonymKeys } from './synonyms.js';

const require = createRequire(import.meta.url);

export interface ExtractedTerm {
  /** Canonical, normalised term (synonym-merged; Latin lower-case except known acronyms). */
  term: string;
  /** 0–1, relative to the inquiry's best term. */
  weight: number;
  /** Script of the term: 'zh' when it contains a Han character. */
  lang: 'zh' | 'en';
}

export interface ExtractOptions {
  /** Most terms returned (default 8). */
  max?: number;
}

export const DEFAULT_MAX_TERMS = 8;
export const DEFAULT_MAX_INQUIRY_CHARS = 2000;

/** TextRank window: candidates fewer than SPAN positions apart are linked (jieba's default). */
const SPAN = 5;
const DAMPING = 0.85;
const ITERATIONS = 10;
const TFIDF_SHARE = 0.6;
/** idf of synonym-table and domain-dictionary terms (jieba's idf table ranges ~0.9–13.9, median ~12). */
const DOMAIN_IDF = 14;
/**
 * idf of English terms outside the table: a constant near jieba's median (not the median itself,
 * so English-only text never needs the table and scores the same whether or not it was loaded).
 */
const EN_IDF = 12;
/** Longest run of jieba tokens joined into one table / stop entry, and its longest length. */
const MAX_JOIN_TOKENS = 4;
const MAX_JOIN_CHARS = 10;
/** Longest synonym-table phrase matched in English text, in words. */
const MAX_EN_TABLE_WORDS = 5;
const MAX_EN_PHRASE_WORDS = 3;

/** Single Han characters that may be terms on their own. */
const SINGLE_HAN_OK = new Set(['价', '税', '铜', '铝', '钢', '锂']);

/**
 * jieba part-of-speech tags that may be terms: nouns (n, nr*, nt, nz, ng), verbs and verbal
 * nouns (v, vn), adjectival nouns (an), abbreviations (j), set phrases (l), Latin (eng) and
 * words jieba's HMM found but could not tag (x, only when Han). Pronouns, particles, numerals,
 * measure words, adverbs, time and place words, adjectives and idioms are not.
 */
const CONTENT_POS = new Set(['n', 'nr', 'nrfg', 'nrt', 'nt', 'nz', 'ng', 'v', 'vn', 'an', 'j', 'l', 'eng', 'x']);

// ─── cleaning and script runs ────────────────────────────────────────────────

const EMAIL_RE = /[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+/g;
const URL_CHARS = "[a-z0-9\\-._~:/?#\\[\\]@!$&'()*+,;=%]";
const TLDS = 'com|cn|net|org|io|co|gov|edu|info|biz|top|xyz|cc|me|tv|hk|tw|jp|de|uk|us|ru|in|sg';
const URL_RE = new RegExp(
  `(?:https?://|www\\.)${URL_CHARS}+|\\b[a-z0-9-]+(?:\\.[a-z0-9-]+)*\\.(?:${TLDS})\\b(?:/${URL_CHARS}*)?`,
  'g',
);
/** Emoji: pictographs, keycaps, flags, skin tones, joiners and presentation selectors. */
const EMOJI_RE = /[0-9#*]\ufe0f?\u20e3|[\p{Extended_Pictographic}\p{Regional_Indicator}\u{1F3FB}-\u{1F3FF}\u200d\ufe0e\ufe0f\u20e3]/gu;

/** A run of Latin letters / digits, words joined by spaces, hyphens or apostrophes. */
const LATIN_RUN_RE = /[\p{Script=Latin}\p{Nd}]+(?:(?:[ \t]+|[ \t]*['-][ \t]*)[\p{Script=Latin}\p{Nd}]+)*/gu;
const HAN_ONLY_RE = /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$/;
const JOINABLE_GAP_RE = /^(?:[ \t]+|[ \t]*-[ \t]*)$/;

function clean(text: string): string {
  return normalizeText(text).replace(EMAIL_RE, ' \n ').replace(URL_RE, ' \n ').replace(EMOJI_RE, ' ');
}

// ─── jieba idf table ─────────────────────────────────────────────────────────

/**
 * jieba's idf.txt as an open-addressing hash table keyed by two independent 32-bit hashes of
 * the word's UTF-8 bytes (so no string is allocated while reading 270 k lines; a false match
 * needs both hashes to collide).
 */
interface IdfTable {
  k1: Int32Array;
  k2: Int32Array;
  vals: Float32Array;
  mask: number;
  median: number;
}

let idfTable: IdfTable | null | undefined;

const H1_START = 0x811c9dc5 | 0;
const H2_START = 0x2f3a_9b1d | 0;
const h1Step = (h: number, b: number) => Math.imul(h ^ b, 0x01000193);
const h2Step = (h: number, b: number) => {
  const x = Math.imul(h + b, 0x5bd1e995);
  return x ^ (x >>> 13);
};
const nonZero = (h: number) => (h === 0 ? 1 : h);

function loadIdf(): IdfTable | null {
  if (idfTable !== undefined) return idfTable;
  let buf: Uint8Array | undefined;
  try {
    buf = (require('@node-rs/jieba/dict') as { idf?: Uint8Array }).idf;
  } catch {
    buf = undefined;
  }
  if (!buf || buf.length === 0) return (idfTable = null);
  let lines = 0;
  for (let i = 0; i < buf.length; i++) if (buf[i] === 10) lines++;
  let cap = 1;
  while (cap < (lines + 1) * 2) cap <<= 1;
  const t: IdfTable = { k1: new Int32Array(cap), k2: new Int32Array(cap), vals: new Float32Array(cap), mask: cap - 1, median: 0 };
  const values = new Float64Array(lines + 1);
  let n = 0;
  let i = 0;
  while (i < buf.length) {
    let h1 = H1_START;
    let h2 = H2_START;
    const start = i;
    while (i < buf.length && buf[i] !== 32 && buf[i] !== 10) {
      h1 = h1Step(h1, buf[i]!);
      h2 = h2Step(h2, buf[i]!);
      i++;
    }
    if (i >= buf.length || buf[i] === 10 || i === start) {
      i++;
      continue;
    }
    i++; // space
    let v = 0;
    let scale = 0;
    let ok = false;
    while (i < buf.length && buf[i] !== 10) {
      const c = buf[i]!;
      if (c >= 48 && c <= 57) {
        v = v * 10 + (c - 48);
        if (scale) scale *= 10;
        ok = true;
      } else if (c === 46 && !scale) scale = 1;
      else if (c !== 13) ok = false;
      i++;
    }
    i++;
    if (!ok) continue;
    if (scale) v /= scale;
    if (!(v > 0)) continue;
    insertIdf(t, nonZero(h1), nonZero(h2), v);
    values[n++] = v;
  }
  if (n === 0) return (idfTable = null);
  const sorted = values.subarray(0, n).sort();
  t.median = sorted[n >> 1]!;
  return (idfTable = t);
}

function insertIdf(t: IdfTable, a: number, b: number, v: number): void {
  let slot = a & t.mask;
  while (t.k1[slot] !== 0 && !(t.k1[slot] === a && t.k2[slot] === b)) slot = (slot + 1) & t.mask;
  t.k1[slot] = a;
  t.k2[slot] = b;
  t.vals[slot] = v;
}

/** jieba idf of a word, or undefined when the dictionary does not have it. */
function idfOf(t: IdfTable, word: string): number | undefined {
  let h1 = H1_START;
  let h2 = H2_START;
  const step = (b: number) => {
    h1 = h1Step(h1, b);
    h2 = h2Step(h2, b);
  };
  for (const ch of word) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) step(c);
    else if (c < 0x800) {
      step(0xc0 | (c >> 6));
      step(0x80 | (c & 63));
    } else if (c < 0x10000) {
      step(0xe0 | (c >> 12));
      step(0x80 | ((c >> 6) & 63));
      step(0x80 | (c & 63));
    } else {
      step(0xf0 | (c >> 18));
      step(0x80 | ((c >> 12) & 63));
      step(0x80 | ((c >> 6) & 63));
      step(0x80 | (c & 63));
    }
  }
  const a = nonZero(h1);
  const b = nonZero(h2);
  let slot = a & t.mask;
  for (;;) {
    const k = t.k1[slot]!;
    if (k === 0) return undefined;
    if (k === a && t.k2[slot] === b) return t.vals[slot];
    slot = (slot + 1) & t.mask;
  }
}

// ─── dictionaries derived once ───────────────────────────────────────────────

let joinKeys: Set<string> | undefined;
let domainSet: Set<string> | undefined;

/** Han strings that adjacent jieba tokens are joined into (table entries, domain words, stop phrases). */
function getJoinKeys(): Set<string> {
  if (!joinKeys) {
    const s = new Set<string>();
    const add = (w: string) => {
      if (w.length >= 2 && w.length <= MAX_JOIN_CHARS && HAN_ONLY_RE.test(w)) s.add(w);
    };
    for (const k of synonymKeys()) add(k);
    for (const w of DOMAIN_WORDS) add(normalizeText(w));
    for (const w of ZH_STOP_WORDS) add(w);
    joinKeys = s;
  }
  return joinKeys;
}

/** Canonical terms that count as domain vocabulary (synonym-table terms and domain words). */
function isDomainTerm(term: string, surface: string): boolean {
  if (!domainSet) domainSet = new Set([...DOMAIN_WORDS, ...DOMAIN_WORDS.map((w) => normalizeText(w))]);
  return domainSet.has(term) || domainSet.has(surface) || inSynonymTable(surface);
}

// ─── the candidate stream ────────────────────────────────────────────────────

interface Candidate {
  term: string;
  pos: number;
  idf: number;
}

interface Stream {
  items: Candidate[];
  pos: number;
}

function addZhSegment(seg: string, out: Stream, idf: IdfTable | null): void {
  if (!hasHan(seg)) {
    if (/\S/.test(seg)) out.pos++; // punctuation / symbols between runs: a break
    return;
  }
  const tagged = getJieba().tag(seg, true);
  const keys = getJoinKeys();
  const median = idf?.median ?? 1;
  let i = 0;
  while (i < tagged.length) {
    const first = tagged[i]!;
    if (first.word.trim() === '') {
      i++;
      continue;
    }
    let word = first.word;
    let tag = first.tag;
    let used = 1;
    if (HAN_ONLY_RE.test(word)) {
      let joined = word;
      const parts: string[] = [];
      for (let m = 1; m < MAX_JOIN_TOKENS && i + m < tagged.length; m++) {
        const w = tagged[i + m]!.word;
        if (!HAN_ONLY_RE.test(w)) break;
        joined += w;
        if (joined.length > MAX_JOIN_CHARS) break;
        parts.push(joined);
      }
      for (let m = parts.length - 1; m >= 0; m--) {
        if (keys.has(parts[m]!)) {
          word = parts[m]!;
          tag = 'n';
          used = m + 2;
          break;
        }
      }
    }
    i += used;
    const pos = out.pos++;
    if (!hasHanChar(word) || !HAN_ONLY_RE.test(word)) continue; // punctuation, symbols
    if (ZH_STOP_WORDS.has(word)) continue;
    const term = canonical(word);
    const domain = isDomainTerm(term, word);
    if (!domain) {
      if (!CONTENT_POS.has(tag)) continue;
      if (word.length < 2 && !SINGLE_HAN_OK.has(word)) continue;
      if (ZH_STOP_WORDS.has(term)) continue;
    }
    out.items.push({ term, pos, idf: domain ? DOMAIN_IDF : (idf ? (idfOf(idf, word) ?? median) : 1) });
  }
}

function isContentWord(t: Token): boolean {
  const w = t.norm;
  if (w.length < 2 || t.kind === 'number' || !/\p{L}/u.test(w)) return false;
  if (w.includes("'") || EN_STOP_WORDS.has(w)) return false;
  // order numbers, phone numbers and the like
  let digits = 0;
  for (let i = 0; i < w.length; i++) if (w.charCodeAt(i) >= 48 && w.charCodeAt(i) <= 57) digits++;
  return digits < 6;
}

function addEnRun(run: string, out: Stream): void {
  const toks = tokenizeEn(run);
  const base = out.pos;
  out.pos += toks.length;
  const joinable = (a: number) => JOINABLE_GAP_RE.test(run.slice(toks[a - 1]!.end, toks[a]!.start));
  const emit = (term: string, surface: string, pos: number) => {
    out.items.push({ term, pos, idf: isDomainTerm(term, surface) ? DOMAIN_IDF : EN_IDF });
  };
  let chunk: number[] = [];
  const flush = () => {
    // cut runs longer than MAX_EN_PHRASE_WORDS from the right: the head noun stays with its modifiers
    let end = chunk.length;
    while (end > 0) {
      const start = Math.max(0, end - MAX_EN_PHRASE_WORDS);
      const words = chunk.slice(start, end).map((k) => toks[k]!.norm);
      const phrase = words.join(' ');
      const term = canonical(phrase);
      if (!EN_STOP_WORDS.has(term)) emit(term, phrase, base + chunk[start]!);
      end = start;
    }
    chunk = [];
  };
  let i = 0;
  while (i < toks.length) {
    if (i > 0 && !joinable(i)) flush();
    // the longest synonym-table phrase starting here (stop words allowed inside: "after sales")
    let matched = 0;
    let words = toks[i]!.norm;
    let bestKey = '';
    for (let n = 1; n <= MAX_EN_TABLE_WORDS && i + n <= toks.length; n++) {
      if (n > 1) {
        if (!joinable(i + n - 1)) break;
        words += ' ' + toks[i + n - 1]!.norm;
      }
      if (inSynonymTable(words)) {
        matched = n;
        bestKey = words;
      }
    }
    if (matched > 0) {
      flush();
      emit(canonical(bestKey), bestKey, base + i);
      i += matched;
      continue;
    }
    if (isContentWord(toks[i]!)) chunk.push(i);
    else flush();
    i++;
  }
  flush();
}

/** Split `text` into Latin runs (English path) and what lies between them (Chinese path). */
function addText(text: string, out: Stream, idf: IdfTable | null): void {
  let last = 0;
  for (const m of text.matchAll(LATIN_RUN_RE)) {
    if (m.index > last) addZhSegment(text.slice(last, m.index), out, idf);
    addEnRun(m[0], out);
    last = m.index + m[0].length;
  }
  if (last < text.length) addZhSegment(text.slice(last), out, idf);
}

let mixedRe: RegExp | null | undefined;

/**
 * Table and domain terms that mix Han with Latin letters or digits ("3C认证", "等保2.0"): the
 * script split would cut them, so they are found first and taken whole.
 */
function getMixedRe(): RegExp | null {
  if (mixedRe === undefined) {
    const keys = new Set<string>();
    for (const k of [...synonymKeys(), ...DOMAIN_WORDS.map((w) => normalizeText(w))]) {
      if (hasHanChar(k) && /[a-z0-9]/.test(k) && !/\s/.test(k)) keys.add(k);
    }
    const alt = [...keys].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    mixedRe = alt.length ? new RegExp(alt.join('|'), 'g') : null;
  }
  return mixedRe;
}

// ─── scoring ─────────────────────────────────────────────────────────────────

function rank(items: readonly Candidate[]): { term: string; weight: number; first: number }[] {
  const index = new Map<string, number>();
  const terms: string[] = [];
  const first: number[] = [];
  const idfSum: number[] = [];
  const nodeOf = new Int32Array(items.length);
  items.forEach((c, k) => {
    let id = index.get(c.term);
    if (id === undefined) {
      id = terms.length;
      index.set(c.term, id);
      terms.push(c.term);
      first.push(c.pos);
      idfSum.push(0);
    }
    idfSum[id]! += c.idf;
    nodeOf[k] = id;
  });
  const n = terms.length;

  // TF-IDF: (count / candidates) × idf, summed over occurrences (synonyms may differ in idf)
  const tfidf = idfSum.map((s) => s / items.length);

  // TextRank: undirected weighted co-occurrence graph, jieba's PageRank variant
  const edges = new Map<number, number>();
  for (let a = 0; a < items.length; a++) {
    for (let b = a + 1; b < items.length && items[b]!.pos - items[a]!.pos < SPAN; b++) {
      const x = nodeOf[a]!;
      const y = nodeOf[b]!;
      if (x === y) continue;
      const key = x < y ? x * n + y : y * n + x;
      edges.set(key, (edges.get(key) ?? 0) + 1);
    }
  }
  const adj: [number, number][][] = Array.from({ length: n }, () => []);
  const out = new Float64Array(n);
  for (const [key, w] of edges) {
    const x = Math.floor(key / n);
    const y = key % n;
    adj[x]!.push([y, w]);
    adj[y]!.push([x, w]);
    out[x] = out[x]! + w;
    out[y] = out[y]! + w;
  }
  let ws = new Float64Array(n).fill(n ? 1 / n : 0);
  for (let it = 0; it < ITERATIONS; it++) {
    const next = new Float64Array(n);
    for (let v = 0; v < n; v++) {
      let s = 0;
      for (const [u, w] of adj[v]!) s += (w / out[u]!) * ws[u]!;
      next[v] = 1 - DAMPING + DAMPING * s;
    }
    ws = next;
  }

  let maxTf = 0;
  let maxTr = 0;
  for (let v = 0; v < n; v++) {
    maxTf = Math.max(maxTf, tfidf[v]!);
    maxTr = Math.max(maxTr, ws[v]!);
  }
  const raw = terms.map((_, v) => TFIDF_SHARE * (maxTf ? tfidf[v]! / maxTf : 0) + (1 - TFIDF_SHARE) * (maxTr ? ws[v]! / maxTr : 0));
  const top = Math.max(...raw);
  // relative to the best term (weight 1), rounded so equal scores compare equal
  return terms.map((term, v) => ({ term, weight: top > 0 ? Math.round((raw[v]! / top) * 1e4) / 1e4 : 0, first: first[v]! }));
}

// ─── public API ──────────────────────────────────────────────────────────────

/**
 * The normalised, synonym-merged key terms of one inquiry, best first (at most `max`, default 8).
 * Chinese, English and mixed text; deterministic. See the module comment for the method.
 */
export function extractTerms(text: string, opts: ExtractOptions = {}): ExtractedTerm[] {
  const max = opts.max ?? DEFAULT_MAX_TERMS;
  if (!Number.isInteger(max) || max < 0) throw new RangeError(`max must be a whole number ≥ 0, got ${max}`);
  if (max === 0 || !text) return [];
  const cleaned = clean(text);
  const idf = hasHan(cleaned) ? loadIdf() : null;
  const stream: Stream = { items: [], pos: 0 };
  const mixed = hasHan(cleaned) ? getMixedRe() : null;
  let last = 0;
  if (mixed) {
    for (const m of cleaned.matchAll(mixed)) {
      if (m.index > last) addText(cleaned.slice(last, m.index), stream, idf);
      stream.items.push({ term: canonical(m[0]), pos: stream.pos++, idf: DOMAIN_IDF });
      last = m.index + m[0].length;
    }
  }
  addText(last === 0 ? cleaned : cleaned.slice(last), stream, idf);
  if (stream.items.length === 0) return [];
  return rank(stream.items)
    .sort((a, b) => b.weight - a.weight || a.first - b.first || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0))
    .slice(0, max)
    .map(({ term, weight }) => ({ term, weight, lang: hasHanChar(term) ? 'zh' : 'en' }));
}

const SENTENCE_ENDS = '。！？!?；;…\n';
const SOFT_BREAKS = '，,、：: \t\u3000';

/**
 * Cut an inquiry to at most `maxChars` UTF-16 code units (default 2000) for storage. When it is
 * longer, the cut goes back to the last sentence end within the final 20 % of the allowed length,
 * else to the last comma or space there, else cuts hard (so a sentence or word is not cut in half
 * when avoidable); it never splits a surrogate pair, and trailing whitespace is dropped.
 * `truncated` says whether anything was cut.
 */
export function truncateInquiry(text: string, maxChars = DEFAULT_MAX_INQUIRY_CHARS): { text: string; truncated: boolean } {
  if (!Number.isInteger(maxChars) || maxChars < 1) throw new RangeError(`maxChars must be a whole number ≥ 1, got ${maxChars}`);
  if (text.length <= maxChars) return { text, truncated: false };
  const floor = Math.max(1, Math.floor(maxChars * 0.8));
  const lastAfter = (set: string): number => {
    for (let i = maxChars; i >= floor; i--) if (set.includes(text[i - 1]!)) return i;
    return -1;
  };
  let cut = lastAfter(SENTENCE_ENDS);
  if (cut < 0) cut = lastAfter(SOFT_BREAKS);
  if (cut < 0) cut = /\s/.test(text[maxChars]!) ? maxChars : -1;
  if (cut < 0) cut = maxChars;
  // never leave half a surrogate pair
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return { text: text.slice(0, cut).trimEnd(), truncated: true };
}

/**
 * False for text with no letters or digits once emoji are removed: empty, whitespace,
 * punctuation or symbols only, emoji only (keycaps and flags included). Any word counts as
 * meaningful, even one that yields no term ("谢谢").
 */
export function isMeaningful(text: string): boolean {
  if (!text) return false;
  return /[\p{L}\p{N}]/u.test(text.replace(EMOJI_RE, ''));
}

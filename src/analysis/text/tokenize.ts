/**
 * Tokenisation with character offsets.
 *
 * - Chinese: `@node-rs/jieba` (default dictionary + DOMAIN_WORDS + the built-in taxonomy's
 *   Chinese terms, see domain-dict.ts), created lazily on first use (~0.2 s, ~40 MB) and shared
 *   by the process. jieba returns every character of its input, so offsets
 *   are the running sum of token lengths.
 * - English: `Intl.Segmenter('en', { granularity: 'word' })`, word-like segments only.
 *
 * Tokens carry `norm`: the normalised (full-width → half-width, ASCII-lowercased) form.
 */
import { createRequire } from 'node:module';
import type { Jieba as JiebaType } from '@node-rs/jieba';
import { preloadedWords } from './domain-dict.js';
import { hasHan, isHanChar, normalizeText } from './normalize.js';

const require = createRequire(import.meta.url);

export type TokenKind = 'han' | 'word' | 'number' | 'punct' | 'space';

export interface Token {
  /** Text as it appears in the input. */
  text: string;
  /** Normalised form (lowercase, half-width). */
  norm: string;
  start: number;
  end: number;
  kind: TokenKind;
}

let jieba: JiebaType | undefined;
const loadedWords = new Set<string>();

/** The shared jieba instance (default dictionary + domain words), created on first call. */
export function getJieba(): JiebaType {
  if (!jieba) {
    const mod = require('@node-rs/jieba') as typeof import('@node-rs/jieba');
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    jieba = mod.Jieba.withDict(dict);
    addWords(jieba, [...preloadedWords()]);
  }
  return jieba;
}

function addWords(j: JiebaType, words: readonly string[]): void {
  const fresh = words
    .map((w) => w.trim())
    .filter((w) => w.length > 0 && !/\s/.test(w) && !loadedWords.has(w));
  if (fresh.length === 0) return;
  for (const w of fresh) loadedWords.add(w);
  // jieba dictionary lines: "word frequency tag"
  j.loadDict(Buffer.from(fresh.map((w) => `${w} 3000 n`).join('\n') + '\n', 'utf8'));
}

/**
 * Add words to the shared jieba dictionary. Idempotent; words with whitespace are skipped.
 * The dictionary is process-wide and changes segmentation for every caller from then on, so
 * call this at start-up only, with fixed data (never per tenant or per request).
 */
export function loadDomainWords(words: readonly string[]): void {
  addWords(getJieba(), words);
}

function kindOf(tok: string): TokenKind {
  if (/^\s+$/.test(tok)) return 'space';
  if (isHanChar(tok[0])) return 'han';
  if (/^[0-9.]+$/.test(tok)) return 'number';
  if (/^[\p{L}\p{N}_'-]+$/u.test(tok)) return 'word';
  return 'punct';
}

/**
 * jieba segmentation of `text` with offsets. All tokens are returned (including spaces and
 * punctuation) unless `wordsOnly` is set.
 */
export function segmentZh(text: string, opts: { wordsOnly?: boolean } = {}): Token[] {
  if (text.length === 0) return [];
  // segment the normalised text (same length) so full-width letters and digits stay words
  const normText = normalizeText(text);
  const pieces = getJieba().cut(normText, true);
  const out: Token[] = [];
  let pos = 0;
  for (const piece of pieces) {
    // jieba returns the input verbatim in order; fall back to a search if it ever does not
    let start = pos;
    if (normText.startsWith(piece, pos) === false) {
      const found = normText.indexOf(piece, pos);
      if (found < 0) continue;
      start = found;
    }
    const end = start + piece.length;
    pos = end;
    const kind = kindOf(piece);
    if (opts.wordsOnly && (kind === 'space' || kind === 'punct')) continue;
    out.push({ text: text.slice(start, end), norm: piece, start, end, kind });
  }
  return out;
}

/**
 * Token boundaries (start and end offsets of every jieba token) of `text`, as a bitmap indexed
 * by offset. Used to keep Chinese trigger matches from cutting through a word. Pass normalised
 * text.
 */
export function jiebaBoundaries(text: string): Uint8Array {
  const marks = new Uint8Array(text.length + 1);
  marks[0] = 1;
  marks[text.length] = 1;
  let pos = 0;
  for (const piece of getJieba().cut(text, true)) {
    if (text.startsWith(piece, pos)) pos += piece.length;
    else {
      const found = text.indexOf(piece, pos);
      if (found < 0) continue;
      marks[found] = 1;
      pos = found + piece.length;
    }
    marks[pos] = 1;
  }
  return marks;
}

const wordSegmenter = new Intl.Segmenter('en', { granularity: 'word' });

/**
 * English (and generally Latin-script) word tokens via Intl.Segmenter; word-like segments
 * only. `norm` is lowercased/half-width; a trailing possessive or contracted "'s" is dropped
 * from `norm` ("delivery's" → "delivery").
 */
export function tokenizeEn(text: string): Token[] {
  const out: Token[] = [];
  const norm = normalizeText(text);
  for (const s of wordSegmenter.segment(norm)) {
    if (!s.isWordLike) continue;
    const start = s.index;
    const end = start + s.segment.length;
    let n = s.segment;
    if (n.length > 3 && n.endsWith("'s")) n = n.slice(0, -2);
    out.push({ text: text.slice(start, end), norm: n, start, end, kind: isHanChar(n[0]) ? 'han' : /^[0-9.]+$/.test(n) ? 'number' : 'word' });
  }
  return out;
}

/**
 * Mixed-language tokenisation: jieba for text containing Han characters (jieba keeps Latin
 * words such as "PLC" or "lead" whole), Intl.Segmenter otherwise. Word tokens only.
 */
export function tokenize(text: string): Token[] {
  if (hasHan(text)) return segmentZh(text, { wordsOnly: true });
  return tokenizeEn(text);
}

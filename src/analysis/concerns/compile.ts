/**
 * Compiles a taxonomy into fast matchers (once per taxonomy object, cached in a WeakMap) and
 * finds the raw trigger/pattern matches in one normalised segment text.
 *
 * Matching rules:
 * - Terms containing a Han character ("交期", "3c认证") are substring matches, looked up by
 *   first character (one Map lookup per text position, then `startsWith` on the few candidates).
 *   The engine later drops a match of a built-in term that cuts through a jieba word (see
 *   lexicon.ts); the built-in terms are in jieba's dictionary (text/domain-dict.ts).
 * - Other terms ("lead time", "moq", "24/7", "discount*") are word-sequence matches on
 *   Intl.Segmenter tokens: whole tokens only ("cost" never matches "customer"); words of a
 *   phrase may be separated by spaces, "-", "/", "&", "+" or "_" but not by other punctuation;
 *   a trailing "*" makes the last word a prefix (at least 3 letters).
 * - Patterns are compiled with flags "gid" after one rewrite: every `.` outside a character
 *   class becomes a named group matching "any character except a clause break"
 *   (`[^\n\r,.!?;。，！？；…]`), so a pattern never spans two clauses, and the engine knows
 *   where the free gaps of a match are (negators inside a gap count, see negation.ts).
 *   Patterns that use numbered back-references keep `.` as a plain class without gap tracking.
 *   Patterns declared under `zh` run only on text containing Han characters; those under `en`
 *   only on text containing Latin letters.
 * - `exclude` patterns (same rewrite) remove this code's matches that overlap them.
 * - Prefilter: a pattern whose source has required literals (a mandatory literal run or a
 *   mandatory group of plain-literal alternatives, see `requiredLiterals`) is run only when one
 *   of them occurs in the text. The literals are found by the same first-character scan as the
 *   substring terms, so a segment pays for the patterns that can match, not for all of them
 *   (a failed `exec` on a short segment costs about as much as scanning it). Results are
 *   identical to running every pattern.
 */
import type { ConcernCodeDef, Taxonomy, Weight } from '../taxonomy/schema.js';
import { hasHan, normalizeText } from '../text/normalize.js';
import { preloadedWords } from '../text/domain-dict.js';
import { tokenizeEn, type Token } from '../text/tokenize.js';

export const CLAUSE_CHAR_CLASS = '[^\\n\\r,.!?;。，！？；…]';
const DEFAULT_WEIGHTS = { strong: 0.6, weak: 0.3 } as const;
export const DEFAULT_MIN_CONFIDENCE = 0.35;

export interface MatchEntry {
  codeIndex: number;
  code: string;
  strength: Weight;
  weight: number;
  kind: 'term' | 'pattern';
  lang: 'zh' | 'en';
  /** The term or pattern source as written in the taxonomy. */
  source: string;
  /**
   * A Chinese term that is a word of jieba's fixed dictionary (built-in terms): its matches
   * are dropped when they cut through a jieba word. Other (tenant) terms match as plain
   * substrings, because jieba does not know them as words.
   */
  checkWords: boolean;
}

interface SubstringTerm {
  text: string;
  entry: MatchEntry;
}

interface WordPhrase {
  words: string[];
  lastIsPrefix: boolean;
  entry: MatchEntry;
}

interface CompiledPattern {
  re: RegExp;
  gapNames: string[];
  entry: MatchEntry;
  /** Position in its list (hanPatterns / latinPatterns). */
  index: number;
  /** False when the pattern has required literals (see `requiredLiterals`): it only runs when one occurs. */
  always: boolean;
}

/** A required literal of some patterns, found by the same first-character scan as substring terms. */
interface PatternAnchor {
  text: string;
  han: number[];
  latin: number[];
}

const REGEX_META = new Set(['\\', '.', '[', ']', '(', ')', '*', '+', '?', '{', '}', '|', '^', '$']);

/** End index (exclusive) of the group or class starting at `i` ("(" or "["), honouring escapes and nested classes. */
function skipBracket(src: string, i: number): number {
  if (src[i] === '[') {
    let j = i + 1;
    if (src[j] === '^') j++;
    if (src[j] === ']') j++;
    for (; j < src.length; j++) {
      if (src[j] === '\\') j++;
      else if (src[j] === ']') return j + 1;
    }
    return src.length;
  }
  let depth = 0;
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') j++;
    else if (c === '[') j = skipBracket(src, j) - 1;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j + 1;
  }
  return src.length;
}

/** Split a regex source at its top-level "|" (not inside groups or classes). */
function splitTopLevel(src: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let j = 0; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') j++;
    else if (c === '(' || c === '[') j = skipBracket(src, j) - 1;
    else if (c === '|') {
      parts.push(src.slice(start, j));
      start = j + 1;
    }
  }
  parts.push(src.slice(start));
  return parts;
}

/** End index of the escape sequence starting at `i` (a backslash): \\uXXXX, \\u{…}, \\xXX, \\p{…}, \\k<…>, \\cX, \\12, \\d… */
function escapeEnd(src: string, i: number): number {
  const n = src[i + 1];
  const rest = src.slice(i + 2);
  let m: RegExpExecArray | null = null;
  if (n === 'u') m = /^(?:\{[0-9a-fA-F]+\}|[0-9a-fA-F]{4})/.exec(rest);
  else if (n === 'x') m = /^[0-9a-fA-F]{2}/.exec(rest);
  else if (n === 'p' || n === 'P') m = /^\{[^}]*\}/.exec(rest);
  else if (n === 'k') m = /^<[^>]*>/.exec(rest);
  else if (n === 'c') m = /^[A-Za-z]/.exec(rest);
  else if (n !== undefined && n >= '1' && n <= '9') m = /^[0-9]*/.exec(rest);
  return i + 2 + (m ? m[0].length : 0);
}

/** Literal text only, and no cased non-ASCII letter (the "i" flag folds "É"/"é", `includes` would not). */
const isPlainLiteral = (s: string): boolean =>
  s.length > 0 && [...s].every((ch) => !REGEX_META.has(ch) && (ch.charCodeAt(0) < 128 || ch.toLowerCase() === ch.toUpperCase()));

/**
 * A cheap prefilter for a pattern: literal strings of which every match must contain at least
 * one, read from the pattern source. Candidates are runs of literal characters at the top
 * level and top-level groups whose alternatives are all plain literals ("(白花|白扔)"), both
 * only when not optional (no ?, *, {0,…} after them). The candidate with the longest shortest
 * literal wins (then the fewest literals). Undefined when the pattern has a top-level "|" or no
 * candidate. Lowercased: patterns run case-insensitively on lowercased text.
 */
export function requiredLiterals(src: string): string[] | undefined {
  if (splitTopLevel(src).length > 1) return undefined;
  const candidates: string[][] = [];
  let run = '';
  const endRun = (): void => {
    if (run) candidates.push([run]);
    run = '';
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    let end: number;
    let literal: string | undefined;
    let group: string | undefined;
    if (c === '\\') end = escapeEnd(src, i);
    else if (c === '[') end = skipBracket(src, i);
    else if (c === '(') {
      end = skipBracket(src, i);
      const inner = src.slice(i + 1, end - 1);
      if (!inner.startsWith('?')) group = inner;
      else if (inner.startsWith('?:')) group = inner.slice(2);
      else if (/^\?<[A-Za-z]/.test(inner)) group = inner.slice(inner.indexOf('>') + 1);
    } else {
      end = i + 1;
      if (!REGEX_META.has(c)) literal = c;
    }
    // quantifier after the atom
    let q = '';
    const qm = /^(?:[?*+]|\{\d+(?:,\d*)?\})\??/.exec(src.slice(end));
    if (qm) q = qm[0];
    const optional = q.startsWith('?') || q.startsWith('*') || /^\{0[,}]/.test(q);
    if (literal !== undefined && !isPlainLiteral(literal)) literal = undefined;
    if (literal !== undefined && !q) run += literal;
    else {
      if (literal !== undefined && !optional) run += literal;
      endRun();
      if (group !== undefined && !optional) {
        const alts = splitTopLevel(group);
        if (alts.every(isPlainLiteral)) candidates.push(alts);
      }
    }
    i = end + q.length;
  }
  endRun();
  let best: string[] | undefined;
  let bestMin = 0;
  for (const cand of candidates) {
    const min = Math.min(...cand.map((s) => s.length));
    if (!best || min > bestMin || (min === bestMin && cand.length < best.length)) {
      best = cand;
      bestMin = min;
    }
  }
  return best?.map((s) => s.toLowerCase());
}


export interface CompiledTaxonomy {
  taxonomy: Taxonomy;
  codes: readonly ConcernCodeDef[];
  weights: { strong: number; weak: number };
  minConfidence: number;
  substring: Map<string, SubstringTerm[]>;
  words: Map<string, WordPhrase[]>;
  wordPrefixes: Map<string, WordPhrase[]>;
  hanPatterns: CompiledPattern[];
  latinPatterns: CompiledPattern[];
  /** Required literals of patterns, by first character (see `requiredLiterals`). */
  anchors: Map<string, PatternAnchor[]>;
  excludes: Array<{ re: RegExp; han: boolean }[]>;
}

export interface RawMatch {
  entry: MatchEntry;
  start: number;
  end: number;
  /** Free gaps (rewritten `.`) of a pattern match, as [start, end) offsets. */
  gaps: Array<[number, number]>;
}

/**
 * Rewrite a pattern source: each `.` (with its quantifier) outside a character class becomes
 * a named group over CLAUSE_CHAR_CLASS. Returns the new source and the group names.
 */
export function rewritePattern(src: string, prefix = 'zzgap'): { source: string; gapNames: string[] } {
  const track = !/\\[1-9]/.test(src);
  let out = '';
  let inClass = false;
  const gapNames: string[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      out += c + (src[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // a "]" right after "[" or "[^" is a literal in JavaScript only as "[]" (empty); keep simple
      continue;
    }
    if (c === '.') {
      let j = i + 1;
      let q = '';
      const n = src[j];
      if (n === '*' || n === '+' || n === '?') {
        q = n;
        j++;
      } else if (n === '{') {
        const m = /^\{\d+(?:,\d*)?\}/.exec(src.slice(j));
        if (m) {
          q = m[0];
          j += m[0].length;
        }
      }
      if (q && src[j] === '?') {
        q += '?';
        j++;
      }
      if (track) {
        const name = `${prefix}${gapNames.length}`;
        gapNames.push(name);
        out += `(?<${name}>${CLAUSE_CHAR_CLASS}${q})`;
      } else {
        out += CLAUSE_CHAR_CLASS + q;
      }
      i = j - 1;
      continue;
    }
    out += c;
  }
  return { source: out, gapNames };
}

const cache = new WeakMap<Taxonomy, CompiledTaxonomy>();

/** Compile (or fetch from cache) the matchers of a taxonomy. The taxonomy must not be mutated afterwards. */
export function compileTaxonomy(taxonomy: Taxonomy): CompiledTaxonomy {
  const hit = cache.get(taxonomy);
  if (hit) return hit;
  const weights = taxonomy.weights ?? DEFAULT_WEIGHTS;
  const compiled: CompiledTaxonomy = {
    taxonomy,
    codes: taxonomy.codes,
    weights,
    minConfidence: taxonomy.minConfidence ?? DEFAULT_MIN_CONFIDENCE,
    substring: new Map(),
    words: new Map(),
    wordPrefixes: new Map(),
    hanPatterns: [],
    latinPatterns: [],
    anchors: new Map(),
    excludes: [],
  };
  // the strongest entry wins when a term is listed twice for one code
  const seenTerms = new Map<string, MatchEntry>();

  taxonomy.codes.forEach((def, codeIndex) => {
    for (const lang of ['zh', 'en'] as const) {
      for (const strength of ['strong', 'weak'] as const) {
        const weight = weights[strength];
        for (const raw of def.triggers[lang]?.[strength] ?? []) {
          let term = normalizeText(raw.trim());
          let lastIsPrefix = false;
          if (term.endsWith('*')) {
            term = term.slice(0, -1).trim();
            lastIsPrefix = true;
          }
          if (!term) continue;
          const key = `${codeIndex}\u0000${term}\u0000${lastIsPrefix ? 1 : 0}`;
          const prev = seenTerms.get(key);
          if (prev) {
            if (prev.weight < weight) {
              prev.weight = weight;
              prev.strength = strength;
            }
            continue;
          }
          const checkWords = hasHan(term) && preloadedWords().has(term);
          const entry: MatchEntry = { codeIndex, code: def.code, strength, weight, kind: 'term', lang, source: raw, checkWords };
          seenTerms.set(key, entry);
          const words = hasHan(term) ? [] : tokenizeEn(term).map((t) => t.norm);
          if (words.length === 0) {
            addTo(compiled.substring, term[0]!, { text: term, entry });
          } else if (words.length === 1 && lastIsPrefix && words[0]!.length >= 3) {
            addTo(compiled.wordPrefixes, words[0]!.slice(0, 3), { words, lastIsPrefix, entry });
          } else {
            addTo(compiled.words, words[0]!, { words, lastIsPrefix: lastIsPrefix && words[words.length - 1]!.length >= 3, entry });
          }
        }
        for (const src of def.patterns?.[lang]?.[strength] ?? []) {
          const { source, gapNames } = rewritePattern(src);
          const entry: MatchEntry = { codeIndex, code: def.code, strength, weight, kind: 'pattern', lang, source: src, checkWords: false };
          const list = lang === 'zh' ? compiled.hanPatterns : compiled.latinPatterns;
          const anchors = requiredLiterals(src);
          const cp: CompiledPattern = { re: new RegExp(source, 'gid'), gapNames, entry, index: list.length, always: !anchors };
          list.push(cp);
          for (const a of anchors ?? []) addAnchor(compiled.anchors, a, lang, cp.index);
        }
      }
    }
    const ex: { re: RegExp; han: boolean }[] = [];
    for (const lang of ['zh', 'en'] as const) {
      for (const src of def.exclude?.[lang] ?? []) {
        ex.push({ re: new RegExp(rewritePattern(src).source, 'gi'), han: lang === 'zh' });
      }
    }
    compiled.excludes[codeIndex] = ex;
  });
  for (const list of compiled.substring.values()) list.sort((a, b) => b.text.length - a.text.length);
  cache.set(taxonomy, compiled);
  return compiled;
}

function addAnchor(map: Map<string, PatternAnchor[]>, text: string, lang: 'zh' | 'en', index: number): void {
  let list = map.get(text[0]!);
  if (!list) map.set(text[0]!, (list = []));
  let a = list.find((x) => x.text === text);
  if (!a) list.push((a = { text, han: [], latin: [] }));
  (lang === 'zh' ? a.han : a.latin).push(index);
}

function addTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const PHRASE_GAP_RE = /^[\s\-_/&+]*$/;

/**
 * All raw matches (terms and patterns of every code) in a normalised text. Overlaps, excludes
 * and negation are resolved by the caller.
 */
export function findRawMatches(c: CompiledTaxonomy, norm: string): RawMatch[] {
  const out: RawMatch[] = [];
  const n = norm.length;
  const han = hasHan(norm);
  const latin = /[a-z]/.test(norm);

  // substring terms (Chinese, and terms like "3c认证"); the same scan arms the patterns whose
  // required literals occur (a pattern with none of them cannot match and is not run)
  const armedHan = han ? new Uint8Array(c.hanPatterns.length) : undefined;
  const armedLatin = latin ? new Uint8Array(c.latinPatterns.length) : undefined;
  for (let i = 0; i < n; i++) {
    const ch = norm[i]!;
    const list = c.substring.get(ch);
    if (list) {
      for (const t of list) {
        if (norm.startsWith(t.text, i)) out.push({ entry: t.entry, start: i, end: i + t.text.length, gaps: [] });
      }
    }
    const anchors = c.anchors.get(ch);
    if (anchors) {
      for (const a of anchors) {
        if (!norm.startsWith(a.text, i)) continue;
        if (armedHan) for (const k of a.han) armedHan[k] = 1;
        if (armedLatin) for (const k of a.latin) armedLatin[k] = 1;
      }
    }
  }

  // word terms
  if (latin || /[0-9]/.test(norm)) {
    const tokens = tokenizeEn(norm);
    for (let i = 0; i < tokens.length; i++) {
      const tok = tokens[i]!;
      const exact = c.words.get(tok.norm);
      if (exact) for (const p of exact) tryPhrase(p, tokens, i, norm, out);
      if (tok.norm.length >= 3) {
        const pre = c.wordPrefixes.get(tok.norm.slice(0, 3));
        if (pre) for (const p of pre) if (tok.norm.startsWith(p.words[0]!)) out.push({ entry: p.entry, start: tok.start, end: tok.end, gaps: [] });
      }
    }
  }

  if (armedHan) runPatterns(c.hanPatterns, armedHan, norm, out);
  if (armedLatin) runPatterns(c.latinPatterns, armedLatin, norm, out);
  return out;
}

function tryPhrase(p: WordPhrase, tokens: Token[], i: number, norm: string, out: RawMatch[]): void {
  const last = p.words.length - 1;
  if (i + last >= tokens.length) return;
  for (let k = 1; k <= last; k++) {
    const tok = tokens[i + k]!;
    const want = p.words[k]!;
    const ok = k === last && p.lastIsPrefix ? tok.norm.startsWith(want) : tok.norm === want;
    if (!ok) return;
    const gap = norm.slice(tokens[i + k - 1]!.end, tok.start);
    if (!PHRASE_GAP_RE.test(gap)) return;
  }
  if (last === 0 && p.lastIsPrefix && !tokens[i]!.norm.startsWith(p.words[0]!)) return;
  out.push({ entry: p.entry, start: tokens[i]!.start, end: tokens[i + last]!.end, gaps: [] });
}

/** Every non-empty match of a global regex (empty matches are stepped over, never looped on). */
function forEachMatch(re: RegExp, text: string, fn: (m: RegExpExecArray) => void): void {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0].length === 0) re.lastIndex++;
    else fn(m);
  }
}

function runPatterns(patterns: CompiledPattern[], armed: Uint8Array, norm: string, out: RawMatch[]): void {
  for (const p of patterns) {
    if (!p.always && armed[p.index] === 0) continue;
    forEachMatch(p.re, norm, (m) => {
      const gaps: Array<[number, number]> = [];
      const groups = m.indices?.groups;
      if (groups) {
        for (const name of p.gapNames) {
          const g = groups[name];
          if (g && g[1] > g[0]) gaps.push([g[0], g[1]]);
        }
      }
      out.push({ entry: p.entry, start: m.index, end: m.index + m[0].length, gaps });
    });
  }
}

/** Spans of `code`'s exclude patterns in the text. */
export function excludeSpans(c: CompiledTaxonomy, codeIndex: number, norm: string, han: boolean): Array<[number, number]> {
  const list = c.excludes[codeIndex];
  if (!list || list.length === 0) return [];
  const spans: Array<[number, number]> = [];
  for (const { re, han: needsHan } of list) {
    if (needsHan && !han) continue;
    forEachMatch(re, norm, (m) => spans.push([m.index, m.index + m[0].length]));
  }
  return spans;
}

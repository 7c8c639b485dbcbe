/**
 * Sentence and clause splitting for Chinese and English, with character offsets into the
 * original text (works the same on raw and on `normalizeText` output, which has equal length).
 *
 * Clause breaks: 。！？!?；;，, … and line breaks; "." when followed by whitespace or the end
 * and not part of a number ("3.5" stays whole); whitespace between two Han characters (ASR
 * output often separates Chinese phrases with spaces instead of punctuation). The enumeration
 * comma 、 is *not* a break ("交期、价格都不是问题" is one clause).
 *
 * Sentence breaks: the same without the commas and without the Han-space rule.
 *
 * Spans are trimmed (no leading/trailing whitespace) and never empty; `delimiter` is the
 * punctuation that closed the span ('' when it ended at a space, line break or the end).
 */

export interface TextSpan {
  start: number;
  end: number;
  text: string;
  /** The punctuation that closed the span ("", "，", "?", "。"…). */
  delimiter: string;
}

const SENTENCE_PUNCT = new Set(['。', '！', '？', '!', '?', '；', ';', '…', '\n', '\r']);
const CLAUSE_PUNCT = new Set([...SENTENCE_PUNCT, '，', ',', '｡', '､']);

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\u3000' || ch === '\u00a0';
}

function isHan(ch: string | undefined): boolean {
  if (!ch) return false;
  const c = ch.charCodeAt(0);
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff);
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function pushTrimmed(out: TextSpan[], text: string, start: number, end: number, delimiter: string): void {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(text[s]!)) s++;
  while (e > s && /\s/.test(text[e - 1]!)) e--;
  if (e > s) out.push({ start: s, end: e, text: text.slice(s, e), delimiter });
}

function split(text: string, punct: Set<string>, hanSpaceBreaks: boolean): TextSpan[] {
  const out: TextSpan[] = [];
  let start = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    if (punct.has(ch)) {
      // a run of punctuation ("？！", "……", "?!") closes the span once
      let j = i + 1;
      while (j < n && (punct.has(text[j]!) || text[j] === '.')) j++;
      pushTrimmed(out, text, start, i, text.slice(i, j).trim());
      start = j;
      i = j;
      continue;
    }
    if (ch === '.') {
      const next = text[i + 1];
      const prev = text[i - 1];
      const numeric = isDigit(prev) && isDigit(next);
      if (!numeric && (next === undefined || isSpace(next) || next === '\n' || isHan(next) || next === '"')) {
        let j = i + 1;
        while (j < n && text[j] === '.') j++;
        pushTrimmed(out, text, start, i, text.slice(i, j));
        start = j;
        i = j;
        continue;
      }
    }
    if (hanSpaceBreaks && isSpace(ch)) {
      let j = i;
      while (j < n && isSpace(text[j])) j++;
      if (isHan(text[i - 1]) && isHan(text[j])) {
        pushTrimmed(out, text, start, i, '');
        start = j;
      }
      i = j;
      continue;
    }
    i++;
  }
  pushTrimmed(out, text, start, n, '');
  return out;
}

/** Clauses (the negation scope and the evidence unit). */
export function splitClauses(text: string): TextSpan[] {
  return split(text, CLAUSE_PUNCT, true);
}

/** Sentences (used to widen a too-short clause into a readable quote). */
export function splitSentences(text: string): TextSpan[] {
  return split(text, SENTENCE_PUNCT, false);
}

/** Index of the span containing `offset` (spans sorted, non-overlapping), or -1. */
export function spanIndexAt(spans: readonly TextSpan[], offset: number): number {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = spans[mid]!;
    if (offset < s.start) hi = mid - 1;
    else if (offset >= s.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/**
 * Length-preserving text normalisation.
 *
 * Every function here maps one UTF-16 code unit to exactly one code unit, so an offset into the
 * normalised string is the same offset into the original: matches found on normalised text
 * can be quoted verbatim from the original.
 *
 * - full-width ASCII (U+FF01–U+FF5E) → half-width (ＰＬＣ → plc, ！ → !, ？ → ?, ， → ,)
 * - ideographic space U+3000 and no-break space U+00A0 → " "
 * - curly quotes ‘ ’ ʼ → ', “ ” → "
 * - ASCII A–Z → a–z (only ASCII, so the length never changes)
 *
 * Traditional → simplified conversion is deliberately not done.
 */

const NORMALISE_RE = /[\uFF01-\uFF5E\u3000\u00A0\u2018\u2019\u02BC\u201C\u201DA-Z]/g;

function mapChar(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c >= 0xff01 && c <= 0xff5e) {
    const half = c - 0xfee0;
    // full-width A–Z becomes ASCII A–Z: lowercase it as well
    return String.fromCharCode(half >= 65 && half <= 90 ? half + 32 : half);
  }
  if (c === 0x3000 || c === 0x00a0) return ' ';
  if (c === 0x2018 || c === 0x2019 || c === 0x02bc) return "'";
  if (c === 0x201c || c === 0x201d) return '"';
  if (c >= 65 && c <= 90) return String.fromCharCode(c + 32);
  return ch;
}

/** Normalise for matching; `normalizeText(s).length === s.length` always holds. */
export function normalizeText(input: string): string {
  return input.replace(NORMALISE_RE, mapChar);
}

/** A Han character (CJK unified ideographs, extension A, compatibility ideographs). */
export const HAN_RE = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
export const HAN_GLOBAL_RE = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/g;
const LATIN_WORD_RE = /[a-z0-9]+(?:'[a-z]+)?/gi;

export function isHanChar(ch: string | undefined): boolean {
  if (!ch) return false;
  const c = ch.charCodeAt(0);
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff);
}

export function hasHan(text: string): boolean {
  return HAN_RE.test(text);
}

export function hasLatin(text: string): boolean {
  return /[a-z]/i.test(text);
}

/**
 * "Units" of text: one per Han character plus one per Latin/number word. Used to measure
 * distances (negation windows) the same way for Chinese and English.
 */
export function countUnits(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (isHanChar(text[i])) n++;
  const words = text.match(LATIN_WORD_RE);
  return n + (words ? words.length : 0);
}

/**
 * Share of Han characters among Han characters + Latin words (0 when the text has neither).
 * Used to guess the language of a transcript.
 */
export function hanShare(text: string): number {
  const han = text.match(HAN_GLOBAL_RE)?.length ?? 0;
  const words = text.match(LATIN_WORD_RE)?.length ?? 0;
  // a Chinese word is ~1.5 characters: weigh Han characters down so a sentence of each counts alike
  const hanWords = han / 1.5;
  return hanWords + words === 0 ? 0 : hanWords / (hanWords + words);
}

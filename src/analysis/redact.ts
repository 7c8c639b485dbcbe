/**
 * PII redaction for Chinese and English text (transcripts, inquiries) before they are stored or
 * sent to a language model.
 *
 * Each finding is replaced by a typed mask, the same in both languages:
 *
 * | kind    | mask      | what                                                                                  |
 * | ------- | --------- | ------------------------------------------------------------------------------------- |
 * | `phone` | `[PHONE]` | mainland mobiles 1[3-9]xxxxxxxxx (optional +86 / 0086 / 86, spaces or dashes as 3-4-4); mainland landlines 0AA(A)-XXXXXXX(X) (valid area code, with or without separator, "(010)", "+86 10 …"); any "+<country> …" number of 8–15 digits; North American (415) 555-0100 / 415-555-0100 / 415.555.0100 / 1-800-555-0100 |
 * | `id`    | `[ID]`    | resident ID numbers: 18 characters with a valid province code, birth date and ISO 7064 MOD 11-2 check character (X allowed), plain or 6-8-4 / 6-4-4-4 grouped; 15-digit legacy numbers with a valid province code and birth date |
 * | `card`  | `[CARD]`  | bank cards: 13–19 digits passing the Luhn check with a card-network prefix (3x, 4x, 5x, 6x, 2221–2720, 9x for 16–19 digits), plain or in groups of 4 (last group 1–4) or 4-6-5 / 4-6-4, separated consistently by spaces or dashes; not when an order/invoice/serial keyword comes just before |
 * | `email` | `[EMAIL]` | local@domain.tld (ASCII)                                                              |
 *
 * What is deliberately left alone: prices (¥128000, $1,280, 12.8万, 128000元), quantities, dates
 * (2026-03-15, 2026.03.15, 20260315), times and timestamps (14:30:05, 1741996800000), decimal
 * numbers, version and IP-like numbers (1.2.3, 192.168.1.10), model and part numbers glued to
 * letters (S7-1200, 6ES7 214-1AG40-0XB0, SO-2026031500123), numbers inside longer digit runs, and
 * 18-digit numbers whose ID check character is wrong (unless they are a valid card number).
 *
 * How it works (linear time, no backtracking-prone regular expressions): emails are found by
 * expanding around each "@"; numbers by one left-to-right scan that collects "runs" of digit groups
 * joined by single separators (space, -, ., parentheses), then tries the group-aligned sub-spans
 * of each run (longest first) against the validators above. A sub-span may only begin or end
 * inside a run at a space, and a run's first/last group must not be glued to letters, currency
 * signs or units. Full-width digits and punctuation (１３８，＋８６，（０１０）) are recognised;
 * the masks replace the original characters.
 */

export type PiiKind = 'phone' | 'id' | 'card' | 'email';

export const PII_KINDS: readonly PiiKind[] = ['phone', 'id', 'card', 'email'];

export const PII_MASKS: Readonly<Record<PiiKind, string>> = {
  phone: '[PHONE]',
  id: '[ID]',
  card: '[CARD]',
  email: '[EMAIL]',
};

export interface RedactResult {
  text: string;
  /** Kinds masked at least once, in PII_KINDS order. */
  found: { kind: PiiKind; count: number }[];
}

interface Match {
  start: number;
  end: number;
  kind: PiiKind;
}

/**
 * Masks phone numbers, resident ID numbers, bank card numbers and emails. `kinds` limits what is
 * masked (default: all); a number of a kind left out is kept as it is (never partly masked as
 * another kind).
 */
export function redact(text: string, opts: { kinds?: readonly PiiKind[] } = {}): RedactResult {
  const enabled = new Set<PiiKind>(opts.kinds ?? PII_KINDS);
  if (text.length === 0 || enabled.size === 0) return { text, found: [] };
  const v = asciiView(text);
  const emails = findEmails(v);
  const matches = mergeSorted(emails, findNumbers(v, emails));

  const counts = new Map<PiiKind, number>();
  let out = '';
  let pos = 0;
  for (const m of matches) {
    if (!enabled.has(m.kind)) continue;
    out += text.slice(pos, m.start) + PII_MASKS[m.kind];
    pos = m.end;
    counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
  }
  if (pos === 0) return { text, found: [] };
  out += text.slice(pos);
  return { text: out, found: PII_KINDS.filter((k) => counts.has(k)).map((kind) => ({ kind, count: counts.get(kind)! })) };
}

// ─── validators (exported for tests and reuse) ──────────────────────────────

/** Luhn (mod 10) check of a digit string. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// GB/T 2260 province-level codes (first two digits), incl. 81/82/83 (HK, Macao, Taiwan residence permits).
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65,
  71, 81, 82, 83,
]);
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days;
}

/**
 * A mainland resident ID number: 18 characters (17 digits + check digit or X, ISO 7064 MOD 11-2),
 * or the 15-digit legacy form (no check digit; birth year 19yy). Province code and birth date are
 * checked too (birth year 1900 to this year).
 */
export function isValidChineseId(id: string): boolean {
  const s = id.toUpperCase();
  if (/^\d{17}[\dX]$/.test(s)) {
    if (!PROVINCES.has(Number(s.slice(0, 2)))) return false;
    const y = Number(s.slice(6, 10));
    if (y < 1900 || y > new Date().getFullYear()) return false;
    if (!validDate(y, Number(s.slice(10, 12)), Number(s.slice(12, 14)))) return false;
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += (s.charCodeAt(i) - 48) * ID_WEIGHTS[i]!;
    return ID_CHECK[sum % 11] === s[17];
  }
  if (/^\d{15}$/.test(s)) {
    if (!PROVINCES.has(Number(s.slice(0, 2)))) return false;
    return validDate(1900 + Number(s.slice(6, 8)), Number(s.slice(8, 10)), Number(s.slice(10, 12)));
  }
  return false;
}

/** Card-network prefix plausibility (keeps order numbers such as 2026031500012345 out). */
function cardPrefixOk(d: string): boolean {
  const c = d[0];
  if (c === '3' || c === '4' || c === '5' || c === '6') return true;
  if (c === '2') {
    const p = Number(d.slice(0, 4));
    return p >= 2221 && p <= 2720;
  }
  return c === '9' && d.length >= 16; // Chinese domestic (e.g. 9558…)
}

// ─── scanning helpers ───────────────────────────────────────────────────────

/** Same-length view of the text: full-width digits/punctuation and dash variants → ASCII. */
function asciiView(text: string): string {
  return text.replace(/[\uFF10-\uFF19\uFF0B\uFF0D\uFF08\uFF09\uFF38\uFF58\uFF20\uFF0E\u3000\u00A0\u2010-\u2014]/g, (ch) => {
    const c = ch.charCodeAt(0);
    if (c >= 0xff01 && c <= 0xff5e) return String.fromCharCode(c - 0xfee0);
    if (c === 0x3000 || c === 0x00a0) return ' ';
    return '-';
  });
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAsciiAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isSpaceCode(c: number): boolean {
  return c === 32;
}

// ─── emails ─────────────────────────────────────────────────────────────────

function isLocalChar(c: number): boolean {
  return isAsciiAlnum(c) || c === 46 /* . */ || c === 37 /* % */ || c === 43 /* + */ || c === 45 /* - */;
}
function isDomainChar(c: number): boolean {
  return isAsciiAlnum(c) || c === 46 || c === 45;
}
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

function findEmails(v: string): Match[] {
  const out: Match[] = [];
  let from = 0;
  for (;;) {
    const at = v.indexOf('@', from);
    if (at < 0) break;
    from = at + 1;
    let s = at;
    while (s > 0 && at - s < 64 && isLocalChar(v.charCodeAt(s - 1))) s--;
    while (s < at && v.charCodeAt(s) === 46) s++; // no leading dot
    if (s === at || (s > 0 && isLocalChar(v.charCodeAt(s - 1)) && v.charCodeAt(s - 1) !== 46)) continue; // empty or > 64 chars
    if (out.length > 0 && s < out[out.length - 1]!.end) continue;
    let e = at + 1;
    while (e < v.length && e - at <= 253 && isDomainChar(v.charCodeAt(e))) e++;
    while (e > at + 1 && (v.charCodeAt(e - 1) === 46 || v.charCodeAt(e - 1) === 45)) e--;
    const labels = v.slice(at + 1, e).split('.');
    const tld = labels[labels.length - 1]!;
    if (labels.length < 2 || !/^[a-z]{2,63}$/i.test(tld) || !labels.every((l) => LABEL.test(l))) continue;
    out.push({ start: s, end: e, kind: 'email' });
    from = e;
  }
  return out;
}

// ─── numbers ────────────────────────────────────────────────────────────────

interface Group {
  start: number;
  end: number;
  /** Digits only (a trailing X is in `x`). */
  digits: string;
  /** Ends in an ID check character X. */
  x: boolean;
  /** Separator before this group ('' for the first). */
  sep: string;
}

interface Run {
  start: number;
  end: number;
  plus: boolean;
  /** The run opened with "(" (e.g. "(010) 1234 5678"). */
  paren: boolean;
  groups: Group[];
}

const CURRENCY_BEFORE = new Set(['¥', '￥', '$', '€', '£', '＄']);
const UNIT_AFTER = new Set(['元', '块', '万', '亿', '%', '％', '‰', '円']);
/**
 * A card- or ID-shaped number right after one of these words is an order/serial number, not PII
 * ("订单号：4111111111111111"). Only directly before the number, so "订单发了，卡号 6222…" is still masked.
 */
const NOT_CARD_CONTEXT =
  /(?:订单|单号|编号|序列号|批号|流水号|合同|发票|物料|型号|运单|快递|\b(?:order|invoice|serial|s\/n|sn|po|ref|tracking)\b)\s*(?:no\.?|number|#|号码?|是)?\s*[:：#]?\s*$/i;

function findNumbers(v: string, emails: Match[]): Match[] {
  const out: Match[] = [];
  const n = v.length;
  let e = 0; // next email index
  let i = 0;
  while (i < n) {
    while (e < emails.length && emails[e]!.end <= i) e++;
    const email = emails[e];
    if (email && i >= email.start) {
      i = email.end;
      continue;
    }
    const limit = email ? email.start : n;
    const c = v.charCodeAt(i);
    const c1 = v.charCodeAt(i + 1);
    const starts =
      isDigit(c) ||
      (c === 43 /* + */ && isDigit(c1)) ||
      (c === 40 /* ( */ && (isDigit(c1) || (c1 === 43 && isDigit(v.charCodeAt(i + 2)))));
    if (!starts || i >= limit) {
      i++;
      continue;
    }
    const run = readRun(v, i, limit);
    matchRun(v, run, out);
    i = Math.max(run.end, i + 1);
  }
  return out;
}

/** Digit groups joined by one separator each: " ", "-", ".", ")", ") ", "(", " (". */
function readRun(v: string, start: number, limit: number): Run {
  let p = start;
  let paren = false;
  let plus = false;
  if (v.charCodeAt(p) === 40) {
    paren = true;
    p++;
  }
  if (v.charCodeAt(p) === 43) {
    plus = true;
    p++;
  }
  const groups: Group[] = [];
  let sep = '';
  for (;;) {
    const gs = p;
    while (p < limit && isDigit(v.charCodeAt(p))) p++;
    let x = false;
    const nx = v.charCodeAt(p);
    if ((nx === 88 || nx === 120) && p + 1 <= limit && !isAsciiAlnum(v.charCodeAt(p + 1))) {
      x = true;
      p++;
    }
    groups.push({ start: gs, end: p, digits: v.slice(gs, x ? p - 1 : p), x, sep });
    if (x) break;
    let q = p;
    let s = '';
    const c = v.charCodeAt(q);
    if (c === 41 /* ) */) {
      s = ')';
      q++;
      if (isSpaceCode(v.charCodeAt(q))) {
        s += ' ';
        q++;
      }
    } else if (isSpaceCode(c) || c === 45 || c === 46) {
      s = v[q]!;
      q++;
    }
    if (v.charCodeAt(q) === 40 /* ( */ && !s.startsWith(')')) {
      s += '(';
      q++;
    }
    if (s === '' || q >= limit || !isDigit(v.charCodeAt(q))) break;
    sep = s;
    p = q;
  }
  return { start, end: p, plus, paren, groups };
}

const MAX_GROUPS = 6;
/** The shortest PII number: "+" and 8 digits. */
const MIN_DIGITS = 8;

/** Finds PII in a run: from each group, the longest group-aligned span that validates. */
function matchRun(v: string, run: Run, out: Match[]): void {
  const g = run.groups;
  const m = g.length;
  const leftOk = leftContextOk(v, run.start);
  const rightOk = rightContextOk(v, run.end);
  let a = 0;
  while (a < m) {
    if (a > 0 && !g[a]!.sep.includes(' ')) {
      a++;
      continue;
    }
    if (a === 0 && !leftOk) {
      a++;
      continue;
    }
    let found = false;
    // the longest span worth trying: at most 19 digits (a 19-digit card) in at most 6 groups
    // ("+49 (0)30 123 45 67"); every valid shape fits, and it keeps the work per group constant
    let last = a;
    let total = g[a]!.digits.length;
    while (last + 1 < m && last - a < MAX_GROUPS - 1 && total + g[last + 1]!.digits.length <= 19) total += g[++last]!.digits.length;
    for (let b = last; b >= a; total -= g[b]!.digits.length, b--) {
      if (total < MIN_DIGITS) break;
      if (b < m - 1 && !g[b + 1]!.sep.includes(' ')) continue;
      if (b === m - 1 && !rightOk) continue;
      const span = g.slice(a, b + 1);
      const kind = classify(span, a === 0 && run.plus, a === 0 && run.paren, v, a === 0 ? run.start : g[a]!.start);
      if (!kind) continue;
      let start = a === 0 ? run.start : g[a]!.start;
      if (a > 0 && g[a]!.sep.endsWith('(')) start--;
      let end = g[b]!.end;
      const leading = (a === 0 && run.paren) || (a > 0 && g[a]!.sep.endsWith('('));
      const inner = span.slice(1);
      const opened = (leading ? 1 : 0) + inner.filter((x) => x.sep.includes('(')).length;
      const closed = inner.filter((x) => x.sep.startsWith(')')).length;
      if (opened > closed && v.charCodeAt(end) === 41) {
        // "(13812345678)": parentheses around the whole number stay; "(010)…" was closed inside
        if (leading && opened === 1) start++;
        else end++;
      }
      out.push({ start, end, kind });
      a = b + 1;
      found = true;
      break;
    }
    if (!found) a++;
  }
}

function leftContextOk(v: string, start: number): boolean {
  const p = v.charCodeAt(start - 1);
  if (Number.isNaN(p)) return true;
  if (isAsciiAlnum(p)) return false; // S7…, ID…, abc123
  const ch = v[start - 1]!;
  if (CURRENCY_BEFORE.has(ch)) return false;
  if (ch === ' ' && CURRENCY_BEFORE.has(v[start - 2] ?? '')) return false;
  // part of a code: "SO-2026…", "A/138…", "v1.2…"
  if ((ch === '-' || ch === '/' || ch === '.' || ch === '_') && isAsciiAlnum(v.charCodeAt(start - 2))) return false;
  return true;
}

function rightContextOk(v: string, end: number): boolean {
  const c = v.charCodeAt(end);
  if (Number.isNaN(c)) return true;
  if (isAsciiAlnum(c)) return false; // 1AG40, 128kg, 13812345678abc
  const ch = v[end]!;
  if (UNIT_AFTER.has(ch)) return false;
  if ((ch === '-' || ch === '/' || ch === '_' || ch === '.') && isAsciiAlnum(v.charCodeAt(end + 1))) return false;
  return true;
}

function classify(span: Group[], plus: boolean, paren: boolean, v: string, start: number): PiiKind | undefined {
  const lens = span.map((x) => x.digits.length + (x.x ? 1 : 0));
  const digits = span.map((x) => x.digits).join('');
  const hasX = span[span.length - 1]!.x;
  const shape = lens.join(',');

  // resident ID, 18 characters
  if (!plus && digits.length + (hasX ? 1 : 0) === 18 && (shape === '18' || shape === '6,8,4' || shape === '6,4,4,4')) {
    if (isValidChineseId(hasX ? `${digits}X` : digits)) return 'id';
  }
  if (hasX) return undefined;

  // bank card
  if (!plus && digits.length >= 13 && digits.length <= 19 && cardShapeOk(span, lens) && cardPrefixOk(digits) && luhnValid(digits)) {
    if (!NOT_CARD_CONTEXT.test(v.slice(Math.max(0, start - 12), start))) return 'card';
  }

  if (isMobile(span, plus)) return 'phone';
  if (isLandline(span, plus, paren)) return 'phone';

  // international: "+" and 8–15 digits (E.164)
  if (plus && digits.length >= 8 && digits.length <= 15 && span.length <= 6 && (span.length === 1 || lens[0]! <= 4)) return 'phone';

  if (!plus && isNanp(span, lens, paren)) return 'phone';

  // legacy 15-digit resident ID
  if (!plus && digits.length === 15 && (shape === '15' || shape === '6,6,3') && isValidChineseId(digits)) {
    if (!NOT_CARD_CONTEXT.test(v.slice(Math.max(0, start - 12), start))) return 'id';
  }
  return undefined;
}

function cardShapeOk(span: Group[], lens: number[]): boolean {
  if (span.length === 1) return true;
  const seps = span.slice(1).map((x) => x.sep);
  if (!seps.every((s) => s === seps[0]) || (seps[0] !== ' ' && seps[0] !== '-')) return false;
  const shape = lens.join(',');
  if (shape === '4,6,5' || shape === '4,6,4') return true;
  for (let k = 0; k < lens.length - 1; k++) if (lens[k] !== 4) return false;
  const tail = lens[lens.length - 1]!;
  return tail >= 1 && tail <= 4;
}

const MOBILE = /^1[3-9]\d{9}$/;

function isMobile(span: Group[], plus: boolean): boolean {
  let rest = span;
  const first = span[0]!.digits;
  if (plus) {
    if (span.length === 1) return first.length === 13 && first.startsWith('86') && MOBILE.test(first.slice(2));
    if (first !== '86') return false;
    rest = span.slice(1);
  } else if (span.length > 1 && (first === '86' || first === '0086')) {
    rest = span.slice(1);
  } else if (span.length === 1 && first.length === 15 && first.startsWith('0086')) {
    return MOBILE.test(first.slice(4));
  } else if (span.length === 1 && first.length === 13 && first.startsWith('86')) {
    return MOBILE.test(first.slice(2));
  }
  if (rest.length === 0 || rest.length > 3 || rest.some((x) => x.digits.length < 3)) return false;
  return MOBILE.test(rest.map((x) => x.digits).join(''));
}

function validArea(area: string): boolean {
  return /^0(?:10|2\d|[3-9]\d\d)$/.test(area);
}
function validSubscriber(groups: Group[]): boolean {
  const d = groups.map((x) => x.digits).join('');
  if (!/^[1-9]\d{6,7}$/.test(d)) return false;
  if (groups.length === 1) return true;
  return groups.length === 2 && (groups[0]!.digits.length === 3 || groups[0]!.digits.length === 4) && groups[1]!.digits.length === 4;
}

function isLandline(span: Group[], plus: boolean, paren: boolean): boolean {
  let rest = span;
  let prefixed = false;
  const first = span[0]!.digits;
  if (plus || first === '0086') {
    if (first !== '86' && first !== '0086') return false;
    rest = span.slice(1);
    prefixed = true;
  }
  if (rest.length === 0) return false;
  if (rest.length === 1) {
    // fused: 01012345678, 075588886666 (not after a country code: too ambiguous)
    if (prefixed || paren) return false;
    const d = rest[0]!.digits;
    if (d[0] !== '0') return false;
    const areaLen = /^0(?:10|2\d)/.test(d) ? 3 : 4;
    return validArea(d.slice(0, areaLen)) && /^[1-9]\d{6,7}$/.test(d.slice(areaLen)) && d.length - areaLen >= 7;
  }
  const area = prefixed && rest[0]!.digits[0] !== '0' ? `0${rest[0]!.digits}` : rest[0]!.digits;
  return validArea(area) && validSubscriber(rest.slice(1));
}

/** North American numbers: 415-555-0100, 415.555.0100, (415) 555-0100, 1-800-555-0100. */
function isNanp(span: Group[], lens: number[], paren: boolean): boolean {
  let rest = span;
  let rl = lens;
  if (lens.length === 4 && span[0]!.digits === '1') {
    rest = span.slice(1);
    rl = lens.slice(1);
  }
  if (rl.join(',') !== '3,3,4') return false;
  if (!/^[2-9]\d\d$/.test(rest[0]!.digits) || !/^[2-9]\d\d$/.test(rest[1]!.digits)) return false;
  const s1 = rest[1]!.sep;
  const s2 = rest[2]!.sep;
  // "(415) 555-0100": the area code in parentheses (the run's or this span's opening parenthesis)
  const areaInParens = rest === span ? paren || rest[0]!.sep.endsWith('(') : rest[0]!.sep.endsWith('(');
  if (areaInParens) return s1.startsWith(')') && (s2 === '-' || s2 === ' ' || s2 === '.');
  // "415-555-0100", "415.555.0100", "1-800-555-0100", "1 800-555-0100"
  if ((s1 === '-' || s1 === '.') && s2 === s1) return rest === span || rest[0]!.sep === s1 || rest[0]!.sep === ' ';
  return false;
}

function mergeSorted(a: Match[], b: Match[]): Match[] {
  return [...a, ...b].sort((x, y) => x.start - y.start);
}

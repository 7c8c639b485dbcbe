/**
 * Parses transcripts that users import ready-made — WebVTT, SRT, or an array
 * of JSON segments — into timed, speaker-attributed segments.
 *
 * Pure: no I/O, no eval. Every rejection is a TranscriptFormatError whose
 * message says what is wrong and where (line number for text formats,
 * `segments[i]` for arrays), so the API can hand it straight to the user.
 */

export type Role = 'rep' | 'customer' | 'unknown';

/** Times are in seconds. */
export interface ParsedSegment {
  speaker: string;
  role: Role;
  start: number;
  end: number;
  text: string;
}

export interface SegmentInput {
  speaker?: string;
  role?: Role;
  start: number;
  end: number;
  text: string;
}

export type TranscriptFormat = 'vtt' | 'srt' | 'segments';

export interface ParseTranscriptOptions {
  /** Skip detection and parse as this format. */
  format?: TranscriptFormat;
  /** Speaker name → role; matched exactly, then case-insensitively. */
  speakerRoles?: Record<string, Role>;
}

export class TranscriptFormatError extends Error {
  override readonly name = 'TranscriptFormatError';

  constructor(
    message: string,
    /** 1-based line in the imported text, when the problem has one. */
    readonly line?: number,
  ) {
    super(message);
  }
}

const UNKNOWN_SPEAKER = 'unknown';
const ROLES: readonly Role[] = ['rep', 'customer', 'unknown'];
const MAX_MS = 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

export function detectFormat(input: string | SegmentInput[]): TranscriptFormat {
  if (Array.isArray(input)) return 'segments';
  if (typeof input !== 'string') {
    throw new TranscriptFormatError(
      `expected transcript text or an array of segments, got ${describe(input)}`,
    );
  }
  const lines = splitLines(input);
  const first = firstContentLine(lines);
  if (first < 0) throw new TranscriptFormatError('transcript is empty: no cues found');
  const firstLine = lines[first] ?? '';
  if (WEBVTT_HEADER.test(firstLine.trim())) return 'vtt';
  if (looksLikeSrt(lines, first)) return 'srt';
  // JSON text is a common mistake from API callers; say so instead of "unrecognised".
  const jsonHint = /^\s*[[{]/.test(firstLine)
    ? ' (this looks like JSON: parse it and pass the array of segments)'
    : '';
  throw new TranscriptFormatError(
    `line ${first + 1}: unrecognised transcript format: expected WebVTT (starting with "WEBVTT"), ` +
      `SRT (numbered cues timed like "00:00:01,000 --> 00:00:04,000") or an array of segments${jsonHint}`,
    first + 1,
  );
}

export function parseTranscript(
  input: string | SegmentInput[],
  opts: ParseTranscriptOptions = {},
): ParsedSegment[] {
  assertSpeakerRoles(opts.speakerRoles);
  const format = opts.format ?? detectFormat(input);
  const segments = parseAs(format, input, opts.speakerRoles);
  // Stable sort: cues sharing a start keep their file order.
  return segments.sort((a, b) => a.start - b.start || a.end - b.end);
}

export function roleForSpeaker(speaker: string, speakerRoles?: Record<string, Role>): Role {
  return mappedRole(speaker, speakerRoles) ?? hintedRole(speaker) ?? 'unknown';
}

function parseAs(
  format: TranscriptFormat,
  input: unknown,
  speakerRoles: Record<string, Role> | undefined,
): ParsedSegment[] {
  switch (format) {
    case 'segments':
      if (!Array.isArray(input)) {
        throw new TranscriptFormatError(`format "segments" needs an array, got ${describe(input)}`);
      }
      return parseSegmentArray(input, speakerRoles);
    case 'vtt':
    case 'srt': {
      if (typeof input !== 'string') {
        throw new TranscriptFormatError(`format "${format}" needs transcript text, got ${describe(input)}`);
      }
      const lines = splitLines(input);
      const cues = format === 'vtt' ? readVttCues(lines) : readSrtCues(lines);
      const segments = cues.flatMap((cue) => cueToSegments(cue, speakerRoles));
      if (segments.length === 0) throw new TranscriptFormatError('no cues found');
      return segments;
    }
    default:
      throw new TranscriptFormatError(`unknown transcript format "${String(format)}"`);
  }
}

// ---------------------------------------------------------------------------
// Text formats: lines → blocks → cues
// ---------------------------------------------------------------------------

/** A cue as read from the file, before speaker and text clean-up. */
interface RawCue {
  startMs: number;
  endMs: number;
  textLines: string[];
}

/** Lines between blank lines; `first` is the 0-based index of lines[0]. */
interface Block {
  lines: string[];
  first: number;
}

const WEBVTT_HEADER = /^WEBVTT(?:[ \t].*)?$/;
const VTT_NON_CUE_BLOCK = /^(?:NOTE|STYLE|REGION)(?:[ \t]|$)/;
const SRT_FIRST_TIMING = /^\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->/;
const TIMING_LINE = /^\s*(\S+?)\s*-->\s*(\S+)/;
const TIMESTAMP = /^(?:(\d{1,3}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?$/;

function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r\n?|\n/);
}

function isBlank(line: string | undefined): boolean {
  return line === undefined || line.trim() === '';
}

function firstContentLine(lines: string[]): number {
  return lines.findIndex((line) => !isBlank(line));
}

/** SRT: an index line then a comma-style timing line (the index is sometimes dropped). */
function looksLikeSrt(lines: string[], first: number): boolean {
  const head = (lines[first] ?? '').trim();
  if (SRT_FIRST_TIMING.test(head)) return true;
  return /^\d+$/.test(head) && SRT_FIRST_TIMING.test(lines[first + 1] ?? '');
}

function splitBlocks(lines: string[], from: number): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (let i = Math.max(from, 0); i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (isBlank(line)) {
      current = undefined;
    } else if (current) {
      current.lines.push(line);
    } else {
      current = { lines: [line], first: i };
      blocks.push(current);
    }
  }
  return blocks;
}

function readVttCues(lines: string[]): RawCue[] {
  const start = firstContentLine(lines);
  if (start < 0 || !WEBVTT_HEADER.test((lines[start] ?? '').trim())) {
    const line = Math.max(start, 0) + 1;
    throw new TranscriptFormatError(`line ${line}: missing "WEBVTT" header`, line);
  }
  const cues: RawCue[] = [];
  for (const block of splitBlocks(lines, start)) {
    const cueBlock = block.first === start ? cueAfterHeader(block) : block;
    if (!cueBlock || VTT_NON_CUE_BLOCK.test(cueBlock.lines[0] ?? '')) continue;
    cues.push(readCue(cueBlock));
  }
  return cues;
}

/** Header metadata is skipped, but some exporters omit the blank line before the first cue. */
function cueAfterHeader(header: Block): Block | undefined {
  const timing = header.lines.findIndex((line, i) => i > 0 && line.includes('-->'));
  if (timing < 0) return undefined;
  const from = Math.max(1, timing - 1); // keep a possible cue identifier
  return { lines: header.lines.slice(from), first: header.first + from };
}

function readSrtCues(lines: string[]): RawCue[] {
  return splitBlocks(lines, firstContentLine(lines)).map(readCue);
}

/** A block is `[identifier]`, a timing line, then text lines (possibly none). */
function readCue(block: Block): RawCue {
  const timingAt = block.lines[0]?.includes('-->') ? 0 : 1;
  const timingLine = block.lines[timingAt];
  if (timingLine === undefined || !timingLine.includes('-->')) {
    const at = Math.min(timingAt, block.lines.length - 1);
    const line = block.first + at + 1;
    throw new TranscriptFormatError(
      `line ${line}: expected a cue timing line like "00:00:01.000 --> 00:00:04.000", ` +
        `got "${excerpt(block.lines[at] ?? '')}"`,
      line,
    );
  }
  const line = block.first + timingAt + 1;
  const { startMs, endMs } = parseTiming(timingLine, line);
  const textLines = block.lines.slice(timingAt + 1);
  assertNoTimingInText(textLines, line + 1);
  return { startMs, endMs, textLines };
}

/** A timing line inside cue text means a blank line is missing; merging would misattribute text. */
function assertNoTimingInText(textLines: string[], firstLine: number): void {
  textLines.forEach((text, i) => {
    const m = TIMING_LINE.exec(text);
    if (m && TIMESTAMP.test(m[1] ?? '') && TIMESTAMP.test(m[2] ?? '')) {
      const line = firstLine + i;
      throw new TranscriptFormatError(
        `line ${line}: timing line inside cue text (missing blank line between cues?)`,
        line,
      );
    }
  });
}

/** Anything after the end time (VTT cue settings, SRT coordinates) is ignored. */
function parseTiming(text: string, line: number): { startMs: number; endMs: number } {
  const m = TIMING_LINE.exec(text);
  if (!m) {
    throw new TranscriptFormatError(
      `line ${line}: bad timestamp in "${excerpt(text)}" (expected "00:00:01.000 --> 00:00:04.000")`,
      line,
    );
  }
  const [, from = '', to = ''] = m;
  const startMs = parseTimestamp(from, line);
  const endMs = parseTimestamp(to, line);
  if (endMs < startMs) {
    throw new TranscriptFormatError(`line ${line}: cue ends (${to}) before it starts (${from})`, line);
  }
  return { startMs, endMs };
}

/** `hh:mm:ss.mmm` or `mm:ss.mmm`; `,` accepted for SRT. Integer ms avoid float drift. */
function parseTimestamp(raw: string, line: number): number {
  const m = TIMESTAMP.exec(raw);
  const [, h = '0', min = '', sec = '', frac = ''] = m ?? [];
  if (!m || Number(min) >= 60 || Number(sec) >= 60) {
    throw new TranscriptFormatError(
      `line ${line}: bad timestamp "${excerpt(raw)}" (expected hh:mm:ss.mmm, e.g. 00:01:02.500)`,
      line,
    );
  }
  const ms =
    ((Number(h) * 60 + Number(min)) * 60 + Number(sec)) * 1000 + Number(frac.padEnd(3, '0'));
  if (ms > MAX_MS) {
    throw new TranscriptFormatError(`line ${line}: timestamp "${raw}" is beyond 24 hours`, line);
  }
  return ms;
}

// ---------------------------------------------------------------------------
// Cue text → speaker parts → segments
// ---------------------------------------------------------------------------

interface SpeakerPart {
  speaker?: string;
  text: string;
}

/**
 * One cue can hold several speakers (several `<v>` spans, or one `Name:` line
 * each). Each becomes its own segment; the cue's time is shared out in
 * proportion to text length — an estimate, but better than giving the
 * customer's words to the rep.
 */
function cueToSegments(cue: RawCue, speakerRoles?: Record<string, Role>): ParsedSegment[] {
  const parts = speakerParts(cue.textLines.join('\n'));
  const times = shareTime(cue.startMs, cue.endMs, parts);
  return parts.map((part, i) => {
    const speaker = part.speaker || UNKNOWN_SPEAKER;
    const { startMs, endMs } = times[i] ?? { startMs: cue.startMs, endMs: cue.endMs };
    return {
      speaker,
      role: roleForSpeaker(speaker, speakerRoles),
      start: startMs / 1000,
      end: endMs / 1000,
      text: part.text,
    };
  });
}

function speakerParts(rawText: string): SpeakerPart[] {
  return splitVoiceSpans(rawText)
    .flatMap(({ speaker, raw }) =>
      speaker ? [{ speaker, text: joinLines(raw.split('\n').map(cleanLine)) }] : splitNamePrefixes(raw),
    )
    .filter((part) => part.text !== '');
}

// `<v Name>`, `<v.class1.class2 Name>`; the closing `</v>` is optional and stripped later.
const VOICE_TAG = /<v(?:\.[^\s>.]*)*(?:\s+([^>]*))?>/g;

function splitVoiceSpans(raw: string): Array<{ speaker?: string; raw: string }> {
  const spans: Array<{ speaker?: string; raw: string }> = [];
  let speaker: string | undefined;
  let last = 0;
  for (const m of raw.matchAll(VOICE_TAG)) {
    spans.push({ speaker, raw: raw.slice(last, m.index) });
    speaker = collapse(decodeEntities(m[1] ?? '')) || undefined;
    last = m.index + m[0].length;
  }
  spans.push({ speaker, raw: raw.slice(last) });
  return spans;
}

/** Without voice spans, a line starting `Name:` / `Name：` opens a new speaker part. */
function splitNamePrefixes(raw: string): SpeakerPart[] {
  const groups: Array<{ speaker?: string; lines: string[] }> = [{ lines: [] }];
  for (const line of raw.split('\n').map(cleanLine)) {
    const prefixed = splitSpeakerPrefix(line);
    if (prefixed) groups.push({ speaker: prefixed.speaker, lines: [prefixed.text] });
    else groups[groups.length - 1]?.lines.push(line);
  }
  return groups.map((g) => ({ speaker: g.speaker, text: joinLines(g.lines) }));
}

function shareTime(
  startMs: number,
  endMs: number,
  parts: SpeakerPart[],
): Array<{ startMs: number; endMs: number }> {
  const weights = parts.map((p) => Math.max(1, p.text.replace(/\s/g, '').length));
  const total = weights.reduce((sum, w) => sum + w, 0);
  let done = 0;
  let cursor = startMs;
  return weights.map((w, i) => {
    done += w;
    const end = i === weights.length - 1 ? endMs : startMs + Math.round(((endMs - startMs) * done) / total);
    const span = { startMs: cursor, endMs: end };
    cursor = end;
    return span;
  });
}

// ---------------------------------------------------------------------------
// Speaker prefixes: "Name: text" — with care not to eat ordinary sentences
// ---------------------------------------------------------------------------

// Punctuation that belongs to sentences, URLs or maths, never to a name label.
const SENTENCE_PUNCT = /[,.;!?，。；！？、…"“”«»/\\|<>=+*#@~`^$%]/;
// Titles are the one place a name legitimately has a full stop.
const TITLE_ABBREVIATION = /\b(?:Mr|Mrs|Ms|Dr|Prof|Jr|Sr)\./g;
// Labels that introduce content rather than a speaker.
const NOT_A_SPEAKER = new Set([
  'note', 'notes', 'nb', 'ps', 'tip', 'tips', 'warning', 'caution', 'important', 'example',
  'examples', 'eg', 'ie', 'fyi', 'reminder', 'remember', 'update', 're', 'subject', 'summary',
  'time', 'date', 'price', 'total', 'address', 'phone', 'tel', 'email', 'url', 'website', 'link',
  'source', 'http', 'https', 'ftp', 'www',
  '注', '注意', '备注', '提示', '说明', '例如', '比如', '总结', '时间', '日期', '地址', '电话',
  '价格', '金额', '总计', '网址', '链接', '邮箱',
]);
// A multi-word "name" holding one of these is a sentence ("The answer is: …").
const FUNCTION_WORDS = new Set([
  'the', 'a', 'an', 'is', 'are', 'was', 'were', 'be', 'been', 'this', 'that', 'these', 'those',
  'there', 'here', 'we', 'i', 'you', 'he', 'she', 'they', 'it', 'its', 'our', 'my', 'your',
  'their', 'his', 'her', 'to', 'of', 'in', 'on', 'at', 'for', 'from', 'with', 'and', 'or', 'but',
  'so', 'as', 'if', 'then', 'than', 'what', 'which', 'who', 'how', 'why', 'when', 'where', "let's",
  'me', 'us', 'have', 'has', 'had', 'do', 'does', 'did', 'will', 'would', 'should', 'could',
  'can', 'may', 'might', 'must', 'not', 'no', 'yes', 'about', 'just', 'also', 'please',
]);
// Chinese particles and pronoun plurals that mark a clause, not a label.
const CJK_CLAUSE_MARKERS = /[的是了吗呢吧啊么这]|[我你他她]们/;
const MAX_NAME_CHARS = 24;
const MAX_CJK_NAME_CHARS = 12;
const MAX_NAME_WORDS = 3;

function splitSpeakerPrefix(line: string): { speaker: string; text: string } | undefined {
  const at = line.search(/[:：]/);
  if (at <= 0) return undefined;
  const rest = line.slice(at + 1);
  // After an ASCII colon a label is followed by a space or by CJK text;
  // "10:30", "http://x" and "3:1" are not.
  if (line[at] === ':' && rest !== '' && !/^[\s\u0080-\uffff]/.test(rest)) return undefined;
  const speaker = line.slice(0, at).trim();
  if (!isPlausibleSpeaker(speaker)) return undefined;
  return { speaker, text: rest.trim() };
}

function isPlausibleSpeaker(name: string): boolean {
  if (name.length === 0 || name.length > MAX_NAME_CHARS) return false;
  if (!/\p{L}/u.test(name)) return false;
  if (SENTENCE_PUNCT.test(name.replace(TITLE_ABBREVIATION, ''))) return false;
  if (NOT_A_SPEAKER.has(name.toLowerCase())) return false;
  if (/\p{Script=Han}/u.test(name)) {
    return name.length <= MAX_CJK_NAME_CHARS && !CJK_CLAUSE_MARKERS.test(name);
  }
  const words = name.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
  return words.length <= MAX_NAME_WORDS && !words.some((w) => FUNCTION_WORDS.has(w.toLowerCase()));
}

// ---------------------------------------------------------------------------
// Markup, entities, whitespace
// ---------------------------------------------------------------------------

// Ruby annotations (<rt>) are pronunciation hints, not spoken text.
const RUBY_TEXT = /<rt\b[^>]*>[\s\S]*?<\/rt>/gi;
// Only known caption tags, so "price < 100 and > 50" in an SRT survives.
const MARKUP_TAG =
  /<\/?(?:c|i|b|u|s|v|ruby|rt|rp|lang|font|span|em|strong|br|p|div|sub|sup)(?=[\s.>/])[^<>]*>/gi;
const TIMESTAMP_TAG = /<\d+(?::\d{2}){1,2}[.,]\d{1,3}>/g;
// Some SRT exporters leave ASS override codes such as {\an8}.
const ASS_OVERRIDE = /\{\\[^}]*\}/g;

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', nbsp: ' ', quot: '"', apos: "'", lrm: '', rlm: '',
};

function cleanLine(raw: string): string {
  const stripped = raw
    .replace(RUBY_TEXT, '')
    .replace(MARKUP_TAG, '')
    .replace(TIMESTAMP_TAG, '')
    .replace(ASS_OVERRIDE, '');
  return collapse(decodeEntities(stripped));
}

/** Decoded in one pass after tag stripping, so `&lt;i&gt;` stays visible text. */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] !== '#') return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : Number(body.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff00-\uffef`;
const CJK_AT_END = new RegExp(`[${CJK}]$`, 'u');
const CJK_AT_START = new RegExp(`^[${CJK}]`, 'u');
// Full-width punctuation (，。？：…) carries its own spacing, so no space beside it either.
const FULL_WIDTH_PUNCT = String.raw`\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65`;
const FULL_WIDTH_PUNCT_AT_END = new RegExp(`[${FULL_WIDTH_PUNCT}]$`, 'u');
const FULL_WIDTH_PUNCT_AT_START = new RegExp(`^[${FULL_WIDTH_PUNCT}]`, 'u');

/** Line breaks become spaces, except where a space would be wrong in CJK text. */
function joinLines(lines: string[]): string {
  let out = '';
  for (const line of lines.map(collapse)) {
    if (line === '') continue;
    out += out === '' || noSpaceBetween(out, line) ? line : ` ${line}`;
  }
  return out;
}

function noSpaceBetween(before: string, after: string): boolean {
  return (
    (CJK_AT_END.test(before) && CJK_AT_START.test(after)) ||
    FULL_WIDTH_PUNCT_AT_END.test(before) ||
    FULL_WIDTH_PUNCT_AT_START.test(after)
  );
}

// ---------------------------------------------------------------------------
// Segment arrays
// ---------------------------------------------------------------------------

function parseSegmentArray(
  items: unknown[],
  speakerRoles: Record<string, Role> | undefined,
): ParsedSegment[] {
  if (items.length === 0) throw new TranscriptFormatError('no cues found: the segment array is empty');
  return items.map((item, i) => readSegmentInput(item, `segments[${i}]`, speakerRoles));
}

function readSegmentInput(
  item: unknown,
  where: string,
  speakerRoles: Record<string, Role> | undefined,
): ParsedSegment {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new TranscriptFormatError(`${where}: expected an object with start, end and text, got ${describe(item)}`);
  }
  const { speaker, role, start, end, text } = item as Record<string, unknown>;
  const startS = readSeconds(start, `${where}.start`);
  const endS = readSeconds(end, `${where}.end`);
  if (endS < startS) throw new TranscriptFormatError(`${where}: end (${endS}) is before start (${startS})`);
  if (typeof text !== 'string' || collapse(text) === '') {
    throw new TranscriptFormatError(`${where}: text must be a non-empty string, got ${describe(text)}`);
  }
  if (speaker != null && typeof speaker !== 'string') {
    throw new TranscriptFormatError(`${where}: speaker must be a string, got ${describe(speaker)}`);
  }
  if (role != null && !isRole(role)) {
    throw new TranscriptFormatError(`${where}: role must be one of ${ROLES.join(', ')}, got ${describe(role)}`);
  }
  const name = collapse(speaker ?? '') || UNKNOWN_SPEAKER;
  return {
    speaker: name,
    role: isRole(role) ? role : roleForSpeaker(name, speakerRoles),
    start: startS,
    end: endS,
    text: joinLines(text.split(/\r\n?|\n/)),
  };
}

function readSeconds(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TranscriptFormatError(`${what} must be a finite number of seconds, got ${describe(value)}`);
  }
  if (value < 0) throw new TranscriptFormatError(`${what} must not be negative, got ${value}`);
  if (value * 1000 > MAX_MS) throw new TranscriptFormatError(`${what} is beyond 24 hours (${value} s)`);
  return value;
}

// ---------------------------------------------------------------------------
// Roles
// ---------------------------------------------------------------------------

function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Map values arrive from API JSON, so check them once up front. */
function assertSpeakerRoles(speakerRoles: unknown): void {
  if (speakerRoles === undefined) return;
  if (typeof speakerRoles !== 'object' || speakerRoles === null || Array.isArray(speakerRoles)) {
    throw new TranscriptFormatError(`speakerRoles must be an object of name → role, got ${describe(speakerRoles)}`);
  }
  for (const [name, role] of Object.entries(speakerRoles)) {
    if (!isRole(role)) {
      throw new TranscriptFormatError(
        `speakerRoles["${excerpt(name)}"] must be one of ${ROLES.join(', ')}, got ${describe(role)}`,
      );
    }
  }
}

function mappedRole(speaker: string, speakerRoles?: Record<string, Role>): Role | undefined {
  if (!speakerRoles) return undefined;
  // hasOwn, so a speaker called "constructor" does not hit Object.prototype.
  if (Object.hasOwn(speakerRoles, speaker) && isRole(speakerRoles[speaker])) return speakerRoles[speaker];
  const wanted = speaker.trim().toLowerCase();
  for (const [name, role] of Object.entries(speakerRoles)) {
    if (name.trim().toLowerCase() === wanted && isRole(role)) return role;
  }
  return undefined;
}

const REP_HINTS = [
  'rep', 'representative', 'sales', 'salesperson', 'salesman', 'saleswoman', 'seller', 'agent',
  'account manager', 'account executive', 'customer success', 'customer service',
  'customer support', 'client manager',
  '销售', '客服', '顾问', '业务员', '业务', '客户经理', '客户代表', '客户成功', '售前', '售后', '乙方',
];
const CUSTOMER_HINTS = [
  'customer', 'client', 'buyer', 'prospect', 'purchaser', 'procurement',
  '客户', '买家', '买方', '采购', '甲方',
];
// Longest hint wins, so 客户经理 (account manager) is a rep, not a 客户 (customer).
const ROLE_HINTS: Array<[string, Role]> = [
  ...REP_HINTS.map((hint): [string, Role] => [hint, 'rep']),
  ...CUSTOMER_HINTS.map((hint): [string, Role] => [hint, 'customer']),
].sort((a, b) => b[0].length - a[0].length);

/** Label hints: the whole label, then any bracketed part — "王磊（销售）", "Wang Lei (Sales)". */
function hintedRole(speaker: string): Role | undefined {
  const label = collapse(speaker).toLowerCase();
  const bracketed = [...label.matchAll(/[(（[【]([^)）\]】]+)[)）\]】]/g)].map((m) => (m[1] ?? '').trim());
  for (const candidate of [label, ...bracketed]) {
    const role = roleFromLabel(candidate);
    if (role) return role;
  }
  return undefined;
}

function roleFromLabel(label: string): Role | undefined {
  for (const [hint, role] of ROLE_HINTS) {
    if (!label.startsWith(hint)) continue;
    // Latin hints need a word boundary: "Customer 1" yes, "Report" no.
    if (/[a-z]$/.test(hint) && /^[a-z]/.test(label.slice(hint.length))) continue;
    return role;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Message helpers
// ---------------------------------------------------------------------------

function excerpt(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'undefined':
      return 'nothing';
    case 'number':
      return String(value);
    case 'string':
      return JSON.stringify(excerpt(value));
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

/** Transcript segments cut into plain and highlighted parts, so a template can escape each part. */

export interface TranscriptSegment {
  speaker: string;
  role: string;
  start: number;
  end: number;
  text: string;
}

export interface ConcernEvidence {
  code: string;
  label: string;
  evidence: { start: number; end: number; quote: string }[];
}

export interface Part {
  text: string;
  /** Set on a quoted piece of evidence: which concern, and where the player seeks to. */
  mark?: { code: string; label: string; start: number };
}

export interface HighlightedSegment extends TranscriptSegment {
  parts: Part[];
}

interface Span {
  from: number;
  to: number;
  mark: NonNullable<Part['mark']>;
}

/**
 * Finds each evidence quote in the segment it came from (same time span, verbatim text) and
 * marks it. Quotes are verbatim by contract; one that cannot be found is simply not marked.
 * Overlapping quotes keep the first one found.
 */
export function highlightTranscript(segments: TranscriptSegment[], concerns: ConcernEvidence[]): HighlightedSegment[] {
  const spans = segments.map((): Span[] => []);
  for (const c of concerns) {
    for (const e of c.evidence) {
      if (!e.quote) continue;
      const i = segments.findIndex((s) => e.start >= s.start - 0.01 && e.start <= s.end + 0.01 && s.text.includes(e.quote));
      if (i < 0) continue;
      const text = segments[i]!.text;
      for (let from = text.indexOf(e.quote); from >= 0; from = text.indexOf(e.quote, from + 1)) {
        const to = from + e.quote.length;
        if (spans[i]!.some((s) => from < s.to && to > s.from)) continue;
        spans[i]!.push({ from, to, mark: { code: c.code, label: c.label, start: e.start } });
        break;
      }
    }
  }
  return segments.map((s, i) => ({ ...s, parts: cut(s.text, spans[i]!.sort((a, b) => a.from - b.from)) }));
}

function cut(text: string, spans: Span[]): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (const s of spans) {
    if (s.from > at) parts.push({ text: text.slice(at, s.from) });
    parts.push({ text: text.slice(s.from, s.to), mark: s.mark });
    at = s.to;
  }
  if (at < text.length || parts.length === 0) parts.push({ text: text.slice(at) });
  return parts;
}

/** 75.4 → "1:15" (hours when needed), for timestamps shown next to quotes. */
export function clock(sec: number): string {
  const s = Math.max(0, Math.floor(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

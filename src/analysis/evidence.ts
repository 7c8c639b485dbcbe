import type { Evidence, Segment } from './types.js';

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Evidence for the quote `text[qs, qe)` of a customer segment. Times are interpolated by
 * character position inside the segment (transcripts carry no word timings), so both concern
 * engines give the same quote the same times.
 */
export function evidenceAt(seg: Segment, qs: number, qe: number): Evidence {
  const len = seg.text.length;
  const dur = seg.end - seg.start;
  let start = seg.start;
  let end = seg.end;
  if (Number.isFinite(dur) && dur > 0 && len > 0) {
    start = seg.start + (dur * qs) / len;
    end = seg.start + (dur * qe) / len;
  }
  return { start: round2(start), end: round2(end), speaker: 'customer', quote: seg.text.slice(qs, qe) };
}

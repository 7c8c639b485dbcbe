export interface Interval {
  start: number;
  end: number;
}

export interface ChunkPlanOptions {
  /** Longest chunk the speech provider accepts. */
  maxChunkSec: number;
  /** Silence kept around speech so words at the edges are not clipped. */
  padSec?: number;
  /** A silence longer than this always ends a chunk: long silences make Whisper invent text. */
  maxGapSec?: number;
}

/** Speech regions: the complement of the detected silences within [0, duration]. */
export function speechRegions(durationSec: number, silences: Interval[]): Interval[] {
  const sorted = [...silences].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  let cursor = 0;
  for (const s of sorted) {
    if (s.start > cursor) out.push({ start: cursor, end: Math.min(s.start, durationSec) });
    cursor = Math.max(cursor, s.end);
    if (cursor >= durationSec) break;
  }
  if (cursor < durationSec) out.push({ start: cursor, end: durationSec });
  return out.filter((r) => r.end - r.start > 0.05);
}

/**
 * Cuts audio into provider-sized chunks at silences: consecutive speech regions are
 * packed into one chunk while it stays under maxChunkSec; a region longer than that
 * is split hard. Pure silence is never sent.
 */
export function planChunks(durationSec: number, silences: Interval[], opts: ChunkPlanOptions): Interval[] {
  const pad = opts.padSec ?? 0.25;
  const maxGap = opts.maxGapSec ?? 20;
  const max = opts.maxChunkSec - 2 * pad;
  const pieces = speechRegions(durationSec, silences).flatMap((r) => splitLong(r, max));
  const chunks: Interval[] = [];
  for (const p of pieces) {
    const last = chunks[chunks.length - 1];
    if (last && p.end - last.start <= max && p.start - last.end <= maxGap) last.end = p.end;
    else chunks.push({ ...p });
  }
  // Pad into the surrounding silence without overlapping a neighbour.
  return chunks.map((c, i) => ({
    start: round(Math.max(0, c.start - pad, i > 0 ? (chunks[i - 1]!.end + c.start) / 2 : 0)),
    end: round(Math.min(durationSec, c.end + pad, i < chunks.length - 1 ? (c.end + chunks[i + 1]!.start) / 2 : durationSec)),
  }));
}

function splitLong(r: Interval, max: number): Interval[] {
  const out: Interval[] = [];
  for (let s = r.start; s < r.end; s += max) out.push({ start: s, end: Math.min(r.end, s + max) });
  return out;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

import { describe, expect, it } from 'vitest';
import { parseSilenceLog } from '../../src/recordings/audio.js';
import { planChunks, speechRegions } from '../../src/recordings/chunking.js';
import { stitch } from '../../src/recordings/processors.js';
import type { ChunkRow } from '../../src/recordings/repo.js';

describe('speechRegions', () => {
  it('is the complement of the silences within the duration', () => {
    expect(speechRegions(10, [{ start: 2, end: 4 }, { start: 6, end: 10 }])).toEqual([
      { start: 0, end: 2 },
      { start: 4, end: 6 },
    ]);
  });
  it('handles unsorted and overlapping silences and leading silence', () => {
    expect(speechRegions(10, [{ start: 5, end: 7 }, { start: 0, end: 3 }, { start: 2, end: 4 }])).toEqual([
      { start: 4, end: 5 },
      { start: 7, end: 10 },
    ]);
  });
  it('all silence gives no speech', () => {
    expect(speechRegions(10, [{ start: 0, end: 10 }])).toEqual([]);
  });
});

describe('planChunks', () => {
  it('packs speech separated by short pauses into one chunk and pads it', () => {
    const chunks = planChunks(20, [{ start: 0, end: 1 }, { start: 3, end: 4 }, { start: 8, end: 20 }], { maxChunkSec: 600 });
    expect(chunks).toEqual([{ start: 0.75, end: 8.25 }]);
  });
  it('never sends a silence longer than maxGapSec inside a chunk', () => {
    const chunks = planChunks(60, [{ start: 3, end: 40 }], { maxChunkSec: 600, maxGapSec: 20 });
    expect(chunks).toHaveLength(2);
    expect(chunks[0]!.end).toBeLessThan(4);
    expect(chunks[1]!.start).toBeGreaterThan(39);
  });
  it('respects the provider limit, cutting at silences first', () => {
    // Speech in 10 s turns with 1 s pauses for 10 minutes; limit 60 s.
    const silences = Array.from({ length: 55 }, (_, i) => ({ start: i * 11 + 10, end: i * 11 + 11 }));
    const chunks = planChunks(605, silences, { maxChunkSec: 60 });
    for (const c of chunks) expect(c.end - c.start).toBeLessThanOrEqual(60);
    // Every cut lies inside a pause.
    for (const c of chunks.slice(1)) expect(silences.some((s) => c.start >= s.start - 0.001 && c.start <= s.end + 0.001)).toBe(true);
    // Nothing spoken is left out.
    const covered = (t: number) => chunks.some((c) => t >= c.start && t <= c.end);
    for (let t = 0; t < 605; t += 0.5) if (!silences.some((s) => t > s.start && t < s.end)) expect(covered(t)).toBe(true);
  });
  it('splits one unbroken monologue longer than the limit', () => {
    const chunks = planChunks(100, [], { maxChunkSec: 30, padSec: 0 });
    expect(chunks.map((c) => [c.start, c.end])).toEqual([[0, 30], [30, 60], [60, 90], [90, 100]]);
  });
  it('padding never overlaps the neighbouring chunk', () => {
    const chunks = planChunks(40, [{ start: 10, end: 30.2 }], { maxChunkSec: 600, maxGapSec: 20, padSec: 5 });
    expect(chunks).toHaveLength(2);
    expect(chunks[0]!.end).toBeLessThanOrEqual(chunks[1]!.start);
  });
});

describe('parseSilenceLog', () => {
  it('reads ametadata print-outs and closes a silence still open at the end', () => {
    const log = [
      'frame:25   pts:9272    pts_time:0.5795',
      'lavfi.silence_start=0',
      'frame:151  pts:56083   pts_time:3.50519',
      'lavfi.silence_end=3.50619',
      'lavfi.silence_duration=3.50619',
      'frame:262  pts:97322   pts_time:6.08263',
      'lavfi.silence_start=5.50312',
    ].join('\n');
    expect(parseSilenceLog(log, 7)).toEqual([
      { start: 0, end: 3.50619 },
      { start: 5.50312, end: 7 },
    ]);
  });
  it('reads exponent notation (ametadata prints tiny values as 5e-05)', () => {
    expect(parseSilenceLog('lavfi.silence_start=5e-05\nlavfi.silence_end=2.5', 10)).toEqual([{ start: 0.00005, end: 2.5 }]);
  });
  it('clamps a negative start (silencedetect reports -0.01 at times)', () => {
    expect(parseSilenceLog('lavfi.silence_start=-0.02\nlavfi.silence_end=1', 5)).toEqual([{ start: 0, end: 1 }]);
  });
});

describe('stitch', () => {
  const chunk = (idx: number, channel: ChunkRow['channel'], start: number, end: number, segs: [number, number, string][]): ChunkRow => ({
    idx, channel, start_sec: start, end_sec: end, status: 'done',
    result: { segments: segs.map(([s, e, text]) => ({ start: s, end: e, text })) },
  });
  it('moves chunk-relative times onto the timeline and orders both channels by time', () => {
    const out = stitch('rep-right', [
      chunk(0, 'left', 0, 10, [[1, 2, 'hello']]),
      chunk(1, 'right', 1.5, 12, [[0.2, 3, 'hi there'], [5, 6, 'how can I help']]),
    ]);
    expect(out).toEqual([
      { speaker: 'customer', role: 'customer', start_sec: 1, end_sec: 2, text: 'hello' },
      { speaker: 'rep', role: 'rep', start_sec: 1.7, end_sec: 4.5, text: 'hi there' },
      { speaker: 'rep', role: 'rep', start_sec: 6.5, end_sec: 7.5, text: 'how can I help' },
    ]);
  });
  it('clips a segment end the provider placed past its chunk, and keeps diarised labels on mono', () => {
    const c = chunk(0, 'mono', 100, 105, [[0, 9, 'x']]);
    c.result!.segments[0]!.speaker = 'A';
    expect(stitch('mixed', [c])).toEqual([{ speaker: 'A', role: 'unknown', start_sec: 100, end_sec: 105, text: 'x' }]);
  });
});

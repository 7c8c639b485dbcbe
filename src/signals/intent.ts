import type { EventRow } from './repo.js';

/** What each kind of event is worth before decay; reading counts per minute. */
export const INTENT_WEIGHTS = { pageview: 1, download: 5, readingMinute: 2 } as const;
/** Raw points at which the score reaches 1 − 1/e ≈ 63 of 100. */
const SCALE = 25;

/**
 * Intent 0–100: weighted events, each halved every `halfLifeMs` since it happened, squashed so
 * that more activity always raises the score but never past 100.
 */
export function intentScore(events: EventRow[], nowMs: number, halfLifeMs: number, idleLimitMs: number): number {
  let raw = 0;
  for (const e of events) {
    const age = Math.max(0, nowMs - e.ts);
    const decay = 0.5 ** (age / halfLifeMs);
    let points = 0;
    if (e.type === 'pageview') points = INTENT_WEIGHTS.pageview;
    else if (e.type === 'download') points = INTENT_WEIGHTS.download;
    else if ((e.type === 'heartbeat' || e.type === 'leave') && e.dwellMs !== null && e.dwellMs <= idleLimitMs) {
      points = (INTENT_WEIGHTS.readingMinute * e.dwellMs) / 60_000;
    }
    raw += points * decay;
  }
  return Math.round(1000 * (1 - Math.exp(-raw / SCALE))) / 10;
}

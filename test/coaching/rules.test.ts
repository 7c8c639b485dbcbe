import { describe, expect, it } from 'vitest';
import { builtinTaxonomy } from '../../src/analysis/taxonomy/index.js';
import type { TalkMetrics } from '../../src/analysis/types.js';
import { againstMean } from '../../src/coaching/funnel.js';
import { belowRuns } from '../../src/coaching/interventions.js';
import { addresses, deriveThresholds, termsByCode, turnsOf } from '../../src/coaching/rules.js';
import { DEFAULT_SETTINGS } from '../../src/coaching/settings.js';

const metrics = (rep: number, mono: number, q: number, dur = 600): TalkMetrics => ({
  durationSec: dur, talkRatio: { rep, customer: 1 - rep }, longestMonologueSec: { rep: mono, customer: 10 }, repQuestions: q, customerQuestions: 1, interactivityPerMin: 2, patienceSec: 1,
});

describe('thresholds from top performers', () => {
  it('falls back to the fixed defaults with too few calls', () => {
    const th = deriveThresholds([metrics(0.4, 40, 10)], ['r2'], DEFAULT_SETTINGS.suggestions);
    expect(th).toEqual(expect.objectContaining({ source: 'defaults', maxMonologueSec: 90, maxTalkRatio: 0.65, minQuestionsPer10Min: 3, basis: { topPerformers: ['r2'], calls: 1 } }));
  });
  it('derives monologue (1.25 × p75), talk ratio (median + 0.15) and questions (½ median) from enough calls', () => {
    // Monologues 40, 60, 80, 100, 120 → p75 = 100 → 125 s. Ratios median 0.5 → 0.65. Questions per 10 min 4, 6, 8, 10, 12 → median 8 → 4.
    const calls = [metrics(0.3, 40, 4), metrics(0.4, 60, 6), metrics(0.5, 80, 8), metrics(0.6, 100, 10), metrics(0.7, 120, 12)];
    expect(deriveThresholds(calls, ['a', 'b'], DEFAULT_SETTINGS.suggestions)).toEqual({
      maxMonologueSec: 125, maxTalkRatio: 0.65, minQuestionsPer10Min: 4, source: 'top_performers', basis: { topPerformers: ['a', 'b'], calls: 5 },
    });
  });
});

describe('answer detection', () => {
  const terms = termsByCode(builtinTaxonomy).get('delivery_supply')!;
  it('counts a reply using a concern term or the customer’s own words as an answer', () => {
    expect(addresses('现货我们苏州仓有，两周内到货。', '这批货最快什么时候能到？', terms)).toBe(true);
    expect(addresses('That batch can ship from stock next week.', 'When can that batch arrive? Lead time matters.', terms)).toBe(true);
    expect(addresses('我们公司成立于二零零五年，服务过很多客户。', '这批货最快什么时候能到？', terms)).toBe(false);
  });
  it('folds segments into turns across short pauses only', () => {
    const t = turnsOf([
      { speaker: 'a', role: 'rep', start: 0, end: 5, text: 'x' },
      { speaker: 'a', role: 'rep', start: 6, end: 9, text: 'y' },
      { speaker: 'a', role: 'rep', start: 12, end: 14, text: 'z' },
      { speaker: 'b', role: 'customer', start: 14, end: 15, text: 'w' },
    ]);
    expect(t.map((x) => [x.role, x.start, x.end])).toEqual([['rep', 0, 9], ['rep', 12, 14], ['customer', 14, 15]]);
  });
});

describe('episodes and funnel means', () => {
  it('finds runs of consecutive closed months below threshold; a gap or a good month ends a run', () => {
    const now = new Date('2026-07-15T00:00:00Z');
    const h = [
      { month: '2026-01', score: 50 }, { month: '2026-02', score: 60 }, { month: '2026-03', score: 90 },
      { month: '2026-04', score: 10 }, { month: '2026-06', score: 10 }, { month: '2026-07', score: 0 },
    ];
    // June and July: July is still open, so June stands alone; April and June are not consecutive.
    expect(belowRuns(h, 80, now)).toEqual([['2026-01', '2026-02'], ['2026-04'], ['2026-06']]);
    expect(belowRuns([{ month: '2026-05', score: null }, { month: '2026-06', score: 70 }], 80, now)).toEqual([['2026-06']]);
  });
  it('names the stage furthest below the mean, null when at or above it everywhere', () => {
    const z = { assigned: 10, timely: 10, responded: 10, clarified: 10, demo: 10, signed: 10 };
    const rows = againstMean([{ counts: z }, { counts: { ...z, timely: 5, clarified: 8, demo: 8, signed: 8 } }]);
    expect(rows[0]!.weakestStage).toBeNull();
    expect(rows[1]!.weakestStage).toEqual({ stage: 'response', gap: -0.25 });
  });
});

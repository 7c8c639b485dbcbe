import { describe, expect, it } from 'vitest';
import { compileUrlPattern, firstFiring, formatDuration, pageSummary } from '../../src/signals/dwell.js';
import { intentScore } from '../../src/signals/intent.js';
import { quietUntil } from '../../src/signals/quiet-hours.js';
import type { EventRow } from '../../src/signals/repo.js';
import { ruleSchema } from '../../src/signals/schemas.js';
import { escapeWecom } from '../../src/channels/wecom.js';
import { renderWecomMarkdown } from '../../src/signals/wecom.js';

const e = (over: Partial<EventRow>): EventRow => ({ id: 'x', visitorId: 'v', leadId: 'L', type: 'heartbeat', url: 'https://a.example/p', title: null, tags: [], ts: 0, dwellMs: null, ...over });

describe('dwell', () => {
  it('uses measured visible time, else the gap since the previous event of the page; gaps over the idle limit count nothing', () => {
    const events = [
      e({ type: 'pageview', ts: 0 }),
      e({ ts: 15_000 }), // gap 15 s
      e({ ts: 30_000, dwellMs: 10_000 }), // measured 10 s (tab hidden for 5)
      e({ ts: 400_000 }), // gap 370 s > 120 s idle limit
      e({ ts: 410_000, type: 'leave' }), // gap 10 s
      e({ ts: 5_000, visitorId: 'other', dwellMs: 5_000 }),
    ].sort((a, b) => a.ts - b.ts);
    expect(pageSummary(events, 120_000)[0]).toMatchObject({ dwellMs: 40_000, count: 1 });
  });

  it('fires at the event that crosses the threshold, from `since`, on a page matching tags or URL pattern', () => {
    const rule = ruleSchema.parse({ name: 'r', pages: { tags: ['security'] }, minDwellSec: 30 });
    const events = [0, 15_000, 30_000, 45_000].map((ts, i) => e({ id: String(i), ts, dwellMs: 15_000, tags: i === 0 ? ['security'] : [] }));
    expect(firstFiring(rule, events, 0, 120_000)).toMatchObject({ triggerTs: 15_000, page: { dwellMs: 60_000, tags: ['security'] } });
    expect(firstFiring(rule, events, 29_000, 120_000)).toMatchObject({ triggerTs: 45_000 });
    expect(firstFiring(rule, events, 31_000, 120_000)).toBeUndefined();
    const other = ruleSchema.parse({ name: 'r', pages: { tags: ['pricing'] }, minDwellSec: 30 });
    expect(firstFiring(other, events, 0, 120_000)).toBeUndefined();
    const downloads = ruleSchema.parse({ name: 'd', pages: { urlPattern: '/files/*.pdf' }, event: 'download', minCount: 2 });
    const dl = [e({ type: 'download', url: 'https://a.example/files/x.pdf', ts: 1 }), e({ type: 'download', url: 'https://a.example/files/x.pdf', ts: 2 })];
    expect(firstFiring(downloads, dl, 0, 1)).toMatchObject({ triggerTs: 2, page: { count: 2 } });
  });

  it('matches URL globs safely', () => {
    const m = compileUrlPattern('/whitepapers/*');
    expect(m('https://x.example/whitepapers/data-security?utm=1')).toBe(true);
    expect(m('https://x.example/blog/whitepapers')).toBe(false);
    expect(compileUrlPattern('https://x.example/a(b)*')('https://x.example/a(b)c')).toBe(true);
    expect(compileUrlPattern('/a.b')('https://x.example/aXb')).toBe(false);
  });

  it('formats durations for the reason text', () => {
    expect(formatDuration(220_000)).toBe('3 min 40 s');
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(180_000)).toBe('3 min');
    expect(formatDuration(3_720_000)).toBe('1 h 2 min');
  });
});

describe('intent score', () => {
  it('rises with activity, halves its raw weight every half-life, stays within 0–100', () => {
    const day = 86_400_000;
    const now = 100 * day;
    const fresh = [e({ type: 'pageview', ts: now }), e({ type: 'download', ts: now }), e({ ts: now, dwellMs: 60_000 })];
    const s1 = intentScore(fresh, now, 7 * day, 120_000);
    expect(s1).toBeCloseTo(100 * (1 - Math.exp(-8 / 25)), 1);
    const old = fresh.map((x) => ({ ...x, ts: now - 7 * day }));
    expect(intentScore(old, now, 7 * day, 120_000)).toBeCloseTo(100 * (1 - Math.exp(-4 / 25)), 1);
    const lots = Array.from({ length: 1000 }, () => e({ type: 'download', ts: now }));
    expect(intentScore(lots, now, 7 * day, 120_000)).toBeLessThanOrEqual(100);
    expect(intentScore([], now, 7 * day, 120_000)).toBe(0);
  });
});

describe('quiet hours', () => {
  it('gives the end of quiet hours in the tenant timezone, across midnight too', () => {
    // 2026-03-10 14:30 UTC = 22:30 in Shanghai.
    const at = new Date('2026-03-10T14:30:00Z');
    expect(quietUntil(at, 'Asia/Shanghai', { start: '21:00', end: '08:00' })?.toISOString()).toBe('2026-03-11T00:00:00.000Z');
    expect(quietUntil(at, 'Asia/Shanghai', { start: '12:00', end: '13:00' })).toBeUndefined();
    expect(quietUntil(at, 'UTC', { start: '14:00', end: '15:00' })?.toISOString()).toBe('2026-03-10T15:00:00.000Z');
    expect(quietUntil(at, 'UTC', null)).toBeUndefined();
  });
});

describe('WeCom markdown', () => {
  it('neutralises markup in customer-controlled text', () => {
    const hostile = '白皮书</font>[点我](https://evil.example)\n# 标题 @all <font color="warning">x</font> **bold**';
    const out = escapeWecom(hostile);
    expect(out).not.toMatch(/[<>\n]/);
    expect(out).not.toContain('](');
    expect(out).not.toContain('@all');
    expect(out).toContain('\\[点我\\]\\(https://evil.example\\)');
    const md = renderWecomMarkdown({ leadLabel: '华东汽配', reason: `read ${hostile} for 3 min`, ruleName: 'r', content: { title: 'GDPR 清单', url: 'https://www.example.com/c' }, intentScore: 42.4 });
    expect(md.split('\n')).toHaveLength(5);
    expect(md).toContain('[GDPR 清单](https://www.example.com/c)');
    expect(md).toContain('<font color="warning">42</font>');
  });
});

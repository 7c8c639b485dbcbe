import { describe, expect, it } from 'vitest';
import { en } from '../../src/console/i18n/en.js';
import { pickLang, translator } from '../../src/console/i18n/index.js';
import { zh } from '../../src/console/i18n/zh.js';
import { clock, highlightTranscript } from '../../src/console/highlight.js';

describe('console language', () => {
  it('takes the switch cookie first, then Accept-Language by primary subtag and q, then English', () => {
    expect(pickLang('zh', 'en-US')).toBe('zh');
    expect(pickLang(undefined, 'zh-CN')).toBe('zh');
    expect(pickLang(undefined, 'zh-TW,en;q=0.5')).toBe('zh');
    expect(pickLang(undefined, 'fr-FR, en;q=0.4, zh;q=0.6')).toBe('zh');
    expect(pickLang(undefined, 'en-GB,zh;q=0.9')).toBe('en');
    expect(pickLang(undefined, 'zh;q=0, en;q=0.1')).toBe('en');
    expect(pickLang(undefined, 'fr, de')).toBe('en');
    expect(pickLang('<script>', '')).toBe('en');
    expect(pickLang(undefined, ';;;,,,q=abc')).toBe('en');
  });

  it('has every key in both dictionaries and fills placeholders', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(en)) {
      const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(placeholders(zh[k as keyof typeof en]), k).toEqual(placeholders(v));
    }
    expect(translator('zh')('call.mentions', { n: 3 })).toBe('提及 3 次');
    expect(translator('en')('call.mentions', { n: 3 })).toBe('3 mention(s)');
  });
});

describe('transcript highlights', () => {
  const segments = [
    { speaker: 'A', role: 'rep', start: 0, end: 4, text: '交期多久？' },
    { speaker: 'B', role: 'customer', start: 4, end: 9, text: '交期太长了，价格也贵。交期是关键' },
  ];

  it('marks each verbatim quote in the segment it came from, leaving the rest as plain parts', () => {
    const out = highlightTranscript(segments, [
      { code: 'delivery_supply', label: 'supply', evidence: [{ start: 4, end: 9, quote: '交期太长了' }] },
      { code: 'price_budget', label: 'price', evidence: [{ start: 4, end: 9, quote: '价格也贵' }] },
    ]);
    expect(out[0]!.parts).toEqual([{ text: '交期多久？' }]);
    expect(out[1]!.parts).toEqual([
      { text: '交期太长了', mark: { code: 'delivery_supply', label: 'supply', start: 4 } },
      { text: '，' },
      { text: '价格也贵', mark: { code: 'price_budget', label: 'price', start: 4 } },
      { text: '。交期是关键' },
    ]);
    expect(out[1]!.parts.map((p) => p.text).join('')).toBe(segments[1]!.text);
  });

  it('skips quotes that are not in the transcript and overlapping quotes, keeps the text whole', () => {
    const out = highlightTranscript(segments, [
      { code: 'a', label: 'a', evidence: [{ start: 4, end: 9, quote: '交期太长' }] },
      { code: 'b', label: 'b', evidence: [{ start: 4, end: 9, quote: '太长了，价格' }, { start: 4, end: 9, quote: 'not there' }, { start: 0, end: 1, quote: '价格也贵' }] },
    ]);
    expect(out[1]!.parts.filter((p) => p.mark).map((p) => p.text)).toEqual(['交期太长']);
    expect(out[1]!.parts.map((p) => p.text).join('')).toBe(segments[1]!.text);
    expect(highlightTranscript([{ speaker: 'x', role: 'unknown', start: 0, end: 1, text: '' }], [])[0]!.parts).toEqual([{ text: '' }]);
  });

  it('formats clock times', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(75.9)).toBe('1:15');
    expect(clock(3725)).toBe('1:02:05');
  });
});

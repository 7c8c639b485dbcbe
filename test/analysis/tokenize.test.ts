import { describe, expect, it } from 'vitest';
import {
  countUnits,
  hanShare,
  loadDomainWords,
  normalizeText,
  segmentZh,
  splitClauses,
  splitSentences,
  spanIndexAt,
  tokenize,
  tokenizeEn,
} from '../../src/analysis/text/index.js';

describe('normalizeText', () => {
  it('maps full-width to half-width and lowercases ASCII without changing the length', () => {
    const raw = 'ＰＬＣ的ＭＯＱ是多少？Ｌead　Time！';
    const n = normalizeText(raw);
    expect(n).toBe('plc的moq是多少?lead time!');
    expect(n.length).toBe(raw.length);
  });
  it('normalises curly apostrophes and keeps CJK punctuation that has no half-width form', () => {
    expect(normalizeText('It’s fine。、')).toBe("it's fine。、");
  });
  it('keeps offsets for any input (surrogate pairs, emoji)', () => {
    const raw = '价格😀ＯＫ';
    expect(normalizeText(raw).length).toBe(raw.length);
  });
});

describe('splitClauses', () => {
  it('splits Chinese and English punctuation and keeps offsets into the original', () => {
    const text = '交期多久？价格，能不能便宜点；好的! OK, fine.';
    const spans = splitClauses(text);
    expect(spans.map((s) => s.text)).toEqual(['交期多久', '价格', '能不能便宜点', '好的', 'OK', 'fine']);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.text);
    expect(spans[0]!.delimiter).toBe('？');
    expect(spans[3]!.delimiter).toBe('!');
  });
  it('does not split on the enumeration comma or inside numbers', () => {
    expect(splitClauses('交期、价格都不是问题').map((s) => s.text)).toEqual(['交期、价格都不是问题']);
    expect(splitClauses('price went up 3.5 percent. ok').map((s) => s.text)).toEqual(['price went up 3.5 percent', 'ok']);
  });
  it('treats whitespace between Han characters as a clause break (ASR output)', () => {
    const text = '这个交期 能不能快一点  我们急用';
    const spans = splitClauses(text);
    expect(spans.map((s) => s.text)).toEqual(['这个交期', '能不能快一点', '我们急用']);
    for (const s of spans) expect(text.slice(s.start, s.end)).toBe(s.text);
  });
  it('keeps English word spaces and handles newlines and empty input', () => {
    expect(splitClauses('lead time is long\nvery long').map((s) => s.text)).toEqual(['lead time is long', 'very long']);
    expect(splitClauses('')).toEqual([]);
    expect(splitClauses(' ，。 ')).toEqual([]);
  });
  it('spanIndexAt finds the clause containing an offset', () => {
    const spans = splitClauses('价格太贵，交期太长');
    expect(spanIndexAt(spans, 0)).toBe(0);
    expect(spanIndexAt(spans, 6)).toBe(1);
    expect(spanIndexAt(spans, 4)).toBe(-1); // the comma
  });
});

describe('splitSentences', () => {
  it('splits on sentence-final punctuation only', () => {
    const text = '价格，交期都还好。就是售后？Fine, thanks.';
    const s = splitSentences(text);
    expect(s.map((x) => x.text)).toEqual(['价格，交期都还好', '就是售后', 'Fine, thanks']);
    for (const x of s) expect(text.slice(x.start, x.end)).toBe(x.text);
  });
});

describe('segmentZh (jieba + domain dictionary)', () => {
  it('keeps 量产 whole, so 产能 is not read across "量产|能不能"', () => {
    const words = segmentZh('批量生产以后量产能不能稳定').map((t) => t.text);
    expect(words).toContain('量产');
    expect(words).not.toContain('产能');
  });
  it('keeps domain words whole', () => {
    const words = ['交期', '现货', '账期', '国产替代', '信创', '等保', '维保', '招标', '回本'];
    const text = '交期和现货，账期，国产替代和信创，等保，维保，招标，回本';
    const tokens = segmentZh(text, { wordsOnly: true }).map((t) => t.text);
    for (const w of words) expect(tokens).toContain(w);
  });
  it('returns offsets into the original text, also for full-width letters', () => {
    const text = '这个ＰＬＣ的ＭＯＱ是多少？';
    const tokens = segmentZh(text);
    for (const t of tokens) expect(text.slice(t.start, t.end)).toBe(t.text);
    expect(tokens.map((t) => t.norm)).toContain('plc');
    expect(tokens.map((t) => t.norm)).toContain('moq');
    expect(tokens.map((t) => t.text).join('')).toBe(text);
  });
  it('accepts extra words at runtime', () => {
    loadDomainWords(['柔性夹爪']);
    expect(segmentZh('这款柔性夹爪多少钱', { wordsOnly: true }).map((t) => t.text)).toContain('柔性夹爪');
  });
});

describe('tokenizeEn (Intl.Segmenter)', () => {
  it('returns lowercased whole words with offsets', () => {
    const text = "The Customer's lead-time isn't OK";
    const tokens = tokenizeEn(text);
    expect(tokens.map((t) => t.norm)).toEqual(['the', 'customer', 'lead', 'time', "isn't", 'ok']);
    for (const t of tokens) expect(text.slice(t.start, t.end)).toBe(t.text);
  });
  it('handles full-width input and numbers', () => {
    expect(tokenizeEn('ＮＥＴ ６０ days').map((t) => t.norm)).toEqual(['net', '60', 'days']);
  });
});

describe('tokenize (mixed)', () => {
  it('uses jieba when Han characters are present and keeps Latin words whole', () => {
    const tokens = tokenize('你们的lead time是多少').map((t) => t.norm);
    expect(tokens).toContain('lead');
    expect(tokens).toContain('time');
    expect(tokens).toContain('你们');
  });
  it('uses the English segmenter otherwise', () => {
    expect(tokenize('Cost, customer').map((t) => t.norm)).toEqual(['cost', 'customer']);
  });
});

describe('units and language share', () => {
  it('counts Han characters and Latin words', () => {
    expect(countUnits('交期 lead time')).toBe(4);
    expect(countUnits('')).toBe(0);
  });
  it('tells Chinese from English text', () => {
    expect(hanShare('这个交期能不能快一点')).toBeGreaterThan(0.9);
    expect(hanShare('Can you ship by Friday')).toBe(0);
    expect(hanShare('')).toBe(0);
  });
});

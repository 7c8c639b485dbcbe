import { describe, expect, it } from 'vitest';
import { segmentZh } from '../../src/analysis/text/index.js';
import { extractTerms, isMeaningful, truncateInquiry } from '../../src/inquiries/keywords.js';
import { EN_STOP_WORDS, ZH_STOP_WORDS, isStopWord } from '../../src/inquiries/stopwords.js';
import { SYNONYMS, canonical, singularize, termKey, variantsOf } from '../../src/inquiries/synonyms.js';

const terms = (text: string, max?: number) => extractTerms(text, max === undefined ? {} : { max }).map((t) => t.term);

describe('synonym table', () => {
  it('has ~60 entries, each variant mapping to its canonical term', () => {
    expect(Object.keys(SYNONYMS).length).toBeGreaterThanOrEqual(60);
    for (const [canon, variants] of Object.entries(SYNONYMS)) {
      expect(canonical(canon)).toBe(canon);
      for (const v of variants) expect(canonical(v), v).toBe(canon);
    }
  });

  it('merges the hand-checked groups', () => {
    for (const v of ['国产化', '国产替换', '信创替代', '进口替代']) expect(canonical(v)).toBe('国产替代');
    for (const v of ['交货期', '货期', '到货时间', 'lead time']) expect(canonical(v)).toBe('交期');
    for (const v of ['报价', '单价', '价钱']) expect(canonical(v)).toBe('价格');
    for (const v of ['售后服务', '维保', 'after-sales']) expect(canonical(v)).toBe('售后');
    for (const v of ['付款周期', '回款周期', 'payment terms']) expect(canonical(v)).toBe('账期');
    expect(canonical('可编程控制器')).toBe('PLC');
    for (const v of ['起订量', '最小起订量']) expect(canonical(v)).toBe('MOQ');
    expect(canonical('等级保护')).toBe('等保');
  });

  it('is case-, width-, hyphen- and plural-insensitive', () => {
    expect(canonical('ＰＬＣ')).toBe('PLC');
    expect(canonical('plc')).toBe('PLC');
    expect(canonical('PLCs')).toBe('PLC');
    expect(canonical('Lead-Time')).toBe('交期');
    expect(canonical('  LEAD   TIME ')).toBe('交期');
    expect(canonical('Payment Term')).toBe('账期');
    expect(canonical('Servo Drives')).toBe('servo drive');
    expect(canonical('国产 替代')).toBe('国产替代');
    expect(canonical('kpi')).toBe('KPI'); // acronym from the domain dictionary, not in the table
    expect(termKey('Ｌead－Time')).toBe('lead time');
  });

  it('folds English plurals conservatively', () => {
    expect(singularize('drives')).toBe('drive');
    expect(singularize('batteries')).toBe('battery');
    expect(singularize('switches')).toBe('switch');
    for (const w of ['sales', 'process', 'analysis', 'status', 'logistics', 'goods', 'gps']) expect(singularize(w)).toBe(w);
  });

  it('never lists a stop word as a term', () => {
    for (const [canon, variants] of Object.entries(SYNONYMS)) {
      for (const v of [canon, ...variants]) expect(isStopWord(v), v).toBe(false);
    }
    expect(variantsOf('国产替代')).toContain('国产化');
    expect(variantsOf('nope')).toEqual([]);
  });
});

describe('stop words', () => {
  it('cover inquiry boilerplate in both languages', () => {
    for (const w of ['你好', '请问', '想了解', '咨询一下', '谢谢', '贵公司']) expect(ZH_STOP_WORDS.has(w), w).toBe(true);
    for (const w of ['hello', 'please', 'thanks', 'interested', 'the', 'of']) expect(EN_STOP_WORDS.has(w), w).toBe(true);
    expect(isStopWord('Hello')).toBe(true);
    expect(isStopWord("don't")).toBe(true);
    expect(isStopWord('交期')).toBe(false);
  });

  it('leave nothing of a pure pleasantry', () => {
    expect(extractTerms('你好，请问贵公司在吗？想了解一下，麻烦您尽快回复，谢谢！')).toEqual([]);
    expect(extractTerms('Hello, we are interested. Please reply, thanks!')).toEqual([]);
  });
});

describe('extractTerms', () => {
  it('Chinese: PLC, 交期 and 国产替代 from a typical inquiry', () => {
    const t = terms('请问你们的PLC交货期多久？国产化替代方案有吗');
    expect(t).toEqual(expect.arrayContaining(['PLC', '交期', '国产替代']));
    for (const stop of ['请问', '你们', '多久', '国产化', '交货期']) expect(t).not.toContain(stop);
  });

  it('English: payment terms, lead time (both synonym-merged) and the noun phrase servo drives', () => {
    const out = extractTerms('What are your payment terms and lead time for 500 units of servo drives?');
    const t = out.map((x) => x.term);
    // "payment terms" and "lead time" are synonym-table variants of 账期 and 交期
    expect(t).toEqual(expect.arrayContaining([canonical('payment terms'), canonical('lead time'), 'servo drive']));
    expect(t).toEqual(expect.arrayContaining(['账期', '交期']));
    expect(t).not.toContain('500');
    expect(t).not.toContain('unit');
    expect(t.some((x) => /\b(what|your|and|for|of)\b/.test(x))).toBe(false);
    expect(out.find((x) => x.term === 'servo drive')?.lang).toBe('en');
    expect(out.find((x) => x.term === '交期')?.lang).toBe('zh');
  });

  it('English: keeps 1–3-word noun phrases and matches table phrases across stop words', () => {
    const t = terms('Hello, we are interested in your after-sales service and on-site support. Do you offer a minimum order quantity discount? Please send the price list.');
    expect(t).toEqual(expect.arrayContaining(['售后', '现场服务', 'MOQ', '折扣', '价格']));
    const np = terms('We need explosion proof stainless steel ball valves and data security for the control room.');
    expect(np).toEqual(expect.arrayContaining(['数据安全', 'control room']));
    for (const x of np) expect(x.split(' ').length).toBeLessThanOrEqual(3);
    expect(np.some((x) => x.endsWith('ball valve'))).toBe(true);
  });

  it('mixed Chinese and English text', () => {
    const t = terms('我们想了解一下伺服驱动器的价格和售后服务，lead time 多久？MOQ 是多少');
    expect(t).toEqual(expect.arrayContaining(['价格', '售后', '交期', 'MOQ']));
    expect(t).not.toContain('想了解');
    // terms that mix scripts are taken whole
    expect(terms('需要提供3C认证，满足等保2.0')).toEqual(expect.arrayContaining(['3c认证', '等保']));
    const t2 = terms('Can you support 私有化部署 and 等保三级? Our ERP is SAP.');
    expect(t2).toEqual(expect.arrayContaining(['私有化部署', '等保', 'ERP', 'sap']));
  });

  it('merges synonyms into one term with one score', () => {
    expect(canonical('国产化')).toBe(canonical('国产替代'));
    const out = extractTerms('国产化 国产替代 信创替代，进口替代也行');
    expect(out.filter((x) => x.term === '国产替代')).toHaveLength(1);
    expect(out.map((x) => x.term)).not.toContain('国产化');
    // joined across jieba tokens: 付款 + 周期, 等级 + 保护, 可编程 + 控制器
    expect(terms('付款周期多长？需要等级保护，用可编程控制器')).toEqual(expect.arrayContaining(['账期', '等保', 'PLC']));
  });

  it('excludes numbers, single Han characters, URLs, e-mails and emoji', () => {
    const out = extractTerms('订单号2024061800123，500台，三个月内到货。联系 sales@acme-tools.com 或 https://www.acme-tools.com/p?id=9 👍🏻 什么价');
    const t = out.map((x) => x.term);
    expect(t).toContain('价格'); // 价 is whitelisted and maps to 价格
    for (const x of t) {
      expect(x).not.toMatch(/^\d+$/);
      expect(x).not.toMatch(/@|https?|www|acme|\.com/);
      expect(x).not.toMatch(/\p{Extended_Pictographic}/u);
      if (/^\p{Script=Han}+$/u.test(x)) expect(x.length >= 2 || x === '价').toBe(true);
    }
    expect(terms('😀😀👍')).toEqual([]);
    expect(terms('')).toEqual([]);
    expect(terms('12345 678')).toEqual([]);
  });

  it('returns weights in (0, 1], best first, at most max', () => {
    const text = '你好，我们是一家汽车零部件厂，想采购一批伺服电机和变频器，请问交期和价格，是否支持账期，售后响应时间多长，有没有国产替代型号，需要提供3C认证和样品';
    const out = extractTerms(text);
    expect(out.length).toBeGreaterThan(0);
    expect(out.length).toBeLessThanOrEqual(8);
    expect(out[0]!.weight).toBe(1);
    for (let i = 0; i < out.length; i++) {
      expect(out[i]!.weight).toBeGreaterThan(0);
      expect(out[i]!.weight).toBeLessThanOrEqual(1);
      if (i > 0) expect(out[i]!.weight).toBeLessThanOrEqual(out[i - 1]!.weight);
    }
    expect(extractTerms(text, { max: 3 })).toEqual(out.slice(0, 3));
    expect(extractTerms(text, { max: 0 })).toEqual([]);
    expect(() => extractTerms(text, { max: -1 })).toThrow(RangeError);
    expect(() => extractTerms(text, { max: 1.5 })).toThrow(RangeError);
    expect(new Set(out.map((x) => x.term)).size).toBe(out.length);
  });

  it('is deterministic, whatever ran before', () => {
    const texts = [
      '请问你们的PLC交货期多久？国产化替代方案有吗',
      'What are your payment terms and lead time for 500 units of servo drives?',
      '价钱太贵了，单价能不能便宜点，付款方式可以月结吗',
      'Does the MES integrate with our ERP? We need data migration and on-prem deployment.',
    ];
    const a = texts.map((t) => extractTerms(t));
    const b = [...texts].reverse().map((t) => extractTerms(t)).reverse();
    expect(b).toEqual(a);
    expect(texts.map((t) => extractTerms(t))).toEqual(a);
  });

  it('does not change the shared jieba dictionary', () => {
    const before = segmentZh('付款周期和可编程控制器的到货时间').map((t) => t.norm);
    extractTerms('付款周期和可编程控制器的到货时间');
    expect(segmentZh('付款周期和可编程控制器的到货时间').map((t) => t.norm)).toEqual(before);
  });

  it('handles long text', () => {
    const big = '我们是做食品饮料的，想找一家做灌装线的供应商，保质期和冷链物流有要求。What are your payment terms? '.repeat(1300);
    const t = terms(big);
    expect(t).toEqual(expect.arrayContaining(['保质期', '冷链', '灌装线', '账期']));
  });

  it('extracts terms from 10,000 short inquiries', () => {
    const base = [
      '请问你们的PLC交货期多久？国产化替代方案有吗',
      'What are your payment terms and lead time for 500 units of servo drives?',
      '我们想了解一下伺服驱动器的价格和售后服务，lead time 多久',
      '你好，请问贵公司的产品支持私有化部署吗？我们对数据安全要求比较高',
      '想咨询一下起订量和货期，付款周期能不能三个月，谢谢！',
    ];
    const inquiries = Array.from({ length: 10_000 }, (_, i) => `${base[i % base.length]!} 型号${i}`);
    // Speed is measured by bench/inquiries.ts; here: every one of 10,000 inquiries yields its topic terms.
    const results = inquiries.map((q) => extractTerms(q).map((t) => t.term));
    expect(results.every((terms) => terms.length > 0)).toBe(true);
    expect(results[0]).toEqual(expect.arrayContaining(['PLC', '交期', '国产替代']));
  });
});

describe('isMeaningful', () => {
  it('is false for empty, whitespace, emoji-only and punctuation-only text', () => {
    for (const s of ['', '   ', '\n\t ', '😀', '👍🏻👍🏻', '🇨🇳', '1️⃣', '👨‍👩‍👧', '？！…。', '——', '!!!???', '，。、']) {
      expect(isMeaningful(s), JSON.stringify(s)).toBe(false);
    }
  });
  it('is true for any words or numbers', () => {
    for (const s of ['谢谢', 'ok', '交期？', '😀 价格多少', '500']) expect(isMeaningful(s), s).toBe(true);
  });
});

describe('truncateInquiry', () => {
  it('keeps short text as is', () => {
    expect(truncateInquiry('交期多久？')).toEqual({ text: '交期多久？', truncated: false });
    const exact = 'x'.repeat(2000);
    expect(truncateInquiry(exact)).toEqual({ text: exact, truncated: false });
  });

  it('cuts 100 KB to at most 2000 characters, preferably at a sentence end', () => {
    const big = '请问你们的PLC交货期多久？国产化替代方案有吗。'.repeat(4300);
    expect(big.length).toBeGreaterThan(100_000);
    const r = truncateInquiry(big);
    expect(r.truncated).toBe(true);
    expect(r.text.length).toBeLessThanOrEqual(2000);
    expect(r.text.length).toBeGreaterThan(1600);
    expect(big.startsWith(r.text)).toBe(true);
    expect(r.text).toMatch(/[。？]$/);
  });

  it('never splits a surrogate pair and honours maxChars', () => {
    const r = truncateInquiry('😀'.repeat(100), 51);
    expect(r.truncated).toBe(true);
    expect(r.text.length).toBe(50);
    expect(r.text).toBe('😀'.repeat(25));
    expect(truncateInquiry('abc def ghi jkl', 10)).toEqual({ text: 'abc def', truncated: true });
    expect(truncateInquiry('交期多久，价格多少？售后怎么样', 12)).toEqual({ text: '交期多久，价格多少？', truncated: true });
    expect(truncateInquiry('abcdefghijkl', 5)).toEqual({ text: 'abcde', truncated: true });
    expect(() => truncateInquiry('abc', 0)).toThrow(RangeError);
  });
});

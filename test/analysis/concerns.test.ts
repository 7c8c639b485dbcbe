import { describe, expect, it } from 'vitest';
import { detectConcerns, explainConcerns, warmUpConcernEngine } from '../../src/analysis/concerns/index.js';
import { DEV_EXAMPLES } from '../../src/analysis/concerns/dev-examples.js';
import {
  builtinTaxonomy,
  mergeTaxonomy,
  TaxonomyError,
  taxonomySchema,
  validateTaxonomy,
  type Taxonomy,
} from '../../src/analysis/taxonomy/index.js';
import type { Role, Segment } from '../../src/analysis/types.js';
import { compileTaxonomy, findRawMatches, requiredLiterals } from '../../src/analysis/concerns/compile.js';
import { normalizeText } from '../../src/analysis/text/normalize.js';

/** Build segments from [role, text] pairs: 5 s apart, 4 s long; rep = S1, customer = S2. */
function call(turns: Array<['r' | 'c' | 'u', string]>): Segment[] {
  return turns.map(([r, text], i) => {
    const role: Role = r === 'c' ? 'customer' : r === 'r' ? 'rep' : 'unknown';
    return { speaker: r === 'c' ? 'S2' : 'S1', role, start: i * 5, end: i * 5 + 4, text };
  });
}

const customer = (...texts: string[]): Segment[] => call(texts.map((t) => ['c', t] as ['c', string]));
const codes = (segments: Segment[], opts?: Parameters<typeof detectConcerns>[1]): string[] =>
  detectConcerns(segments, opts).map((c) => c.code).sort();
/** Codes raised by one customer utterance, including single weak mentions. */
const raised = (text: string): string[] => codes(customer(text), { minConfidence: 0.01 });

describe('dev set (hand-written, used for tuning)', () => {
  it.each(DEV_EXAMPLES.map((e) => [e.id, e] as const))('%s', (_id, ex) => {
    expect(codes(call(ex.turns))).toEqual([...ex.expect].sort());
  });
});

describe('negation (Chinese)', () => {
  it.each([
    '交期不是问题',
    '价格倒不是问题',
    '交期不是问题，我们不急。',
    '不存在交期问题',
    '你们的交期我们不担心',
    '我们从来没担心过交期',
    '交期我们完全不着急',
    '不用担心交期',
    '库存充足，够用',
    '售后我们不担心，你们在华南有服务网点。',
    '上一家从来没拖过',
    '我们这边不存在数据安全的问题，都是内网。',
    '价格还算合理',
    '交期和价格都没问题',
  ])('"%s" raises nothing', (text) => {
    expect(raised(text)).toEqual([]);
  });

  it('says where the negation was found', () => {
    const post = explainConcerns(customer('交期不是问题')).find((e) => e.matched === '交期');
    expect(post?.dropped).toBe('negated');
    expect(post?.negation).toMatchObject({ negated: true, where: 'after', cue: '不是问题' });
    const pre = explainConcerns(customer('我们不担心价格')).find((e) => e.matched === '价格');
    expect(pre?.negation).toMatchObject({ negated: true, where: 'before', cue: '不担心' });
  });

  it.each([
    ['能不能按时交货', 'delivery_supply'],
    ['会不会延期', 'delivery_supply'],
    ['有没有现货', 'delivery_supply'],
    ['是不是太贵了', 'price_budget'],
    ['支不支持Modbus', 'product_fit'],
  ])('A-not-A question "%s" is not a negation → %s', (text, code) => {
    expect(raised(text)).toEqual([code]);
  });

  it('double negation is a concern', () => {
    expect(raised('我们也不是不担心交期')).toEqual(['delivery_supply']);
  });

  it('a negated trigger in a question or a condition is still a concern', () => {
    expect(raised('交期没问题吧？')).toEqual(['delivery_supply']);
    expect(raised('交期没问题的话我们下周就下单')).toEqual(['delivery_supply']);
  });

  it('absence and inability are concerns, not negations', () => {
    expect(raised('没有现货吗')).toEqual(['delivery_supply']);
    expect(raised('你们本地没有服务网点吗')).toEqual(['service_support']);
    expect(raised('我们没有预算了')).toEqual(['price_budget']);
    expect(raised('如果不能按时交货我们会很被动')).toEqual(['delivery_supply']);
    expect(raised('不确定你们交期能不能跟上')).toEqual(['delivery_supply']);
    expect(raised('库存不够用')).toEqual(['delivery_supply']);
  });

  it('a topic-only clause takes its dismissal from the next clause (also in unpunctuated ASR text)', () => {
    expect(codes(customer('这个交期的话 我们其实不是很着急 主要是价格 你们能不能再便宜一点'))).toEqual(['price_budget']);
    expect(raised('价格这块，我们能接受')).toEqual([]);
    expect(raised('等保这块我们已经过了')).toEqual([]);
    expect(raised('交期的话，多久？')).toEqual(['delivery_supply']);
  });

  it('negation stops at a contrast marker and at the clause boundary', () => {
    expect(codes(customer('价格不是问题，交期太长了'))).toEqual(['delivery_supply']);
    expect(codes(customer('价格还好，就是交期太长'))).toEqual(['delivery_supply']);
    expect(raised('交期太长价格还好')).toContain('delivery_supply');
  });
});

describe('negation (English)', () => {
  it.each([
    "Price isn't the issue.",
    'Price is not really the problem here.',
    "We're not worried about the lead time.",
    'Delivery is fine.',
    "the delivery's fine",
    'We never had delays with them.',
    'Security is not a concern for this project.',
    "Don't worry about the budget.",
    "We don't need customization.",
  ])('"%s" raises nothing', (text) => {
    expect(raised(text)).toEqual([]);
  });

  it.each([
    ["Isn't the lead time too long?", 'delivery_supply'],
    ["You can't deliver on time, can you", 'delivery_supply'],
    ["We don't have the budget this year.", 'price_budget'],
    ["If delivery isn't on time we lose the account.", 'delivery_supply'],
    ['The lead time was not acceptable last time.', 'delivery_supply'],
    ["Without a discount we can't sign.", 'price_budget'],
    ["I'm not sure your lead time works for us.", 'delivery_supply'],
    ['We are not in a position to switch suppliers this year.', 'switching_cost'],
    ['There is nobody local to support us.', 'service_support'],
  ])('"%s" is still a concern', (text, code) => {
    expect(raised(text)).toEqual([code]);
  });
});

describe('whose words count', () => {
  it('rep statements never raise a concern, even when the customer agrees', () => {
    const segs = call([
      ['r', '我们交期很快，价格也有优势，售后二十四小时响应，国产替代也没问题。'],
      ['c', '嗯，对。'],
      ['r', 'Our lead time is two weeks, the price includes a discount and support is 24/7.'],
      ['c', 'Okay, sounds good.'],
    ]);
    expect(detectConcerns(segs)).toEqual([]);
  });

  it('ordinary, concern-free calls raise nothing', () => {
    const zh = call([
      ['r', '张总好，今天主要想跟您过一下我们新的方案。'],
      ['c', '好的，你说。'],
      ['c', '嗯，我们包装线现在是三条，明年可能要加一条。你们这个方案大概是什么思路？'],
      ['r', '主要是视觉检测加上自动分拣。'],
      ['c', '哦，这个我们之前也了解过一些。你把资料发我一下，我们项目组内部先看看。'],
      ['r', '我们也可以安排技术来现场做个测试。'],
      ['c', '可以，下周二三都行，你们提前跟我们对接一下时间。我们这边主要是质量部的刘工负责。'],
      ['c', '工人反馈说操作挺简单的，上手很快。方案你整理好发我邮箱。'],
    ]);
    expect(detectConcerns(zh)).toEqual([]);
    const en = call([
      ['r', 'Thanks for joining, Mark. Shall we walk through the demo?'],
      ['c', 'Sure, go ahead. The team is excited about this project.'],
      ['c', 'Nice, that looks clean. Our customers keep asking us for better traceability, so this is timely.'],
      ['c', "Great. Could you send the deck after the call? I'll share it with my colleagues."],
      ['c', "We're expanding the plant in Q3, so there might be a bigger opportunity."],
    ]);
    expect(detectConcerns(en)).toEqual([]);
  });

  it('a customer echoing the topic in their own words raises it', () => {
    const segs = call([
      ['r', '交期大概四周。'],
      ['c', '四周太长了，我们等不了那么久。'],
    ]);
    expect(codes(segs)).toEqual(['delivery_supply']);
  });

  it('returns [] when no segment has a role label (all unknown)', () => {
    const segs = call([
      ['u', '交期太长了，价格也太贵。'],
      ['u', '老板那边还要过一下。'],
    ]);
    expect(detectConcerns(segs)).toEqual([]);
    expect(explainConcerns(segs)).toEqual([]);
  });

  it('skips unknown-role segments in an otherwise labelled transcript', () => {
    const segs = call([
      ['u', '价格太贵了'],
      ['c', '交期能不能快一点？现货有吗？'],
    ]);
    expect(codes(segs)).toEqual(['delivery_supply']);
  });

  it('handles empty input and empty texts', () => {
    expect(detectConcerns([])).toEqual([]);
    expect(detectConcerns(customer('', '   '))).toEqual([]);
  });
});

describe('repetition and confidence', () => {
  const oneAsk = customer('这批货最快什么时候能到？');
  const twoAsks = call([
    ['c', '这批货最快什么时候能到？'],
    ['r', '我们确认一下排产。'],
    ['c', '交期能不能再提前一点？'],
  ]);
  const threeAsks = call([
    ['c', '这批货最快什么时候能到？'],
    ['r', '我们确认一下排产。'],
    ['c', '交期能不能再提前一点？'],
    ['r', '我尽量。'],
    ['c', '月底之前一定要到货啊，不然我们停线。'],
  ]);

  it('counts distinct customer turns as mentions and raises confidence with each', () => {
    const [a] = detectConcerns(oneAsk);
    const [b] = detectConcerns(twoAsks);
    const [c] = detectConcerns(threeAsks).filter((x) => x.code === 'delivery_supply');
    expect([a?.mentions, b?.mentions, c?.mentions]).toEqual([1, 2, 3]);
    expect(a!.confidence).toBeCloseTo(0.6, 5);
    expect(b!.confidence).toBeCloseTo(0.84, 5);
    expect(c!.confidence).toBeGreaterThan(b!.confidence);
    expect(c!.confidence).toBeLessThanOrEqual(0.99);
  });

  it('consecutive segments of the same speaker are one turn', () => {
    const segs = customer('交期多久？', '现货有吗？');
    const [d] = detectConcerns(segs);
    expect(d?.mentions).toBe(1);
    expect(d?.evidence).toHaveLength(1);
  });

  it('a single weak mention is below the threshold; a repeated one is reported', () => {
    expect(detectConcerns(customer('价格方面呢？'))).toEqual([]);
    const segs = call([
      ['c', '价格方面呢？'],
      ['r', '我们有几个档次。'],
      ['c', '那报价大概多少？'],
    ]);
    const [p] = detectConcerns(segs);
    expect(p).toMatchObject({ code: 'price_budget', mentions: 2, confidence: 0.51 });
  });

  it('a concern marker turns a weak topic word into a strong mention', () => {
    expect(codes(customer('我们主要是担心稳定性'))).toEqual(['product_fit']);
  });

  it('caps at 0.99, keeps at most 5 evidence items, and sorts concerns by confidence', () => {
    const turns: Array<['r' | 'c', string]> = [];
    for (let i = 0; i < 8; i++) {
      turns.push(['c', `第${i + 1}次问了，交期到底多久？`]);
      turns.push(['r', '我们在确认。']);
    }
    turns.push(['c', '另外价格太贵了。']);
    const out = detectConcerns(call(turns));
    expect(out.map((c) => c.code)).toEqual(['delivery_supply', 'price_budget']);
    expect(out[0]!.confidence).toBe(0.99);
    expect(out[0]!.mentions).toBe(8);
    expect(out[0]!.evidence).toHaveLength(5);
    for (let i = 1; i < out.length; i++) expect(out[i - 1]!.confidence).toBeGreaterThanOrEqual(out[i]!.confidence);
  });

  it('minConfidence can be overridden per call', () => {
    expect(codes(customer('价格方面呢？'), { minConfidence: 0.2 })).toEqual(['price_budget']);
  });
});

describe('evidence', () => {
  it('quotes are verbatim substrings of the segment with interpolated times', () => {
    const text = '你好。这批货最快什么时候能到？我们月底要用。';
    const segs: Segment[] = [{ speaker: 'B', role: 'customer', start: 10, end: 20, text }];
    const [d] = detectConcerns(segs);
    expect(d?.code).toBe('delivery_supply');
    const ev = d!.evidence[0]!;
    expect(ev.speaker).toBe('customer');
    expect(ev.quote).toBe('这批货最快什么时候能到？');
    expect(text.includes(ev.quote)).toBe(true);
    const qs = text.indexOf(ev.quote);
    expect(ev.start).toBeCloseTo(10 + (10 * qs) / text.length, 2);
    expect(ev.end).toBeCloseTo(10 + (10 * (qs + ev.quote.length)) / text.length, 2);
    expect(ev.start).toBeGreaterThanOrEqual(10);
    expect(ev.end).toBeLessThanOrEqual(20);
  });

  it('widens a very short clause to its sentence, and keeps the original (full-width) text', () => {
    const text = 'ＯＫ，那交期呢？';
    const [d] = detectConcerns([{ speaker: 'B', role: 'customer', start: 0, end: 2, text }]);
    expect(d?.evidence[0]?.quote).toBe('ＯＫ，那交期呢？');
  });

  it('every quote of every concern in the dev set is a substring of its segment text', () => {
    for (const ex of DEV_EXAMPLES) {
      const segs = call(ex.turns);
      for (const c of detectConcerns(segs)) {
        expect(c.evidence.length).toBeGreaterThan(0);
        for (const ev of c.evidence) {
          const seg = segs.find((s) => s.role === 'customer' && s.text.includes(ev.quote) && ev.start >= s.start && ev.end <= s.end);
          expect(seg, `${ex.id}: ${ev.quote}`).toBeDefined();
          expect(ev.quote).toBe(ev.quote.trim());
          expect(ev.quote.length).toBeGreaterThan(0);
        }
      }
    }
  });

  it('cuts a very long unpunctuated clause to a window around the trigger', () => {
    const text = '嗯'.repeat(300) + '交期太长了' + '啊'.repeat(300);
    const [d] = detectConcerns([{ speaker: 'B', role: 'customer', start: 0, end: 60, text }]);
    const q = d!.evidence[0]!.quote;
    expect(q.length).toBeLessThanOrEqual(160);
    expect(q).toContain('交期太长');
    expect(text.includes(q)).toBe(true);
  });

  it('lists the strongest evidence first', () => {
    const segs = call([
      ['c', '价格方面呢？'],
      ['r', '...'],
      ['c', '太贵了，便宜点吧。'],
    ]);
    const [p] = detectConcerns(segs);
    expect(p?.evidence.map((e) => e.quote)).toEqual(['太贵了，便宜点吧。', '价格方面呢？']);
  });
});

describe('implicit phrasings per code', () => {
  it.each([
    ['上一家拖了我们两个月', 'delivery_supply'],
    ['春节前备货能不能跟上？', 'delivery_supply'],
    ['Our last supplier was two months late.', 'delivery_supply'],
    ['We need them by the end of the month, can you ship by then?', 'delivery_supply'],
    ['这个价我们老板肯定接受不了，预算就这么多', 'price_budget'],
    ['我们老板比较抠', 'price_budget'],
    ['That is way over our budget.', 'price_budget'],
    ['XX公司才报八千', 'competitor'],
    ['我们也在跟另外两家谈', 'competitor'],
    ["We're also talking to a few other suppliers.", 'competitor'],
    ['我们的配方数据会不会泄露出去', 'security_compliance'],
    ['信息中心那边要审', 'security_compliance'],
    ['Where would our data be hosted?', 'security_compliance'],
    ['换的时候会不会耽误生产', 'implementation_risk'],
    ['跟我们的用友ERP怎么对接', 'implementation_risk'],
    ['How long does it take to get up and running?', 'implementation_risk'],
    ['老板那边还要过一下', 'decision_process'],
    ['这个得上会讨论', 'decision_process'],
    ["It's not my decision, my director has to sign off.", 'decision_process'],
    ['集团现在要求关键设备自主可控', 'domestic_substitution'],
    ['国产的稳不稳定', 'domestic_substitution'],
    ['你们在本地有人吗', 'service_support'],
    ['半夜停机了找谁', 'service_support'],
    ['Last time it took them a week to send someone.', 'service_support'],
    ['这钱花下去多久能回来', 'roi_value'],
    ['到底能帮我们省多少人工', 'roi_value'],
    ['How long until this pays for itself?', 'roi_value'],
    ['合同还有一年才到期', 'switching_cost'],
    ['我们去年刚上的MES', 'switching_cost'],
    ["We're locked in until next year.", 'switching_cost'],
    ['能不能验收后再付款', 'contract_terms'],
    ['要是延期了怎么赔', 'contract_terms'],
    ['Can we do net 60?', 'contract_terms'],
    ['能不能按我们的图纸改', 'product_fit'],
    ['我们这种工况能不能扛得住', 'product_fit'],
    ['Can it be customized to our drawings?', 'product_fit'],
  ])('"%s" → %s', (text, code) => {
    expect(codes(customer(text))).toEqual([code]);
  });
});

describe('near-miss pairs land in the right code', () => {
  it.each([
    // price_budget vs roi_value vs contract_terms
    ['太贵了', 'price_budget'],
    ['多久能回本', 'roi_value'],
    ['值不值这个价', 'roi_value'],
    ['账期能不能长一点', 'contract_terms'],
    ['能不能分期付款', 'contract_terms'],
    ['说实话价格不是关键，关键是能帮我们省多少人工', 'roi_value'],
    // implementation_risk vs switching_cost
    ['切换的时候要停产几天', 'implementation_risk'],
    ['现有的系统怎么办', 'switching_cost'],
    ['Migrating our legacy data worries me.', 'switching_cost'],
    ['How much downtime will the cutover need?', 'implementation_risk'],
    // competitor vs price_budget
    ['别家报价比你们低', 'competitor'],
    ['你们比别家贵了不少', 'competitor'],
    ['Your competitor is cheaper.', 'competitor'],
    ['能不能再便宜点', 'price_budget'],
    // product_fit vs implementation_risk
    ['能不能兼容我们现有的PLC', 'product_fit'],
    ['跟我们的MES对接要多久', 'implementation_risk'],
    ['Does it support Profinet?', 'product_fit'],
    ['Can you integrate with our SAP?', 'implementation_risk'],
    // service_support vs delivery_supply
    ['备件有没有库存？坏了以后工程师多久能到？', 'service_support'],
    ['这批货多久能到', 'delivery_supply'],
    ['设备坏了多久能到现场', 'service_support'],
  ])('"%s" → %s', (text, code) => {
    expect(codes(customer(text))).toEqual([code]);
  });

  it('does not fire on look-alike words', () => {
    expect(raised('贵公司主要做哪些产品？')).toEqual([]);
    expect(raised('出售后的货款怎么算')).not.toContain('service_support');
    expect(raised('这回本来想问问你们')).toEqual([]);
    expect(raised('你们的对接人是谁')).toEqual([]);
    expect(raised('Prices across the board went up')).not.toContain('decision_process');
  });
});

describe('English token boundaries', () => {
  it('"cost" does not match inside "customer", "shipment" not inside "relationship"', () => {
    expect(raised('Our customer relationship team will call you.')).toEqual([]);
    expect(raised('The costume party was fun.')).toEqual([]);
  });
  it('matches whole words, phrases across hyphens and prefix terms', () => {
    expect(raised('What about the cost?')).toEqual(['price_budget']);
    expect(raised('What is your lead-time?')).toEqual(['delivery_supply']);
    expect(raised('Any discounts for volume?')).toEqual(['price_budget']);
    expect(raised('Do you offer ＤＩＳＣＯＵＮＴＳ?')).toEqual(['price_budget']);
  });
});

describe('mixed Chinese and English', () => {
  it('finds English terms inside Chinese sentences and vice versa', () => {
    expect(codes(customer('你们的lead time是多少？MOQ能不能低一点？'))).toEqual(['delivery_supply']);
    expect(codes(customer('这个ROI怎么算？', '多久能回本？'))).toEqual(['roi_value']);
    expect(codes(customer('We need 等保 level 3 compliance.'))).toEqual(['security_compliance']);
  });
});

describe('output shape', () => {
  it('labels are "zh / en" and suggestions follow the transcript language', () => {
    const [zh] = detectConcerns(customer('交期太长了，能不能快点？'));
    expect(zh?.label).toBe('供应链焦虑 / supply-chain anxiety');
    expect(zh?.suggestion).toMatch(/分批交付/);
    const [en] = detectConcerns(customer('The lead time is too long.'));
    expect(en?.suggestion).toMatch(/phased delivery/);
    const [forced] = detectConcerns(customer('交期太长了'), { language: 'en' });
    expect(forced?.suggestion).toMatch(/phased delivery/);
  });
});

describe('taxonomy', () => {
  it('the built-in taxonomy is valid and has the 12 design codes with suggestions', () => {
    const t = taxonomySchema.parse(builtinTaxonomy);
    expect(t.codes.map((c) => c.code).sort()).toEqual(
      [
        'delivery_supply', 'price_budget', 'competitor', 'security_compliance', 'implementation_risk', 'decision_process',
        'domestic_substitution', 'service_support', 'roi_value', 'switching_cost', 'contract_terms', 'product_fit',
      ].sort(),
    );
    for (const c of t.codes) {
      expect(c.suggestion.zh.length).toBeGreaterThan(10);
      expect(c.suggestion.en.length).toBeGreaterThan(10);
      const n = (c.triggers.zh?.strong?.length ?? 0) + (c.triggers.zh?.weak?.length ?? 0) + (c.triggers.en?.strong?.length ?? 0) + (c.triggers.en?.weak?.length ?? 0);
      expect(n, c.code).toBeGreaterThanOrEqual(30);
    }
  });

  it('a tenant-added code and a tenant trigger on a built-in code both work', () => {
    const merged = mergeTaxonomy(builtinTaxonomy, {
      codes: [
        {
          code: 'cold_chain',
          label: { zh: '冷链顾虑', en: 'cold-chain concern' },
          suggestion: { zh: '提供全程温控记录与冷链物流方案。', en: 'Share temperature logs and the cold-chain plan.' },
          triggers: { zh: { strong: ['冷链', '温控'] }, en: { strong: ['cold chain'] } },
          patterns: { zh: { strong: ['(运输|路上).{0,4}(化了|变质|温度)'] } },
        },
      ],
      extend: {
        delivery_supply: { triggers: { zh: { strong: ['船期'] } } },
        cold_chain: { triggers: { en: { weak: ['reefer'] } } },
      },
    });
    expect(codes(customer('冷链能不能保证？'), { taxonomy: merged })).toEqual(['cold_chain']);
    expect(codes(customer('夏天运输路上会不会化了'), { taxonomy: merged })).toEqual(['cold_chain']);
    expect(codes(customer('船期确定了吗'), { taxonomy: merged })).toEqual(['delivery_supply']);
    // the built-in taxonomy is not modified
    expect(codes(customer('船期确定了吗'))).toEqual([]);
    expect(merged.codes.find((c) => c.code === 'cold_chain')?.triggers.en?.weak).toEqual(['reefer']);
  });

  it('rejects an unknown code in a tenant trigger addition, naming it', () => {
    expect(() => mergeTaxonomy(builtinTaxonomy, { extend: { delivery_supplyy: { triggers: { zh: { strong: ['到港'] } } } } })).toThrow(
      /unknown concern code "delivery_supplyy"/,
    );
    try {
      mergeTaxonomy(builtinTaxonomy, { extend: { no_such_code: { triggers: { en: { weak: ['x'] } } } } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TaxonomyError);
      expect((err as TaxonomyError).issues[0]?.path).toBe('extend.no_such_code');
    }
  });

  it('rejects malformed tenant additions with the field named', () => {
    const base = {
      code: 'x_code',
      label: { zh: '某', en: 'x' },
      suggestion: { zh: '某某', en: 'xx' },
      triggers: { zh: { strong: ['某某'] } },
    };
    expect(() => mergeTaxonomy(builtinTaxonomy, { codes: [{ ...base, code: 'price_budget' }] })).toThrow(/already exists/);
    expect(() => mergeTaxonomy(builtinTaxonomy, { codes: [{ ...base, code: 'Bad Code' }] })).toThrow(/codes\.0\.code/);
    expect(() => mergeTaxonomy(builtinTaxonomy, { codes: [{ ...base, patterns: { zh: { strong: ['(unclosed'] } } }] })).toThrow(
      /invalid regular expression/,
    );
    expect(() => mergeTaxonomy(builtinTaxonomy, { codes: [{ ...base, triggers: {} }] })).toThrow(/no triggers/);
    expect(() => mergeTaxonomy(builtinTaxonomy, { extend: { price_budget: { triggerz: {} } } })).toThrow(TaxonomyError);
    expect(() => validateTaxonomy({ version: '1', codes: [base, base] })).toThrow(/duplicate concern code/);
  });

  it('a custom taxonomy can change weights and the threshold', () => {
    const t: Taxonomy = { ...builtinTaxonomy, weights: { strong: 0.9, weak: 0.5 }, minConfidence: 0.45 };
    const [d] = detectConcerns(customer('交期多久？'), { taxonomy: t });
    expect(d?.confidence).toBe(0.9);
    expect(codes(customer('价格方面呢？'), { taxonomy: t })).toEqual(['price_budget']);
  });
});

describe('performance', () => {
  it('analyses a 1,000-segment Chinese transcript in a few tens of milliseconds', () => {
    warmUpConcernEngine();
    const lines: Array<['r' | 'c', string]> = [
      ['r', '王总您好，我是华工自动化的小张，上次展会上聊过。'],
      ['c', '对对，我记得。我们今年新建了一条产线，在选型。'],
      ['c', '我们之前一直用的是进口的，但是这两年交期太不稳定了。'],
      ['r', '理解，我们国产的现在性能已经差不多了。'],
      ['c', '性能我倒不是特别担心，主要是稳定性，停一次损失很大。'],
      ['c', '你们售后响应怎么样，出了问题多久能到？'],
      ['r', '我们东莞有办事处，两个小时内到现场。'],
      ['c', '八千有点贵啊，别家给我们报的才六千五。'],
      ['c', '行，你先出个方案，我回去跟老板汇报一下，付款一般是月结六十天。'],
      ['c', '嗯，那个，我们这边再看看吧。'],
    ];
    const segs = call(Array.from({ length: 1000 }, (_, i) => lines[i % lines.length]!));
    // Speed is measured by bench/analysis.ts; here only that a 1,000-segment call is analysed whole.
    const found = detectConcerns(segs);
    expect(found.map((c) => c.code)).toEqual(expect.arrayContaining(['price_budget', 'competitor']));
  });
});

// ---------------------------------------------------------------------------------------------
// Generalised phenomena (each rule with hand-written sentences of its own, not eval sentences).
// `reported` = codes at the default threshold, i.e. what a user of the engine would see.
const reported = (text: string): string[] => codes(customer(text));

describe('delivery_supply: implicit families and term anchors', () => {
  it.each([
    ['万一这批钢材到时候没送到，我们整个车间都得停下来', 'goods not arriving, as a condition'],
    ['上回那批货在海关扣了五天', 'goods held up on the way'],
    ['你们的设备比约定的迟了一个多月', 'goods late by a stated time'],
    ['能不能分三批发，工地堆不下', 'staged delivery'],
    ['能不能先给我们运一部分过来', 'part shipment first'],
    ['节前必须到货，不然来不及', 'a date and a firm arrival demand'],
    ['现在市场上都订不到货', 'unobtainable goods'],
    ['你们得保证我们的供应', 'securing our supply'],
    ['怕到时候你们又说断货', 'fear of being told it ran out'],
    ['去年限电那阵子我们差点断了原料', 'supply curtailment'],
    ['Last year the resin got stuck at customs for two weeks', 'goods held at customs'],
    ['I need to know when the parts arrive, our line starts on the 3rd', 'when the goods move'],
    ['Can you ship the first pallets by air?', 'expediting by air'],
    ['Four weeks is a bit tight for us', 'a lead time that is tight'],
  ])('"%s" → delivery_supply (%s)', (text) => {
    expect(reported(text)).toEqual(['delivery_supply']);
  });

  it.each([
    ['货款晚了两天才到', []],
    ['按月交钱就行', []],
    ['我们先交一部分定金', ['contract_terms']],
    ['我们的现款现货政策今年不变', ['contract_terms']],
    ['We need the proposal by Monday', []],
    ['Claims must be filed within ten days of delivery', ['contract_terms']],
    ['Payment is due sixty days after delivery to our warehouse', []],
  ])('"%s" is a payment or document matter, not supply → %j', (text, want) => {
    expect(reported(text)).toEqual(want);
  });
});

describe('price_budget: price pressure families', () => {
  it.each([
    '你们起码得跟那家一个价吧',
    '返利你们才给两个点，太少了',
    '五个点说不过去',
    '三百箱的门槛太高了',
    '陈列费你们能不能承担一半',
    '预算只能出十五万',
    "We can't justify paying a premium for features we won't use",
    'You need to get within five percent of them',
    'The total is higher than we budgeted',
    "Can you hold last year's pricing?",
  ])('"%s" → price_budget', (text) => {
    expect(reported(text)).toContain('price_budget');
  });

  it.each([
    '技术门槛太高了',
    '光是模具费就二十万',
    '成本部和财务部都在',
    'Demand is higher than we expected this quarter',
    '我们在谈进场费怎么开票',
  ])('"%s" is not a price complaint', (text) => {
    expect(reported(text)).not.toContain('price_budget');
  });
});

describe('competitor: rival quotes and dismissed rivals', () => {
  it.each([
    ['We got a quote from a Korean manufacturer last week', ['competitor']],
    ["They're about ten percent below your quote", ['competitor']],
    ['我们也在跟另外两家谈', ['competitor']],
  ])('"%s" → %j', (text, want) => {
    expect(reported(text)).toEqual(want);
  });

  it.each(['其他家的方案我们根本没考虑', '别的厂家我们从来没找过', '要跟原来用的进口货做对比测试', '对比数据下周出来'])(
    '"%s" raises no competitor',
    (text) => {
      expect(reported(text)).not.toContain('competitor');
    },
  );
});

describe('security_compliance: registrations, licences and document completeness', () => {
  it.each([
    '你们的医疗器械注册证还在有效期吗',
    '危化品运输的资质齐不齐',
    '证件都齐了吗',
    '生产许可证复印件发我一份',
    'Do you have an SDS for this grade?',
    'Is it registered under REACH?',
    'We need a food contact declaration for the film',
  ])('"%s" → security_compliance', (text) => {
    expect(reported(text)).toContain('security_compliance');
  });

  it.each(['保证货都齐', 'The robot has a reach of 1.2 metres', '老板管得很严'])('"%s" raises no compliance concern', (text) => {
    expect(reported(text)).not.toContain('security_compliance');
  });
});

describe('implementation_risk: rollout families; stage nouns alone are weak', () => {
  it.each([
    '我们这边上线要边营业边切换',
    '要跟我们的WMS系统打通',
    '车间的人搞不定这种设备',
    '装机调试要多久',
    '万一调试不出来怎么办',
  ])('"%s" → implementation_risk', (text) => {
    expect(reported(text)).toContain('implementation_risk');
  });

  it.each([
    ['调试完付尾款', ['contract_terms']],
    ['带个调试电脑过来看看', []],
    ['跟你们平台的人对接一下', []],
    ['去年停线三周，就是因为缺料', ['delivery_supply']],
    ['培训了二十多年的老师傅', []],
    ['这个项目是我们的节能改造', []],
    ['新规落地以后价格都乱了', []],
    ['Send me the installation manual', []],
  ])('"%s" → %j (a payment milestone, a past incident, a tool or a document)', (text, want) => {
    expect(reported(text)).toEqual(want);
  });

  it('a stage noun repeated in two turns is still reported', () => {
    expect(codes(call([['c', '调试要派几个人？'], ['r', '两个。'], ['c', '调试期间我们要停产吗，停几天？']]))).toContain('implementation_risk');
  });
});

describe('decision_process: approvals by others, not the rep’s own side', () => {
  it.each([
    '这事得财务部和法务部都签字才行',
    '我们没法自己定供应商，得按集团的名录',
    '还得走一个设计变更',
    'Anything over 20k needs a purchase request signed by the GM',
    "I'll have to put this in front of the board",
    'It has to go through a capex approval first',
  ])('"%s" → decision_process', (text) => {
    expect(reported(text)).toContain('decision_process');
  });

  it.each([
    '你回去请示一下吧',
    '你们先评估，评估完告诉我',
    '价格好商量',
    '国家集采以后价格降得厉害',
    '试点效果好的话明年再说',
    '财务要确认一下这张票能不能入账',
    'The owner will love it',
    'Our headquarters opened a new plant',
  ])('"%s" raises no decision_process', (text) => {
    expect(reported(text)).not.toContain('decision_process');
  });
});

describe('domestic_substitution: localisation targets and domestic-vs-imported reliability', () => {
  it('a local-sourcing mandate and imported-vs-domestic doubts', () => {
    expect(reported('We want to buy from local suppliers instead of imported parts')).toEqual(['domestic_substitution']);
    expect(reported('国产的东西我最怕的就是寿命短')).toEqual(['domestic_substitution']);
  });
  it('reliability framed as domestic-vs-imported is domestic_substitution, not product_fit', () => {
    expect(reported('国产的电机我比较担心的还是可靠性')).toEqual(['domestic_substitution']);
  });
  it('a neutral statement of origin is not a concern', () => {
    expect(reported('都是国产的原料')).toEqual([]);
  });
});

describe('service_support: dispatch limits, resident staff and recurring training', () => {
  it.each([
    '能不能两小时内派工程师上门',
    '新来的护士每半年都要培训一次',
    '最好给我们配个常驻工程师',
    'We need training for new hires every quarter',
    'Can you keep a loaner unit at our site?',
  ])('"%s" → service_support', (text) => {
    expect(reported(text)).toContain('service_support');
  });
  it("the customer's own maintenance staff are not a service request", () => {
    expect(reported('我们的维修工自己能换')).toEqual([]);
  });
});

describe('roi_value: money feared wasted, no visible result, payback counts', () => {
  it.each([
    '花了三十万，要是没效果那不就白扔了',
    '试了半年也没感觉有啥变化',
    '一个月用不了几次，买来干嘛',
    '得卖多少箱才能把进场费挣回来',
    '投了钱却没收益',
    '新品进来会不会只是把原来的销量分走',
  ])('"%s" → roi_value', (text) => {
    expect(reported(text)).toEqual(['roi_value']);
  });

  it.each(['这个条款谈不拢后面都白费', '两家的东西没什么区别', '这机器用不了几次就坏了', '有没有在高层建筑上用过的案例'])(
    '"%s" raises no roi_value',
    (text) => {
      expect(reported(text)).not.toContain('roi_value');
    },
  );
});

describe('switching_cost: what leaving the incumbent costs', () => {
  it.each([
    '换一家的话，模具全得重新开',
    '换成你们的，我们得重新走一遍认证',
    '这台压机才用了不到一年',
    '现在的库存得先用完才能切',
    '仓库里的那些老配件都成了废品',
    '量要是分给你们，我们年底的返点就拿不到了',
    '跟老供应商签的框架协议到年底',
    '要是换了，去年的投入就白扔了',
    '换供应商哪有那么容易',
  ])('"%s" → switching_cost', (text) => {
    expect(reported(text)).toContain('switching_cost');
  });

  it.each([
    ['这批货质量不行，都得重新做', 'a rework'],
    ['这台压机用了不到一年就坏了', 'an early failure'],
    ['买回来变成摆设', 'an unused purchase'],
    ['我们现在用的是德国的牌子', 'naming the incumbent only'],
    ['We need the migration test results for the film', 'chemical migration'],
  ])('"%s" is not a switching cost (%s)', (text) => {
    expect(reported(text)).not.toContain('switching_cost');
  });

  it('money spent on the incumbent and wasted by switching is switching_cost, not roi_value', () => {
    expect(reported('前年刚买的设备，现在换掉，这钱不就白花了')).toEqual(['switching_cost']);
  });
});

describe('contract_terms: returns, written conditions, exit rights, claim windows', () => {
  it.each([
    '卖不完的能不能退',
    '把这一条写入合同',
    '我们要有权随时终止合同',
    '质量异议要在七天内提出，太短了',
    '农户都是赊账的，现款现货我们做不到',
  ])('"%s" → contract_terms', (text) => {
    expect(reported(text)).toContain('contract_terms');
  });
  it('a return as an event is not a term being negotiated', () => {
    expect(reported('上周那张退货单你补一下')).toEqual([]);
    expect(reported('终端客户退货了')).toEqual([]);
  });
});

describe('product_fit: stated limits, operating conditions, drop-in checks, taste and size', () => {
  it.each([
    '你们这个型号的高度不能超过五十毫米',
    '涂层厚度要控制在二十微米以内',
    '硬度够不够',
    '在零下三十度的冷库里能用吗',
    '会不会跟我们现在用的胶水起反应',
    '封装跟原来那颗一样吗',
    '大货能不能保持打样的水平',
    '这个口味太咸了',
    '五百克一袋有点大',
    '能不能满足我们的精度要求',
    'Is the coating resistant to salt spray?',
    'The gap needs to be under three millimetres',
  ])('"%s" → product_fit', (text) => {
    expect(reported(text)).toContain('product_fit');
  });

  it.each([
    '你们能不能做到每周拜访一次',
    '能不能改成月结',
    '会不会跟我们的排期冲突',
    '年底的任务量达不到怎么办',
    '换规格的时候谁来调',
    '质量协议下周签',
    '有信创适配证明吗',
    '我们资金压力多大你知道吗',
    '生意太淡了',
    'It is a pin-compatible part',
    'Our reliability engineers will review it',
    'It must be at least ten percent cheaper',
  ])('"%s" raises no product_fit', (text) => {
    expect(reported(text)).not.toContain('product_fit');
  });
});

describe('negation and dismissal: rhetorical forms, worry synonyms, anaphoric dismissals', () => {
  it('rhetorical 不就/岂不 and "does not follow" forms are not negations', () => {
    expect(reported('那三十万岂不是打水漂了')).toEqual(['roi_value']);
    expect(reported('展会上反响好不代表卖得动')).toEqual(['roi_value']);
    expect(reported('好评多不等于卖得动')).toEqual(['roi_value']);
  });

  it('worry synonyms and "we checked it, fine" clauses dismiss the topic', () => {
    expect(reported('售后这块从来不用我们操心')).toEqual([]);
    expect(reported('交期这块你们一直没让人费过心')).toEqual([]);
    expect(reported('样品我们测过了，挺好')).toEqual([]);
    expect(reported('参数我们都看过了，没问题')).toEqual([]);
    expect(reported('交期我们看过了，太长')).toEqual(['delivery_supply']);
  });

  it('an anaphoric dismissal clause dismisses the one or two clauses before it', () => {
    expect(reported('付款方式按老规矩，这都没问题')).toEqual([]);
    expect(reported('交期四周，我们排得开，这个不是问题。')).toEqual([]);
    expect(reported('The lead time is six weeks, that\'s fine')).toEqual([]);
    const e = explainConcerns(customer('付款方式按老规矩，这都没问题')).find((x) => x.matched === '付款方式');
    expect(e?.negation).toMatchObject({ negated: true, where: 'carried' });
  });

  it('not when the dismissal is a question, comes after a contrast marker, or is far away', () => {
    expect(reported('交期四周，这个没问题吧？')).toEqual(['delivery_supply']);
    expect(reported('价格贵了点，但是这个没问题')).toEqual(['price_budget']);
    expect(reported('交期六周。我们下周开会。这个没问题')).toEqual(['delivery_supply']);
  });
});

describe('pattern prefilter (required literals)', () => {
  it('reads mandatory literal runs and all-literal groups, skipping optional parts', () => {
    expect(requiredLiterals('(白花|白扔)了?')).toEqual(['白花', '白扔']);
    expect(requiredLiterals('先(给我们)?(送|发)')).toEqual(['先']);
    expect(requiredLiterals(String.raw`\bwhen (it|they) (ships?|lands?)`)).toEqual(['when ']);
    expect(requiredLiterals('(?<![款钱])(没到|到不了)')).toEqual(['没到', '到不了']);
    expect(requiredLiterals(String.raw`(合同|协议).{0,8}(还有|剩)(\d+)`)).toEqual(['合同', '协议']);
    expect(requiredLiterals(String.raw`\bAUDIT (is|was) due`)).toEqual(['audit ']);
  });
  it('gives no prefilter when a literal is not guaranteed', () => {
    expect(requiredLiterals('x|y')).toBeUndefined();
    expect(requiredLiterals('(a|b.c)?d*')).toBeUndefined();
    expect(requiredLiterals('[甲乙]+(丙)?')).toBeUndefined();
    expect(requiredLiterals('(É|é)t')).toEqual(['t']);
  });
  it('finds exactly the matches of running every pattern', () => {
    const c = compileTaxonomy(builtinTaxonomy);
    const key = (code: string, src: string, s: number, e: number) => `${code}|${src}|${s}|${e}`;
    const corpus = [
      ...DEV_EXAMPLES.flatMap((e) => e.turns.map((t) => t[1])),
      '上回那批货在海关扣了五天，万一这次又没送到怎么办？',
      'Last year the resin got stuck at customs; can you ship by air and tell me when it arrives?',
      '你们这个型号的高度不能超过五十毫米，涂层厚度要控制在二十微米以内。',
      '换一家的话，模具全得重新开；那三十万岂不是打水漂了。',
    ].map(normalizeText);
    for (const text of corpus) {
      const got = findRawMatches(c, text)
        .filter((m) => m.entry.kind === 'pattern')
        .map((m) => key(m.entry.code, m.entry.source, m.start, m.end))
        .sort();
      const want: string[] = [];
      const lists = [...(/[\u4e00-\u9fff]/.test(text) ? c.hanPatterns : []), ...(/[a-z]/.test(text) ? c.latinPatterns : [])];
      for (const p of lists) {
        p.re.lastIndex = 0;
        let m: RegExpExecArray | null;
        while ((m = p.re.exec(text)) !== null) want.push(key(p.entry.code, p.entry.source, m.index, m.index + m[0].length));
      }
      expect(got).toEqual(want.sort());
    }
  });
});

import { describe, expect, it } from 'vitest';
import { extractiveSummary, findNextSteps } from '../../src/analysis/summary.js';
import type { Role, Segment } from '../../src/analysis/types.js';

const call = (rows: [Role, number, number, string][]): Segment[] =>
  rows.map(([role, start, end, text]) => ({ speaker: role === 'rep' ? 'S1' : 'S2', role, start, end, text }));

/** A Chinese discovery call: MES software for a factory. */
const zhCall = call([
  ['rep', 0, 6, '喂，您好，我是华东区的销售小王，上次展会上加过您微信。'],
  ['customer', 6.5, 9, '哦，你好你好，记得记得。'],
  ['rep', 9.5, 20, '今天主要想跟您聊一下我们新出的这款 MES 系统，看看能不能帮到你们工厂。'],
  ['customer', 20.5, 35, '我们现在主要的问题是排产靠人工，经常出错，交期老是拖，客户投诉很多。'],
  ['rep', 35.5, 40, '明白，那你们现在一个月大概多少订单？'],
  ['customer', 40.5, 50, '差不多三四百单吧，旺季更多。我们比较担心的是上线周期，不能影响现在的生产。'],
  ['rep', 50.5, 65, '这个您放心，我们一般分阶段上线，先从一条产线试点，大概六到八周，不会停产。'],
  ['customer', 65.5, 78, '价格方面呢？我们今年预算比较紧，领导那边对价格很敏感。'],
  ['rep', 78.5, 90, '价格我们可以按模块来报，您先用核心的排产模块，后面再扩展。'],
  ['customer', 90.5, 100, '另外数据安全也是个问题，我们的数据必须放在本地服务器上，不能上云。'],
  ['rep', 100.5, 108, '没问题，我们支持私有化部署，很多客户都是这么用的。'],
  ['customer', 108.5, 118, '那你们能不能先安排一次演示？我想让生产经理也一起看看。'],
  ['rep', 118.5, 130, '可以的，那我们下周三下午安排一次线上演示，我这边把会议链接发给您。'],
  ['customer', 130.5, 135, '好的，下周三下午可以。'],
  ['rep', 135.5, 146, '另外我明天上午先把报价单和案例资料发给您，您可以先跟领导汇报一下。'],
  ['customer', 146.5, 156, '行，我收到报价以后跟领导汇报一下，月底之前给你们答复。'],
  ['rep', 156.5, 160, '好的，那就这么定了，谢谢王总。'],
  ['customer', 160.5, 162, '好，再见。'],
]);

/** An English call: warehouse scanners for a distributor. */
const enCall = call([
  ['rep', 0, 5, 'Hi Sarah, thanks for taking the time today.'],
  ['customer', 5.5, 8, 'Sure, happy to chat.'],
  ['rep', 8.5, 18, 'I wanted to understand how your team handles inventory planning right now.'],
  ['customer', 18.5, 35, "Honestly it's mostly spreadsheets. We need something that integrates with our ERP, and our biggest concern is the lead time on hardware."],
  ['rep', 35.5, 45, 'That makes sense. Our scanners are in stock in the Chicago warehouse, so delivery is usually within five business days.'],
  ['customer', 45.5, 55, 'Okay. What about pricing for around two hundred units?'],
  ['rep', 55.5, 65, "For that volume we can offer a tiered discount. I'll send over the revised quote by Friday."],
  ['customer', 65.5, 78, "Great. Budget approval has to go through our CFO, so I'll need a one-page ROI summary as well."],
  ['rep', 78.5, 88, "No problem, I'll include the ROI summary with the quote."],
  ['customer', 88.5, 95, 'Can we also do a trial at one site before we commit?'],
  ['rep', 95.5, 108, "Absolutely. Let's schedule a demo for next Tuesday at 2pm with your ops team, and we can set up a two-week pilot after that."],
  ['customer', 108.5, 115, "Sounds good. I'll loop in our IT lead and get back to you by end of next week."],
  ['rep', 115.5, 118, 'Perfect, talk soon.'],
]);

const transcript = (segments: Segment[]): string => segments.map((s) => s.text).join('\n');
const zhSentences = (s: string): string[] => s.match(/[^。！？]+[。！？]/g) ?? [];
const enSentences = (s: string): string[] => s.match(/[^.!?]+[.!?]/g)?.map((x) => x.trim()) ?? [];

describe('extractiveSummary', () => {
  it('summarises a Chinese call with the customer’s needs and the rep’s commitments, in call order', () => {
    const summary = extractiveSummary(zhCall);
    const sentences = zhSentences(summary);
    expect(sentences.length).toBeGreaterThanOrEqual(3);
    expect(sentences.length).toBeLessThanOrEqual(5);
    expect(summary).toContain('我们现在主要的问题是排产靠人工，经常出错，交期老是拖，客户投诉很多。');
    expect(summary).toContain('我们今年预算比较紧，领导那边对价格很敏感。');
    expect(summary).toContain('那我们下周三下午安排一次线上演示，我这边把会议链接发给您。');
    // Greetings and small talk stay out; the leading "可以的，" acknowledgement is dropped.
    expect(summary).not.toContain('您好');
    expect(summary).not.toContain('再见');
    expect(summary).not.toContain('可以的，');
    // Every sentence comes from the transcript, in call order, once.
    const text = transcript(zhCall);
    const positions = sentences.map((s) => text.indexOf(s.slice(0, -1)));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(new Set(sentences).size).toBe(sentences.length);
  });

  it('summarises an English call in English', () => {
    const summary = extractiveSummary(enCall);
    const sentences = enSentences(summary);
    expect(sentences.length).toBeGreaterThanOrEqual(3);
    expect(sentences.length).toBeLessThanOrEqual(5);
    expect(summary).toContain(
      'We need something that integrates with our ERP, and our biggest concern is the lead time on hardware.',
    );
    expect(summary).toContain('Budget approval has to go through our CFO');
    expect(summary).toContain("Let's schedule a demo for next Tuesday at 2pm with your ops team");
    expect(summary).not.toMatch(/[\u4e00-\u9fff]/);
    expect(summary).not.toContain('thanks for taking the time');
    const text = transcript(enCall);
    for (const s of sentences) expect(text).toContain(s.replace(/[.!?]$/, ''));
    expect(new Set(sentences).size).toBe(sentences.length);
  });

  it('honours maxSentences and language', () => {
    expect(zhSentences(extractiveSummary(zhCall, { maxSentences: 2 }))).toHaveLength(2);
    expect(enSentences(extractiveSummary(enCall, { maxSentences: 5 }))).toHaveLength(5);
    expect(extractiveSummary(enCall, { maxSentences: 0 })).toBe('');
    // Asking for English on a Chinese call: no English sentences to pick, so Chinese it stays.
    expect(extractiveSummary(zhCall, { language: 'en' })).toBe(extractiveSummary(zhCall));
    // A mixed call: the requested language picks the sentences.
    const mixed = [...zhCall, ...enCall.map((s) => ({ ...s, start: s.start + 200, end: s.end + 200 }))];
    expect(extractiveSummary(mixed, { language: 'en' })).not.toMatch(/[\u4e00-\u9fff]/);
    expect(extractiveSummary(mixed, { language: 'zh' })).toMatch(/[\u4e00-\u9fff]/);
  });

  it('never repeats a sentence', () => {
    const repeated = call([
      ['customer', 0, 5, '交期太长了，我们很担心交期。'],
      ['customer', 5, 10, '交期太长了，我们很担心交期。'],
      ['customer', 10, 15, '嗯，交期太长了，我们很担心交期。'],
      ['rep', 15, 20, '我们明天把备货方案发给您。'],
      ['customer', 20, 25, '预算方面我们也需要再和财务确认。'],
    ]);
    const sentences = zhSentences(extractiveSummary(repeated, { maxSentences: 5 }));
    expect(sentences.filter((s) => s.includes('交期太长了'))).toHaveLength(1);
    expect(new Set(sentences).size).toBe(sentences.length);
  });

  it('is deterministic and pure', () => {
    const copy = zhCall.map((s) => ({ ...s }));
    const a = extractiveSummary(zhCall);
    expect(extractiveSummary(zhCall)).toBe(a);
    expect(extractiveSummary([...zhCall].reverse())).toBe(a); // order comes from the timestamps
    expect(zhCall).toEqual(copy);
  });

  it('returns an empty string for nothing to summarise', () => {
    expect(extractiveSummary([])).toBe('');
    expect(extractiveSummary(call([['rep', 0, 1, '   '], ['customer', 1, 2, '。。']]))).toBe('');
  });
});

describe('findNextSteps', () => {
  it('finds the commitments of a Chinese call, near-verbatim and in call order', () => {
    expect(findNextSteps(zhCall)).toEqual([
      '下周三下午安排一次线上演示，我这边把会议链接发给您',
      '明天上午先把报价单和案例资料发给您，您可以先跟领导汇报一下',
      '客户：我收到报价以后跟领导汇报一下，月底之前给你们答复',
    ]);
  });

  it('finds the commitments of an English call', () => {
    expect(findNextSteps(enCall)).toEqual([
      'Send over the revised quote by Friday',
      'Include the ROI summary with the quote',
      'Schedule a demo for next Tuesday at 2pm with your ops team, and we can set up a two-week pilot after that',
      "Customer: I'll loop in our IT lead and get back to you by end of next week",
    ]);
  });

  it('keeps the original wording (each item is a substring of the transcript)', () => {
    for (const c of [zhCall, enCall]) {
      const text = transcript(c).toLowerCase();
      for (const step of findNextSteps(c)) {
        expect(text).toContain(step.replace(/^(客户：|Customer: )/, '').toLowerCase());
      }
    }
  });

  it.each([
    // [role, sentence, expected items]
    ['rep', '好的，我回头约个时间去现场看看。', ['约个时间去现场看看']],
    ['rep', '3月5号之前我把合同发给您盖章。', ['3月5号之前我把合同发给您盖章']],
    ['rep', '样品就不用寄了，下周直接安排演示吧。', ['下周直接安排演示']], // negated clause skipped
    ['customer', '麻烦明天给我回个电话。', ['客户：麻烦明天给我回个电话']],
    ['customer', '要不要下周三安排个演示？', ['客户：要不要下周三安排个演示']], // a proposal with a time
    ['customer', '你们能提供试用吗？', []], // a question without a time
    ['customer', '你们上次发的报价太贵了。', []], // past
    ['rep', '我们支持私有化部署。', []], // no action
    ['rep', "I'll call you back tomorrow morning.", ['Call you back tomorrow morning']],
    ['customer', 'Please send me the contract by Monday.', ['Customer: Please send me the contract by Monday']],
    ['rep', 'We can start a free trial next Monday if that works, okay?', ['Start a free trial next Monday if that works']],
    ['customer', 'No need to send samples.', []],
    ['rep', 'We sent the contract last week.', []],
    ['rep', 'Let me know what you think.', []],
    ['rep', 'We can meet your requirements on lead time.', []], // "meet" is not a meeting here
    ['rep', "I'll share my screen now.", []],
    ['rep', '好的，我们下周一发货。', ['下周一发货']],
    ['rep', 'We can ship it tomorrow if you confirm today.', ['Ship it tomorrow if you confirm today']],
  ] as [Role, string, string[]][])('%s: %s', (role, text, expected) => {
    expect(findNextSteps([{ speaker: 'x', role, start: 0, end: 1, text }])).toEqual(expected);
  });

  it('de-duplicates, preferring the statement over the question', () => {
    const steps = findNextSteps(
      call([
        ['customer', 0, 3, '下周三能安排演示吗？'],
        ['rep', 3, 6, '好的，下周三下午我们安排演示。'],
        ['rep', 6, 9, '好的，下周三下午我们安排演示。'],
        ['rep', 9, 12, "I'll send the quote tomorrow."],
        ['rep', 12, 15, "Yes, I'll send the quote tomorrow!"],
      ]),
    );
    expect(steps).toEqual(['下周三下午我们安排演示', 'Send the quote tomorrow']);
  });

  it('returns at most 6 items, in call order', () => {
    const rows: [Role, number, number, string][] = [];
    const days = ['周一', '周二', '周三', '周四', '周五', '周六', '周日', '月底'];
    const things = ['报价单', '合同', '样品', '规格书', '案例资料', '测试账号', '会议纪要', '白皮书'];
    days.forEach((d, i) => rows.push(['rep', i * 10, i * 10 + 5, `我${d}把${things[i]}发给您。`]));
    const steps = findNextSteps(call(rows));
    expect(steps.length).toBe(6);
    const order = steps.map((s) => rows.findIndex((r) => r[3].includes(s.slice(-6))));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(new Set(steps).size).toBe(steps.length);
  });

  it('is deterministic and pure', () => {
    const copy = enCall.map((s) => ({ ...s }));
    const a = findNextSteps(enCall);
    expect(findNextSteps(enCall)).toEqual(a);
    expect(findNextSteps([...enCall].reverse())).toEqual(a);
    expect(enCall).toEqual(copy);
    expect(findNextSteps([])).toEqual([]);
  });
});

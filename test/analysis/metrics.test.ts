import { describe, expect, it } from 'vitest';
import { talkMetrics } from '../../src/analysis/metrics.js';
import { countQuestions, isQuestion, splitSentences } from '../../src/analysis/questions.js';
import type { Role, Segment } from '../../src/analysis/types.js';

const seg = (role: Role, start: number, end: number, text = ''): Segment => ({
  speaker: role === 'rep' ? 'S1' : role === 'customer' ? 'S2' : 'S?',
  role,
  start,
  end,
  text,
});

describe('isQuestion: Chinese', () => {
  const table: [string, boolean][] = [
    // sentence-final particles
    ['你们支持定制吗', true],
    ['现在方便说话吗', true],
    ['那售后呢', true],
    ['那你们呢', true],
    ['我们还在考虑呢', false], // declarative 呢
    ['我们正在开会呢', false],
    // 吧: confirmation asks, suggestion/acceptance doesn't
    ['你们是做医疗器械的吧', true],
    ['应该有现货吧', true],
    ['这个不贵吧', true],
    ['对吧', true],
    ['我们下周再聊吧', false],
    ['那就这样吧', false],
    ['好吧', false],
    ['发给我吧', false],
    ['三四百单吧', false],
    // A-not-A
    ['这个价格能不能再便宜一点', true],
    ['有没有现货', true],
    ['可不可以先试用', true],
    ['是不是要先付款', true],
    ['质量好不好', true],
    ['收到了没有', true],
    ['动不动就坏', false], // idiom, not A-not-A
    ['不好意思，刚才信号不好', false],
    ['不管是不是国产，质量要过关', false], // concessive
    ['我看看有没有库存', false], // embedded
    // question words
    ['你们交期多久', true],
    ['多少钱一台', true],
    ['一般几天能到货', true],
    ['为什么比别家贵这么多', true],
    ['为啥这么贵', true],
    ['哪个型号更适合我们', true],
    ['谁来负责实施', true],
    ['如何保证数据安全', true],
    ['是否支持私有化部署', true],
    ['你们是做什么的', true],
    ['这个怎么样', true],
    ['您看什么时候方便', true], // addresses the listener: asks for a time
    ['你们要现货还是期货', true], // alternative question
    ['请问你们在上海有仓库', true],
    ['我想问一下你们的交期', true],
    // indefinite / embedded / idiomatic uses: not questions
    ['什么都可以', false],
    ['我们谁都不认识', false],
    ['没什么问题', false],
    ['价格、交期什么的都谈过了', false],
    ['我不知道怎么说', false],
    ['我也不知道为什么', false],
    ['怎么说呢，价格确实有点高', false],
    ['我们内部商量一下什么时候开始', false],
    ['这就是为什么我们选择你们', false],
    ['哪怕贵一点也没关系', false],
    ['这几天比较忙', false],
    ['过几天再联系', false],
    ['我有几个问题', false],
    ['好几个客户都在用', false],
    ['多多少少会有影响', false],
    ['不管怎么样我们都会支持', false],
    ['价格还是太高了', false], // 还是 = still
    ['我们还是用原来的系统', false],
    ['要不我们下周再约', false], // suggestion
    ['这个问题我们内部讨论过了', false],
  ];
  it.each(table)('%s → %s', (text, expected) => {
    expect(isQuestion(text)).toBe(expected);
  });
});

describe('isQuestion: English', () => {
  const table: [string, boolean][] = [
    ['What is the lead time', true],
    ["What's the lead time on the X200", true],
    ['Where do you ship from', true],
    ['Who handles installation', true],
    ['Which model do you recommend', true],
    ['Okay, so how much does it cost', true],
    ['Right, so when can you start', true],
    ['Do you have it in stock', true],
    ['Does the price include shipping', true],
    ['Have you used a CRM before', true],
    ['Can you send the quote', true], // polite request: counts
    ['Is it possible to get a discount', true],
    ['Is there a discount for volume', true],
    ['Shall we move on', true],
    ['If the price is right, can we sign this month', true],
    ['That works for you, right', true], // tag
    ["It's expensive, isn't it", true], // tag by inversion
    ['Any other questions', true],
    ['How about we schedule a demo next week', true], // decided: suggestion counts
    ['What about the warranty', true],
    ['Let me know what you think', false],
    ['What we need is faster delivery', false], // free relative
    ['When we spoke last week, you mentioned budget', false], // subordinate clause
    ['How much we can discount depends on volume', false],
    ['What a great demo', false], // exclamative
    ["What's more, we offer training", false],
    ['I know what you mean', false],
    ['I was wondering if you could send samples', false], // indirect, no "?"
    ["I'll check with the team, which should take a day", false], // relative clause
    ['When possible, send it over', false],
    ['Do it now', false], // imperative
    ['Have a great weekend', false],
    ['Would love to see a demo', false],
    ['Will do', false],
    ['Could be better', false],
    ["That's right", false],
    ['There is a discount for volume', false],
    ["You know, we're flexible on terms", false],
    ["We'll send it over, okay", false],
    ['We ship from Shenzhen.', false],
    ['Which is why we chose you', false], // continues the previous sentence
    ['Which is the best option for us', true],
    ['Now is a good time', false],
    ['So is the price fixed', true],
  ];
  it.each(table)('%s → %s', (text, expected) => {
    expect(isQuestion(text)).toBe(expected);
  });

  it('trusts a question mark (half- or full-width, before closing quotes)', () => {
    expect(isQuestion('Let me know what you think?')).toBe(true);
    expect(isQuestion('好的？')).toBe(true);
    expect(isQuestion('他说“真的？”')).toBe(true);
  });
});

describe('countQuestions / splitSentences', () => {
  it('splits on 。！？!?.;； and line breaks, keeping decimals and versions whole', () => {
    expect(splitSentences('好的。你们交期多久？价格是3.5万... 我们用 v1.2 版本. Next one? yes!')).toEqual([
      '好的。',
      '你们交期多久？',
      '价格是3.5万...',
      '我们用 v1.2 版本.',
      'Next one?',
      'yes!',
    ]);
    expect(splitSentences('第一句；第二句\n\n第三句')).toEqual(['第一句；', '第二句', '第三句']);
    expect(splitSentences('  。。 ！ ')).toEqual([]);
    expect(splitSentences('')).toEqual([]);
  });

  it('counts one per question sentence, with or without punctuation', () => {
    expect(countQuestions('好的。你们交期多久？价格是3.5万吗\n那售后呢')).toBe(3);
    expect(countQuestions('你们交期多久 我们比较急\n价格呢')).toBe(2); // ASR text without punctuation
    expect(countQuestions('OK. So what is the price? And do you ship to Europe. Thanks!')).toBe(2);
    expect(countQuestions('是不是，是不是？')).toBe(1); // one sentence
    expect(countQuestions('')).toBe(0);
    expect(isQuestion('好的。明白了。')).toBe(false);
  });
});

describe('talkMetrics', () => {
  it('returns zeros for an empty call', () => {
    expect(talkMetrics([])).toEqual({
      durationSec: 0,
      talkRatio: { rep: 0, customer: 0 },
      longestMonologueSec: { rep: 0, customer: 0 },
      repQuestions: 0,
      customerQuestions: 0,
      interactivityPerMin: 0,
      patienceSec: 0,
    });
  });

  it('handles a single segment', () => {
    expect(talkMetrics([seg('rep', 5, 12, 'Hello, can you hear me?')])).toEqual({
      durationSec: 7,
      talkRatio: { rep: 1, customer: 0 },
      longestMonologueSec: { rep: 7, customer: 0 },
      repQuestions: 1,
      customerQuestions: 0,
      interactivityPerMin: 0,
      patienceSec: 0,
    });
    // 'unknown' counts toward duration only.
    expect(talkMetrics([seg('unknown', 0, 4, '喂？')])).toMatchObject({
      durationSec: 4,
      talkRatio: { rep: 0, customer: 0 },
      repQuestions: 0,
      customerQuestions: 0,
    });
  });

  it('call A: plain turn-taking, same-role merging under 2 s', () => {
    const call = [
      seg('rep', 0, 10, '您好，我是小王。'),
      seg('rep', 11, 20, '今天想介绍一下我们的产品。'), // gap 1 s → same turn as 0–10
      seg('customer', 21, 30, '你们交期多久？'),
      seg('rep', 32, 40, '一般两周。'),
      seg('customer', 40.5, 45, '价格能不能便宜点'),
      seg('rep', 46, 60, '可以，我们有折扣。你们大概要多少台？'),
    ];
    // duration 60 − 0 = 60
    // talk: rep 10 + 9 + 8 + 14 = 41; customer 9 + 4.5 = 13.5; rep 41 / 54.5 = 0.7523 → 0.752
    // turns: R[0–20] C[21–30] R[32–40] C[40.5–45] R[46–60] → longest rep 20, customer 9
    // switches 4 in 1 min → 4 / min; patience (32 − 30 + 46 − 45) / 2 = 1.5
    // questions: rep 1 (多少台？), customer 2 (交期多久？, 能不能…)
    expect(talkMetrics(call)).toEqual({
      durationSec: 60,
      talkRatio: { rep: 0.752, customer: 0.248 },
      longestMonologueSec: { rep: 20, customer: 9 },
      repQuestions: 1,
      customerQuestions: 2,
      interactivityPerMin: 4,
      patienceSec: 1.5,
    });
  });

  it('call B: overlap, backchannel, unknown role, a 2 s pause splitting a monologue', () => {
    const call = [
      seg('unknown', 0, 3, '喂？喂？'), // duration only; its "questions" count for nobody
      seg('rep', 3, 15, 'Hi, this is Tom from Acme. Do you have a minute?'),
      seg('customer', 14, 20, 'Sure, go ahead.'), // overlaps the rep by 1 s: a new turn
      seg('rep', 20.5, 40, 'We help distributors cut lead times. What does your current process look like?'),
      seg('customer', 25, 26, 'Mm-hmm.'), // inside the rep's turn: backchannel, no switch
      seg('rep', 41, 50, "We've seen thirty percent gains."), // gap 1 s: same turn 20.5–50
      seg('rep', 53, 60, 'Anyway.'), // gap 3 s: new rep turn, not a switch
      seg('customer', 59, 70, 'Spreadsheets mostly. It works for now, right'),
      seg('customer', 68, 72, 'And the price is fixed'), // overlaps the same role: union 59–72
      seg('rep', 75, 80, 'Can I send you a case study?'),
      seg('unknown', 80, 90, '[noise]'),
    ];
    // duration 90 − 0 = 90
    // talk: rep 12 + 19.5 + 9 + 7 + 5 = 52.5; customer 6 + 1 + 13 = 20; rep 52.5 / 72.5 = 0.7241 → 0.724
    // turns: R[3–15] C[14–20] R[20.5–50] R[53–60] C[59–72] R[75–80]
    //   longest rep 29.5, customer 13; switches 4 in 1.5 min → 2.67 / min
    //   customer→rep: 20 → 20.5 (0.5) and 72 → 75 (3) → patience 1.75
    // questions: rep 3 (minute?, look like?, case study?); customer 1 (", right" tag)
    expect(talkMetrics(call)).toEqual({
      durationSec: 90,
      talkRatio: { rep: 0.724, customer: 0.276 },
      longestMonologueSec: { rep: 29.5, customer: 13 },
      repQuestions: 3,
      customerQuestions: 1,
      interactivityPerMin: 2.67,
      patienceSec: 1.75,
    });
  });

  it('call C: unsorted input, overlapping reply (patience 0), bad and zero-length times', () => {
    const call = [
      seg('rep', 12, 20, '好的，我明天把报价发给您。'),
      seg('customer', 0, 10, '你们的设备支持定制吗'),
      seg('customer', 30, 25, '那交期呢'), // end before start → zero length at 30: duration only
      seg('rep', Number.NaN, Number.NaN, '您看什么时候方便？'), // no timing: questions only
      seg('customer', 22, 26, '行，那就这样吧'),
      seg('customer', 10.5, 12.5, '我们对参数要求比较高'), // gap 0.5 s: same turn 0–12.5
    ];
    // duration 30 − 0 = 30
    // talk: customer 10 + 2 + 4 = 16; rep 8; rep 8 / 24 = 0.333, customer 0.667
    // turns: C[0–12.5] R[12–20] (starts before the customer ends: patience 0) C[22–26]
    //   longest rep 8, customer 12.5; switches 2 in 0.5 min → 4 / min
    // questions: rep 1 (方便？); customer 2 (定制吗, 交期呢)
    const m = talkMetrics(call);
    expect(m).toEqual({
      durationSec: 30,
      talkRatio: { rep: 0.333, customer: 0.667 },
      longestMonologueSec: { rep: 8, customer: 12.5 },
      repQuestions: 1,
      customerQuestions: 2,
      interactivityPerMin: 4,
      patienceSec: 0,
    });
    // Input order does not matter, and the input is not modified.
    const copy = call.map((s) => ({ ...s }));
    expect(talkMetrics([...call].reverse())).toEqual(m);
    expect(call).toEqual(copy);
  });

  it('counts only customer→rep transitions for patience', () => {
    const call = [
      seg('rep', 0, 5),
      seg('customer', 9, 10), // rep→customer pause of 4 s: not patience
      seg('rep', 10.25, 12), // customer→rep 0.25 s
    ];
    expect(talkMetrics(call).patienceSec).toBe(0.25);
  });

  it('handles a large call (10,000 segments) in one pass', () => {
    const call: Segment[] = [];
    let t = 0;
    for (let i = 0; i < 10_000; i++) {
      const role: Role = i % 2 ? 'customer' : 'rep';
      call.push(seg(role, t, t + 2, role === 'rep' ? '我们下周三安排演示，您看可以吗' : 'What is the lead time'));
      t += 2.5;
    }
    const m = talkMetrics(call);
    // 9,999 switches over 24,999.5 s; every customer→rep pause is 0.5 s.
    expect(m.durationSec).toBe(24999.5);
    expect(m.talkRatio).toEqual({ rep: 0.5, customer: 0.5 });
    expect(m.repQuestions).toBe(5000);
    expect(m.customerQuestions).toBe(5000);
    expect(m.patienceSec).toBe(0.5);
    expect(m.interactivityPerMin).toBe(24);
  });
});

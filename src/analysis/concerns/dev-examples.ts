/**
 * A small, hand-written development set for tuning the lexicon engine (NOT the blind
 * evaluation set under eval/, which the triggers must never be tuned on).
 *
 * Each example is a short made-up exchange ("r" = rep, "c" = customer) with the exact set of
 * concern codes the engine should report. They cover each code's explicit and implicit
 * phrasings, near-misses between codes, negation and rep-only talk.
 */

export interface DevExample {
  id: string;
  note: string;
  turns: Array<['r' | 'c', string]>;
  /** Exactly these codes should be reported (order irrelevant). */
  expect: string[];
}

export const DEV_EXAMPLES: DevExample[] = [
  {
    id: 'zh-delivery-implicit',
    note: 'past delay + stock question, price only waved away',
    turns: [
      ['r', '王总，这款伺服电机我们可以给到比较有竞争力的价格。'],
      ['c', '价格先放一边，上一家拖了我们两个月，产线差点就停了。'],
      ['c', '你们这个型号现在有现货吗？'],
    ],
    expect: ['delivery_supply'],
  },
  {
    id: 'zh-delivery-a-not-a',
    note: 'A-not-A questions are not negations',
    turns: [
      ['c', '月底能不能按时交货？'],
      ['r', '正常是可以的。'],
      ['c', '会不会延期啊，我们下个月就要用了。'],
    ],
    expect: ['delivery_supply'],
  },
  {
    id: 'zh-negated-delivery-price-real',
    note: 'post-trigger negation; price is the real concern',
    turns: [
      ['c', '交期不是问题，我们不急。'],
      ['c', '主要是价格太贵了，预算就这么多。'],
    ],
    expect: ['price_budget'],
  },
  {
    id: 'zh-roi-vs-contract',
    note: 'payback question and payment terms are different codes',
    turns: [
      ['c', '这套系统投下去，多久能回本？'],
      ['c', '还有账期能不能放到九十天？'],
    ],
    expect: ['roi_value', 'contract_terms'],
  },
  {
    id: 'zh-contract-invoice',
    note: 'payment method and invoice type',
    turns: [
      ['c', '你们是款到发货还是可以月结？'],
      ['c', '发票能开13个点的专票吗'],
    ],
    expect: ['contract_terms'],
  },
  {
    id: 'zh-competitor-quote',
    note: 'competitor quoting lower is competitor, not price; 人家交期 stays with competitor',
    turns: [
      ['c', '别家报价比你们低了差不多15%。'],
      ['c', '而且人家交期还快。'],
    ],
    expect: ['competitor'],
  },
  {
    id: 'zh-security',
    note: 'data leaving the plant and MLPS level 3',
    turns: [
      ['c', '我们的生产数据会不会传到你们服务器上？'],
      ['c', '集团要求必须过等保三级。'],
    ],
    expect: ['security_compliance'],
  },
  {
    id: 'zh-implementation',
    note: 'downtime fear and worker training',
    turns: [
      ['c', '上线的时候会不会影响生产？我们线不能停。'],
      ['c', '工人年纪都比较大，怕学不会。'],
    ],
    expect: ['implementation_risk'],
  },
  {
    id: 'zh-decision',
    note: 'boss must review, tender above a threshold',
    turns: [
      ['c', '这个我说了不算，老板那边还要过一下。'],
      ['c', '超过五十万的要走招标。'],
    ],
    expect: ['decision_process'],
  },
  {
    id: 'zh-domestic',
    note: 'policy push for localisation',
    turns: [['c', '现在上面在推国产替代，你们核心部件是国产的吗？']],
    expect: ['domestic_substitution'],
  },
  {
    id: 'zh-service',
    note: 'local presence and on-site time',
    turns: [['c', '你们在本地有人吗？设备坏了多久能到现场？']],
    expect: ['service_support'],
  },
  {
    id: 'zh-roi-implicit',
    note: 'money coming back + peer case',
    turns: [['c', '这钱花下去多久能回来，你们有没有同行的案例？']],
    expect: ['roi_value'],
  },
  {
    id: 'zh-switching',
    note: 'incumbent system, contract end, habits',
    turns: [
      ['c', '我们现在用的是西门子的系统，合同还有一年才到期。'],
      ['c', '而且员工都用习惯了。'],
    ],
    expect: ['switching_cost'],
  },
  {
    id: 'zh-product-fit',
    note: 'custom to drawing, operating conditions',
    turns: [
      ['c', '能不能按我们的图纸改一下尺寸？'],
      ['c', '我们工况温度比较高，八十度左右能不能扛得住？'],
    ],
    expect: ['product_fit'],
  },
  {
    id: 'zh-rep-only',
    note: 'rep lists topics, customer only agrees',
    turns: [
      ['r', '我们交期很快，价格也有优势，售后二十四小时响应。'],
      ['c', '嗯，对。'],
    ],
    expect: [],
  },
  {
    id: 'zh-echo-in-own-words',
    note: 'customer echoes the rep topic in own words',
    turns: [
      ['r', '交期大概四周。'],
      ['c', '四周太长了，我们等不了那么久。'],
    ],
    expect: ['delivery_supply'],
  },
  {
    id: 'en-delivery',
    note: 'past lateness and shipping date',
    turns: [
      ['c', 'Our last supplier was two months late on the gearboxes.'],
      ['c', 'When can you ship the first batch?'],
    ],
    expect: ['delivery_supply'],
  },
  {
    id: 'en-price-negated-integration',
    note: 'price negated after the trigger; integration worry',
    turns: [
      ['c', "Price isn't the issue for us."],
      ['c', 'What worries me is whether you can integrate with our SAP system.'],
    ],
    expect: ['implementation_risk'],
  },
  {
    id: 'en-switching',
    note: 'locked in until next year',
    turns: [['c', "Honestly we're locked in with our current vendor until next year."]],
    expect: ['switching_cost'],
  },
  {
    id: 'en-decision',
    note: 'boss + procurement',
    turns: [['c', "I'll need to run this by my boss, and anything over 50k goes through procurement."]],
    expect: ['decision_process'],
  },
  {
    id: 'en-security',
    note: 'data residency and infosec review',
    turns: [['c', 'Where will our data be stored? Our infosec team will need to review this.']],
    expect: ['security_compliance'],
  },
  {
    id: 'en-roi',
    note: 'payback and proof',
    turns: [
      ['c', 'How long until this pays for itself?'],
      ['c', 'Do you have a case study from a similar plant?'],
    ],
    expect: ['roi_value'],
  },
  {
    id: 'en-service',
    note: 'local engineers, who to call',
    turns: [['c', 'Do you have engineers in our region? If a machine breaks down, who do we call?']],
    expect: ['service_support'],
  },
  {
    id: 'en-product-fit',
    note: 'customisation and protocol support',
    turns: [
      ['c', 'Can it be customized to our drawings?'],
      ['c', 'Does it support Modbus?'],
    ],
    expect: ['product_fit'],
  },
  {
    id: 'en-competitor',
    note: 'competing lower quote, competitor cheaper',
    turns: [
      ['c', 'Another vendor quoted us 20% lower.'],
      ['c', 'Your competitor is basically cheaper across the board.'],
    ],
    expect: ['competitor'],
  },
  {
    id: 'en-contract',
    note: 'payment terms and liability',
    turns: [['c', "We'd need net 60 payment terms, and who is liable if the shipment is damaged?"]],
    expect: ['contract_terms'],
  },
  {
    id: 'mixed-zh-en',
    note: 'English terms inside Chinese',
    turns: [['c', '你们的lead time是多少？MOQ能不能低一点？']],
    expect: ['delivery_supply'],
  },
  {
    id: 'en-negations',
    note: 'pre and post negation, then a real budget concern',
    turns: [
      ['c', "We're not worried about delivery, and security is not a concern."],
      ['c', 'But the budget is tight.'],
    ],
    expect: ['price_budget'],
  },
  {
    id: 'zh-double-negation',
    note: '不是不担心 is a concern',
    turns: [['c', '我们也不是不担心交期，就是想先看看价格。']],
    expect: ['delivery_supply'],
  },
  {
    id: 'zh-impl-vs-switching',
    note: 'downtime during cut-over vs sunk cost',
    turns: [
      ['c', '切换的时候要停产几天？'],
      ['c', '我们去年刚上的MES，换掉太可惜了。'],
    ],
    expect: ['implementation_risk', 'switching_cost'],
  },
  {
    id: 'zh-service-vs-delivery',
    note: 'spare parts + engineer arrival is service, not delivery',
    turns: [['c', '备件有没有库存？坏了以后工程师多久能到？']],
    expect: ['service_support'],
  },
  {
    id: 'zh-product-vs-impl',
    note: 'compatibility with existing PLC is product fit',
    turns: [['c', '能不能兼容我们现有的PLC？']],
    expect: ['product_fit'],
  },
  {
    id: 'zh-roi-vs-price',
    note: 'price explicitly not key; savings are',
    turns: [['c', '说实话价格不是关键，关键是能帮我们省多少人工。']],
    expect: ['roi_value'],
  },
  {
    id: 'zh-fmcg-distributor',
    note: 'sell-through worry and returns of near-expiry stock',
    turns: [
      ['c', '你们这个新品在我们这边好不好卖？动销慢的话压在手里我们受不了。'],
      ['c', '临期的能不能退？'],
    ],
    expect: ['roi_value', 'contract_terms'],
  },
  {
    id: 'zh-fmcg-fees',
    note: '"能不能支持一下" about fees is price, not product fit',
    turns: [
      ['c', '进场费和条码费你们能不能支持一下？'],
      ['c', '返点能到几个点？'],
    ],
    expect: ['price_budget'],
  },
  {
    id: 'zh-service-dismissed',
    note: 'service dismissed; payment method is the concern',
    turns: [
      ['c', '售后我们不担心，你们在华南有服务网点。'],
      ['c', '我们比较关心的是付款方式。'],
    ],
    expect: ['contract_terms'],
  },
  {
    id: 'en-rep-only',
    note: 'rep claims, customer agrees',
    turns: [
      ['r', 'Our lead time is two weeks and we have plenty of stock.'],
      ['c', 'Okay, sounds good.'],
    ],
    expect: [],
  },
  {
    id: 'zh-fmcg-peak-season',
    note: 'stocking before the holiday, past stock-out',
    turns: [['c', '春节前备货能不能跟上？去年旺季断了一个多礼拜的货。']],
    expect: ['delivery_supply'],
  },
  {
    id: 'zh-not-exist',
    note: '不存在…的问题',
    turns: [['c', '我们这边不存在数据安全的问题，都是内网。']],
    expect: [],
  },
  {
    id: 'zh-reassurance-question',
    note: 'a negated trigger in a question is still a concern',
    turns: [['c', '交期没问题吧？我们月底就要。']],
    expect: ['delivery_supply'],
  },
  {
    id: 'zh-competitor-price-quote',
    note: 'named competitor with a lower quote',
    turns: [['c', 'XX公司才报八千，你们要一万二。']],
    expect: ['competitor'],
  },
  {
    id: 'en-switching-vs-implementation',
    note: 'legacy migration vs cut-over downtime',
    turns: [
      ['c', 'Migrating ten years of data from the legacy system worries me.'],
      ['c', 'How much downtime will the cutover need?'],
    ],
    expect: ['switching_cost', 'implementation_risk'],
  },
];

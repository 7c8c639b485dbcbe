// Synthetic mixed Chinese/English inquiries on a few sales topics, for the themes tests and the
// inquiries bench (distinct texts, deterministic).

const TOPICS = [
  ['这批{p}交期多久？', '{p}现货有吗，能不能两周内到货', 'What is the lead time for {p}?', '{p}库存够不够，月底前要到'],
  ['有没有国产替代的{p}方案？', '国产化替换进口{p}可靠吗', 'Do you have a domestic alternative to imported {p}?', '信创要求下{p}怎么选'],
  ['{p}批量采购价格能便宜多少？', '{p}报价太贵了，预算只有一半', 'Can you give a discount on {p} for 500 units?', '{p}单价能不能再降一点'],
  ['{p}售后响应要多久？', '{p}坏了能上门维修吗', 'What is your after-sales support SLA for {p}?', '{p}维保合同怎么签'],
  ['{p}能不能按我们的图纸定制？', '{p}的参数能满足防爆要求吗', 'Can {p} be customised to our spec?', '{p}兼容西门子系统吗'],
  ['{p}付款方式能月结吗？', '{p}账期能给九十天吗', 'What are the payment terms for {p}?', '{p}发票能开专票吗'],
];
const PRODUCTS = ['PLC', '伺服电机', '变频器', 'servo drives', '传感器', 'HMI', '减速机', 'encoders'];

/** `n` distinct inquiries over the first `topics` topics (at most 6), each ending in its number. */
export function syntheticInquiries(n: number, opts: { topics?: number; numberPrefix?: string } = {}): string[] {
  const topics = TOPICS.slice(0, opts.topics ?? TOPICS.length);
  const prefix = opts.numberPrefix ?? '#';
  return Array.from({ length: n }, (_, i) => {
    const topic = topics[i % topics.length]!;
    const tpl = topic[Math.floor(i / topics.length) % topic.length]!;
    return `${tpl.replace('{p}', PRODUCTS[(i * 7) % PRODUCTS.length]!)} ${prefix}${i}`;
  });
}

// `npm run bench:inquiries`: mixed Chinese/English inquiries through keywords + the default theme
// vectors (window TF-IDF + LSA, src/inquiries/theme-vectors.ts) + theme clustering, at 1k, 5k,
// 10k and 50k inquiries. Prints time per 1,000 and peak memory; targets (10k under 15 s, memory under 1 GB) are reported, not asserted.
import { extractTerms } from '../src/inquiries/keywords.js';
import { clusterThemes } from '../src/inquiries/themes.js';
import { themeVectors } from '../src/inquiries/theme-vectors.js';

const TOPICS = [
  ['这批{p}交期多久？', '{p}现货有吗，能不能两周内到货', 'What is the lead time for {p}?', '{p}库存够不够，月底前要到'],
  ['有没有国产替代的{p}方案？', '国产化替换进口{p}可靠吗', 'Do you have a domestic alternative to imported {p}?', '信创要求下{p}怎么选'],
  ['{p}批量采购价格能便宜多少？', '{p}报价太贵了，预算只有一半', 'Can you give a discount on {p} for 500 units?', '{p}单价能不能再降一点'],
  ['{p}售后响应要多久？', '{p}坏了能上门维修吗', 'What is your after-sales support SLA for {p}?', '{p}维保合同怎么签'],
  ['{p}能不能按我们的图纸定制？', '{p}的参数能满足防爆要求吗', 'Can {p} be customised to our spec?', '{p}兼容西门子系统吗'],
  ['{p}付款方式能月结吗？', '{p}账期能给九十天吗', 'What are the payment terms for {p}?', '{p}发票能开专票吗'],
];
const PRODUCTS = ['PLC', '伺服电机', '变频器', 'servo drives', '传感器', 'HMI', '减速机', 'encoders'];

function inquiries(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const topic = TOPICS[i % TOPICS.length]!;
    const tpl = topic[Math.floor(i / TOPICS.length) % topic.length]!;
    out.push(`${tpl.replace('{p}', PRODUCTS[(i * 7) % PRODUCTS.length]!)} #${i}`);
  }
  return out;
}


function run(n: number) {
  const texts = inquiries(n);
  const t0 = performance.now();
  const terms = texts.map((t) => extractTerms(t).map((x) => x.term));
  const t1 = performance.now();
  const vectors = themeVectors(texts, { seed: 42 });
  const t2 = performance.now();
  const result = clusterThemes(texts.map((text, i) => ({ id: String(i), text, terms: terms[i]! })), vectors, { seed: 42 });
  const t3 = performance.now();
  return { n, keywords: t1 - t0, embeddings: t2 - t1, clustering: t3 - t2, total: t3 - t0, k: result.k };
}

extractTerms('预热 warm-up'); // jieba + idf load once per process
console.log('inquiries   keywords   embeddings   clustering      total   per 1,000    k');
for (const n of [1000, 5000, 10_000, 50_000]) {
  const r = run(n);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`.padStart(10);
  console.log(`${String(n).padStart(9)} ${s(r.keywords)} ${s(r.embeddings)} ${s(r.clustering)} ${s(r.total)} ${s((r.total / n) * 1000)} ${String(r.k).padStart(4)}`);
  if (n === 10_000) {
    console.log(`   10k target (< 15 s): ${r.total < 15_000 ? 'met' : 'NOT met'}; peak RSS so far ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  }
}
// maxRSS (kB) is the kernel's high-water mark for this process: the work is synchronous, so a timer could not sample it.
const peakRss = process.resourceUsage().maxRSS * 1024;
console.log(`peak RSS over all runs ${(peakRss / 1024 / 1024).toFixed(0)} MB (target < 1 GB: ${peakRss < 1024 ** 3 ? 'met' : 'NOT met'})`);

// `npm run bench:analysis`: offline analysis (concerns + metrics + summary, no embeddings) of a
// 60-minute, ~1,000-segment Chinese call, and time per segment from 100 to 10,000 segments.
// Prints figures; the target (< 150 ms for the 60-minute call, flat per-segment cost) is reported, not asserted.
import { analyzeOffline } from '../src/analysis/engine.js';
import { builtinTaxonomy } from '../src/analysis/taxonomy/index.js';
import type { Segment } from '../src/analysis/types.js';

const REP = [
  '王总您好，我是华东区的销售小李，上周给您发的报价单您看过了吗？',
  '我们这款伺服驱动器是今年的新型号，响应速度比上一代快了百分之三十。',
  '如果您这边方便的话，下周三我可以带工程师过来做个现场演示。',
  '价格方面我们可以再申请一下，年度框架协议的话会有额外的返点。',
  '交期的话标准品一般是两周，定制的要四到六周，我们在苏州有现货仓。',
  '售后这块我们在本地有服务团队，四小时响应，二十四小时到现场。',
  '明天上午我先把技术参数表和案例资料发到您邮箱。',
  '您看还有哪些方面需要我们这边再补充的？',
];
const CUSTOMER = [
  '报价我看了，说实话比我们预算高了不少，能不能再便宜点？',
  '上一家供应商拖了我们快两个月，产线停了好几天，这个我们真的怕了。',
  '这个事情我一个人定不了，还得跟老板和采购部那边过一遍。',
  '你们的系统跟我们现在用的 MES 能对接吗？之前换设备折腾了很久。',
  '现在国家在推国产替代，你们核心部件是自己做的还是进口的？',
  '嗯，好的，这个我们内部再讨论一下。',
  '别家给的价格比你们低百分之十左右，你们优势在哪里？',
  '付款方式能不能改成月结六十天？我们现在资金压力比较大。',
  '这个钱花下去，多久能看到效果，回本大概要多长时间？',
  '数据会不会传到你们服务器上？我们对数据安全要求比较高。',
];

/** A call alternating rep and customer turns, ~3.6 s per segment (1,000 segments ≈ 60 minutes). */
function makeCall(n: number): Segment[] {
  const out: Segment[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    const rep = i % 2 === 0;
    const bank = rep ? REP : CUSTOMER;
    const text = bank[(i * 7 + Math.floor(i / 3)) % bank.length]!;
    const dur = 0.8 + text.length * 0.078;
    out.push({ speaker: rep ? '销售-李明' : '客户-王总', role: rep ? 'rep' : 'customer', start: round(t), end: round(t + dur), text });
    t += dur + 0.6;
  }
  return out;
}

const round = (x: number) => Math.round(x * 100) / 100;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function time(segments: Segment[], reps: number): number {
  const runs: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    analyzeOffline(segments, { taxonomy: builtinTaxonomy, language: 'zh' });
    runs.push(performance.now() - t0);
  }
  return median(runs);
}

const call = makeCall(1000);
const minutes = (call[call.length - 1]!.end / 60).toFixed(1);
// Warm-up: jieba's dictionary load and the taxonomy compile happen once per process.
const t0 = performance.now();
analyzeOffline(makeCall(10), { taxonomy: builtinTaxonomy, language: 'zh' });
console.log(`first call in the process (jieba load + taxonomy compile): ${(performance.now() - t0).toFixed(0)} ms`);

const oneHour = time(call, 15);
console.log(`\n60-minute call: ${call.length} segments, ${minutes} min → median ${oneHour.toFixed(1)} ms (target < 150 ms: ${oneHour < 150 ? 'met' : 'NOT met'})`);

console.log('\nsegments   median ms   µs per segment');
const series: { n: number; perSeg: number }[] = [];
for (const n of [100, 300, 1000, 3000, 10000]) {
  const ms = time(makeCall(n), n >= 3000 ? 5 : 11);
  const perSeg = (ms * 1000) / n;
  series.push({ n, perSeg });
  console.log(`${String(n).padStart(8)}   ${ms.toFixed(1).padStart(9)}   ${perSeg.toFixed(1).padStart(14)}`);
}
const spread = Math.max(...series.map((s) => s.perSeg)) / Math.min(...series.map((s) => s.perSeg));
console.log(`\nper-segment cost, slowest / fastest size: ${spread.toFixed(2)}× (flat would be ≈ 1)`);

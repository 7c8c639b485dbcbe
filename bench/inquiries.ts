// `npm run bench:inquiries`: mixed Chinese/English inquiries through keywords + the default theme
// vectors (window TF-IDF + LSA, src/inquiries/theme-vectors.ts) + theme clustering, at 1k, 5k,
// 10k and 50k inquiries. Prints time per 1,000 and peak memory; targets (10k under 15 s, memory under 1 GB) are reported, not asserted.
import { extractTerms } from '../src/inquiries/keywords.js';
import { clusterThemes } from '../src/inquiries/themes.js';
import { themeVectors } from '../src/inquiries/theme-vectors.js';
import { syntheticInquiries } from '../test/helpers/synthetic-inquiries.js';

function run(n: number) {
  const texts = syntheticInquiries(n);
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

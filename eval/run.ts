// `npm run eval`: quality figures on the labelled sets in eval/ (nothing here runs in the tests).
//   - theme clustering: NMI / ARI on the public intent sets against a TF-IDF + k-means baseline;
//   - lead routing: the assignment engine against round-robin on a simulated month;
//   - concern detection: per-code precision / recall / F1 and micro / macro F1, per engine,
//     on the development set (eval/concerns, triggers were tuned on it) and the held-out set
//     (eval/concerns-heldout, never used for tuning).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { builtinCodes, lexiconPredictions, loadCalls, printScores, score } from './concerns.js';
import { llmPredictions } from './concerns-llm.js';
import { printRouting } from './routing/simulate.js';
import { printClusteringEval } from './clustering.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
// `npm run eval -- --only=clustering` (or concerns, routing; comma-separated) runs only those parts.
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const wanted = (part: 'concerns' | 'routing' | 'clustering') => !only || only.includes(part);
const sets = [
  { name: 'development set (eval/concerns; triggers tuned on it)', path: here('./concerns/calls.jsonl') },
  { name: 'held-out set (eval/concerns-heldout; never tuned on)', path: here('./concerns-heldout/calls.jsonl') },
];

for (const set of wanted('concerns') ? sets : []) {
  if (!existsSync(set.path)) {
    console.log(`\n(${set.name}: ${set.path} not found, skipped)`);
    continue;
  }
  const calls = await loadCalls(set.path);
  const codes = builtinCodes();
  const t0 = performance.now();
  const lexicon = lexiconPredictions(calls);
  const ms = performance.now() - t0;
  printScores(`${set.name} — ${calls.length} calls — engine: lexicon (${ms.toFixed(0)} ms)`, score(calls, lexicon, codes), calls.length);
  const llm = await llmPredictions(calls);
  if (llm) {
    printScores(`${set.name} — engine: llm (${llm.model})`, score(calls, llm.llm, codes), calls.length);
    printScores(`${set.name} — engine: ensemble`, score(calls, llm.ensemble, codes), calls.length);
  } else {
    console.log('(llm and ensemble engines: set LLM_MODEL, LLM_BASE_URL, LLM_API_KEY to score them)');
  }
}

if (wanted('routing')) printRouting();
if (wanted('clustering')) await printClusteringEval();

import { loadConfig } from '../src/config.js';
import { detectConcerns } from '../src/analysis/concerns/index.js';
import { analyzeWithLlm, ensemble, taxonomyForLlm } from '../src/analysis/llm/index.js';
import { llmConfig } from '../src/analysis/service.js';
import { builtinTaxonomy } from '../src/analysis/taxonomy/index.js';
import type { LabelledCall } from './concerns.js';

/** LLM and ensemble predictions when a model is configured (LLM_MODEL …), else undefined. */
export async function llmPredictions(calls: LabelledCall[]) {
  const cfg = llmConfig(loadConfig());
  if (!cfg) return undefined;
  const taxonomy = taxonomyForLlm(builtinTaxonomy, 'zh');
  const llm = new Map<string, string[]>();
  const both = new Map<string, string[]>();
  for (const c of calls) {
    const out = await analyzeWithLlm(c.segments, { config: cfg, taxonomy, language: c.language });
    llm.set(c.id, out.concerns.map((x) => x.code));
    both.set(c.id, ensemble(detectConcerns(c.segments, { language: c.language }), out.concerns).map((x) => x.code));
  }
  return { model: cfg.model, llm, ensemble: both };
}

import { detectConcerns } from './concerns/index.js';
import { talkMetrics } from './metrics.js';
import { extractiveSummary, findNextSteps } from './summary.js';
import type { Taxonomy } from './taxonomy/index.js';
import type { Analysis, Segment } from './types.js';

/**
 * The offline analysis: lexicon concerns, talk metrics, extractive summary and next steps.
 * Pure and deterministic; the LLM engine adds to this result when configured.
 */
export function analyzeOffline(segments: Segment[], opts: { taxonomy: Taxonomy; language?: 'zh' | 'en' | 'auto' }): Analysis {
  const language = opts.language === 'zh' || opts.language === 'en' ? opts.language : undefined;
  return {
    engine: 'lexicon',
    concerns: detectConcerns(segments, { taxonomy: opts.taxonomy, language: opts.language }),
    metrics: talkMetrics(segments),
    summary: extractiveSummary(segments, { language }),
    nextSteps: findNextSteps(segments),
  };
}

/**
 * What the analysis processor calls: lexicon concerns (always computed) plus, when an LLM is
 * configured, the LLM engine, combined per mode, with the documented fallback.
 *
 * - no LLM configured → engine "lexicon";
 * - mode "ensemble" (default) → engine "ensemble": `ensemble(lexicon, llm)`;
 * - mode "llm" → engine "llm": the LLM's concerns only;
 * - the LLM fails (LlmOutputError after its retries, LlmUnavailableError after the SDK's) →
 *   engine "lexicon", lexicon concerns, and `fallback` says why; `summary`/`nextSteps` are then
 *   absent and the caller uses the extractive ones. An abort is rethrown.
 */
import type { Concern, Segment } from '../types.js';
import type { Taxonomy } from '../taxonomy/schema.js';
import { analyzeWithLlm, type LlmAnalysis, type LlmConfig, type LlmTaxonomyEntry } from './engine.js';
import { ensemble } from './ensemble.js';
import { LlmOutputError, LlmUnavailableError } from './errors.js';

export interface EngineRun {
  engine: 'lexicon' | 'llm' | 'ensemble';
  concerns: Concern[];
  /** From the LLM when it ran. */
  summary?: string;
  nextSteps?: string[];
  model?: string;
  promptVersion?: string;
  llm?: Pick<LlmAnalysis, 'windows' | 'dropped' | 'warnings'>;
  fallback?: { reason: 'llm_output_invalid' | 'llm_unavailable'; code?: string; message: string };
}

/** Taxonomy codes as the LLM engine takes them; label as the lexicon engine writes it ("zh / en"). */
export function taxonomyForLlm(taxonomy: Taxonomy, language: 'zh' | 'en'): LlmTaxonomyEntry[] {
  return taxonomy.codes.map((c) => {
    const entry: LlmTaxonomyEntry = { code: c.code, label: `${c.label.zh} / ${c.label.en}`, suggestion: c.suggestion[language] };
    if (c.description) entry.description = c.description;
    return entry;
  });
}

export async function runConcernEngines(
  segments: Segment[],
  opts: {
    lexicon: Concern[];
    config?: LlmConfig;
    mode?: 'ensemble' | 'llm';
    taxonomy: LlmTaxonomyEntry[];
    language?: 'zh' | 'en' | 'auto';
    signal?: AbortSignal;
    minConfidence?: number;
  },
): Promise<EngineRun> {
  if (!opts.config) return { engine: 'lexicon', concerns: opts.lexicon };
  let llm: LlmAnalysis;
  try {
    llm = await analyzeWithLlm(segments, {
      config: opts.config,
      taxonomy: opts.taxonomy,
      ...(opts.language ? { language: opts.language } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.minConfidence !== undefined ? { minConfidence: opts.minConfidence } : {}),
    });
  } catch (err) {
    if (err instanceof LlmOutputError) {
      return { engine: 'lexicon', concerns: opts.lexicon, fallback: { reason: 'llm_output_invalid', message: err.message } };
    }
    if (err instanceof LlmUnavailableError) {
      return { engine: 'lexicon', concerns: opts.lexicon, fallback: { reason: 'llm_unavailable', code: err.code, message: err.message } };
    }
    throw err;
  }
  const mode = opts.mode ?? 'ensemble';
  return {
    engine: mode,
    concerns: mode === 'ensemble' ? ensemble(opts.lexicon, llm.concerns) : llm.concerns,
    summary: llm.summary,
    nextSteps: llm.nextSteps,
    model: llm.model,
    promptVersion: llm.promptVersion,
    llm: { windows: llm.windows, dropped: llm.dropped, warnings: llm.warnings },
  };
}

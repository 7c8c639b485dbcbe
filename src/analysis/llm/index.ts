export {
  analyzeWithLlm,
  analysisOutputSchema,
  summaryOutputSchema,
  planWindows,
  locateQuote,
  checkWindowOutput,
  type LlmConfig,
  type LlmAnalysis,
  type LlmTaxonomyEntry,
  type AnalyzeWithLlmOptions,
  type StructuredMethod,
  type Window,
  type AnalysisOutput,
} from './engine.js';
export { LlmOutputError, LlmUnavailableError, type LlmUnavailableCode } from './errors.js';
export { ensemble, mergeEvidence } from './ensemble.js';
export { runConcernEngines, taxonomyForLlm, type EngineRun } from './run.js';
export {
  loadPrompt,
  listPromptVersions,
  parsePromptFileName,
  parsePromptText,
  renderPrompt,
  renderTemplate,
  escapeUntrusted,
  unescapeUntrusted,
  formatTranscriptLines,
  formatTaxonomy,
  PromptError,
  DEFAULT_PROMPTS_DIR,
  type PromptFile,
} from './prompts.js';

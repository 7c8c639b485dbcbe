export {
  detectConcerns,
  explainConcerns,
  warmUpConcernEngine,
  quoteSpan,
  MAX_EVIDENCE,
  MAX_QUOTE,
  type DetectOptions,
  type MatchExplanation,
  type DropReason,
} from './lexicon.js';
export { compileTaxonomy, rewritePattern, DEFAULT_MIN_CONFIDENCE, CLAUSE_CHAR_CLASS, type CompiledTaxonomy } from './compile.js';
export { checkNegation, isQuestionClause, PRE_WINDOW, POST_WINDOW, type NegationResult } from './negation.js';

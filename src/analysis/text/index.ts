export { normalizeText, hasHan, hasLatin, isHanChar, countUnits, hanShare } from './normalize.js';
export { splitClauses, splitSentences, spanIndexAt, type TextSpan } from './split.js';
export {
  getJieba,
  loadDomainWords,
  segmentZh,
  tokenizeEn,
  tokenize,
  jiebaBoundaries,
  type Token,
  type TokenKind,
} from './tokenize.js';
export { DOMAIN_WORDS, preloadedWords } from './domain-dict.js';

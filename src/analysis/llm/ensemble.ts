/**
 * Ensemble of the lexicon and LLM concern engines (the default when an LLM is configured).
 *
 * Union by code:
 * - a code found by both: label and suggestion from the lexicon (curated taxonomy text, in the
 *   call's language) unless empty; confidence = max of the two (an agreeing second engine does not
 *   inflate it: the LLM's self-reported confidence is not calibrated against the lexicon's);
 *   mentions = max of the two (each counts the customer's mentions its own way: turns vs segments,
 *   so the sum would double count); evidence = the lexicon's items, then the LLM's items that are
 *   not duplicates, at most MAX_EVIDENCE. Two items are duplicates when their quotes are equal, or
 *   when one quote contains the other and their time ranges overlap (the same customer words
 *   quoted more or less widely; both engines interpolate times the same way inside a segment);
 * - a code only one engine found is kept as it is. LLM-only concerns are safe to keep because
 *   `analyzeWithLlm` never returns a concern without evidence verified against customer segments.
 *
 * Order: confidence, then mentions (both descending), then lexicon order, then LLM order. Pure;
 * inputs are not modified.
 */
import { MAX_EVIDENCE } from '../concerns/lexicon.js';
import type { Concern, Evidence } from '../types.js';

function sameEvidence(a: Evidence, b: Evidence): boolean {
  if (a.quote === b.quote && a.start === b.start && a.end === b.end) return true;
  const overlap = a.start <= b.end && b.start <= a.end;
  return overlap && (a.quote.includes(b.quote) || b.quote.includes(a.quote));
}

export function mergeEvidence(primary: readonly Evidence[], secondary: readonly Evidence[], max = MAX_EVIDENCE): Evidence[] {
  const out: Evidence[] = [];
  for (const e of [...primary, ...secondary]) {
    if (out.some((o) => sameEvidence(o, e))) continue;
    out.push({ ...e });
  }
  return out.slice(0, max);
}

export function ensemble(lexicon: Concern[], llm: Concern[]): Concern[] {
  const llmByCode = new Map<string, Concern>();
  for (const c of llm) if (!llmByCode.has(c.code)) llmByCode.set(c.code, c);
  const out: Array<Concern & { order: number }> = [];
  const seen = new Set<string>();
  lexicon.forEach((lex, i) => {
    if (seen.has(lex.code)) return;
    seen.add(lex.code);
    const other = llmByCode.get(lex.code);
    if (!other) {
      out.push({ ...lex, evidence: lex.evidence.map((e) => ({ ...e })), order: i });
      return;
    }
    out.push({
      code: lex.code,
      label: lex.label || other.label,
      confidence: Math.max(lex.confidence, other.confidence),
      mentions: Math.max(lex.mentions, other.mentions),
      evidence: mergeEvidence(lex.evidence, other.evidence),
      suggestion: lex.suggestion || other.suggestion,
      order: i,
    });
  });
  llm.forEach((c, j) => {
    if (seen.has(c.code)) return;
    seen.add(c.code);
    out.push({ ...c, evidence: c.evidence.map((e) => ({ ...e })), order: lexicon.length + j });
  });
  out.sort((a, b) => b.confidence - a.confidence || b.mentions - a.mentions || a.order - b.order);
  return out.map(({ order: _order, ...c }) => c);
}

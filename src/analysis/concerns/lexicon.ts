/**
 * The always-on, offline lexicon/rule concern engine (DESIGN.md, "Analysis").
 *
 * Input: transcript segments with roles. Output: concerns with confidence, mentions,
 * evidence and a suggestion.
 *
 * **Whose words.** Only segments with role "customer" are read. Rep segments never raise a
 * concern, and a customer's bare "对/嗯/yes" after a rep statement contains no trigger, so it
 * raises nothing either; a customer repeating the topic in their own words does. When no
 * segment has a role label at all (every role is "unknown"), nothing is analysed and `[]` is
 * returned: attributing a rep's words to the customer would invent concerns. Segments with
 * role "unknown" in an otherwise labelled transcript are skipped as well.
 *
 * Segments are read in array order (transcript order).
 *
 * **Per segment.** The text is normalised (length-preserving; whitespace between two Han
 * characters becomes a clause break, as ASR output often has no punctuation), split into clauses, and all
 * trigger/pattern matches of all codes are collected (see compile.ts). Then:
 * 1. excludes: a code's match overlapping one of its `exclude` patterns is dropped;
 * 2. a term starting with 不/没 that is the second half of an A-not-A question is dropped
 *    ("有没有库存" is not "没有库存"); a built-in Chinese term that cuts through a jieba word is
 *    dropped ("售后" inside "出售|后", "回本" inside "这回|本来"); matches inside one word or
 *    spanning whole words are kept. jieba's dictionary contains the built-in terms, so a real
 *    occurrence comes out as a token; tenant terms are not in it and skip this check;
 * 3. overlaps: longest match first (then stronger, then earlier); a match overlapping an
 *    already accepted one is dropped, across codes too; this is how near-misses are settled
 *    ("别家报价更低" → competitor, not price_budget);
 * 4. negation (negation.ts): negated matches are dropped;
 * 5. a dismissal (a cue after the trigger, or 不担心/不在乎/不着急/not worried… before it;
 *    not a plain negated fact like "不走招标") carries over to the same code in a neighbouring
 *    clause (±2) of the same sentence: "售后我们不担心，你们在华南有服务网点" raises nothing;
 *    not when that clause is a question or a contrast marker (但是/but…) stands between them;
 * 6. an anaphoric dismissal clause (an anaphor + a dismissal and nothing else: "这个不是问题",
 *    "这都没问题", "that's fine") negates the matches of the one or two clauses before it in the
 *    same sentence: "付款方式按老规矩，这都没问题" raises nothing; not across a
 *    contrast marker, not when either clause is a question ("交期四周，这个没问题吧？").
 *
 * **Mentions and confidence.** A *turn* is a maximal run of consecutive segments by the same
 * speaker. `mentions` = number of distinct customer turns that raise the code. Each such turn
 * contributes the weight w_t of its strongest match (strong 0.6, weak 0.3 by default, from the
 * taxonomy), and
 *
 *     confidence = min(0.99, 1 − Π_t (1 − w_t))
 *
 * so one strong mention → 0.60, two → 0.84, three → 0.94; one weak → 0.30 (below the default
 * threshold), two weak → 0.51, strong + weak → 0.72. Several triggers in the same turn do not
 * add up (the customer said it once). A weak match that directly follows a concern marker
 * (≤ 3 units after 主要是, 关键是, 担心, 就怕, "my concern is", "worried about"…) counts as
 * strong. Concerns under `minConfidence` (taxonomy value, default 0.35, overridable per call)
 * are not reported. The threshold is set so that a single weak topic word ("价格方面呢？")
 * is not a concern but a repeated one, or any strong phrase, is.
 *
 * **Evidence.** One item per mentioning turn (its strongest match, earliest on ties), at most
 * MAX_EVIDENCE, strongest first then chronological. `quote` is a verbatim, trimmed substring of
 * the segment text: the clause containing the match (with its "?"/"！"/"。" if any), widened
 * to the whole sentence when the clause is very short (< 6 units) and cut to a window around the
 * match when longer than MAX_QUOTE characters. `start`/`end` are interpolated linearly inside the
 * segment by character position (segment.start + duration × offset / length), rounded to 0.01 s;
 * this assumes roughly even speech within a segment, which is what a segment-level transcript
 * allows.
 *
 * **Language.** Matching always uses both the zh and the en lists (Chinese calls are full of
 * "MOQ", "PLC", "lead time"). `language` only picks the suggestion text: "auto" (default) picks
 * Chinese when the customer's words are mostly Han characters.
 */
import type { Concern, Evidence, Segment } from '../types.js';
import { builtinTaxonomy } from '../taxonomy/builtin.js';
import type { Taxonomy } from '../taxonomy/schema.js';
import { countUnits, hanShare, hasHan, normalizeText } from '../text/normalize.js';
import { spanIndexAt, splitClauses, splitSentences, type TextSpan } from '../text/split.js';
import { jiebaBoundaries } from '../text/tokenize.js';
import { compileTaxonomy, excludeSpans, findRawMatches, type CompiledTaxonomy, type MatchEntry, type RawMatch } from './compile.js';
import { CONTRAST_RE, checkNegation, isQuestionClause, type NegationResult } from './negation.js';
import { evidenceAt } from '../evidence.js';

export const MAX_EVIDENCE = 5;
export const MAX_QUOTE = 160;
const MIN_CLAUSE_UNITS = 6;

export interface DetectOptions {
  taxonomy?: Taxonomy;
  language?: 'zh' | 'en' | 'auto';
  /** Override the taxonomy's minimum confidence. */
  minConfidence?: number;
}

/** Why a raw match did not count (for `explainConcerns`). */
export type DropReason = 'excluded' | 'a-not-a' | 'splits-word' | 'overlap' | 'negated';

export interface MatchExplanation {
  segmentIndex: number;
  turn: number;
  code: string;
  strength: MatchEntry['strength'];
  weight: number;
  kind: MatchEntry['kind'];
  source: string;
  /** Offsets into the segment text. */
  start: number;
  end: number;
  matched: string;
  clause: string;
  dropped?: DropReason;
  negation?: NegationResult;
}

interface Hit {
  entry: MatchEntry;
  /** The entry's weight, or the strong weight when a concern marker introduces a weak match. */
  weight: number;
  segmentIndex: number;
  turn: number;
  start: number;
  end: number;
  clause: TextSpan;
}

interface SegmentAnalysis {
  hits: Hit[];
  explanations: MatchExplanation[];
  clauses: TextSpan[];
}

/**
 * Whitespace between two Han characters is a clause break in ASR output ("交期 能不能快一点");
 * turn it into "," (same length) so that patterns, clauses and negation all see the break.
 */
function breakHanSpaces(norm: string): string {
  return norm.replace(/([\u3400-\u4dbf\u4e00-\u9fff])(\s+)(?=[\u3400-\u4dbf\u4e00-\u9fff])/g, (_m, h: string, sp: string) => h + ','.repeat(sp.length));
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/** True when [s, e) cuts through a jieba word (starts or ends strictly inside one that it leaves). */
function splitsWord(bounds: Uint8Array, s: number, e: number): boolean {
  if (bounds[s] && bounds[e]) return false;
  for (let i = s + 1; i < e; i++) if (bounds[i]) return true;
  return false;
}

function analyseSegment(
  c: CompiledTaxonomy,
  seg: Segment,
  segmentIndex: number,
  turn: number,
  explain: boolean,
): SegmentAnalysis {
  const text = seg.text;
  const norm = breakHanSpaces(normalizeText(text));
  const raw = findRawMatches(c, norm);
  const explanations: MatchExplanation[] = [];
  if (raw.length === 0) return { hits: [], explanations, clauses: [] };
  const clauses = splitClauses(norm);
  const han = hasHan(norm);

  const note = (m: RawMatch, dropped?: DropReason, negation?: NegationResult): void => {
    if (!explain) return;
    const ci = spanIndexAt(clauses, m.start);
    const e: MatchExplanation = {
      segmentIndex,
      turn,
      code: m.entry.code,
      strength: m.entry.strength,
      weight: m.entry.weight,
      kind: m.entry.kind,
      source: m.entry.source,
      start: m.start,
      end: m.end,
      matched: text.slice(m.start, m.end),
      clause: ci >= 0 ? text.slice(clauses[ci]!.start, clauses[ci]!.end) : '',
    };
    if (dropped) e.dropped = dropped;
    if (negation) e.negation = negation;
    explanations.push(e);
  };

  // 1. excludes, per code present
  const excl = new Map<number, Array<[number, number]>>();
  let live: RawMatch[] = [];
  for (const m of raw) {
    let spans = excl.get(m.entry.codeIndex);
    if (!spans) {
      spans = excludeSpans(c, m.entry.codeIndex, norm, han);
      excl.set(m.entry.codeIndex, spans);
    }
    if (spans.some(([s, e]) => m.start < e && s < m.end)) note(m, 'excluded');
    else live.push(m);
  }

  // 2a. a term starting with a negation must not be the second half of an A-not-A question
  //     ("有没有库存" contains "没有库存", but asks whether there is stock)
  live = live.filter((m) => {
    if (m.entry.kind !== 'term') return true;
    const first = norm[m.start];
    if ((first === '不' || first === '没') && m.start > 0 && norm[m.start - 1] === norm[m.start + 1]) {
      note(m, 'a-not-a');
      return false;
    }
    return true;
  });

  // 2b. Chinese substring terms must not cut through a jieba word
  if (live.some((m) => m.entry.checkWords)) {
    const bounds = jiebaBoundaries(norm);
    live = live.filter((m) => {
      if (!m.entry.checkWords) return true;
      if (!splitsWord(bounds, m.start, m.end)) return true;
      note(m, 'splits-word');
      return false;
    });
  }

  // 3. overlaps: longest, then strongest, then earliest
  live.sort((a, b) => b.end - b.start - (a.end - a.start) || b.entry.weight - a.entry.weight || a.start - b.start);
  const accepted: RawMatch[] = [];
  for (const m of live) {
    if (accepted.some((a) => overlaps(a, m))) note(m, 'overlap');
    else accepted.push(m);
  }
  accepted.sort((a, b) => a.start - b.start);

  // 4. negation
  const judged = accepted.map((m) => {
    const ci = spanIndexAt(clauses, m.start);
    const clause: TextSpan = ci >= 0 ? clauses[ci]! : { start: m.start, end: m.end, text: norm.slice(m.start, m.end), delimiter: '' };
    const others = accepted.filter((o) => o !== m && o.start >= clause.start && o.end <= clause.end);
    const nextClause = ci >= 0 ? clauses[ci + 1] : undefined;
    const neg = checkNegation({ text: norm, clause, start: m.start, end: m.end, gaps: m.gaps, others, ...(nextClause ? { nextClause } : {}) });
    return { m, ci, clause, neg };
  });
  // 5. a dismissal carries over to the same code in a neighbouring clause of the same sentence
  //    ("售后我们不担心，你们在华南有服务网点"), unless that clause is a question or a contrast
  //    marker stands between them ("交期不是问题，但是现货够不够")
  const negatedOnes = judged.filter((j) => j.neg.negated && isDismissal(j.neg));
  let sentences: TextSpan[] | undefined;
  for (const j of judged) {
    if (j.neg.negated || negatedOnes.length === 0 || j.ci < 0) continue;
    if (isQuestionClause(norm, j.clause)) continue;
    sentences ??= splitSentences(norm);
    const sj = spanIndexAt(sentences, j.m.start);
    const source = negatedOnes.find((n) => {
      if (n.m.entry.codeIndex !== j.m.entry.codeIndex || n.ci < 0 || Math.abs(n.ci - j.ci) > 2) return false;
      if (spanIndexAt(sentences!, n.m.start) !== sj) return false;
      const between = n.m.start < j.m.start ? norm.slice(n.m.end, j.m.start) : norm.slice(j.m.end, n.m.start);
      CONTRAST_RE.lastIndex = 0;
      return !CONTRAST_RE.test(between);
    });
    if (source) j.neg = { negated: true, cue: source.neg.cue ?? '', where: 'carried' };
  }
  // 6. an anaphoric dismissal clause ("这个不是问题", "that's fine") dismisses what the one or two
  //    clauses before it in the same sentence named: "付款方式按老规矩，这都没问题"
  if (clauses.some((cl) => ANAPHORIC_DISMISSAL_RE.test(cl.text))) {
    for (const j of judged) {
      if (j.neg.negated || j.ci < 0 || isQuestionClause(norm, j.clause)) continue;
      sentences ??= splitSentences(norm);
      const sj = spanIndexAt(sentences, j.m.start);
      for (let k = j.ci + 1; k <= j.ci + 2 && k < clauses.length; k++) {
        const cl = clauses[k]!;
        if (spanIndexAt(sentences, cl.start) !== sj) break;
        CONTRAST_RE.lastIndex = 0;
        if (CONTRAST_RE.test(norm.slice(j.m.end, cl.start))) break;
        if (ANAPHORIC_DISMISSAL_RE.test(cl.text) && !isQuestionClause(norm, cl)) {
          j.neg = { negated: true, cue: cl.text, where: 'carried' };
          break;
        }
      }
    }
  }
  const hits: Hit[] = [];
  for (const { m, clause, neg } of judged) {
    if (neg.negated) {
      note(m, 'negated', neg);
      continue;
    }
    note(m, undefined, neg.cancelledBy ? neg : undefined);
    let weight = m.entry.weight;
    if (m.entry.strength === 'weak' && introducedAsConcern(norm, clause, m.start)) weight = Math.max(weight, c.weights.strong);
    hits.push({ entry: m.entry, weight, segmentIndex, turn, start: m.start, end: m.end, clause });
  }
  return { hits, explanations, clauses };
}

/**
 * Concern markers: a weak topic word right after one of these (≤ 3 units) counts as strong
 * ("主要是稳定性", "我们最担心的是售后", "my concern is the price").
 */
const CONCERN_MARKER_RE =
  /主要是|关键是|最担心|比较担心|有点担心|担心|就怕|最怕|怕的是|顾虑|关心的是|在意的是|最在意|重点是|核心是|头疼|头痛|麻烦的是|问题是|\b(?:worried about|worry about|worries me|concerned about|my concern|our concern|main concern|the main thing|the key thing|the issue is|the problem is|afraid)\b/g;

function introducedAsConcern(norm: string, clause: TextSpan, matchStart: number): boolean {
  const pre = norm.slice(clause.start, matchStart);
  let lastEnd = -1;
  CONCERN_MARKER_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CONCERN_MARKER_RE.exec(pre)) !== null) lastEnd = m.index + m[0].length;
  return lastEnd >= 0 && countUnits(pre.slice(lastEnd)) <= 3;
}

/**
 * A clause that only dismisses what was just said: an anaphor (这个/这/那/这块/都…, that/this/it)
 * and a dismissal, nothing else ("这个不是问题", "这都没问题", "that's fine", "it's not an issue").
 */
const ANAPHORIC_DISMISSAL_RE = new RegExp(
  [
    '^(?:这个|这些|这块|这一块|这方面|这一点|这点|这|那个|那|这都|那都|都)(?:倒|也|都|并|真|确实|其实|完全|根本|基本)*(?:是)?\\s*' +
      '(?:不是问题|不是什么问题|不是大问题|不成问题|不算问题|不是事儿?|没问题|没什么问题|没啥问题|没有问题|没大问题|问题不大|无所谓|' +
      '不重要|不是重点|不是关键|还好|还行|可以接受|能接受|没关系|不担心|不用担心|放心|不急|不着急|好说|没毛病|够用|来得及)' +
      '[了的啊呀吧哈呢]*$',
    "^(?:that|this|it|which)(?:'s| is| was| should be| will be| would be| seems| sounds)? (?:totally |really |all |perfectly |pretty |more than |absolutely )?" +
      '(?:fine|ok|okay|good|great|acceptable|manageable|no problem|no issue|not (?:a|an|the|really a|really an) (?:problem|issue|concern|worry))$',
  ].join('|'),
);

/** A dismissal ("不担心", "不是问题", "is fine"), as opposed to a plain negated fact ("不走招标"). */
const DISMISSIVE_CUE_RE = /担心|在乎|在意|关心|考虑|着急|急|怕|无所谓|问题|事|重要|关键|重点|操|费心|烦心|worr|concern|care|matter|problem|issue|fine|ok|good/;

function isDismissal(neg: NegationResult): boolean {
  return neg.where === 'after' || (neg.cue !== undefined && DISMISSIVE_CUE_RE.test(neg.cue));
}

function trimSpan(text: string, s: number, e: number): [number, number] {
  while (s < e && /\s/.test(text[s]!)) s++;
  while (e > s && /\s/.test(text[e - 1]!)) e--;
  return [s, e];
}

/** The quote span for a hit: clause (+ its final ?/!/。), widened or narrowed as documented. */
export function quoteSpan(text: string, clause: TextSpan, matchStart: number, matchEnd: number): [number, number] {
  let s = clause.start;
  let e = clause.end;
  if (countUnits(text.slice(s, e)) < MIN_CLAUSE_UNITS) {
    const sentences = splitSentences(text);
    const si = spanIndexAt(sentences, matchStart);
    const sent = si >= 0 ? sentences[si] : undefined;
    if (sent && sent.end - sent.start <= MAX_QUOTE) {
      s = Math.min(s, sent.start);
      e = Math.max(e, sent.end);
    }
  }
  // include a sentence-final mark that directly follows (after optional spaces)
  let k = e;
  while (k < text.length && (text[k] === ' ' || text[k] === '\u3000')) k++;
  if (k < text.length && '?？!！。'.includes(text[k]!)) e = k + 1;
  if (e - s > MAX_QUOTE) {
    const half = Math.max(0, Math.floor((MAX_QUOTE - (matchEnd - matchStart)) / 2));
    s = Math.max(s, matchStart - half);
    e = Math.min(e, matchEnd + half);
  }
  return trimSpan(text, s, e);
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

function evidenceFor(seg: Segment, hit: Hit): Evidence {
  const [qs, qe] = quoteSpan(seg.text, hit.clause, hit.start, hit.end);
  return evidenceAt(seg, qs, qe);
}

interface Prepared {
  compiled: CompiledTaxonomy;
  analyses: Array<{ segmentIndex: number; analysis: SegmentAnalysis }>;
}

function prepare(segments: readonly Segment[], opts: DetectOptions, explain: boolean): Prepared | undefined {
  if (segments.length === 0) return undefined;
  if (segments.every((s) => s.role === 'unknown')) return undefined;
  const compiled = compileTaxonomy(opts.taxonomy ?? builtinTaxonomy);
  const analyses: Prepared['analyses'] = [];
  let turn = -1;
  let prevKey: string | undefined;
  segments.forEach((seg, segmentIndex) => {
    if (typeof seg.text !== 'string' || seg.text.trim() === '') return;
    const key = `${seg.role}\u0000${seg.speaker}`;
    if (key !== prevKey) {
      turn++;
      prevKey = key;
    }
    if (seg.role !== 'customer') return;
    analyses.push({ segmentIndex, analysis: analyseSegment(compiled, seg, segmentIndex, turn, explain) });
  });
  return { compiled, analyses };
}

function pickLanguage(segments: readonly Segment[], language: DetectOptions['language']): 'zh' | 'en' {
  if (language === 'zh' || language === 'en') return language;
  const customerText = segments
    .filter((s) => s.role === 'customer')
    .map((s) => s.text)
    .join('\n');
  return hanShare(customerText) >= 0.5 ? 'zh' : 'en';
}

/**
 * Detect customer concerns in a transcript. Pure and synchronous; the compiled taxonomy and
 * jieba are created once and cached. See the module comment for the rules.
 */
export function detectConcerns(segments: Segment[], opts: DetectOptions = {}): Concern[] {
  const prepared = prepare(segments, opts, false);
  if (!prepared) return [];
  const { compiled } = prepared;
  const minConfidence = opts.minConfidence ?? compiled.minConfidence;
  const lang = pickLanguage(segments, opts.language);

  // code → turn → strongest hit in that turn
  const byCode = new Map<number, Map<number, Hit>>();
  for (const { analysis } of prepared.analyses) {
    for (const hit of analysis.hits) {
      let turns = byCode.get(hit.entry.codeIndex);
      if (!turns) byCode.set(hit.entry.codeIndex, (turns = new Map()));
      const cur = turns.get(hit.turn);
      if (!cur || hit.weight > cur.weight) turns.set(hit.turn, hit);
    }
  }

  const out: Array<Concern & { order: number }> = [];
  for (const [codeIndex, turns] of byCode) {
    const hits = [...turns.values()];
    let miss = 1;
    for (const h of hits) miss *= 1 - h.weight;
    const confidence = Math.min(0.99, 1 - miss);
    if (confidence < minConfidence) continue;
    const def = compiled.codes[codeIndex]!;
    hits.sort(
      (a, b) =>
        b.weight - a.weight ||
        (segments[a.segmentIndex]!.start - segments[b.segmentIndex]!.start) ||
        a.segmentIndex - b.segmentIndex ||
        a.start - b.start,
    );
    out.push({
      code: def.code,
      label: `${def.label.zh} / ${def.label.en}`,
      confidence: round2(confidence),
      mentions: turns.size,
      evidence: hits.slice(0, MAX_EVIDENCE).map((h) => evidenceFor(segments[h.segmentIndex]!, h)),
      suggestion: def.suggestion[lang],
      order: codeIndex,
    });
  }
  out.sort((a, b) => b.confidence - a.confidence || b.mentions - a.mentions || a.order - b.order);
  return out.map(({ order: _order, ...concern }) => concern);
}

/**
 * Every raw match with what happened to it (kept, excluded, splits a word, overlapped,
 * negated, negation cancelled by a question/condition). For tuning and debugging; same
 * role rules as `detectConcerns`.
 */
export function explainConcerns(segments: Segment[], opts: DetectOptions = {}): MatchExplanation[] {
  const prepared = prepare(segments, opts, true);
  if (!prepared) return [];
  return prepared.analyses.flatMap(({ analysis }) => analysis.explanations);
}

/**
 * Compile the (built-in or given) taxonomy and load jieba now (~0.2 s once per process), so the
 * first analysed transcript does not pay for it. Call at worker start-up.
 */
export function warmUpConcernEngine(taxonomy: Taxonomy = builtinTaxonomy): void {
  compileTaxonomy(taxonomy);
  jiebaBoundaries('预热');
}

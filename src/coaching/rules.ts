import { countQuestions } from '../analysis/questions.js';
import type { Taxonomy } from '../analysis/taxonomy/index.js';
import type { Analysis, Segment, TalkMetrics } from '../analysis/types.js';
import type { CoachingSettings } from './settings.js';

/**
 * Coaching rules over one analysed call (pure functions). Each finding carries evidence: the
 * recording, start/end seconds and a verbatim quote of the transcript.
 *
 * - long_monologue: the rep's longest turn is longer than the threshold.
 * - few_questions: the rep asked fewer questions per 10 minutes than the threshold (calls ≥ 2 min).
 * - talk_ratio: the rep's share of speaking time is above the threshold.
 * - unanswered_concern: a customer concern none of whose mentions got an answer: no rep turn
 *   starting within ANSWER_WINDOW_SEC after the mention (first two rep turns) uses a trigger term
 *   of that concern or shares two content words/character pairs with what the customer said.
 *
 * Thresholds come from the team's top performers when they have enough analysed calls
 * (`deriveThresholds`), else from the tenant's fixed fallbacks (settings.suggestions).
 */
export const RULES = ['long_monologue', 'few_questions', 'talk_ratio', 'unanswered_concern'] as const;
export type Rule = (typeof RULES)[number];

export const ANSWER_WINDOW_SEC = 90;
const MIN_CALL_SEC_FOR_QUESTIONS = 120;
const MERGE_GAP_SEC = 2;
const MAX_QUOTE = 160;

export interface EvidenceItem {
  recordingId: string;
  start: number;
  end: number;
  speaker: 'rep' | 'customer';
  quote: string;
}

export interface Finding {
  rule: Rule;
  /** Distinguishes several findings of one rule in one call (the concern code). */
  key: string;
  text: string;
  evidence: EvidenceItem[];
  details: Record<string, unknown>;
}

export interface Thresholds {
  maxMonologueSec: number;
  maxTalkRatio: number;
  minQuestionsPer10Min: number;
  source: 'top_performers' | 'defaults';
  basis: { topPerformers: string[]; calls: number };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (pos - lo);
};
const r2 = (x: number) => Math.round(x * 100) / 100;
export const questionsPer10Min = (m: TalkMetrics) => (m.durationSec > 0 ? (m.repQuestions * 600) / m.durationSec : 0);

/**
 * Thresholds from the top performers' calls: monologue 1.25 × their 75th percentile (≥ 30 s),
 * talk ratio their median + 0.15 (≤ 0.95), questions half their median rate. Too few calls →
 * the tenant's fixed fallbacks.
 */
export function deriveThresholds(topCalls: TalkMetrics[], topPerformers: string[], s: CoachingSettings['suggestions']): Thresholds {
  const calls = topCalls.filter((m) => m.durationSec > 0);
  if (calls.length < s.minTopPerformerCalls) {
    return { maxMonologueSec: s.maxMonologueSec, maxTalkRatio: s.maxTalkRatio, minQuestionsPer10Min: s.minQuestionsPer10Min, source: 'defaults', basis: { topPerformers, calls: calls.length } };
  }
  return {
    maxMonologueSec: r2(Math.max(30, 1.25 * quantile(calls.map((m) => m.longestMonologueSec.rep), 0.75))),
    maxTalkRatio: r2(Math.min(0.95, quantile(calls.map((m) => m.talkRatio.rep), 0.5) + 0.15)),
    minQuestionsPer10Min: r2(0.5 * quantile(calls.map(questionsPer10Min), 0.5)),
    source: 'top_performers',
    basis: { topPerformers, calls: calls.length },
  };
}

interface Turn {
  role: 'rep' | 'customer';
  start: number;
  end: number;
  segments: Segment[];
}

/** Rep/customer segments folded into turns (same role, pause under 2 s). */
export function turnsOf(segments: Segment[]): Turn[] {
  const turns: Turn[] = [];
  for (const s of segments) {
    if (s.role !== 'rep' && s.role !== 'customer') continue;
    if (!Number.isFinite(s.start) || !Number.isFinite(s.end)) continue;
    const last = turns[turns.length - 1];
    if (last && last.role === s.role && s.start - last.end < MERGE_GAP_SEC) {
      last.end = Math.max(last.end, s.end);
      last.segments.push(s);
    } else turns.push({ role: s.role, start: s.start, end: Math.max(s.start, s.end), segments: [s] });
  }
  return turns;
}

const mmss = (sec: number) => `${String(Math.floor(sec / 60)).padStart(2, '0')}:${String(Math.floor(sec % 60)).padStart(2, '0')}`;
const quoteOf = (s: Segment) => s.text.trim().slice(0, MAX_QUOTE);
const turnEvidence = (recordingId: string, t: Turn): EvidenceItem => ({ recordingId, start: t.start, end: t.end, speaker: t.role, quote: quoteOf(t.segments[0]!) });
const isZh = (segments: Segment[]) => {
  const text = segments.map((s) => s.text).join('');
  const han = text.match(/\p{Script=Han}/gu)?.length ?? 0;
  return han >= text.replace(/\s/g, '').length * 0.3;
};

/** Content units for overlap: Han character pairs and English words of 4+ letters. */
function units(text: string): Set<string> {
  const out = new Set<string>();
  const lower = text.toLowerCase();
  for (const run of lower.match(/\p{Script=Han}+/gu) ?? []) for (let i = 0; i + 1 < run.length; i++) out.add(run.slice(i, i + 2));
  for (const w of lower.match(/[a-z]{4,}/g) ?? []) out.add(w);
  return out;
}

const COMMON = new Set(['我们', '你们', '您们', '这个', '那个', '就是', '一下', '可以', '没有', '什么', '时候', '现在', '还是', 'that', 'this', 'with', 'have', 'what', 'your', 'will', 'about']);

export function termsByCode(taxonomy: Taxonomy): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of taxonomy.codes) {
    const terms: string[] = [];
    for (const lang of ['zh', 'en'] as const) {
      const t = c.triggers[lang];
      for (const term of [...(t?.strong ?? []), ...(t?.weak ?? [])]) terms.push(term.replace(/\*$/, '').toLowerCase());
    }
    out.set(c.code, terms.filter((x) => x.length >= 2));
  }
  return out;
}

/** Whether a rep's reply speaks to what the customer raised. */
export function addresses(reply: string, customerText: string, terms: string[]): boolean {
  const r = reply.toLowerCase();
  if (terms.some((t) => r.includes(t))) return true;
  const shared = [...units(customerText)].filter((u) => !COMMON.has(u) && units(reply).has(u));
  return shared.length >= 2;
}

export function evaluateCall(
  call: { recordingId: string; segments: Segment[]; analysis: Analysis },
  th: Thresholds,
  terms: Map<string, string[]>,
  labels: Map<string, { zh: string; en: string }>,
): Finding[] {
  const { recordingId, segments, analysis } = call;
  const m = analysis.metrics;
  const zh = isZh(segments);
  const turns = turnsOf(segments);
  const repTurns = turns.filter((t) => t.role === 'rep');
  const out: Finding[] = [];
  const longest = repTurns.reduce<Turn | undefined>((a, t) => (!a || t.end - t.start > a.end - a.start ? t : a), undefined);
  const basis = { thresholds: th };

  if (longest && m.longestMonologueSec.rep > th.maxMonologueSec) {
    const sec = Math.round(m.longestMonologueSec.rep);
    out.push({
      rule: 'long_monologue', key: '',
      text: zh
        ? `在 ${mmss(longest.start)}–${mmss(longest.end)} 连续讲了 ${sec} 秒（团队标准：不超过 ${Math.round(th.maxMonologueSec)} 秒）。每讲 60–90 秒停下来，用一个问题确认客户的想法。`
        : `You spoke for ${sec} s without a break at ${mmss(longest.start)}–${mmss(longest.end)} (team standard: at most ${Math.round(th.maxMonologueSec)} s). Pause every 60–90 s and check in with a question.`,
      evidence: [turnEvidence(recordingId, longest)],
      details: { longestMonologueSec: m.longestMonologueSec.rep, ...basis },
    });
  }

  const qRate = questionsPer10Min(m);
  if (m.durationSec >= MIN_CALL_SEC_FOR_QUESTIONS && qRate < th.minQuestionsPer10Min) {
    // The longest stretch the rep talked without asking anything: where a question was missing.
    const quiet = repTurns.filter((t) => t.segments.every((s) => countQuestions(s.text) === 0));
    const at = quiet.reduce<Turn | undefined>((a, t) => (!a || t.end - t.start > a.end - a.start ? t : a), undefined) ?? longest;
    if (at) {
      out.push({
        rule: 'few_questions', key: '',
        text: zh
          ? `整通电话只问了 ${m.repQuestions} 个问题（每 10 分钟 ${r2(qRate)} 个；团队标准：至少 ${th.minQuestionsPer10Min} 个）。多用开放式问题了解需求，例如“您现在是怎么处理的？最担心的是什么？”`
          : `You asked ${m.repQuestions} question(s) in the call (${r2(qRate)} per 10 min; team standard: at least ${th.minQuestionsPer10Min}). Use open questions to learn the need, e.g. "How do you handle this today? What worries you most?"`,
        evidence: [turnEvidence(recordingId, at)],
        details: { repQuestions: m.repQuestions, questionsPer10Min: r2(qRate), durationSec: m.durationSec, ...basis },
      });
    }
  }

  if (longest && m.talkRatio.rep > th.maxTalkRatio) {
    const pct = Math.round(m.talkRatio.rep * 100);
    out.push({
      rule: 'talk_ratio', key: '',
      text: zh
        ? `销售说话占比 ${pct}%（团队优秀成员不超过 ${Math.round(th.maxTalkRatio * 100)}%）。少讲多听：说完一个要点就把话题交还给客户。`
        : `You did ${pct}% of the talking (top performers stay under ${Math.round(th.maxTalkRatio * 100)}%). Talk less, listen more: hand the conversation back after each point.`,
      evidence: [turnEvidence(recordingId, longest)],
      details: { talkRatio: m.talkRatio, ...basis },
    });
  }

  for (const c of analysis.concerns) {
    const codeTerms = terms.get(c.code) ?? [];
    let firstMiss: { ev: (typeof c.evidence)[number]; reply?: Turn } | undefined;
    let answered = false;
    for (const ev of c.evidence) {
      const seg = segments.find((s) => s.role === 'customer' && s.start <= ev.start + 0.01 && s.end >= ev.end - 0.01 && s.text.includes(ev.quote));
      const replies = repTurns.filter((t) => t.start >= ev.end - 0.01 && t.start <= ev.end + ANSWER_WINDOW_SEC).slice(0, 2);
      if (replies.some((t) => addresses(t.segments.map((s) => s.text).join(' '), seg?.text ?? ev.quote, codeTerms))) {
        answered = true;
        break;
      }
      firstMiss ??= { ev, reply: replies[0] };
    }
    if (answered || !firstMiss) continue;
    const label = labels.get(c.code) ?? { zh: c.label, en: c.label };
    const ev = firstMiss.ev;
    out.push({
      rule: 'unanswered_concern', key: c.code,
      text: zh
        ? `客户在 ${mmss(ev.start)} 提到「${ev.quote}」（${label.zh}），之后没有得到回应。下次先正面回应这个顾虑，再推进话题。`
        : `At ${mmss(ev.start)} the customer said "${ev.quote}" (${label.en}) and got no answer. Next time address the concern directly before moving on.`,
      evidence: [
        { recordingId, start: ev.start, end: ev.end, speaker: 'customer', quote: ev.quote },
        ...(firstMiss.reply ? [turnEvidence(recordingId, firstMiss.reply)] : []),
      ],
      details: { code: c.code, label, mentions: c.mentions },
    });
  }
  return out;
}

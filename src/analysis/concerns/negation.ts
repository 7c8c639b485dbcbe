/**
 * Negation scope for the lexicon engine.
 *
 * A match is *negated* (and raises nothing) when, within its clause:
 *
 * 1. **Before it**: an odd number of negators lies within PRE_WINDOW units (Han characters or
 *    Latin words) before the match, after the last contrast marker (但/但是/可是/不过/而是/
 *    只是/就是/主要是/关键是/but/however/though/…). "不担心交期", "没有延期过", "并不在乎价格",
 *    "we never had delays", "not worried about the price". Two negators cancel
 *    ("不是不担心交期" is a concern).
 * 2. **Inside it** (patterns only): a negator in a free gap of the pattern (a rewritten `.`):
 *    "上一家从来没拖过" matches `上一家.{0,8}拖` with 从来没 in the gap.
 * 3. **After it**: a dismissive cue follows within POST_WINDOW units: "交期不是问题",
 *    "价格倒不是问题", "库存充足", "售后挺好", "price isn't the issue", "delivery is fine",
 *    "security is not a concern". A cue that is itself negated ("不满意", "不是没问题") does
 *    not count. If another trigger sits between the match and the cue without a coordinator
 *    (和/跟/、/and/or), the cue belongs to that one ("交期太长价格还好" does not negate 交期).
 *    When the match's clause only names the topic ("这个交期的话，我们不着急", "价格这块，
 *    能接受", "售后呢，不担心"), or names it with an evaluation verb ("样品我们测过了，挺好",
 *    "质量试过了，还行"), the cue may come from the next clause. Worry synonyms count as cues
 *    ("售后从来不用我们操心").
 *
 * What is *not* a negator (masked before the search):
 * - A-not-A questions: 能不能, 会不会, 有没有, 是不是, 可不可以, 够不够, 支不支持 (any X不X / X没X).
 * - Inability, uncertainty and complaint forms, which express a concern: 不能, 不会, 无法,
 *   没法, 来不及, 赶不上, 达不到, 不确定, 不知道, 不放心, 不靠谱, 不稳定, 不够, 不准时, 不到位,
 *   没底, 没把握, 不一定; "can't", "won't", "not sure", "don't know", "not enough",
 *   "don't have", "not in stock", "didn't arrive"….
 * - Negations inside another matched trigger ("没有现货", "不支持", "don't have the budget"
 *   are triggers themselves and therefore concerns).
 * - Comparatives and connectives: 不如, 没有…那么, 不过, 不但, 不管, 不少, 不错 (before).
 * - Rhetorical questions and "does not follow" forms, which assert the concern: 不就, 岂不, 不也
 *   ("那三十万岂不是白扔了"), 不等于, 不代表, 不意味着 ("展会上反响好不代表卖得动").
 *
 * Cancellation: a negated match still counts when its clause is a question (ends in ?/？ or
 * 吗/吧/么/呢/嘛, or starts with an English auxiliary: "交期没问题吧?", "isn't the lead time
 * too long?") or a condition (如果/要是/万一/只要/除非/一旦, 的话 after a predicate as in
 * "交期没问题的话" but not the topic marker in "交期的话，…"; if/unless/as long as/in case):
 * the customer is asking for reassurance or setting a condition, both of which are concerns.
 * Doubt in the clause (不确定/不知道/说不准, "not sure", "I wonder", "doubt") cancels as well.
 */
import { countUnits } from '../text/normalize.js';
import type { TextSpan } from '../text/split.js';

export const PRE_WINDOW = 10;
export const POST_WINDOW = 8;

const ZH_NEGATORS = [
  '不用担心', '不必担心', '别担心', '不担心', '不在乎', '不在意', '不关心', '不用考虑', '不考虑', '不着急', '不急',
  '不怕', '无所谓', '不存在', '不需要', '用不着', '无需', '不必', '不用', '从来没有', '从来没', '从来不', '从没有',
  '从没', '从不', '一直没有', '一直没', '并没有', '并没', '并不是', '并不', '也不是', '倒不是', '都不是', '不是',
  '没有', '没事', '没', '毫无', '绝不', '未曾', '未', '不太', '不怎么', '没怎么', '无', '不',
];

const EN_NEGATORS = [
  "don't worry about", 'do not worry about', 'not worried about', 'not worried', 'not concerned about',
  'not concerned', 'no concerns? (?:about|with|on|regarding)', 'no problems? with', 'no issues? with',
  "don't care about", 'do not care about', "doesn't matter", 'not bothered', 'not fussed', 'no rush on',
  'no hurry on', 'never', 'not', 'no', "isn't", "aren't", "wasn't", "weren't", "don't", "doesn't",
  "didn't", "haven't", "hasn't", "hadn't", 'nor', 'hardly',
];

/** Words containing a negation character that do not negate what follows. */
const ZH_NON_NEGATORS = [
  '不错', '不过', '不少', '不断', '不仅', '不光', '不但', '不管', '不论', '要不然', '不然', '要不', '不得不', '不一定',
  '不确定', '不清楚', '不知道', '不了解', '不明白', '不放心', '不满意', '不满', '不稳定', '不稳', '不靠谱', '不够',
  '不能', '不会', '不行', '不好', '不敢', '不如', '不同', '不一样', '不便宜', '不要', '不停', '不久', '不到', '不得了',
  '了不起', '不大', '不足', '不支持', '不兼容', '不满足', '不符合', '不达标', '不合格', '不准时', '不准', '不及时',
  '不安全', '不透明', '不划算', '不值', '不合适', '不匹配', '不灵活', '不方便', '不专业', '不到位', '不给力', '不理',
  '不回', '不可能', '来不及', '等不及', '赶不上', '跟不上', '供不上', '交不上', '达不到', '做不到', '买不到', '找不到',
  '用不起', '买不起', '付不起', '花不起', '划不来', '靠不住', '吃不消', '受不了', '搞不定', '说不定', '保不准',
  '免不了', '少不了', '离不开', '满足不了', '批不下来', '降不下来', '卖不动', '卖不出去', '用不了', '扛不住', '顶不住',
  '撑不住', '过不了', '通不过', '谈不拢', '定不了', '做不了', '信不过', '差不多', '对不起', '不见得', '未必', '未来',
  '无法', '没法', '没办法', '无论', '无锡', '没底', '没把握', '没谱', '没准', '没多久', '没几天', '没想到', '没多少',
  '没什么钱', '没人', '没有人', '无人',
  // rhetorical questions and "does not follow" forms assert the concern: "那笔钱岂不是白花了", "好评多不代表卖得动"
  '不就', '岂不', '不也', '不等于', '不代表', '不意味着', '不说明',
];

const EN_NON_NEGATORS = [
  'can not', 'not sure', 'not certain', 'not clear', 'no idea', "don't know", 'do not know', "doesn't know",
  'not enough', 'not only', 'not just', 'no longer', 'not yet', "don't have", 'do not have', "doesn't have",
  'does not have', "didn't have", "haven't got", "hasn't got", 'not able', 'not happy', 'not satisfied',
  'not convinced', 'not comfortable', "don't trust", 'not reliable', 'not cheap', 'no way', 'not good',
  "isn't good", 'not great', "don't like", 'do not like', "doesn't work", 'not working', "didn't work",
  "doesn't meet", "don't meet", 'not meet', "doesn't fit", 'not compatible', "isn't compatible", 'not on time',
  "wasn't on time", "weren't on time", "didn't arrive", "didn't deliver", "doesn't support", "don't support",
  'not supported', 'no one', 'nobody', 'not available', "isn't available", "aren't available", 'not in stock',
  "isn't in stock", "aren't in stock", 'not responsive', "didn't respond", 'no response', 'not fast enough',
  'not in a position', 'not allowed', 'not permitted', 'not possible', 'not acceptable', "isn't acceptable",
];

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alt = (list: readonly string[], raw = false): string =>
  [...list].sort((a, b) => b.length - a.length).map((s) => (raw ? s : escape(s))).join('|');

// English negators are regex fragments (some have "s?"), already escaped where needed
const EN_NEG_SRC = EN_NEGATORS.map((s) => (/[?()]/.test(s) ? s : escape(s)));

const NEGATOR_RE = new RegExp(`${alt(ZH_NEGATORS)}|\\b(?:${EN_NEG_SRC.sort((a, b) => b.length - a.length).join('|')})\\b`, 'g');

const NON_NEGATOR_RE = new RegExp(
  [
    '([\\u4e00-\\u9fff])[不没]\\1', // A-not-A
    '没有(?=[^,.!?;，。！？；]{1,8}(?:那么|这么|那样|这样))', // comparative 没有…那么
    alt(ZH_NON_NEGATORS),
    `\\b(?:${alt(EN_NON_NEGATORS)})\\b`,
  ].join('|'),
  'g',
);

export const CONTRAST_RE = /但是|可是|不过|然而|而是|只是|就是|主要是|关键是|重点是|最重要的是|但|\b(?:but|however|though|although|except|yet|rather|instead|whereas)\b/g;

const COORDINATOR_RE = /^\s*(?:和|跟|与|及|以及|、|还有|也|and|or|&|\/|,)?\s*$/;

const ZH_POST_CUES = [
  '不是问题', '不是什么问题', '不是大问题', '不成问题', '都不是问题', '不算问题', '不是事儿', '不是事', '没问题',
  '没什么问题', '没啥问题', '没有问题', '没大问题', '问题不大', '无所谓', '不重要', '不是重点', '不是关键', '不是主要',
  '还好', '还行', '还可以', '都行', '都可以', '也可以', '可以接受', '能接受', '接受得了', '没关系', '没意见', '不担心',
  '不用担心', '放心', '不急', '不着急', '不用管', '不用考虑', '都好说', '好说', '好商量', '挺好', '很好', '不错', '满意',
  '够用', '很充足', '充足', '比较合理', '挺合理', '合理', '很稳定', '挺稳定', '一直很稳', '挺准时', '很准时', '都准时',
  '很及时', '挺及时', '没毛病', '不缺', '没事',
  '已经过了', '已经通过了', '已经通过', '已经搞定', '已经解决了', '已经解决', '都齐全', '都有了', '齐全', '挺全', '很全',
  '比较全', '省心',
  '很快', '挺快', '蛮快', '很简单', '挺简单', '简单', '很容易', '容易', '很方便', '挺方便', '很顺利', '挺顺利', '靠谱',
];

const POST_CUE_RE = new RegExp(
  [
    alt(ZH_POST_CUES),
    '不(?:算|太|是很|怎么|那么|是太)?(?:贵|高|长|慢|难|复杂|麻烦|缺|愁|紧张)',
    '(?:倒|也|并)?不(?:是|太|怎么)?(?:特别|很|太|那么|怎么)?(?:担心|在意|在乎|关心|着急|急)',
    // worry synonyms: "从来不用我们操心", "不用费心"
    '(?:从来|一直|从|都|也|根本)?(?:没|没有|不|不用|不需要|不必)(?:让|叫|要)?(?:我们?|人)?(?:操|费|烦)(?:过|什么)?心',
    "\\b(?:(?:is|are|was|were|'s|'re|seems?|looks?|sounds?|feels?) )?(?:totally |pretty |really |all |perfectly |quite |more than |very )?(?:fine|ok|okay|good|great|reasonable|acceptable|competitive|manageable|covered|sorted|solid|no problem|no issue)\\b",
    "\\b(?:(?:is|are|was|were|'s|'re) )?not (?:really |actually |exactly |even |that much of |much of )?(?:a|an|the|our|my|any) (?:\\w+ )?(?:issue|problem|concern|worry|priority|factor|dealbreaker|deal breaker)s?\\b",
    "\\b(?:isn't|aren't|wasn't|weren't) (?:really |actually |exactly |even |that much of |much of )?(?:a|an|the|our|my|any) (?:\\w+ )?(?:issue|problem|concern|worry|priority|factor)s?\\b",
    "\\b(?:doesn't|does not|don't|do not) (?:really )?matter\\b",
    "\\b(?:is|are|'s|'re) (?:not|n't) (?:that |very |really )?important\\b",
    "\\b(?:isn't|aren't) (?:that |very |really )?important\\b",
    '\\bworks? (?:fine |well )?for us\\b',
    "\\b(?:shouldn't|should not|won't|will not) be (?:a|an) (?:\\w+ )?(?:problem|issue|concern)\\b",
    '\\bthe least of our (?:worries|concerns|problems)\\b',
    '\\b(?:not a|no) big deal\\b',
    '\\bcan wait\\b',
  ].join('|'),
  'g',
);

const DOUBLE_NEG_BEFORE_CUE_RE = /(?:不是|并不|不|没|\bnot|n't)\s*$/;

const CONDITIONAL_RE = /如果|要是|假如|假设|万一|只要|除非|一旦|倘若|如若|\b(?:if|unless|as long as|provided|providing|in case|assuming)\b/;
/** 的话 right after a topic ("交期的话，…") marks the topic; after a predicate ("交期没问题的话") it is a condition. */
const DEHUA_RE = /的话/g;
/** What may follow a trigger when its clause only names a topic ("这个交期的话", "价格这块", "售后呢"). */
const TOPIC_TAIL_RE =
  /^\s*(?:的话|这块|这一块|这方面|方面|这边|那边|这个|的|呢|嘛|吧|啊|呀|问题|(?:我们|我|都|也|已经|之前|上次)*(?:看|试|测|用|验|评估|对比|比)(?:过|了)了?)*\s*$/;
/** Doubt about the topic keeps a negated mention a concern ("I'm not sure your lead time works for us"). */
const UNCERTAIN_RE = /不确定|不知道|不清楚|不好说|说不准|拿不准|没把握|吃不准|\b(?:not sure|unsure|don't know|do not know|wonder|wondering|doubt|doubtful)\b/;
const ZH_QUESTION_END_RE = /[吗吧么呢嘛][啊呀哦哈啦]?\s*$/;
const EN_QUESTION_START_RE = /^(?:is|are|was|were|do|does|did|can|could|will|would|should|isn't|aren't|won't|can't|have|has|haven't|hasn't)\b/;

export interface NegationInput {
  /** Normalised segment text. */
  text: string;
  clause: TextSpan;
  start: number;
  end: number;
  /** Pattern gaps inside the match. */
  gaps: ReadonlyArray<readonly [number, number]>;
  /** Other accepted matches in the same clause (masked: their own negations do not count). */
  others: ReadonlyArray<{ start: number; end: number }>;
  /** The following clause of the same segment, if any (for topic-only clauses). */
  nextClause?: TextSpan;
}

export interface NegationResult {
  negated: boolean;
  /** The cue that negated (or would have negated) the match. */
  cue?: string;
  /** 'carried': a dismissal of the same code in a neighbouring clause (see lexicon.ts). */
  where?: 'before' | 'inside' | 'after' | 'carried';
  /** Set when a negation was found but the clause is a question, a condition or expresses doubt. */
  cancelledBy?: 'question' | 'conditional' | 'uncertain';
}

/** Filler for masked text: neither a word character nor a Han character, so no cue can match across it. */
const MASK = '\u00b7';

function maskRange(chars: string[], base: number, s: number, e: number): void {
  for (let i = Math.max(s, base); i < Math.min(e, base + chars.length); i++) chars[i - base] = MASK;
}

/** Is the clause a question (punctuation, final particle, or English auxiliary inversion)? */
export function isQuestionClause(text: string, clause: TextSpan): boolean {
  if (clause.delimiter.includes('?') || clause.delimiter.includes('？')) return true;
  if (ZH_QUESTION_END_RE.test(clause.text)) return true;
  // auxiliary inversion, unless the clause is closed by a full stop ("Do let us know.")
  if (/[.。!！]/.test(clause.delimiter)) return false;
  return EN_QUESTION_START_RE.test(text.slice(clause.start, clause.end));
}

function conditionalDehua(text: string, clause: TextSpan, matchEnd: number): boolean {
  const clauseText = text.slice(clause.start, clause.end);
  DEHUA_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = DEHUA_RE.exec(clauseText)) !== null) {
    const at = clause.start + m.index;
    // directly after the trigger (possibly after a topic word): a topic marker, not a condition
    if (at >= matchEnd && TOPIC_TAIL_RE.test(text.slice(matchEnd, at))) continue;
    return true;
  }
  return false;
}

export function checkNegation(input: NegationInput): NegationResult {
  const { text, clause, start, end } = input;
  const base = clause.start;
  const clauseText = text.slice(base, clause.end);

  // masked copy: other matches and non-negator expressions become MASK
  const chars = clauseText.split('');
  for (const o of input.others) maskRange(chars, base, o.start, o.end);
  NON_NEGATOR_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = NON_NEGATOR_RE.exec(clauseText)) !== null) {
    if (m[0].length === 0) {
      NON_NEGATOR_RE.lastIndex++;
      continue;
    }
    maskRange(chars, base, base + m.index, base + m.index + m[0].length);
  }
  const masked = chars.join('');

  let result: NegationResult = { negated: false };

  // 1. before the match, after the last contrast marker
  let preStart = base;
  const preRaw = text.slice(base, start);
  CONTRAST_RE.lastIndex = 0;
  while ((m = CONTRAST_RE.exec(preRaw)) !== null) preStart = base + m.index + m[0].length;
  const preMasked = masked.slice(preStart - base, start - base);
  let count = 0;
  let firstCue: string | undefined;
  NEGATOR_RE.lastIndex = 0;
  while ((m = NEGATOR_RE.exec(preMasked)) !== null) {
    const negEnd = preStart + m.index + m[0].length;
    if (countUnits(text.slice(negEnd, start)) <= PRE_WINDOW) {
      count++;
      firstCue ??= m[0];
    }
  }
  let where: NegationResult['where'] = 'before';
  // 2. inside the free gaps of a pattern
  for (const [gs, ge] of input.gaps) {
    const gapMasked = masked.slice(gs - base, ge - base);
    NEGATOR_RE.lastIndex = 0;
    while ((m = NEGATOR_RE.exec(gapMasked)) !== null) {
      count++;
      if (!firstCue) {
        firstCue = m[0];
        where = 'inside';
      }
    }
  }
  if (count % 2 === 1) result = { negated: true, cue: firstCue!, where };

  // 3. a dismissive cue after the match; a clause that only names the topic ("交期的话，")
  //    lets the cue come from the next clause ("…，我们不着急")
  if (!result.negated) {
    let postEnd = clause.end;
    if (input.nextClause && TOPIC_TAIL_RE.test(text.slice(end, clause.end))) postEnd = input.nextClause.end;
    const postRaw = text.slice(end, postEnd);
    CONTRAST_RE.lastIndex = 0;
    const cm = CONTRAST_RE.exec(postRaw);
    if (cm) postEnd = end + cm.index;
    const post = text.slice(end, postEnd);
    POST_CUE_RE.lastIndex = 0;
    while ((m = POST_CUE_RE.exec(post)) !== null) {
      const cueStart = end + m.index;
      if (countUnits(text.slice(end, cueStart)) > POST_WINDOW) break;
      const before = text.slice(Math.max(end, cueStart - 8), cueStart);
      if (DOUBLE_NEG_BEFORE_CUE_RE.test(before)) continue;
      // another trigger between the match and the cue takes the cue, unless coordinated
      const between = input.others
        .filter((o) => o.start >= end && o.start < cueStart)
        .sort((a, b) => a.start - b.start)[0];
      if (between && !COORDINATOR_RE.test(text.slice(end, between.start))) break;
      result = { negated: true, cue: m[0].trim(), where: 'after' };
      break;
    }
  }

  if (result.negated) {
    if (isQuestionClause(text, clause)) return { ...result, negated: false, cancelledBy: 'question' };
    if (UNCERTAIN_RE.test(clauseText)) return { ...result, negated: false, cancelledBy: 'uncertain' };
    if (CONDITIONAL_RE.test(clauseText) || conditionalDehua(text, clause, end)) {
      return { ...result, negated: false, cancelledBy: 'conditional' };
    }
  }
  return result;
}

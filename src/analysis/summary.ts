/**
 * Offline call summary and next steps (no model, no segmenter): pure and deterministic.
 *
 * extractiveSummary — sentences are scored by TF-IDF degree centrality (the sum of a sentence's
 * cosine similarity to every other sentence, which equals its dot product with the sum of all
 * normalised sentence vectors, so it is exact and linear instead of TextRank's quadratic graph).
 * Tokens: character bigrams inside runs of Chinese characters, lower-cased words (light plural
 * stemming) for Latin script, stop words dropped. The score is then weighted:
 *   × 2 customer sentence stating a need / concern (需要, 担心, 预算, 交期, need, worried …),
 *       × 1.15 more when it is a question (交期多久？)
 *   × 1.5 rep commitment (a next step said by the rep, or 我会/我们会/I'll/we'll …)
 *   × 1.2 any other next-step sentence
 *   × min(1, tokens / 6) so fragments lose to full sentences
 *   × 0.3 greetings, thanks, small talk
 * Selection is greedy by score, skipping a sentence whose cosine similarity to one already
 * chosen is ≥ 0.6 or whose normalised text repeats one; next-step sentences fill at most half
 * the slots (rounded up) while other sentences remain, so the customer's needs are not crowded
 * out by the closing commitments. The chosen sentences are returned in call order, verbatim
 * except for leading fillers/acknowledgements (嗯，/ 好的，/ um, / no problem, …) and an added
 * full stop.
 * Default length: 3 sentences for short calls (≤ 12 candidates), 4 up to 40, else 5
 * (maxSentences overrides it; 0 gives "").
 * `language` picks the sentences of that language (falls back to all when there are none);
 * without it the transcript's dominant script decides. Sentences are never translated.
 *
 * findNextSteps — a next step is a sentence with an action (send a quote / proposal / samples /
 * contract, schedule a demo / meeting / call, site visit, trial, shipping, follow up, reply …)
 * anchored by a time expression (明天, 下周三, 月底, 3月5号, by Friday, next week …) or by a
 * commitment / request (我会, 我这边, 给您, 请, 麻烦, I'll, we'll, let's, please, can you …).
 * Not next steps: past events (上次, 已经, last week, already …), negated actions (不用发, no
 * need to …), look-alikes (share my screen, meet your requirements), and questions without a
 * time ("你们能提供试用吗" asks; "要不要下周三安排个演示" proposes, so it counts).
 * The item is the first clause (split on ，,) holding an action that is neither past nor
 * negated, plus a time-only clause just before it and the next clause when that one carries an
 * action or a time — so at most three clauses, verbatim apart from: leading fillers and
 * connectives removed (好的，/ 那 / Great, / So …); for the rep's own commitments the
 * first-person subject removed (→ imperative: "明天上午把报价单发给您", "Send over the revised
 * quote by Friday"); for the customer's, the subject kept and the item prefixed "客户：" /
 * "Customer: "; trailing particles and confirmation tags (吧, 可以吗, ", okay") dropped.
 * Near-duplicates (same kind of action with overlapping times, or character-bigram Jaccard
 * ≥ 0.5) keep one item, a statement winning over a question. At most 6 items: when there are
 * more, the best anchored (time, commitment, statement) win, later ones (closer to the call's
 * conclusion) breaking ties; the result is in call order.
 */
import { isQuestion, splitSentences } from './questions.js';
import type { Role, Segment } from './types.js';

// ---------------------------------------------------------------------------------------------
// Sentence units

interface Unit {
  /** Position in call order. */
  pos: number;
  role: Role;
  start: number;
  text: string;
}

function units(segments: readonly Segment[]): Unit[] {
  const order = segments
    .map((s, i) => ({ s, i }))
    .sort((a, b) => (Number.isFinite(a.s.start) ? a.s.start : Infinity) - (Number.isFinite(b.s.start) ? b.s.start : Infinity) || a.i - b.i);
  const out: Unit[] = [];
  for (const { s } of order) {
    if (typeof s.text !== 'string' || !s.text) continue;
    for (const text of splitSentences(s.text)) out.push({ pos: out.length, role: s.role, start: s.start, text });
  }
  return out;
}

const HAN_G = /[\u3400-\u9fff]/g;
const LATIN_WORD_G = /[A-Za-z]+/g;
const HAN_RE = /[\u3400-\u9fff]/;

const countMatches = (s: string, re: RegExp): number => s.match(re)?.length ?? 0;
const isZh = (s: string): boolean => countMatches(s, HAN_G) >= countMatches(s, LATIN_WORD_G);

// ---------------------------------------------------------------------------------------------
// Patterns shared by the summary and the next steps

/** Time expressions: relative days, weekdays, month ends, dates, clock times, deadlines. */
const TIME_RE = new RegExp(
  [
    '今天|今晚|明天|明早|明晚|后天|大后天|下周[一二三四五六日天末]?|下个?(?:星期|礼拜)[一二三四五六日天]?|这周[一二三四五六日末]?|本周[一二三四五六日末]?',
    '(?:这个?|下个?|本)?(?:周|星期|礼拜)[一二三四五六日天末]|月底|月初|月中|年底|年前|年后|节前|节后|下个?月|下半年|下季度',
    '[0-9一二三四五六七八九十]{1,3}月(?:[0-9一二三四五六七八九十]{1,3}[号日])?|[0-9]{1,2}[号日](?:之?前)?|[0-9]{1,2}[:：][0-9]{2}',
    '(?:上午|下午|晚上|中午)(?:[0-9一二三四五六七八九十两]{1,3}点)?|[0-9一二三四五六七八九十两]{1,3}点(?:半|钟)?',
    '[0-9一二两三四五六七八九十]+个?(?:工作日|天|周|星期)(?:内|之内|以内|后|之后)|尽快|马上|回头|稍后|晚点|过两天|这两天',
    '\\b(?:today|tonight|tomorrow|asap|eod|eow|this afternoon|this evening|later today|first thing)\\b',
    '\\b(?:next|this|by|on|before|until|till)\\s+(?:week|month|quarter|year|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|end of (?:the )?(?:day|week|month|quarter)|tomorrow|eod|the end of (?:the )?(?:day|week|month|quarter))\\b',
    '\\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\\b|\\bend of (?:the )?(?:day|week|month|quarter)\\b',
    '\\bwithin (?:a|an|one|two|three|four|five|[0-9]+) (?:business |working )?(?:days?|weeks?|hours?)\\b|\\bin (?:a|one|two|three|[0-9]+) (?:days?|weeks?)\\b',
    '\\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.? [0-9]{1,2}(?:st|nd|rd|th)?\\b|\\b[0-9]{1,2}(?::[0-9]{2})? ?(?:am|pm)\\b',
  ].join('|'),
  'i',
);

interface ActionKind {
  kind: string;
  re: RegExp;
}

/** Actions that make a next step, by kind (the kind is used to merge near-duplicates). */
const ACTIONS: ActionKind[] = [
  { kind: 'quote', re: /报价|报个价|价格表|价目表|\bquot(?:e|es|ation)\b|\bpric(?:ing|e list)\b/i },
  { kind: 'contract', re: /合同|协议|签约|签字|盖章|下单|采购订单|\bcontracts?\b|\bagreement\b|\bsign(?:ed|ing)?\b|\bpaperwork\b|\bpurchase order\b|\bPO\b/i },
  { kind: 'demo', re: /演示|\bdemos?\b|\bwalk ?through\b/i },
  { kind: 'sample', re: /样品|样机|寄样|\bsamples?\b/i },
  { kind: 'visit', re: /现场|考察|上门|实地|参观|\bsite visit\b|\bon-?site\b|\bvisit\b/i },
  { kind: 'trial', re: /试用|试点|测试账号|\bPOC\b|\btrial\b|\bpilot\b|\bproof of concept\b|\btest account\b/i },
  { kind: 'call', re: /回电|回个电话|打电话|打个电话|给您打|给你打|电话沟通|\bcall (?:you )?back\b|\b(?:give|set up|schedule|hop on|jump on|book) (?:you |a |another |a quick |a follow-up )?(?:call|phone call)\b/i },
  { kind: 'meeting', re: /约个?时间|约一下|开个会|碰个?头|碰一下|见个?面|拜访|\b(?:set up|schedule|book|arrange) (?:a |another |the )?(?:meeting|session|time)\b|\bmeet (?:up|with|you|again|in person)\b/i },
  { kind: 'ship', re: /发货|出货|备货|\bship (?:it|them|the order|out)\b|\bships?\b(?= (?:today|tomorrow|next|this|by|on|within))/i },
  { kind: 'material', re: /方案|资料|材料|案例|白皮书|规格书|说明书|手册|参数表|清单|\bproposal\b|\bdeck\b|\bslides\b|\bbrochure\b|\bcase stud(?:y|ies)\b|\bwhite ?paper\b|\bdata ?sheet\b|\bspec(?:s| sheet)?\b|\bdocumentation\b/i },
  { kind: 'followup', re: /跟进|答复|回复|回个话|给您消息|给你消息|反馈|汇报|确认一下|通知您|\bfollow[ -]up\b|\bget back to\b|\bcircle back\b|\bconfirm\b|\blet you know\b|\bloop in\b|\bcheck with\b|\bintroduce\b/i },
  { kind: 'schedule', re: /安排(?:一下|好)|安排.{0,8}?(?:演示|会议|工程师|技术|人员|同事|时间|拜访|培训|对接|测试|见面|电话|车)|\bschedule\b|\barrange\b|\bbook (?:a|the|some)\b/i },
  { kind: 'send', re: /发给|发您|发你|发过去|发一下|发个|发到|寄给|寄过去|寄一|\bsend\b|\bemail\b|\bshare\b|\bforward\b/i },
];

/** Looks like an action but is not a follow-up. */
const NOT_STEP_RE = /共享屏幕|屏幕共享|\bshare (?:my|the|your) screen\b/i;
const PAST_RE =
  /上次|已经|刚才|刚刚|以前|去年|上周|上个?星期|上个?礼拜|上个?月|昨天|前天|发过|寄过|试过|用过|签过|做过|来过|\blast (?:week|time|month|year|friday|monday|tuesday|wednesday|thursday)\b|\balready\b|\byesterday\b|\bpreviously\b|\b(?:we|you|i|they) (?:sent|signed|had|did|tried|visited)\b/i;
const NEGATED_RE =
  /(?<!用)不用|(?<!需)不需要|不必|没必要|先不|暂时不|(?<!要)不要|不想|不打算|\bno need\b|\bdon'?t need\b|\bdo not need\b|\bnot necessary\b|\bnot going to\b|\bhold off\b|\bwon'?t need\b/i;
const COMMIT_RE =
  /我会|我们会|我这边|我们这边|我来|我去|我先|我再|我马上|我回头|回头|给您|给你|帮您|帮你|请|麻烦|咱们|约|定在|就这么定|没问题|\bi'?ll\b|\bwe'?ll\b|\bi will\b|\bwe will\b|\bi can\b|\bwe can\b|\blet me\b|\blet'?s\b|\blet us\b|\b(?:i'?m|we'?re|i am|we are) going to\b|\bplease\b|\b(?:can|could|will|would) you\b|\b(?:i|we)'?d like to\b|\bhappy to\b/i;
const NEED_CONCERN_RE =
  /需要|需求|希望|想要|担心|顾虑|关心|在意|要求|必须|预算|太贵|价格|交期|交货|到货|库存|售后|安全|合规|对接|集成|问题|风险|审批|领导|竞品|别家|\bneed\b|\bneeds\b|\bwant\b|\bworr(?:y|ied)\b|\bconcern(?:s|ed)?\b|\bbudget\b|\brequire(?:s|ment|ments)?\b|\blooking for\b|\bmust\b|\bproblem\b|\bissue\b|\bexpensive\b|\bpric(?:e|es|ing)\b|\bcosts?\b|\blead time\b|\bdeliver(?:y|ies)?\b|\bintegrat(?:e|ion)\b|\bsecurity\b|\bcompliance\b|\bapproval\b|\bcompetitor\b|\bdeadline\b/i;
const SMALL_TALK_RE =
  /^(?:喂|您好|你好|哈喽|嗨|再见|拜拜|谢谢|感谢|辛苦|好的好的|对对|嗯嗯|hi|hello|hey|thanks|thank you|bye|goodbye|good morning|good afternoon|nice to meet|how are you|talk soon|have a (?:good|great|nice))/i;
const LEADING_FILLER =
  /^(?:(?:嗯|呃|啊|额|哦|噢)+[，,、\s]*|(?:那个|就是说|就是|然后|好的|好|行|可以的|可以|没问题|对|对的|um+|uh+|er|erm|so|well|okay|ok|yeah|right|oh|no problem|absolutely|sure|great|perfect|sounds good|got it)[，,、]\s*|(?:um+|uh+|er|erm)\s+)+/i;

function actionOf(s: string): { kind: string; index: number } | null {
  for (const a of ACTIONS) {
    const m = a.re.exec(s);
    if (m) return { kind: a.kind, index: m.index };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Tokens and vectors

const EN_STOP = new Set(
  ('a an the and or but if so of to in on at by for with from as is are was were be been being am do does did ' +
    'have has had i you he she it we they me him her us them my your his its our their this that these those ' +
    'there here what which who whom when where why how not no yes yeah ok okay um uh just very really can could ' +
    'will would shall should may might must also then than too about into over out up down all any some more ' +
    "most other such only own same s t don't i'm i'll we'll you're it's that's let's get got go going know think " +
    'like well right sure oh hi hello thanks thank one two lot bit kind sort')
    .split(' '),
);
const ZH_STOP_CHARS = new Set('的了是我你他她它们这那个就也都在和有吗呢吧啊嗯哦呀么一不没很还要会能说对好把给让被跟与及或而但所因如果然后可以下来去上到着过得地么啦嘛哈呃额'.split(''));
const ZH_STOP_BIGRAMS = new Set(
  '我们 你们 他们 咱们 这个 那个 就是 可以 一下 然后 现在 因为 所以 如果 但是 还是 没有 什么 怎么 这样 那样 这边 那边 的话 一个 还有 时候 知道 觉得 应该 其实 这种 那种 比较 一些 有点 东西 您好 你好'.split(' '),
);

function tokenize(s: string): string[] {
  const out: string[] = [];
  const lower = s.toLowerCase();
  for (const run of lower.match(/[\u3400-\u9fff]+/g) ?? []) {
    if (run.length === 1) {
      if (!ZH_STOP_CHARS.has(run)) out.push(run);
      continue;
    }
    for (let i = 0; i + 1 < run.length; i++) {
      const bg = run.slice(i, i + 2);
      if (ZH_STOP_BIGRAMS.has(bg)) continue;
      if (ZH_STOP_CHARS.has(bg[0] as string) && ZH_STOP_CHARS.has(bg[1] as string)) continue;
      out.push(bg);
    }
  }
  for (let w of lower.match(/[a-z0-9]+(?:'[a-z]+)?/g) ?? []) {
    if (w.length < 2 || EN_STOP.has(w)) continue;
    if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
    out.push(w);
  }
  return out;
}

type Vec = Map<string, number>;

function dot(a: Vec, b: Vec): number {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [k, v] of small) {
    const w = big.get(k);
    if (w !== undefined) s += v * w;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Summary

const normKey = (s: string): string => s.toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');

function finish(s: string, zh: boolean): string {
  const t = s.replace(LEADING_FILLER, '').trim() || s.trim();
  if (/[。！？!?.…]["'”’」』）)]*$/.test(t)) return t;
  return t + (zh ? '。' : '.');
}

export function extractiveSummary(
  segments: Segment[],
  opts: { maxSentences?: number; language?: 'zh' | 'en' } = {},
): string {
  const all = units(segments).filter((u) => !SMALL_TALK_RE.test(u.text.replace(LEADING_FILLER, '')) || tokenize(u.text).length >= 4);
  if (all.length === 0) return '';

  const transcriptZh = isZh(all.map((u) => u.text).join('\n'));
  const zh = opts.language ? opts.language === 'zh' : transcriptZh;
  const inLanguage = all.filter((u) => (zh ? HAN_RE.test(u.text) : !isZh(u.text)));
  const cands = (inLanguage.length > 0 ? inLanguage : all)
    .map((u) => ({ u, toks: tokenize(u.text), step: nextStepOf(u) !== null }))
    .filter((c) => c.toks.length > 0);
  if (cands.length === 0) return '';

  // TF-IDF over sentences.
  const df = new Map<string, number>();
  for (const c of cands) for (const t of new Set(c.toks)) df.set(t, (df.get(t) ?? 0) + 1);
  const n = cands.length;
  const vecs: Vec[] = cands.map((c) => {
    const v: Vec = new Map();
    for (const t of c.toks) v.set(t, (v.get(t) ?? 0) + 1);
    let norm = 0;
    for (const [t, tf] of v) {
      const w = (1 + Math.log(tf)) * Math.log(1 + n / (df.get(t) as number));
      v.set(t, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [t, w] of v) v.set(t, w / norm);
    return v;
  });
  const centroid: Vec = new Map();
  for (const v of vecs) for (const [t, w] of v) centroid.set(t, (centroid.get(t) ?? 0) + w);

  const scored = cands.map((c, i) => {
    const v = vecs[i] as Vec;
    let score = n > 1 ? (dot(v, centroid) - dot(v, v)) / (n - 1) : 1;
    const text = c.u.text;
    const step = c.step;
    const need = c.u.role === 'customer' && NEED_CONCERN_RE.test(text);
    if (need) score *= 2;
    if (c.u.role === 'rep' && (step || /我会|我们会|我这边|\bi'?ll\b|\bwe'?ll\b|\bi will\b|\bwe will\b/i.test(text))) score *= 1.5;
    else if (step) score *= 1.2;
    if (need && isQuestion(text)) score *= 1.15;
    score *= Math.min(1, c.toks.length / 6);
    if (SMALL_TALK_RE.test(text.replace(LEADING_FILLER, ''))) score *= 0.3;
    return { i, score };
  });
  // Best first; ties go to the earlier sentence.
  scored.sort((a, b) => b.score - a.score || a.i - b.i);

  const max =
    opts.maxSentences !== undefined
      ? Math.max(0, Math.floor(opts.maxSentences))
      : cands.length <= 12
        ? 3
        : cands.length <= 40
          ? 4
          : 5;
  if (max === 0) return '';
  // Next-step sentences take at most half the summary (rounded up) while other sentences are
  // left, so the customer's needs and concerns are not crowded out by the closing commitments.
  const stepQuota = Math.ceil(max / 2);
  const chosen: number[] = [];
  const keys = new Set<string>();
  let steps = 0;
  for (const pass of [0, 1]) {
    for (const { i } of scored) {
      if (chosen.length >= max) break;
      if (chosen.includes(i)) continue;
      const c = cands[i] as (typeof cands)[number];
      if (pass === 0 && c.step && steps >= stepQuota) continue;
      const key = normKey(c.u.text.replace(LEADING_FILLER, ''));
      if (!key || keys.has(key)) continue;
      const v = vecs[i] as Vec;
      if (chosen.some((j) => dot(v, vecs[j] as Vec) >= 0.6)) continue;
      keys.add(key);
      chosen.push(i);
      if (c.step) steps++;
    }
  }
  chosen.sort((a, b) => a - b);
  // Joined in the language of the sentences chosen (the transcript's, when `language` found none).
  const zhOut = inLanguage.length > 0 ? zh : transcriptZh;
  const parts = chosen.map((i) => finish((cands[i] as { u: Unit }).u.text, zhOut));
  return parts.join(zhOut ? '' : ' ');
}

// ---------------------------------------------------------------------------------------------
// Next steps

interface Step {
  pos: number;
  text: string;
  key: string;
  kind: string;
  time: string;
  question: boolean;
  rank: number;
}

const CLAUSE_G = /[^，,]+[，,]*/g;
/** Fillers and connectives before the step itself: 好的，/ 那我… / Great, / So … */
const LEAD_CONNECTIVE =
  /^(?:(?:好的|好|行|可以的|可以|没问题|嗯+|对|对的|那么|那|然后|另外|还有|这样吧|这样|ok|okay|sure|great|alright|perfect|sounds good|yes|yeah|so|and|then|also)[，,、]\s*|(?:嗯+|然后|那么|那|另外)(?=[我咱您你就下明今后这本周星月\d])|(?:ok|okay|sure|great|alright|perfect|yes|yeah|so|and|then|also)\s+)+/i;
const REP_SUBJECT_ZH = /^(?:我们这边|我这边|我们|咱们|我)(?:这边)?(?:会|就|先|再|来|回头|马上)*(?=[^的，,\s])/;
const REP_SUBJECT_EN =
  /^(?:(?:i|we)(?:'ll| will| can| could| shall|'m going to| am going to|'re going to| are going to)|let me|let's|let us|(?:i|we)(?=\s+(?:send|schedule|set up|arrange|book|share|email|forward|follow|call|get back|circle back|confirm|loop)))\s+/i;
const TRAIL_ZH = /(?:[，,]?(?:可以吗|行吗|好吗|好不好|行不行|可不可以|怎么样|是吧|对吧|吧|啊|哈|哦|呀|嘛|呢))+$/;
const TRAIL_EN = /(?:,\s*(?:okay|ok|right|alright|sound good|does that work|if that works))+$/i;
const TRAIL_PUNCT = /[\s。！？!?.;；…~～"'”’」』）)]+$/;

function bigrams(s: string): Set<string> {
  const k = normKey(s);
  const out = new Set<string>();
  for (let i = 0; i + 1 < k.length; i++) out.add(k.slice(i, i + 2));
  return out;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

interface ClauseInfo {
  a: number;
  b: number;
  action: { kind: string; index: number } | null;
  time: RegExpExecArray | null;
  /** Past or negated: not a step. */
  bad: boolean;
}

/** The next step in one sentence, or null. */
function nextStepOf(u: Unit): Step | null {
  const s = u.text;
  if (!actionOf(s)) return null;
  const clauses: ClauseInfo[] = [];
  CLAUSE_G.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CLAUSE_G.exec(s)) !== null) {
    const c = m[0];
    clauses.push({
      a: m.index,
      b: m.index + c.length,
      action: actionOf(c),
      time: TIME_RE.exec(c),
      bad: PAST_RE.test(c) || NEGATED_RE.test(c) || NOT_STEP_RE.test(c),
    });
  }
  const first = clauses.findIndex((c) => c.action !== null && !c.bad);
  if (first < 0) return null;
  const good = clauses.filter((c) => !c.bad);
  const hasTime = good.some((c) => c.time !== null);
  const commit = good.some((c) => COMMIT_RE.test(s.slice(c.a, c.b)));
  const question = isQuestion(s);
  if (!hasTime && !commit) return null;
  if (question && !hasTime) return null;

  // The first action clause, with a time-only clause just before it and one more clause after
  // it when that clause carries an action or a time: short, and verbatim.
  let lo = first;
  let hi = first;
  const before = clauses[lo - 1];
  if (before && before.time && !before.action && !before.bad) lo--;
  const after = clauses[hi + 1];
  if (after && (after.action || after.time) && !after.bad) hi++;
  let timeText = '';
  for (let i = lo; i <= hi; i++) {
    const t = (clauses[i] as ClauseInfo).time;
    if (t) {
      timeText = t[0];
      break;
    }
  }

  let text = s.slice((clauses[lo] as ClauseInfo).a, (clauses[hi] as ClauseInfo).b);
  let prev = '';
  while (prev !== text) {
    prev = text;
    text = text
      .replace(TRAIL_PUNCT, '')
      .replace(/[，,]+$/, '')
      .replace(LEAD_CONNECTIVE, '')
      .replace(TRAIL_ZH, '')
      .replace(TRAIL_EN, '')
      .trim();
  }
  if (!text) return null;
  const zh = HAN_RE.test(text);
  if (u.role === 'rep') {
    const stripped = text.replace(zh ? REP_SUBJECT_ZH : REP_SUBJECT_EN, '');
    if (stripped) text = stripped;
  }
  if (!zh) text = text.charAt(0).toUpperCase() + text.slice(1);
  if (u.role === 'customer') text = (zh ? '客户：' : 'Customer: ') + text;

  const rank = (hasTime ? 1 : 0) + (commit ? 1 : 0) + (question ? 0 : 0.5);
  const kind = (clauses[first] as ClauseInfo).action?.kind ?? '';
  return { pos: u.pos, text, key: normKey(text), kind, time: normKey(timeText), question, rank };
}

export function findNextSteps(segments: Segment[]): string[] {
  const steps: Step[] = [];
  for (const u of units(segments)) {
    const st = nextStepOf(u);
    if (!st) continue;
    const grams = bigrams(st.text.replace(/^(?:客户：|Customer: )/, ''));
    const dup = steps.findIndex(
      (o) =>
        o.key === st.key ||
        (o.kind === st.kind && o.time !== '' && st.time !== '' && (o.time.includes(st.time) || st.time.includes(o.time))) ||
        jaccard(grams, bigrams(o.text.replace(/^(?:客户：|Customer: )/, ''))) >= 0.5,
    );
    if (dup < 0) steps.push(st);
    else if ((steps[dup] as Step).question && !st.question) steps[dup] = st;
  }
  const MAX = 6;
  let kept = steps;
  if (steps.length > MAX) {
    kept = [...steps].sort((a, b) => b.rank - a.rank || b.pos - a.pos).slice(0, MAX);
  }
  return kept.sort((a, b) => a.pos - b.pos).map((s) => s.text);
}

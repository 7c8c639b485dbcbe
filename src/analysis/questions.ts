/**
 * Question detection for Chinese and English call transcripts (no segmenter, no model).
 *
 * A transcript is split into sentences on 。！？!?;； and line breaks (and on "." followed by
 * a space or the end, so "3.5" and "v1.2" stay whole). Each sentence is a question or not:
 *
 * - A sentence ending in "?" / "？" is a question (the punctuation is trusted).
 * - Otherwise each clause (split on ，,、：:) is tested with the Chinese and the English rules
 *   below; one questioning clause makes the sentence a question. ASR output often has no
 *   punctuation at all, which is why the lexical rules matter.
 *
 * Decisions (deliberately conservative; a miss costs less than a false question):
 * - Indefinite use of a question word is not a question: 什么都可以, 谁也不知道, 哪个都行,
 *   没什么问题, 不怎么贵, 没多少, 价格交期什么的 ("etc."), 好几个, 前几天, 过几天, 多多少少, 哪怕.
 * - Embedded questions are not questions: 我不知道怎么说, 我们内部商量一下什么时候开始,
 *   不管是不是…; unless the clause addresses the listener before the verb (您看看什么时候方便
 *   asks for a time) or ends in 吗 (你知道怎么用吗).
 * - 吧 asks only when it seeks confirmation (你们是做医疗器械的吧, 应该有现货吧, 对吧/是吧);
 *   a suggestion or acceptance is not a question (我们下周再聊吧, 那就这样吧, 好吧).
 * - 呢 asks unless the clause is declarative (我们还在考虑呢, 正在开会呢, 挺贵的呢).
 * - 怎么说呢 / 怎么讲呢 / 你知道吧 are fillers and are removed before testing.
 * - 请问 / 我想问一下 count as questions (an explicit request for information).
 * - English: a wh-word at clause start asks unless a subject or determiner follows it directly
 *   (what we need is…, when we spoke…, how much we can do depends…, what a great demo → no).
 * - "How about / what about / what if …" (a suggestion put to the listener) counts as a
 *   question: it invites an answer, which is what the talk metrics measure.
 * - Auxiliary inversion asks (do you, can we, is it, would you, have you, does the price…);
 *   "do"/"have" need a personal pronoun so imperatives (do it now, have a great day) don't count.
 *   Polite requests (can you send the quote) count as questions.
 * - Tag questions: "…, right" / "…, correct" after at least three words; "…, isn't it" and
 *   other auxiliary tags are caught by the inversion rule on the last clause.
 * - Indirect questions without "?" are not questions: "Let me know what you think",
 *   "I was wondering if you could…", "Tell me what your timeline is".
 */

// ---------------------------------------------------------------------------------------------
// Sentence splitting. This runs over every segment of every call, so the scanning is left to
// the regex engine (much faster than a JS character loop) and the rules below only run on
// sentences a cheap prefilter lets through.

const HAN_BIT = 1;
const LATIN_BIT = 2;
const DIGIT = 4;
/** Character classes for the few places that look at single characters. */
const T = new Uint8Array(0x10000);
for (let c = 0x3400; c <= 0x9fff; c++) T[c] = HAN_BIT;
for (let c = 65; c <= 90; c++) T[c] = LATIN_BIT;
for (let c = 97; c <= 122; c++) T[c] = LATIN_BIT;
for (let c = 48; c <= 57; c++) T[c] = DIGIT;
const cls = (text: string, i: number): number => T[text.charCodeAt(i)] as number;

/**
 * A sentence end: 。！？!?;； or a line break; "." before a space or the end; a run of dots
 * ("...") not followed by a letter or digit. Further end marks and closing quotes/brackets
 * stay with the sentence.
 */
const END_RE = /(?:[。！？!?;；\n\r]|\.(?<!\.\.)(?=(\.*))\1(?:(?=\s|$)|(?<=\.\.)(?![0-9A-Za-z])))[。！？!?;；\n\r.”’"'」』）)】\]]*/g;
/** Only punctuation and space: not a sentence. */
const NO_TEXT = /^[\s。！？!?;；.…~～，,、：:"'“”‘’「」『』（）()【】[\]-]*$/;
/** Starts with a letter, digit or Chinese character (the usual case), or isn't all punctuation. */
const isText = (s: string): boolean => s !== '' && ((T[s.charCodeAt(0)] as number) !== 0 || !NO_TEXT.test(s));

/** Calls `each(sentence)` for every trimmed sentence; stops early when it returns true. */
function scanSentences(text: string, each: (sentence: string) => boolean | void): void {
  END_RE.lastIndex = 0;
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = END_RE.exec(text)) !== null) {
    const end = m.index + m[0].length;
    const s = text.slice(start, end).trim();
    start = end;
    if (isText(s) && each(s) === true) return;
    END_RE.lastIndex = end; // in case `each` scanned another text
  }
  if (start < text.length) {
    const s = (start === 0 ? text : text.slice(start)).trim();
    if (isText(s)) each(s);
  }
}

/**
 * Splits text into trimmed, non-empty sentences, each keeping its own end punctuation.
 * Runs of end marks ("?!", "。。。", "...") and closing quotes/brackets stay with the sentence;
 * "." ends a sentence only before a space or the end (so "3.5" and "v1.2" stay whole).
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  scanSentences(text, (s) => {
    out.push(s);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Chinese rules

const FILLERS_ZH = /怎么说呢|怎么讲呢|你知道吧|你懂的/g;
/** Trailing particles that colour the tone but don't decide the question. */
const SOFT_TAIL = /[啊呀哈啦嘞哦噢喔~～…]+$/;
const SOFT_TAIL_CHARS = '啊呀哈啦嘞哦噢喔~～…';

/** Verbs (and concessive words) that embed a following question word: 我不知道怎么说. */
const EMBED =
  /不知道|知道|不清楚|清楚|不确定|确定|明白|记得|想好|决定|商量|讨论|研究|考虑|评估|看看|问问|告诉|解释|介绍|取决于|看情况|不管|无论|不论|说不好|说不准|不一定/;
const LISTENER = /[你您]/;

const QWORD_ZH =
  /为什么|为啥|为何|怎么样|怎么|怎样|什么|啥|咋|哪怕|哪里哪里|哪|谁|如何|是否|多少|多久|多长|多大|多远|多快|几时|何时|几|干嘛|干吗/g;
const A_NOT_A_IDIOM = /动不动|时不时/;
/** Measure words / time units after a questioning 几 (几个, 几天, 几号, 几点 …). */
const JI_UNIT = /[个天号点月年周位台套家次种款成折件只条项份张箱吨单期轮岁分秒]/;
/** 几 after these is "a few" (好几个, 十几天, 这几天, 前几天, 过几天, 没几个). */
const JI_BEFORE = /[好十这那前后过没来头]/;
/** 吧 that proposes or accepts rather than asks. */
const BA_SUGGEST = /^(我们|咱们|那就|就|先|那我|我先|我来|我们先|要不|还是|算了|好|行|不如|那咱|让|再|那我们|您先|你先)/;
const BA_CONFIRM = /[的了]$|应该|没问题|[是有没不能会也都]/;
const NE_DECLARATIVE = /正在|还在|着呢|还没|还早|挺|真|才|可[好贵多大]|(?<![现存所实])在(开|忙|看|走|谈|做|弄|等|想|考虑|用|路上|外面|出差)/;
const HAISHI_ADVERB = /^(太|很|挺|比较|有点|有些|不|没|觉得|要|得|先|会|在|想|希望|是|那个|这个|一样|挺好)/;
const HAISHI_PRONOUN = /^(我们|我|你们|你|您|他们|他|咱们|那就|那|这个|这|就|但是|但|可是|所以|觉得|认为|感觉|个人|其实|可能|最后|最终)*/;

function precededBy(clause: string, idx: number, re: RegExp, width = 2): boolean {
  return re.test(clause.slice(Math.max(0, idx - width), idx));
}

function embeddedAt(clause: string, idx: number): boolean {
  const m = EMBED.exec(clause.slice(0, idx));
  if (!m) return false;
  // "您看看什么时候方便" addresses the listener: a question, not an embedded one.
  return !LISTENER.test(clause.slice(0, m.index));
}

/** Characters without which no Chinese rule can fire (a cheap first test). */
const ZH_TRIGGER = /[吗么呢吧不没问什怎为哪谁如是多几啥咋何干还]/;

const BU = 0x4e0d; // 不
const MEI = 0x6ca1; // 没
const YI = 0x4e00; // 一

/** A-not-A (是不是, 能不能, 有没有, 可不可以, 满意不满意) outside an embedding. */
function aNotA(c: string): boolean {
  for (let i = c.indexOf('不'), j = c.indexOf('没'); i >= 0 || j >= 0; ) {
    const k = i < 0 ? j : j < 0 ? i : Math.min(i, j);
    if (k > 0) {
      const x = c.charCodeAt(k - 1);
      let hit = x === c.charCodeAt(k + 1) && x !== BU && x !== MEI && x !== YI && ((T[x] as number) & HAN_BIT) !== 0;
      let at = k - 1;
      // Two-character A: 满意不满意, 考虑不考虑.
      if (!hit && k > 1 && c.startsWith(c.slice(k - 2, k), k + 1)) {
        const x0 = c.charCodeAt(k - 2);
        hit = x0 !== BU && x0 !== MEI && x !== BU && x !== MEI && ((T[x0] as number) & (T[x] as number) & HAN_BIT) !== 0;
        at = k - 2;
      }
      if (hit && !A_NOT_A_IDIOM.test(c.slice(at, at + 3)) && !embeddedAt(c, at)) return true;
    }
    if (k === i) i = c.indexOf('不', k + 1);
    else j = c.indexOf('没', k + 1);
  }
  return false;
}

function zhClauseIsQuestion(raw: string): boolean {
  if (!ZH_TRIGGER.test(raw)) return false;
  let c = raw.trim();
  let last = c[c.length - 1];
  if (last === '呢' || last === '吧' || c.includes('懂')) {
    c = c.replace(FILLERS_ZH, '').trim();
    last = c[c.length - 1];
  }
  if (last !== undefined && SOFT_TAIL_CHARS.includes(last)) {
    c = c.replace(SOFT_TAIL, '').trim();
    last = c[c.length - 1];
  }
  if (!c) return false;
  const prev = c[c.length - 2];

  // Sentence-final particles.
  switch (last) {
    case '吗':
      return true;
    case '么':
      if (prev !== undefined && !'那这多要怎什'.includes(prev)) return true;
      break;
    case '呢':
      if (!NE_DECLARATIVE.test(c)) return true;
      break;
    case '吧': {
      const head = c.slice(0, -1);
      if (/^(那)?(好|行|算了|得了)$/.test(head)) return false; // acceptance: 好吧, 行吧
      if (/(是|对|没错)$/.test(head)) return true; // 是吧, 对吧
      if (!BA_SUGGEST.test(c) && BA_CONFIRM.test(head)) return true;
      break;
    }
    case '不': // 行不, 好不, 可以不
      if (/(行|好|对|是|能|可以|要|会|有)不$/.test(c)) return true;
      break;
    case '没':
    case '有': // 收到了没有, 看了没
      if (/了[^，,]*没有?$/.test(c)) return true;
      break;
  }

  // Explicit requests for information.
  if (c.includes('问') && /请问|想问/.test(c)) return true;

  if (aNotA(c)) return true;

  // Question words.
  QWORD_ZH.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = QWORD_ZH.exec(c)) !== null) {
    const w = m[0];
    const i = m.index;
    const after = c.slice(i + w.length);
    if (w === '哪怕' || w === '哪里哪里') continue;
    if (embeddedAt(c, i)) continue;
    // Indefinite with 都/也 within a few characters: 什么都可以, 哪个都行, 什么时候都行.
    if (/^[^，,]{0,3}?[都也]/.test(after)) continue;
    // Negated indefinite: 没什么问题, 不是什么大事, 不怎么贵, 没多少, 没多大.
    if (precededBy(c, i, /(没有?|不是|不算|不)$/)) continue;
    if (w === '什么' && /^的$/.test(after) && !precededBy(c, i, /[做干是用卖买搞]$/, 1)) continue;
    if (w === '为什么' && precededBy(c, i, /(就是|也是|正是)$/)) continue;
    if (w === '哪' && /^[怕]/.test(after)) continue;
    if (w === '几') {
      if (!JI_UNIT.test(after[0] ?? '')) continue;
      if (precededBy(c, i, JI_BEFORE, 1)) continue;
      // 我有几个问题 (I have a few questions) vs 你们有几个工程师.
      if (precededBy(c, i, /有$/, 1) && !LISTENER.test(c.slice(0, i))) continue;
    }
    if (w === '多少') {
      if (precededBy(c, i, /(多|或多或)$/, 3)) continue;
      if (/^(有|也|会|还|带|能)/.test(after) && !precededBy(c, i, /[是有要花卖]$/, 1)) continue;
    }
    return true;
  }

  // Alternative question: 线上还是线下, 您是今天还是明天方便.
  const hs = c.indexOf('还是');
  if (hs > 0) {
    const before = c.slice(0, hs).replace(HAISHI_PRONOUN, '');
    const after = c.slice(hs + 2);
    if (before.length > 0 && after.length > 0 && !HAISHI_ADVERB.test(after) && !embeddedAt(c, hs)) {
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// English rules

const WH = new Set(['what', 'when', 'where', 'which', 'who', 'whom', 'whose', 'why', 'how']);
const WH_CONTRACTED = /^(what|when|where|who|why|how)'(s|re|ll|d|ve)$/;
const PERSONAL = new Set(['i', 'you', 'we', 'they', 'he', 'she', 'u', "y'all", 'ya']);
const SUBJ = new Set([
  ...PERSONAL,
  'it', 'there', 'this', 'that', 'these', 'those', 'anyone', 'anybody', 'someone', 'somebody',
  'everyone', 'everybody', 'anything', 'everything', 'something',
]);
const DET = new Set(['the', 'a', 'an', 'your', 'our', 'my', 'their', 'his', 'her', 'its', 'any', 'some', 'all', 'each', 'every', 'both', 'this', 'that', 'these', 'those']);
const DEF_DET = new Set(['the', 'your', 'our', 'my', 'their', 'his', 'her', 'its', 'this', 'that', 'these', 'those']);
/** Auxiliaries that need a personal pronoun after them (imperatives otherwise). */
const AUX_PERSONAL = new Set(['do', 'have']);
/** Auxiliaries that also take a definite noun phrase (does the price include…). */
const AUX_DEFINITE = new Set(['does', 'did', 'has', 'had']);
const AUX_ANY = new Set([
  'is', 'are', 'was', 'were', 'am', 'can', 'could', 'will', 'would', 'shall', 'should', 'may', 'might', 'must',
  "don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "can't", "couldn't", "won't",
  "wouldn't", "shouldn't", "haven't", "hasn't", "hadn't", "mustn't",
]);
const ALL_AUX = new Set([...AUX_PERSONAL, ...AUX_DEFINITE, ...AUX_ANY]);
const DISCOURSE = new Set([
  'so', 'and', 'but', 'well', 'ok', 'okay', 'um', 'uh', 'umm', 'uhm', 'er', 'erm', 'hmm', 'mm', 'yeah', 'yes',
  'no', 'oh', 'right', 'alright', 'also', 'sorry', 'hi', 'hey', 'hello', 'great', 'cool', 'actually',
  'basically', 'anyway', 'sure', 'or',
]); // not "now", "then", "like": "Now is a good time" is no question
const ELLIPTIC_ANY = new Set(['question', 'questions', 'thoughts', 'concerns', 'feedback', 'update', 'updates', 'else', 'objections', 'comments', 'other']);

const APOS = 0x27;
const RSQUO = 0x2019;

/**
 * Lower-cased words of a clause ("it's", "y'all" kept whole). The rules only look at the first
 * few words, so collection stops once `max` words past the leading discourse words are taken.
 */
function enWords(clause: string, max = 4): string[] {
  const out: string[] = [];
  const n = clause.length;
  let taken = 0;
  let i = 0;
  while (i < n && taken < max) {
    while (i < n && !(cls(clause, i) & (LATIN_BIT | DIGIT))) i++;
    if (i >= n) break;
    const a = i;
    while (i < n) {
      if (cls(clause, i) & (LATIN_BIT | DIGIT)) i++;
      else {
        const c = clause.charCodeAt(i);
        if ((c === APOS || c === RSQUO) && i + 1 < n && cls(clause, i + 1) & LATIN_BIT) i++;
        else break;
      }
    }
    let w = clause.slice(a, i).toLowerCase();
    if (w.includes('’')) w = w.replace(/’/g, "'");
    out.push(w);
    if (taken > 0 || !DISCOURSE.has(w)) taken++;
  }
  return out;
}

/**
 * `initial`: nothing but discourse words came before this clause in the sentence. Later
 * clauses starting with a wh-word are usually relative/subordinate ("…, which should take a
 * day"), so there a wh-word asks only with inversion ("…, what do you think").
 */
function enClauseIsQuestion(w: string[], initial: boolean): boolean {
  let k = 0;
  while (k < w.length - 1 && DISCOURSE.has(w[k] as string)) k++;
  const first = w[k];
  if (first === undefined) return false;
  const second = w[k + 1];

  if (WH_CONTRACTED.test(first)) return !(first === "what's" && second === 'more');
  if (WH.has(first)) {
    if ((first === 'how' || first === 'what') && second === 'about') return true; // decided: counts
    if (first === 'what' && second === 'if') return true;
    // "Which is why we chose you" continues the previous sentence; "which is the best" asks.
    if (first === 'which' && second !== undefined && ALL_AUX.has(second)) {
      const after = w[k + 2];
      return initial && after !== undefined && (SUBJ.has(after) || DET.has(after));
    }
    if (second === undefined) return initial && first !== 'when' && first !== 'where'; // "why?", not "when possible"
    let j = k + 1;
    // Skip one modifier: what time, how much, how long, which model, what kind (of).
    if (!ALL_AUX.has(second) && !SUBJ.has(second) && !DET.has(second)) j = k + 2;
    const next = w[j];
    if (!initial) {
      const subj = w[j + 1];
      return next !== undefined && ALL_AUX.has(next) && subj !== undefined && (SUBJ.has(subj) || DET.has(subj));
    }
    if (next === undefined) return first !== 'when' && first !== 'where'; // "how much", "what time"
    return !(SUBJ.has(next) || DET.has(next)); // subordinate / relative / exclamative
  }
  if (second !== undefined) {
    if (AUX_PERSONAL.has(first)) return PERSONAL.has(second);
    if (AUX_DEFINITE.has(first)) return SUBJ.has(second) || DEF_DET.has(second);
    if (AUX_ANY.has(first)) return SUBJ.has(second) || DET.has(second);
    if ((first === 'any' || first === 'anything') && ELLIPTIC_ANY.has(second)) return true;
  }
  return false;
}

const TAGS = new Set(['right', 'correct', "isn't that right", "don't you think", "wouldn't you say"]);

/** "…, right" / "…, correct": the last clause is a confirmation tag. */
function isTag(lastClause: string): boolean {
  return lastClause.length <= 24 && TAGS.has(enWords(lastClause, 4).join(' '));
}

// ---------------------------------------------------------------------------------------------
// Public API

/** End punctuation, closing quotes and space: trimmed off the end of a sentence. */
const TAIL_CHARS = new Uint8Array(0x10000);
for (const ch of ' \t\n\r\u3000\u00a0。！？!?.;；…~～"\'”’」』）)】]') TAIL_CHARS[ch.charCodeAt(0)] = 1;
const CLAUSE_SPLIT = /[，,、：:]+/;
const HAN = /[\u3400-\u9fff]/;
const LATIN = /[A-Za-z]/;
/**
 * Prefilters for the English rules: a clause that starts (after discourse words) with a
 * wh-word, an auxiliary or "any(thing)" — at the start of the sentence (EN_FIRST) or after a
 * clause separator (EN_LATER) — or a sentence ending in a confirmation tag. Keep them a superset
 * of what enClauseIsQuestion / isTag accept. Skipped prefixes never cross a clause separator
 * and are matched atomically ((?=(x*))\1), so the tests stay linear on any input; each pattern
 * starts with an anchor or a character class so the engine can scan quickly.
 */
const SKIP = String.raw`(?=([^A-Za-z0-9，,、：:]*))`;
const EN_OPENER =
  String.raw`(?:(?:${[...DISCOURSE].join('|')})(?![A-Za-z0-9'’])(?=([^A-Za-z0-9，,、：:]*))\2)*` +
  String.raw`(?:what|when|where|which|who|whom|whose|why|how|do|does|did|have|has|had|is|are|was|were|am|can|could|will|would|shall|should|may|might|must|ca|wo|any|anything)(?:n['’]t)?(?![A-Za-z0-9])`;
const EN_FIRST = new RegExp(String.raw`^${SKIP}\1${EN_OPENER}`, 'i');
const EN_LATER = new RegExp(
  String.raw`[，,、：:]${SKIP}\1${EN_OPENER}` +
    String.raw`|[，,、：:](?=([^A-Za-z0-9，,、：:]*))\3(?:right|correct|isn['’]t that right|don['’]t you think|wouldn['’]t you say)(?=([^A-Za-z0-9]*))\4$`,
  'i',
);

/** One sentence (no splitting): is it a question? */
function sentenceIsQuestion(sentence: string): boolean {
  let e = sentence.length;
  while (e > 0 && TAIL_CHARS[sentence.charCodeAt(e - 1)]) {
    const c = sentence.charCodeAt(e - 1);
    if (c === 0x3f || c === 0xff1f) return true; // ends in ? / ？ (before closing quotes)
    e--;
  }
  if (e === 0) return false;
  const body = e === sentence.length ? sentence : sentence.slice(0, e);
  const zh = ZH_TRIGGER.test(body);
  const en = LATIN.test(body) && (EN_FIRST.test(body) || EN_LATER.test(body));
  if (!zh && !en) return false;

  const clauses = body.split(CLAUSE_SPLIT);
  let initial = true;
  for (const clause of clauses) {
    if (!clause) continue;
    if (zh && zhClauseIsQuestion(clause)) return true;
    if (en) {
      if (LATIN.test(clause)) {
        const w = enWords(clause);
        if (enClauseIsQuestion(w, initial)) return true;
        if (initial && w.some((x) => !DISCOURSE.has(x))) initial = false;
      }
      if (initial && HAN.test(clause)) initial = false;
    }
  }
  // Tag question: "…, right" after at least three words.
  if (!en || clauses.length < 2) return false;
  const last = clauses[clauses.length - 1] as string;
  return isTag(last) && enWords(body.slice(0, body.length - last.length), 3).length >= 3;
}

/** Number of question sentences in `text` (sentences split on 。！？!?.;； and line breaks). */
export function countQuestions(text: string): number {
  if (!text) return 0;
  let n = 0;
  scanSentences(text, (s) => {
    if (sentenceIsQuestion(s)) n++;
  });
  return n;
}

/** True when `text` contains at least one question sentence. */
export function isQuestion(text: string): boolean {
  if (!text) return false;
  let found = false;
  scanSentences(text, (s) => (found = sentenceIsQuestion(s)));
  return found;
}

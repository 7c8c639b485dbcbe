/**
 * The LLM concern engine (DESIGN.md, "Analysis"): LangChain's `ChatOpenAI` against any
 * OpenAI-compatible chat endpoint, prompts from `prompts/analysis.v<N>.md`, structured output
 * validated with zod, long calls in windows.
 *
 * **Structured-output method.** `withStructuredOutput` offers three; `LlmConfig.structuredMethod`
 * (env LLM_STRUCTURED_METHOD) picks one, default `jsonMode`:
 * - `jsonMode`: `response_format: {type: "json_object"}`, the shape is described in the prompt and
 *   enforced by our zod validation. Accepted by OpenAI, DeepSeek, Qwen/DashScope, Ollama, vLLM,
 *   llama.cpp: the lowest common denominator, hence the default. (OpenAI and DashScope require the
 *   word "JSON" in the messages; the prompt has it.)
 * - `functionCalling`: one forced tool (`tool_choice: {type:"function", …}`) whose arguments are
 *   the result. Works on OpenAI, DeepSeek, Qwen, vLLM (with tool parsing on); Ollama ignores
 *   `tool_choice` and some small models answer in plain text, which we still try to parse.
 * - `jsonSchema`: `response_format: {type:"json_schema", strict: true}`: the strongest guarantee
 *   on OpenAI, vLLM and recent Ollama, but DeepSeek and older DashScope models reject it with 400.
 *   Note LangChain picks `jsonSchema` by default for any model name not starting with "gpt-3"/"gpt-4-",
 *   i.e. for "deepseek-chat" too, which is why the method is always passed explicitly here.
 *
 * **Validation.** Whatever the method, the reply is validated with `analysisOutputSchema`; broken
 * JSON or a schema failure is retried (`outputRetries`, default 2, with a note naming the problem),
 * then `LlmOutputError`. Then each concern is checked against the transcript:
 * - its code must be in the taxonomy (else dropped, counted in `dropped.unknownCodes`);
 * - each evidence item must name a segment of the window that is a customer segment, and its quote
 *   must be found in that segment's text (else dropped, counted in `dropped.quotes`). Found means:
 *   verbatim; or verbatim after the model's copy is un-escaped (&lt; → <), stripped of surrounding
 *   quote marks / final punctuation, or compared under the length-preserving normalisation
 *   (full-width → half-width, ASCII case). The evidence then carries the transcript's own text, so
 *   every returned quote is a verbatim substring of the transcript;
 * - a quote that is too short to mean anything (< 2 letters/digits/Han characters) is dropped, and
 *   so is any quote from a segment that contains a snake_case taxonomy code ("price_budget":
 *   customers do not speak in snake_case, injected instructions do) or one of the prompt's
 *   delimiter tags (`</transcript>`): such a segment is an injection attempt, not evidence;
 * - a concern with no evidence left is dropped; one under `minConfidence` (default 0.35, the
 *   lexicon's threshold) is dropped and counted in `dropped.lowConfidence`.
 * Evidence times are interpolated inside the segment by character position exactly like the
 * lexicon engine does, so the same quote from both engines gets the same times (and dedupes in the
 * ensemble). Confidence is clamped to [0, 0.99] like the lexicon's.
 *
 * **Windows.** Calls longer than `windowSegments` (default 200) segments, or than `windowChars`
 * (default 40 000 characters of text), are cut into windows overlapping by `windowOverlap` segments
 * (default min(10, size/10)), analysed with at most `concurrency` (default 3) requests in flight,
 * then merged: per code the highest confidence, the union of evidence (deduped by segment + quote
 * span; at most 5 returned, one per segment first, chronological), `mentions` = distinct customer
 * segments with evidence; next steps deduped (case, spaces and punctuation ignored). One window →
 * its summary; several → a final call with `prompts/summary.v<N>.md` merges the window summaries
 * (if that call fails, the summaries are concatenated and a warning is recorded).
 *
 * **Failures.** Timeouts, connection errors, 429 and 5xx are retried by LangChain's caller
 * (`maxRetries`, exponential backoff) and then surface as `LlmUnavailableError`; 4xx are not
 * retried. An abort through `signal` rejects with the AbortError as is.
 */
import { ChatOpenAI } from '@langchain/openai';
import { HumanMessage, SystemMessage, type AIMessage, type BaseMessage } from '@langchain/core/messages';
import { OutputParserException } from '@langchain/core/output_parsers';
import { AsyncCaller } from '@langchain/core/utils/async_caller';
import pLimit from 'p-limit';
import { z } from 'zod';
import { MAX_EVIDENCE } from '../concerns/lexicon.js';
import { hanShare, normalizeText } from '../text/normalize.js';
import type { Concern, Evidence, Segment } from '../types.js';
import { LlmOutputError, LlmUnavailableError, type LlmUnavailableCode } from './errors.js';
import { escapeUntrusted, formatTaxonomy, formatTranscriptLines, loadPrompt, renderPrompt, unescapeUntrusted, type PromptFile } from './prompts.js';
import { evidenceAt } from '../evidence.js';

export { LlmOutputError, LlmUnavailableError } from './errors.js';

export type StructuredMethod = 'jsonMode' | 'functionCalling' | 'jsonSchema';

export interface LlmConfig {
  baseURL?: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
  /** Retries of timeouts / connection errors / 429 / 5xx (LangChain caller, exponential backoff). */
  maxRetries: number;
  /** Segments per window (default 200). */
  windowSegments?: number;
  /** Segments shared by consecutive windows (default min(10, windowSegments / 10)). */
  windowOverlap?: number;
  /** Characters of transcript text per window at most (default 40 000); a window closes at whichever limit comes first. */
  windowChars?: number;
  /** Window requests in flight at once (default 3). */
  concurrency?: number;
  /** How structured output is requested (default 'jsonMode'; see the module comment). */
  structuredMethod?: StructuredMethod;
  /** Retries after an invalid reply (broken JSON, schema failure); default 2. */
  outputRetries?: number;
  /** Prompt versions to use (default: the highest present in prompts/). */
  promptVersion?: number;
  summaryPromptVersion?: number;
}

export interface LlmTaxonomyEntry {
  code: string;
  label: string;
  description?: string;
  /** Used when the model gives no suggestion for this code. */
  suggestion?: string;
}

export interface LlmAnalysis {
  concerns: Concern[];
  summary: string;
  nextSteps: string[];
  model: string;
  /** `analysis.v1`, or `analysis.v1+summary.v1` when window summaries were merged by a call. */
  promptVersion: string;
  windows: number;
  dropped: { quotes: number; unknownCodes: number; lowConfidence: number };
  /** Degradations that did not fail the analysis (e.g. the summary merge call failed). */
  warnings: string[];
}

export interface AnalyzeWithLlmOptions {
  config: LlmConfig;
  taxonomy: LlmTaxonomyEntry[];
  language?: 'zh' | 'en' | 'auto';
  signal?: AbortSignal;
  /** LLM concerns under this confidence are dropped (default 0.35). */
  minConfidence?: number;
}

// ------------------------------------------------------------------------------------------
// Output schemas (what the model must return)

// No string-length keywords: OpenAI's strict json_schema mode rejects minLength/maxLength. Long
// strings are cut after validation instead (see `clip`).
export const analysisOutputSchema = z.object({
  concerns: z
    .array(
      z.object({
        code: z.string().describe('one of the concern codes listed in the instructions'),
        confidence: z.number().min(0).max(1).describe('0 to 1'),
        evidence: z
          .array(
            z.object({
              segment: z.number().int().min(0).describe('index of a [customer] line'),
              quote: z.string().describe('exact copy of part of that line'),
            }),
          )
          .max(50),
        suggestion: z.string().describe('next action for the sales rep'),
      }),
    )
    .max(100),
  summary: z.string(),
  nextSteps: z.array(z.string()).max(50),
});
export type AnalysisOutput = z.infer<typeof analysisOutputSchema>;

export const summaryOutputSchema = z.object({ summary: z.string() });

const clip = (s: string, max: number): string => (s.length > max ? s.slice(0, max).trimEnd() + '…' : s);

// ------------------------------------------------------------------------------------------
// Windows

export interface Window {
  /** First segment index (inclusive). */
  from: number;
  /** Last segment index (exclusive). */
  to: number;
}

/**
 * Cut `segments` into windows of at most `size` segments and `maxChars` characters (always at
 * least one segment), consecutive windows sharing `overlap` segments.
 */
export function planWindows(segments: readonly Pick<Segment, 'text'>[], size = 200, overlap?: number, maxChars = 40_000): Window[] {
  const n = segments.length;
  if (n === 0) return [];
  const sz = Math.max(1, Math.floor(size));
  const ov = Math.max(0, Math.min(sz - 1, Math.floor(overlap ?? Math.min(10, sz / 10))));
  const out: Window[] = [];
  let from = 0;
  for (;;) {
    let to = from;
    let chars = 0;
    while (to < n && to - from < sz) {
      const len = segments[to]?.text?.length ?? 0;
      if (to > from && chars + len > maxChars) break;
      chars += len;
      to++;
    }
    out.push({ from, to });
    if (to >= n) break;
    from = Math.max(from + 1, to - ov);
  }
  return out;
}

// ------------------------------------------------------------------------------------------
// Quote checking

const TRIM_CHARS = `\\s"'“”‘’「」『』《》〈〉…`;
const TRIM_RE = new RegExp(`^[${TRIM_CHARS}]+|[${TRIM_CHARS}]+$`, 'g');
const TRAILING_PUNCT_RE = /[\s。．.，,；;：:！!？?、…~～]+$/;
const MEANINGFUL_RE = /[\p{L}\p{N}]/gu;
/** A prompt delimiter tag inside spoken text: a sign of an injection attempt, never of speech. */
const DELIMITER_TAG_RE = /<\s*\/?\s*(?:transcript|summaries)\b/i;

/**
 * Where `quote` occurs in `text`, tolerating what models do to a copy (escaping, surrounding
 * quote marks, a final full stop, full-width/half-width, ASCII case). Returns offsets into `text`;
 * `text.slice(s, e)` is then the verbatim quote.
 */
export function locateQuote(text: string, quote: string): [number, number] | undefined {
  const candidates = new Set<string>();
  for (const q0 of [quote, unescapeUntrusted(quote)]) {
    const q1 = q0.trim();
    const q2 = q1.replace(TRIM_RE, '');
    const q3 = q2.replace(TRAILING_PUNCT_RE, '').replace(TRIM_RE, '');
    for (const q of [q1, q2, q3]) if (q) candidates.add(q);
  }
  const normText = normalizeText(text);
  for (const q of candidates) {
    const i = text.indexOf(q);
    if (i >= 0) return [i, i + q.length];
  }
  for (const q of candidates) {
    const i = normText.indexOf(normalizeText(q));
    if (i >= 0) return [i, i + q.length];
  }
  return undefined;
}

interface WindowEvidence {
  segment: number;
  qs: number;
  qe: number;
}

interface WindowConcern {
  code: string;
  confidence: number;
  suggestion: string;
  evidence: WindowEvidence[];
}

interface WindowResult {
  concerns: WindowConcern[];
  summary: string;
  nextSteps: string[];
  dropped: { quotes: number; unknownCodes: number; lowConfidence: number };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Check one window's validated output against the transcript (see the module comment). */
export function checkWindowOutput(
  out: AnalysisOutput,
  segments: readonly Segment[],
  window: Window,
  knownCodes: ReadonlySet<string>,
  minConfidence: number,
): WindowResult {
  const dropped = { quotes: 0, unknownCodes: 0, lowConfidence: 0 };
  // Only snake_case identifiers: a tenant code that is an ordinary word ("price") says nothing.
  const codeRes = [...knownCodes]
    .filter((c) => /^[a-z0-9]+(?:_[a-z0-9]+)+$/.test(c))
    .map((c) => new RegExp(`(?:^|[^a-z0-9_])${c}(?:$|[^a-z0-9_])`, 'i'));
  const suspicious = new Map<number, boolean>();
  const isSuspicious = (idx: number, text: string): boolean => {
    let v = suspicious.get(idx);
    if (v === undefined) {
      const norm = normalizeText(text);
      v = DELIMITER_TAG_RE.test(norm) || codeRes.some((re) => re.test(norm));
      suspicious.set(idx, v);
    }
    return v;
  };
  const byCode = new Map<string, WindowConcern>();
  for (const c of out.concerns) {
    const code = c.code.trim().toLowerCase();
    if (!knownCodes.has(code)) {
      dropped.unknownCodes++;
      continue;
    }
    const evidence: WindowEvidence[] = [];
    for (const ev of c.evidence) {
      const idx = ev.segment;
      const seg = idx >= window.from && idx < window.to ? segments[idx] : undefined;
      if (!seg || seg.role !== 'customer' || typeof seg.text !== 'string') {
        dropped.quotes++;
        continue;
      }
      const span = locateQuote(seg.text, ev.quote);
      const verbatim = span ? seg.text.slice(span[0], span[1]) : '';
      if (!span || (verbatim.match(MEANINGFUL_RE)?.length ?? 0) < 2 || isSuspicious(idx, seg.text)) {
        dropped.quotes++;
        continue;
      }
      evidence.push({ segment: idx, qs: span[0], qe: span[1] });
    }
    if (evidence.length === 0) continue;
    const confidence = round2(Math.min(0.99, Math.max(0, c.confidence)));
    const prev = byCode.get(code);
    if (prev) {
      prev.evidence.push(...evidence);
      if (confidence > prev.confidence) {
        prev.confidence = confidence;
        if (c.suggestion.trim()) prev.suggestion = clip(c.suggestion.trim(), 1000);
      }
    } else {
      byCode.set(code, { code, confidence, suggestion: clip(c.suggestion.trim(), 1000), evidence });
    }
  }
  const concerns: WindowConcern[] = [];
  for (const c of byCode.values()) {
    if (c.confidence < minConfidence) dropped.lowConfidence++;
    else concerns.push(c);
  }
  return {
    concerns,
    summary: clip(out.summary.trim(), 4000),
    nextSteps: out.nextSteps.map((s) => clip(s.trim(), 500)).filter(Boolean),
    dropped,
  };
}

// ------------------------------------------------------------------------------------------
// Model calls

// LangChain's default retry policy (no retry on 4xx, abort, quota errors…); it is not exported, but
// every AsyncCaller carries it.
const defaultFailedAttempt = (new AsyncCaller({}) as unknown as { onFailedAttempt?: (err: unknown) => unknown }).onFailedAttempt;

function isOutputFormatError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  if (err instanceof SyntaxError || err instanceof OutputParserException) return true;
  const name = (err as { name?: unknown }).name;
  return (
    name === 'ZodError' ||
    name === '$ZodError' ||
    name === 'OutputParserException' ||
    name === 'LengthFinishReasonError' ||
    name === 'ContentFilterFinishReasonError'
  );
}

function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted) return true;
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'APIUserAbortError';
}

function statusOf(err: unknown): number | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { status?: unknown; response?: { status?: unknown } };
  if (typeof e.status === 'number') return e.status;
  if (typeof e.response?.status === 'number') return e.response.status;
  return undefined;
}

function toUnavailable(err: unknown, config: LlmConfig): LlmUnavailableError {
  const status = statusOf(err);
  const name = (err as { name?: unknown } | null)?.name;
  const msg = err instanceof Error ? err.message : String(err);
  let code: LlmUnavailableCode = 'unknown';
  if (name === 'TimeoutError' || name === 'APIConnectionTimeoutError' || /timed? ?out/i.test(msg)) code = 'timeout';
  else if (status === 401 || status === 403) code = 'auth';
  else if (status === 404) code = 'not_found';
  else if (status === 429) code = 'rate_limited';
  else if (status !== undefined && status >= 500) code = 'server_error';
  else if (status !== undefined && status >= 400) code = 'bad_request';
  else if (name === 'APIConnectionError' || /ECONNREFUSED|ECONNRESET|ENOTFOUND|fetch failed|Connection error/i.test(msg)) code = 'connection';
  const hint =
    code === 'auth'
      ? '; check LLM_API_KEY'
      : code === 'not_found'
        ? '; check LLM_BASE_URL and LLM_MODEL'
        : code === 'bad_request'
          ? `; if the server rejects the structured-output method "${config.structuredMethod ?? 'jsonMode'}", set LLM_STRUCTURED_METHOD`
          : '';
  return new LlmUnavailableError(
    code,
    `language model ${config.model} unavailable (${code}${status !== undefined ? `, HTTP ${status}` : ''}): ${msg.slice(0, 300)}${hint}`,
    { status, cause: err },
  );
}

function createModel(config: LlmConfig): ChatOpenAI {
  return new ChatOpenAI({
    model: config.model,
    // Self-hosted servers often need no key; the SDK insists on a non-empty string.
    apiKey: config.apiKey ?? 'not-needed',
    configuration: { baseURL: config.baseURL, apiKey: config.apiKey ?? 'not-needed' },
    temperature: 0,
    timeout: config.timeoutMs,
    maxRetries: config.maxRetries,
    // A reply that fails to parse inside the SDK (json_schema method) is not a network problem:
    // do not let the caller retry it with backoff; our own loop re-asks with a note instead.
    onFailedAttempt: (err: unknown) => {
      if (isOutputFormatError(err)) throw err;
      return defaultFailedAttempt?.(err);
    },
  });
}

/** Strip ``` fences and surrounding prose, then JSON.parse; undefined when there is no JSON object. */
function parseLooseJson(text: string): unknown {
  const t = text.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  try {
    return JSON.parse(t);
  } catch {
    const a = t.indexOf('{');
    const b = t.lastIndexOf('}');
    if (a >= 0 && b > a) {
      try {
        return JSON.parse(t.slice(a, b + 1));
      } catch {
        return undefined;
      }
    }
    return undefined;
  }
}

/** The candidate value in a raw reply: the first tool call's arguments, else the text content. */
function candidateFromRaw(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object') return undefined;
  const msg = raw as AIMessage;
  const call = msg.tool_calls?.[0];
  if (call && call.args && typeof call.args === 'object') return call.args;
  const bad = msg.invalid_tool_calls?.[0];
  if (bad && typeof bad.args === 'string') return parseLooseJson(bad.args);
  const content = typeof msg.content === 'string' ? msg.content : Array.isArray(msg.content) ? msg.content.map((p) => (typeof p === 'string' ? p : 'text' in p && typeof p.text === 'string' ? p.text : '')).join('') : '';
  return content.trim() ? parseLooseJson(content) : undefined;
}

function describeIssues(error: { issues: readonly z.core.$ZodIssue[] }): string[] {
  return error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

/**
 * One structured call with output retries. Network-level failures → LlmUnavailableError (after the
 * caller's retries); invalid output `outputRetries + 1` times → LlmOutputError.
 */
async function structuredCall<T>(
  model: ChatOpenAI,
  schema: z.ZodType<T>,
  name: string,
  messages: BaseMessage[],
  config: LlmConfig,
  signal: AbortSignal | undefined,
): Promise<T> {
  const method = config.structuredMethod ?? 'jsonMode';
  const runnable = model.withStructuredOutput(schema as z.ZodType<T & Record<string, unknown>>, { name, method, includeRaw: true });
  const attempts = Math.max(0, config.outputRetries ?? 2) + 1;
  let issues: string[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const msgs =
      attempt === 1
        ? messages
        : [
            ...messages,
            new HumanMessage(
              `Your previous reply could not be used (${issues.join('; ')}). Reply again with only the JSON object in the required shape.`,
            ),
          ];
    let res: { raw: BaseMessage; parsed: unknown };
    try {
      res = (await runnable.invoke(msgs, { signal })) as { raw: BaseMessage; parsed: unknown };
    } catch (err) {
      if (isAbort(err, signal)) throw err;
      if (isOutputFormatError(err)) {
        const zodIssues = (err as { issues?: unknown }).issues;
        issues = Array.isArray(zodIssues) && zodIssues.length > 0
          ? describeIssues({ issues: zodIssues as z.core.$ZodIssue[] })
          : ['the reply was not valid JSON for the schema'];
        continue;
      }
      throw toUnavailable(err, config);
    }
    const candidate = res.parsed ?? candidateFromRaw(res.raw);
    if (candidate === undefined || candidate === null) {
      issues = ['the reply contained no JSON object'];
      continue;
    }
    const checked = schema.safeParse(candidate);
    if (checked.success) return checked.data;
    issues = describeIssues(checked.error);
  }
  throw new LlmOutputError(`language model ${config.model} gave no valid ${name} output in ${attempts} attempts: ${issues.join('; ')}`, {
    attempts,
    issues,
  });
}

// ------------------------------------------------------------------------------------------
// Entry point

function resolveLanguage(segments: readonly Segment[], language: AnalyzeWithLlmOptions['language']): 'zh' | 'en' {
  if (language === 'zh' || language === 'en') return language;
  const customer = segments.filter((s) => s.role === 'customer');
  const text = (customer.length > 0 ? customer : segments).map((s) => s.text).join('\n');
  return hanShare(text) >= 0.5 ? 'zh' : 'en';
}

const OUTPUT_LANGUAGE = { zh: 'Simplified Chinese (简体中文)', en: 'English' } as const;

const stepKey = (s: string): string => s.toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');

function dedupeSteps(steps: readonly string[], max = 10): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const s of steps) {
    const k = stepKey(s);
    if (!k || seen.has(k)) continue;
    seen.add(k);
    out.push(s);
    if (out.length >= max) break;
  }
  return out;
}


/** Merge window results into concerns (see the module comment). */
function mergeWindows(results: readonly WindowResult[], segments: readonly Segment[], taxonomy: readonly LlmTaxonomyEntry[]): Concern[] {
  const order = new Map(taxonomy.map((t, i) => [t.code, i]));
  const byCode = new Map<string, { confidence: number; suggestion: string; evidence: Map<string, WindowEvidence> }>();
  for (const r of results) {
    for (const c of r.concerns) {
      let m = byCode.get(c.code);
      if (!m) byCode.set(c.code, (m = { confidence: c.confidence, suggestion: c.suggestion, evidence: new Map() }));
      else if (c.confidence > m.confidence || (!m.suggestion && c.suggestion)) {
        if (c.confidence > m.confidence) m.confidence = c.confidence;
        if (c.suggestion) m.suggestion = c.suggestion;
      }
      for (const ev of c.evidence) m.evidence.set(`${ev.segment}:${ev.qs}:${ev.qe}`, ev);
    }
  }
  const out: Array<Concern & { order: number }> = [];
  for (const [code, m] of byCode) {
    const entry = taxonomy.find((t) => t.code === code);
    const all = [...m.evidence.values()].sort((a, b) => a.segment - b.segment || a.qs - b.qs || a.qe - b.qe);
    const segs = new Set(all.map((e) => e.segment));
    // One per segment first (spread over the call), then the rest; chronological; capped.
    const firsts = all.filter((e, i) => i === 0 || all[i - 1]!.segment !== e.segment);
    const rest = all.filter((e) => !firsts.includes(e));
    const chosen = [...firsts, ...rest].slice(0, MAX_EVIDENCE).sort((a, b) => a.segment - b.segment || a.qs - b.qs);
    out.push({
      code,
      label: entry?.label ?? code,
      confidence: m.confidence,
      mentions: segs.size,
      evidence: chosen.map((e) => evidenceAt(segments[e.segment]!, e.qs, e.qe)),
      suggestion: m.suggestion || entry?.suggestion || '',
      order: order.get(code) ?? Number.MAX_SAFE_INTEGER,
    });
  }
  out.sort((a, b) => b.confidence - a.confidence || b.mentions - a.mentions || a.order - b.order);
  return out.map(({ order: _order, ...c }) => c);
}

async function mergeSummaries(
  model: ChatOpenAI,
  prompt: PromptFile,
  summaries: string[],
  outputLanguage: string,
  config: LlmConfig,
  signal: AbortSignal | undefined,
): Promise<string> {
  const rendered = renderPrompt(prompt, {
    outputLanguage,
    windowCount: summaries.length,
    summaries: summaries.map((s, i) => `[${i + 1}] ${escapeUntrusted(s)}`).join('\n'),
  });
  const out = await structuredCall(
    model,
    summaryOutputSchema,
    'call_summary',
    [new SystemMessage(rendered.system), new HumanMessage(rendered.user)],
    config,
    signal,
  );
  return clip(out.summary.trim(), 4000);
}

/**
 * Analyse a transcript with the language model. Throws LlmUnavailableError / LlmOutputError (the
 * caller then falls back to the lexicon engine; see run.ts) or an AbortError.
 */
export async function analyzeWithLlm(segments: Segment[], opts: AnalyzeWithLlmOptions): Promise<LlmAnalysis> {
  const { config, signal } = opts;
  if (!config.model) throw new LlmUnavailableError('not_found', 'LLM_MODEL is not set');
  const prompt = await loadPrompt('analysis', config.promptVersion);
  const lang = resolveLanguage(segments, opts.language);
  const outputLanguage = OUTPUT_LANGUAGE[lang];
  const knownCodes = new Set(opts.taxonomy.map((t) => t.code));
  const minConfidence = opts.minConfidence ?? 0.35;
  const windows = planWindows(segments, config.windowSegments ?? 200, config.windowOverlap, config.windowChars ?? 40_000);
  const base: LlmAnalysis = {
    concerns: [],
    summary: '',
    nextSteps: [],
    model: config.model,
    promptVersion: prompt.id,
    windows: windows.length,
    dropped: { quotes: 0, unknownCodes: 0, lowConfidence: 0 },
    warnings: [],
  };
  if (windows.length === 0) return base;

  const model = createModel(config);
  const taxonomyText = formatTaxonomy(opts.taxonomy);
  const limit = pLimit(Math.max(1, config.concurrency ?? 3));
  const results = await Promise.all(
    windows.map((w, i) =>
      limit(async () => {
        signal?.throwIfAborted();
        const rendered = renderPrompt(prompt, {
          taxonomy: taxonomyText,
          outputLanguage,
          windowIndex: i + 1,
          windowCount: windows.length,
          firstSegment: w.from,
          lastSegment: w.to - 1,
          transcript: formatTranscriptLines(segments, w.from, w.to),
        });
        const out = await structuredCall(
          model,
          analysisOutputSchema,
          'call_analysis',
          [new SystemMessage(rendered.system), new HumanMessage(rendered.user)],
          config,
          signal,
        );
        return checkWindowOutput(out, segments, w, knownCodes, minConfidence);
      }),
    ),
  );

  for (const r of results) {
    base.dropped.quotes += r.dropped.quotes;
    base.dropped.unknownCodes += r.dropped.unknownCodes;
    base.dropped.lowConfidence += r.dropped.lowConfidence;
  }
  base.concerns = mergeWindows(results, segments, opts.taxonomy);
  base.nextSteps = dedupeSteps(results.flatMap((r) => r.nextSteps));

  const summaries = results.map((r) => r.summary).filter(Boolean);
  if (summaries.length <= 1) {
    base.summary = summaries[0] ?? '';
  } else {
    const summaryPrompt = await loadPrompt('summary', config.summaryPromptVersion);
    base.promptVersion = `${prompt.id}+${summaryPrompt.id}`;
    try {
      base.summary = await mergeSummaries(model, summaryPrompt, summaries, outputLanguage, config, signal);
    } catch (err) {
      if (isAbort(err, signal)) throw err;
      if (!(err instanceof LlmOutputError || err instanceof LlmUnavailableError)) throw err;
      base.summary = summaries.join(lang === 'zh' ? '' : ' ');
      base.warnings.push(`summary merge failed, window summaries concatenated: ${err.message.slice(0, 200)}`);
    }
    if (!base.summary) base.summary = summaries.join(lang === 'zh' ? '' : ' ');
  }
  return base;
}

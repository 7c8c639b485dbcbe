/** Errors of the LLM concern engine. Both mean "use the lexicon result instead" to the caller. */

/** The model answered, but not with usable structured output, after every retry. */
export class LlmOutputError extends Error {
  readonly attempts: number;
  /** Why the last attempt was rejected (schema issue or "not JSON"), never the raw model output. */
  readonly issues: string[];
  constructor(message: string, opts: { attempts: number; issues: string[] }) {
    super(message);
    this.name = 'LlmOutputError';
    this.attempts = opts.attempts;
    this.issues = opts.issues;
  }
}

export type LlmUnavailableCode =
  | 'timeout'
  | 'connection'
  | 'server_error'
  | 'rate_limited'
  | 'auth'
  | 'not_found'
  | 'bad_request'
  | 'unknown';

/**
 * The endpoint could not give an answer: timeout, connection failure or 5xx after the SDK's own
 * retries, or a configuration problem (401/403 → `auth`, 404 → `not_found` (wrong LLM_BASE_URL or
 * LLM_MODEL), 400/422 → `bad_request`, often a server that rejects the structured-output method:
 * see LLM_STRUCTURED_METHOD).
 */
export class LlmUnavailableError extends Error {
  readonly code: LlmUnavailableCode;
  readonly status?: number;
  constructor(code: LlmUnavailableCode, message: string, opts: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'LlmUnavailableError';
    this.code = code;
    if (opts.status !== undefined) this.status = opts.status;
  }
}

import { z } from 'zod';

// Every setting the service reads. Parsed once at start-up; README.md lists each one.
const bool = z
  .enum(['true', 'false', '1', '0', ''])
  .transform((v) => v === 'true' || v === '1');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== '' ? v.trim() : undefined));

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optionalString,
  /** Postgres schema for all tables (pg only); lets several deployments or test runs share a database. */
  DATABASE_SCHEMA: optionalString,
  REDIS_URL: optionalString,
  QUEUE_PREFIX: z.string().default('dealsense'),
  /** Start the job processors inside the API process. With Redis, set false and run `npm run worker`. */
  RUN_WORKERS: bool.default(true),
  JOB_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(4),
  JOB_BACKOFF_MS: z.coerce.number().int().min(0).default(5000),
  /** How long a worker holds a job before it counts as stalled (a crashed worker's job is taken over after this). */
  JOB_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  /** After an ingest, cached inquiry themes are recomputed this much later, so a burst of batches settles first. */
  THEMES_REFRESH_DELAY_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** Per-request timeout of outbound deliveries (CRM webhooks, WeCom robots); a timeout is retried. */
  DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Worker threads theme clustering runs on (off the API's event loop); more lets several industries cluster at once. */
  THEMES_WORKER_THREADS: z.coerce.number().int().min(1).max(32).default(1),
  ADMIN_API_KEY: optionalString,
  MAX_UPLOAD_MB: z.coerce.number().positive().default(500),
  MAX_DURATION_SEC: z.coerce.number().positive().default(4 * 3600),
  MAX_JSON_BODY_MB: z.coerce.number().positive().default(10),
  SILENCE_THRESHOLD_DB: z.coerce.number().max(0).default(-35),
  SILENCE_MIN_SEC: z.coerce.number().positive().default(0.6),
  TRANSCRIBE_PROVIDER: z.enum(['openai', 'local', 'none']).default('none'),
  TRANSCRIBE_BASE_URL: optionalString,
  TRANSCRIBE_API_KEY: optionalString,
  TRANSCRIBE_MODEL: optionalString,
  TRANSCRIBE_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  /** Longest chunk sent to the provider. OpenAI caps uploads at 25 MB ≈ 13 min of 16 kHz PCM. */
  TRANSCRIBE_CHUNK_SEC: z.coerce.number().min(30).max(780).default(600),
  TRANSCRIBE_TIMEOUT_MS: z.coerce.number().int().positive().default(300_000),
  /** Most transcript segments one analysis takes (a 4-hour call has ~4,000). */
  MAX_ANALYSIS_SEGMENTS: z.coerce.number().int().min(1).max(200_000).default(20_000),
  EMBEDDINGS_PROVIDER: z.enum(['hashing', 'openai', 'local']).default('hashing'),
  EMBEDDINGS_BASE_URL: optionalString,
  EMBEDDINGS_API_KEY: optionalString,
  EMBEDDINGS_MODEL: optionalString,
  /** Vector size: hashing buckets, or the `dimensions` asked of an OpenAI-compatible model that supports it. */
  EMBEDDINGS_DIMENSIONS: z.coerce.number().int().min(16).max(2000).default(512),
  /** Setting LLM_MODEL turns the language-model engine on (with LLM_BASE_URL / LLM_API_KEY). */
  LLM_BASE_URL: optionalString.pipe(z.string().url().optional()),
  LLM_API_KEY: optionalString,
  LLM_MODEL: optionalString,
  LLM_ENGINE: z.enum(['ensemble', 'llm']).default('ensemble'),
  LLM_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  LLM_WINDOW_SEGMENTS: z.coerce.number().int().min(10).max(5000).default(200),
  LLM_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(3),
  /** How structured output is asked for: json_mode works on OpenAI, DeepSeek, Qwen, Ollama, vLLM. */
  LLM_STRUCTURED_METHOD: z.enum(['json_mode', 'function_calling', 'json_schema']).default('json_mode'),
  /** Browsing signals: a gap between two events of a page longer than this is not reading time. */
  SIGNALS_IDLE_LIMIT_SEC: z.coerce.number().int().min(5).max(3600).default(120),
  /** Intent score: each event's weight halves after this many days. */
  SIGNALS_INTENT_HALF_LIFE_DAYS: z.coerce.number().positive().max(365).default(7),
  /** Events stamped further ahead than this are rejected (client clocks drift a little, not days). */
  SIGNALS_MAX_FUTURE_SEC: z.coerce.number().int().min(0).max(86_400).default(300),
  /** Events older than this are rejected. */
  SIGNALS_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** Largest tracker beacon body. */
  SIGNALS_BEACON_MAX_KB: z.coerce.number().positive().max(10_240).default(64),
  /** Default lifetime of tracked-link tokens. */
  SIGNALS_LINK_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** Rule evaluation runs once per lead per slot of this length (batches within a slot share one job). */
  SIGNALS_EVAL_DELAY_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** Intent scores of leads with new events are recomputed at most once per this interval (per tenant). */
  SIGNALS_INTENT_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(60_000),
  /** Every lead's intent score is recomputed as of now this often, so it decays without new activity. */
  SIGNALS_INTENT_DECAY_HOURS: z.coerce.number().positive().max(24 * 30).default(24),
  MODELS_DIR: z.string().default('./models'),
  HF_ENDPOINT: z.string().url().default('https://huggingface.co'),
  FFMPEG_PATH: optionalString,
  FFPROBE_PATH: optionalString,
  /** How long a console sign-in lasts. */
  CONSOLE_SESSION_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  /** Secure flag of the console cookie: `auto` sets it on https requests; `true` behind a TLS-terminating proxy. */
  CONSOLE_SECURE_COOKIE: z.enum(['auto', 'true', 'false']).default('auto'),
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

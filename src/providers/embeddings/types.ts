/**
 * Text embeddings. Every provider returns L2-normalised vectors (so cosine similarity is a dot
 * product), one per input text, in input order, each of length `dimensions`.
 *
 * An input with nothing to embed (empty or whitespace-only text; for the hashing provider also
 * text made only of stop words or punctuation) yields an all-zero vector, never NaN. A zero vector
 * has no direction: its dot product with anything is 0. pgvector's cosine distance of a zero vector
 * is NaN, so callers should skip storing them (or store and filter `dims`/norm) rather than index them.
 */
export interface EmbeddingsProvider {
  readonly name: 'hashing' | 'openai' | 'local';
  /**
   * Identifies the vector space: vectors are only comparable when `model` (and `dimensions`) match.
   * Stored next to each vector (segment_embeddings.model).
   */
  readonly model: string;
  readonly dimensions: number;
  embed(texts: string[], opts?: { signal?: AbortSignal }): Promise<number[][]>;
}

/**
 * A provider failure that retrying will not fix (bad key, wrong URL or model, missing model folder,
 * a dimension mismatch). `message` names the setting to change.
 *
 * Codes: `invalid_config`, `model_invalid`, `model_missing`, `model_load_failed`, `provider_auth`,
 * `provider_not_found`, `provider_rejected`, `dimensions_mismatch`.
 */
export class EmbeddingsConfigError extends Error {
  override readonly name = 'EmbeddingsConfigError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Scales `v` in place to unit length; a zero (or non-finite) vector becomes all zeros. Returns `v`. */
export function l2normalize<T extends { length: number; [i: number]: number }>(v: T): T {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  if (sum === 0 || !Number.isFinite(sum)) {
    for (let i = 0; i < v.length; i++) v[i] = 0;
    return v;
  }
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  return v;
}

/** Dot product (= cosine similarity for normalised vectors); 0 for a zero vector. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

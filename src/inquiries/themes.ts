/**
 * Themes: inquiry embeddings clustered by spherical k-means, each cluster labelled by its
 * class-based TF-IDF top terms, with the members nearest its centre as representatives.
 *
 * Vectors. Any provider's embeddings can be passed. The default is `themeVectors(texts)`
 * (theme-vectors.ts): TF-IDF over the window's own vocabulary, LSA-reduced to 200 dimensions.
 * `hashingThemeVectors(texts)` gives the hashing provider's vectors (fitted on the texts, 16,000
 * buckets, LSA to 100); it was the default before and stays as a row in eval/clustering.ts.
 *
 * `clusterThemes(items, vectors)`:
 *
 * 1. Rows are L2-normalised. Rows longer than LSA_ABOVE (256) are projected onto their top
 *    LSA_RANK right singular vectors (truncated SVD by a seeded randomised range finder, fitted
 *    on at most FIT_SAMPLE rows) and normalised again: k-means stays fast at 20,000 inquiries
 *    and the noise of hashed features shrinks. A row that is all zeros (a text without
 *    features) takes no part in k-means; such rows form one cluster of their own.
 * 2. Spherical k-means (Lloyd iterations on packed arrays, see `sphericalLloyd`), started from
 *    greedy k-means++ seeds. Deterministic for a seed.
 * 3. k is chosen by a quality score: the mean silhouette (cosine distance) of a fixed random
 *    sample of up to SILHOUETTE_SAMPLE points, as scikit-learn's
 *    `silhouette_score(sample_size=…)`. Range: kMin (default 2) to kMax (default
 *    min(MAX_THEMES, max(⌊1.5·√n⌋, ⌊n/15⌋)): themes of 15 inquiries on average at most, 200 themes
 *    at most), never more than the distinct rows nor n − 1. Up to 12 candidates are all tried; a
 *    longer range on a geometric grid of 10 values, then refined around the best (at most 16 runs
 *    of SWEEP_ITERATIONS iterations); the best silhouette wins. (Taking the smallest k within 5 %
 *    of the best instead was tried: it scored lower on the eval sets.) With more than
 *    SELECT_SAMPLE rows, k is chosen on a random sample of that many. The chosen k then gets
 *    FINAL_RESTARTS runs (lowest inertia wins) on the selection rows, and, when those are a
 *    sample, one more run on all rows from the winner's centroids. `quality` = silhouette of the
 *    result. The range and the default vectors were chosen by looking at the
 *    public intent sets of eval/clustering.ts (see eval/README.md): they are tuned on them.
 * 4. Labels: class-based TF-IDF over each cluster's `terms` (BERTopic's c-TF-IDF, see
 *    `classTfIdf`). `terms` = the top 8, `label` = the top 3 joined with " / " (the first
 *    representative's text, cut to 40 characters, when the cluster has no terms).
 * 5. Representatives: up to 3 members most similar to the cluster's mean direction, with
 *    different texts (a repeated text is taken once).
 *
 * Clusters come back largest first (ties: earliest first member); `memberIds` in input order.
 * n = 0 gives no cluster; fewer than 3 non-zero rows, or fewer than 2 distinct ones, one cluster.
 */
import { kmeans } from 'ml-kmeans';
// hashing.js directly, not the provider index: the theme worker thread (theme-worker.ts) loads this module and needs no HTTP clients
import { createHashingEmbeddings } from '../providers/embeddings/hashing.js';
import { seededRandom } from '../platform/random.js';

export interface ThemeItem {
  id: string;
  text: string;
  /** Keywords of the inquiry (for the labels); may be empty. */
  terms: string[];
}

export interface ThemeCluster {
  label: string;
  terms: string[];
  memberIds: string[];
  representativeIds: string[];
}

export interface ClusterThemesOptions {
  /** Smallest k tried (default 2). */
  kMin?: number;
  /** Largest k tried (default min(60, ⌊1.5·√n⌋)). */
  kMax?: number;
  /** Seed for sampling, k-means++ and the LSA projection (default 42). */
  seed?: number;
}

export interface ClusterThemesResult {
  clusters: ThemeCluster[];
  /** Number of k-means clusters chosen (the cluster of featureless rows, if any, is extra). */
  k: number;
  /** Mean silhouette (cosine) of the chosen clustering on the sample; 0 when nothing was chosen. */
  quality: number;
}

/** Most themes k-means may choose (the range also grows with n: see clusterThemes). */
export const MAX_THEMES = 200;
/** Rows longer than this are LSA-reduced before clustering. */
export const LSA_ABOVE = 256;
/** Dimensions kept by the LSA projection. */
export const LSA_RANK = 100;
/** Most rows the LSA basis is fitted on (the rest are projected onto it). */
export const FIT_SAMPLE = 3000;
/** Most rows k is chosen on. */
export const SELECT_SAMPLE = 3000;
/** Points whose silhouette is averaged for the quality score. */
export const SILHOUETTE_SAMPLE = 1000;
/** k-means runs for the chosen k (lowest inertia wins). */
export const FINAL_RESTARTS = 3;
/** Lloyd iterations per run at most. */
export const MAX_ITERATIONS = 100;
/** Lloyd iterations per run while choosing k (the ranking of k values settles well before convergence). */
export const SWEEP_ITERATIONS = 30;
/** Hash buckets `hashingThemeVectors` asks the hashing provider for (sparse, then LSA-reduced). */
export const THEME_HASHING_DIMENSIONS = 16_000;

const DEFAULT_SEED = 42;
const REPRESENTATIVES = 3;
const LABEL_TERMS = 3;
const TOP_TERMS = 8;

// ─── small numeric helpers ───────────────────────────────────────────────────


/** A seeded random sample of `m` of the indices 0..n−1 (all of them, in order, when m ≥ n). */
export function sampleIndices(n: number, m: number, rand: () => number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  if (m >= n) return idx;
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rand() * (n - i));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, m).sort((a, b) => a - b);
}

function dotArr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function normalizeInPlace(v: number[]): number[] {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  if (!(s > 0) || !Number.isFinite(s)) return v.fill(0);
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  return v;
}

/** Copies of the rows scaled to unit length (a zero or non-finite row becomes all zeros). */
export function normalizeRows(vectors: readonly (readonly number[])[]): number[][] {
  return vectors.map((v) => normalizeInPlace(Array.from(v, (x) => (Number.isFinite(x) ? x : 0))));
}

function isZero(v: readonly number[]): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) return false;
  return true;
}

// ─── dimensionality reduction (LSA) ──────────────────────────────────────────

/** Standard normal deviates from a seeded uniform source (Box–Muller). */
function gaussian(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u <= Number.EPSILON) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/**
 * Orthonormalises the l columns of the row-major r×l matrix M in place by Cholesky QR, run twice
 * for accuracy (CholeskyQR2). A column that depends on the ones before it becomes zero.
 */
function orthonormalizeColumns(M: Float64Array, r: number, l: number): void {
  for (let pass = 0; pass < 2; pass++) {
    // G = Mᵀ M (upper triangle)
    const G = new Float64Array(l * l);
    for (let i = 0; i < r; i++) {
      const o = i * l;
      for (let a = 0; a < l; a++) {
        const x = M[o + a]!;
        if (x === 0) continue;
        const g = a * l;
        for (let b = a; b < l; b++) G[g + b]! += x * M[o + b]!;
      }
    }
    // G = Rᵀ R, R upper triangular; a pivot that is (numerically) zero marks a dependent column
    let maxDiag = 0;
    for (let a = 0; a < l; a++) maxDiag = Math.max(maxDiag, G[a * l + a]!);
    const R = new Float64Array(l * l);
    const keep = new Uint8Array(l);
    for (let a = 0; a < l; a++) {
      let s = G[a * l + a]!;
      for (let k = 0; k < a; k++) s -= R[k * l + a]! ** 2;
      if (!(s > maxDiag * 1e-20)) continue;
      keep[a] = 1;
      const d = Math.sqrt(s);
      R[a * l + a] = d;
      for (let b = a + 1; b < l; b++) {
        let t = G[a * l + b]!;
        for (let k = 0; k < a; k++) t -= R[k * l + a]! * R[k * l + b]!;
        R[a * l + b] = t / d;
      }
    }
    // M ← M R⁻¹, row by row (forward substitution on xᵀ = mᵀ R⁻¹)
    for (let i = 0; i < r; i++) {
      const o = i * l;
      for (let b = 0; b < l; b++) {
        if (!keep[b]) {
          M[o + b] = 0;
          continue;
        }
        let t = M[o + b]!;
        for (let k = 0; k < b; k++) if (keep[k]) t -= M[o + k]! * R[k * l + b]!;
        M[o + b] = t / R[b * l + b]!;
      }
    }
  }
}

/** Eigen-decomposition of a symmetric m×m matrix (cyclic Jacobi). Eigenvalues descending; eigenvectors as arrays. */
function symmetricEigen(a: Float64Array, m: number): { values: number[]; vectors: Float64Array[] } {
  const A = Float64Array.from(a);
  const V = new Float64Array(m * m);
  for (let i = 0; i < m; i++) V[i * m + i] = 1;
  let scale = 0;
  for (let i = 0; i < m * m; i++) scale += A[i]! * A[i]!;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) off += A[p * m + q]! ** 2;
    if (off <= 1e-24 * scale || off === 0) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = A[p * m + q]!;
        if (apq === 0) continue;
        const theta = (A[q * m + q]! - A[p * m + p]!) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = A[k * m + p]!;
          const akq = A[k * m + q]!;
          A[k * m + p] = c * akp - s * akq;
          A[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = A[p * m + k]!;
          const aqk = A[q * m + k]!;
          A[p * m + k] = c * apk - s * aqk;
          A[q * m + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < m; k++) {
          const vkp = V[k * m + p]!;
          const vkq = V[k * m + q]!;
          V[k * m + p] = c * vkp - s * vkq;
          V[k * m + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => A[y * m + y]! - A[x * m + x]! || x - y);
  return {
    values: order.map((i) => A[i * m + i]!),
    vectors: order.map((i) => {
      const v = new Float64Array(m);
      for (let k = 0; k < m; k++) v[k] = V[k * m + i]!;
      return v;
    }),
  };
}

/** A sparse row: positions and values of its non-zero entries. */
export interface SparseRow {
  idx: Int32Array;
  val: Float64Array;
}

/** Keeps the non-zero entries of a dense row. */
export function toSparse(v: ArrayLike<number>): SparseRow {
  let nz = 0;
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) nz++;
  const idx = new Int32Array(nz);
  const val = new Float64Array(nz);
  for (let i = 0, j = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x !== 0) {
      idx[j] = i;
      val[j++] = x;
    }
  }
  return { idx, val };
}

/** A truncated-SVD basis: `rank` right singular vectors of length `dims`, stored row-major (dims × rank). */
export interface LsaBasis {
  dims: number;
  rank: number;
  components: Float64Array;
}

/**
 * Top `rank` right singular vectors of the rows (LSA; no centring, as scikit-learn's
 * TruncatedSVD), by a seeded randomised range finder (Halko, Martinsson & Tropp 2011:
 * oversampling 10, `powerIterations` subspace iterations, CholeskyQR2 re-orthonormalisation).
 * Deterministic for a seed. Directions with a zero singular value are dropped, so `rank` may
 * come back smaller.
 */
export function fitLsa(rows: readonly SparseRow[], dims: number, rank: number, seed: number, powerIterations = 2): LsaBasis {
  const n = rows.length;
  const d = dims;
  const l = Math.min(rank + 10, d, n);
  if (n === 0 || d === 0 || rank <= 0 || l <= 0) return { dims, rank: 0, components: new Float64Array(0) };
  const gauss = gaussian(seededRandom(seed ^ 0x5bd1e995));
  // X·Z (n×l) and Xᵀ·Q (d×l), row-major, touching only the non-zeros
  const times = (Zm: Float64Array): Float64Array => {
    const out = new Float64Array(n * l);
    for (let i = 0; i < n; i++) {
      const { idx, val } = rows[i]!;
      const o = i * l;
      for (let j = 0; j < idx.length; j++) {
        const w = val[j]!;
        const zr = idx[j]! * l;
        for (let c = 0; c < l; c++) out[o + c]! += w * Zm[zr + c]!;
      }
    }
    return out;
  };
  const timesT = (Qm: Float64Array): Float64Array => {
    const out = new Float64Array(d * l);
    for (let i = 0; i < n; i++) {
      const { idx, val } = rows[i]!;
      const q = i * l;
      for (let j = 0; j < idx.length; j++) {
        const w = val[j]!;
        const o = idx[j]! * l;
        for (let c = 0; c < l; c++) out[o + c]! += w * Qm[q + c]!;
      }
    }
    return out;
  };
  const Z0 = new Float64Array(d * l);
  for (let i = 0; i < Z0.length; i++) Z0[i] = gauss();
  let Q = times(Z0);
  orthonormalizeColumns(Q, n, l);
  for (let it = 0; it < powerIterations; it++) {
    // Xᵀ Q needs no orthonormalising of its own: Q is rebuilt orthonormal right after
    Q = times(timesT(Q));
    orthonormalizeColumns(Q, n, l);
  }
  // Bᵀ = Xᵀ Q (d×l); B Bᵀ = U Σ² Uᵀ; V = Bᵀ U Σ⁻¹
  const Bt = timesT(Q);
  const G = new Float64Array(l * l);
  for (let t = 0; t < d; t++) {
    const o = t * l;
    for (let a = 0; a < l; a++) {
      const x = Bt[o + a]!;
      if (x === 0) continue;
      for (let b = a; b < l; b++) G[a * l + b]! += x * Bt[o + b]!;
    }
  }
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) G[a * l + b] = G[b * l + a]!;
  const { values, vectors } = symmetricEigen(G, l);
  const top = values[0] ?? 0;
  const keep: number[] = [];
  for (let c = 0; c < Math.min(rank, l); c++) if (values[c]! > top * 1e-12 && values[c]! > 0) keep.push(c);
  const r = keep.length;
  const components = new Float64Array(d * r);
  keep.forEach((c, j) => {
    const u = vectors[c]!;
    const inv = 1 / Math.sqrt(values[c]!);
    for (let t = 0; t < d; t++) {
      const o = t * l;
      let s = 0;
      for (let a = 0; a < l; a++) s += Bt[o + a]! * u[a]!;
      components[t * r + j] = s * inv;
    }
  });
  return { dims, rank: r, components };
}

/** Coordinates of a row in an LSA basis (x · V), not normalised. */
export function projectLsa(row: SparseRow, basis: LsaBasis): number[] {
  const { rank: r, components } = basis;
  const out = new Array<number>(r).fill(0);
  const { idx, val } = row;
  for (let j = 0; j < idx.length; j++) {
    const w = val[j]!;
    const o = idx[j]! * r;
    for (let c = 0; c < r; c++) out[c]! += w * components[o + c]!;
  }
  return out;
}

/**
 * Vectors for `clusterThemes` from the default embeddings provider: the hashing provider with
 * THEME_HASHING_DIMENSIONS buckets, fitted on `texts` (corpus idf), embedded in batches and kept
 * sparse, then LSA-reduced to `rank` dimensions (basis fitted on at most FIT_SAMPLE texts) and
 * L2-normalised. More buckets than the stored embeddings' 512 mean fewer hash collisions; the
 * reduction keeps memory at n × rank numbers (20,000 texts: 2 M numbers, not 80 M).
 */
export function hashingThemeVectors(
  texts: readonly string[],
  opts: { dimensions?: number; rank?: number; seed?: number } = {},
): number[][] {
  const dims = opts.dimensions ?? THEME_HASHING_DIMENSIONS;
  const seed = opts.seed ?? DEFAULT_SEED;
  const provider = createHashingEmbeddings({ dimensions: dims }).fit(texts);
  const rows: SparseRow[] = [];
  for (let i = 0; i < texts.length; i += 256) {
    for (const v of provider.embedSync(texts.slice(i, i + 256))) rows.push(toSparse(v));
  }
  const fitIdx = sampleIndices(rows.length, FIT_SAMPLE, seededRandom(seed ^ 0x2545f491));
  const basis = fitLsa(fitIdx.map((i) => rows[i]!), dims, opts.rank ?? LSA_RANK, seed);
  return rows.map((row) => normalizeInPlace(projectLsa(row, basis)));
}

// ─── k-means ─────────────────────────────────────────────────────────────────

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s;
}

/**
 * An index drawn with probability proportional to `weights[i]` (uniform when `total` is 0).
 * The first draw is always taken, so a seed gives the same sequence whichever branch runs.
 */
export function sampleByWeight(weights: ArrayLike<number>, total: number, rand: () => number): number {
  const n = weights.length;
  let idx = Math.min(n - 1, Math.floor(rand() * n));
  if (total > 0) {
    let r = rand() * total;
    idx = n - 1;
    for (let i = 0; i < n; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
  }
  return idx;
}

/**
 * Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, as scikit-learn: each new centre is the
 * best, by total potential, of 2 + ⌊ln k⌋ candidates drawn with probability ∝ squared distance
 * to the nearest centre so far). Returns row indices.
 */
export function kmeansPlusPlus(X: readonly (readonly number[])[], k: number, rand: () => number): number[] {
  const n = X.length;
  const trials = 2 + Math.floor(Math.log(k));
  const sq = Float64Array.from(X, (x) => dotArr(x, x));
  // squared distance of every row to row c: |x|² + |c|² − 2 x·c
  const distances = (c: number, into: Float64Array, cap: Float64Array | undefined): number => {
    const xc = X[c]!;
    const cc = sq[c]!;
    let pot = 0;
    for (let i = 0; i < n; i++) {
      let d = sq[i]! + cc - 2 * dotArr(X[i]!, xc);
      if (d < 0) d = 0;
      if (cap && cap[i]! < d) d = cap[i]!;
      into[i] = d;
      pot += d;
    }
    return pot;
  };
  const first = Math.min(n - 1, Math.floor(rand() * n));
  const chosen = [first];
  const closest = new Float64Array(n);
  let pot = distances(first, closest, undefined);
  const cand = new Float64Array(n);
  const best = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let bestIdx = -1;
    let bestPot = Infinity;
    for (let t = 0; t < trials; t++) {
      const idx = sampleByWeight(closest, pot, rand);
      const p = distances(idx, cand, closest);
      if (p < bestPot) {
        bestPot = p;
        bestIdx = idx;
        best.set(cand);
      }
    }
    chosen.push(bestIdx);
    closest.set(best);
    pot = bestPot;
  }
  return chosen;
}

export interface KmeansRun {
  /** Cluster of each row, 0..k−1 (some clusters may be empty). */
  assignments: number[];
  centroids: number[][];
  /** Σ (1 − cos) of each row to its centroid (spherical) or Σ squared distance (Euclidean). */
  inertia: number;
}

/**
 * k-means from greedy k-means++ seeds, `restarts` times with seeds derived from `seed`; the run
 * with the lowest inertia wins. With `initial` centroids, one run from those instead. Spherical
 * (cosine distance, for unit rows; the default) or Euclidean (ml-kmeans). Deterministic for a
 * seed. Needs 1 ≤ k ≤ rows.
 */
export function kmeansBest(
  X: number[][],
  k: number,
  opts: { seed: number; restarts?: number; maxIterations?: number; spherical?: boolean; initial?: number[][] },
): KmeansRun {
  const restarts = opts.initial ? 1 : Math.max(1, opts.restarts ?? 1);
  const spherical = opts.spherical ?? true;
  const flat = spherical ? flatRows(X) : undefined;
  let best: KmeansRun | undefined;
  for (let r = 0; r < restarts; r++) {
    const rand = seededRandom(Math.imul(opts.seed, 0x9e3779b1) ^ Math.imul(r + 1, 0x85ebca6b) ^ k);
    const init = opts.initial ? opts.initial.map((c) => c.slice()) : kmeansPlusPlus(X, k, rand).map((i) => X[i]!.slice());
    let run: KmeansRun;
    if (flat) run = sphericalLloyd(flat, X.length, init, opts.maxIterations ?? MAX_ITERATIONS);
    else {
      const res = kmeans(X, k, { initialization: init, maxIterations: opts.maxIterations ?? MAX_ITERATIONS, distanceFunction: squaredDistance });
      let inertia = 0;
      for (let i = 0; i < X.length; i++) inertia += squaredDistance(X[i]!, res.centroids[res.clusters[i]!]!);
      run = { assignments: res.clusters.slice(), centroids: res.centroids, inertia };
    }
    if (!best || run.inertia < best.inertia) best = run;
  }
  return best!;
}

/** Rows packed into one row-major array (fast inner loops). */
function flatRows(X: readonly (readonly number[])[]): { data: Float64Array; dims: number } {
  const dims = X[0]?.length ?? 0;
  const data = new Float64Array(X.length * dims);
  X.forEach((x, i) => data.set(x, i * dims));
  return { data, dims };
}

/**
 * Spherical k-means (Dhillon & Modha 2001): Lloyd iterations where a row joins the centroid of
 * highest cosine and a centroid is its members' normalised mean, until no row moves. Written here
 * on packed arrays: ml-kmeans calls a distance function per (row, centroid) pair, which at
 * k = 200 on 4,000 rows of 200 numbers took ~10× longer. An empty cluster keeps its centroid.
 */
function sphericalLloyd(flat: { data: Float64Array; dims: number }, n: number, init: number[][], maxIterations: number): KmeansRun {
  const { data, dims: d } = flat;
  const k = init.length;
  const C = new Float64Array(k * d);
  init.forEach((c, j) => {
    let s = 0;
    for (let t = 0; t < d; t++) s += c[t]! * c[t]!;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let t = 0; t < d; t++) C[j * d + t] = c[t]! * inv;
  });
  const asg = new Int32Array(n).fill(-1);
  const sims = new Float64Array(n);
  const sums = new Float64Array(k * d);
  const sizes = new Int32Array(k);
  for (let it = 0; it < maxIterations; it++) {
    let moved = 0;
    for (let i = 0; i < n; i++) {
      const p = i * d;
      let bj = 0;
      let bs = -Infinity;
      for (let j = 0; j < k; j++) {
        const o = j * d;
        let s = 0;
        for (let t = 0; t < d; t++) s += data[p + t]! * C[o + t]!;
        if (s > bs) {
          bs = s;
          bj = j;
        }
      }
      sims[i] = bs;
      if (asg[i] !== bj) {
        asg[i] = bj;
        moved++;
      }
    }
    if (moved === 0) break;
    sums.fill(0);
    sizes.fill(0);
    for (let i = 0; i < n; i++) {
      const o = asg[i]! * d;
      const p = i * d;
      sizes[asg[i]!]!++;
      for (let t = 0; t < d; t++) sums[o + t]! += data[p + t]!;
    }
    for (let j = 0; j < k; j++) {
      if (sizes[j] === 0) continue;
      const o = j * d;
      let s = 0;
      for (let t = 0; t < d; t++) s += sums[o + t]! * sums[o + t]!;
      if (!(s > 0)) continue;
      const inv = 1 / Math.sqrt(s);
      for (let t = 0; t < d; t++) C[o + t] = sums[o + t]! * inv;
    }
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += 1 - sims[i]!;
  const centroids = Array.from({ length: k }, (_, j) => Array.from(C.subarray(j * d, j * d + d)));
  return { assignments: Array.from(asg), centroids, inertia };
}

// ─── quality ─────────────────────────────────────────────────────────────────

/** Row-major m×m matrix of dot products (cosine similarities for unit rows). */
export function similarityMatrix(rows: readonly (readonly number[])[]): Float64Array {
  const m = rows.length;
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    out[i * m + i] = dotArr(rows[i]!, rows[i]!);
    for (let j = i + 1; j < m; j++) {
      const s = dotArr(rows[i]!, rows[j]!);
      out[i * m + j] = s;
      out[j * m + i] = s;
    }
  }
  return out;
}

/**
 * Mean silhouette, with cosine distance (1 − similarity), of m points whose similarity matrix is
 * `sim` (row-major m×m) and whose clusters are `labels` (0..k−1). As scikit-learn's
 * silhouette_score: a point alone in its cluster scores 0; 0 when fewer than 2 clusters are used.
 */
export function silhouetteFromSimilarity(sim: Float64Array, labels: readonly number[], k: number): number {
  const m = labels.length;
  const sizes = new Float64Array(k);
  for (const l of labels) sizes[l]!++;
  let used = 0;
  for (const s of sizes) if (s > 0) used++;
  if (m === 0 || used < 2) return 0;
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < m; i++) {
    sums.fill(0);
    const row = i * m;
    for (let j = 0; j < m; j++) if (j !== i) sums[labels[j]!]! += 1 - sim[row + j]!;
    const own = labels[i]!;
    const ownOthers = sizes[own]! - 1;
    if (ownOthers <= 0) continue;
    const a = sums[own]! / ownOthers;
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c]! > 0) b = Math.min(b, sums[c]! / sizes[c]!);
    const d = Math.max(a, b);
    if (d > 0) total += (b - a) / d;
  }
  return total / m;
}

/** Candidate k values to try, in the order they are tried, from a range; see the module comment. */
function gridOf(kMin: number, kMax: number): number[] {
  if (kMax - kMin + 1 <= 12) return Array.from({ length: kMax - kMin + 1 }, (_, i) => kMin + i);
  const out = new Set<number>();
  const steps = 9;
  for (let i = 0; i <= steps; i++) out.add(Math.round(kMin * (kMax / kMin) ** (i / steps)));
  return [...out].sort((a, b) => a - b);
}

interface Selection {
  k: number;
  quality: number;
}

/** Chooses k by silhouette on `X` (unit rows, all non-zero). */
function chooseK(X: number[][], kMin: number, kMax: number, seed: number): Selection {
  const rand = seededRandom(seed ^ 0x68e31da4);
  const sample = sampleIndices(X.length, SILHOUETTE_SAMPLE, rand);
  const sim = similarityMatrix(sample.map((i) => X[i]!));
  const tried = new Map<number, number>();
  const score = (k: number): number => {
    let q = tried.get(k);
    if (q === undefined) {
      const run = kmeansBest(X, k, { seed, maxIterations: SWEEP_ITERATIONS });
      q = silhouetteFromSimilarity(sim, sample.map((i) => run.assignments[i]!), k);
      tried.set(k, q);
    }
    return q;
  };
  const bestOf = () => [...tried].reduce((a, b) => (b[1] > a[1] || (b[1] === a[1] && b[0] < a[0]) ? b : a));
  for (const k of gridOf(kMin, kMax)) score(k);
  // refine between the best k and its tried neighbours, halving the gaps
  for (let round = 0; round < 3 && tried.size < 16; round++) {
    const [kb] = bestOf();
    const ks = [...tried.keys()].sort((a, b) => a - b);
    const at = ks.indexOf(kb);
    const fresh = [ks[at - 1], ks[at + 1]]
      .filter((x): x is number => x !== undefined)
      .map((x) => Math.round((x + kb) / 2))
      .filter((x) => !tried.has(x));
    if (fresh.length === 0) break;
    for (const k of fresh) score(k);
  }
  const [k, quality] = bestOf();
  return { k, quality };
}

// ─── labels ──────────────────────────────────────────────────────────────────

/**
 * Class-based TF-IDF (BERTopic): for each class (a list of documents, each a list of terms),
 * its terms ranked by L1-normalised frequency in the class × ln(1 + A / f), A = mean number of
 * terms per class, f = the term's frequency over all classes. Ties break by more members using
 * the term, then alphabetically. Terms used by at least two documents of a class come first.
 */
export function classTfIdf(classes: readonly (readonly (readonly string[])[])[], top = TOP_TERMS): string[][] {
  const counts = classes.map((docs) => {
    const tf = new Map<string, number>();
    const df = new Map<string, number>();
    for (const doc of docs) {
      const seen = new Set<string>();
      for (const raw of doc) {
        const t = raw.trim();
        if (!t) continue;
        tf.set(t, (tf.get(t) ?? 0) + 1);
        if (!seen.has(t)) {
          seen.add(t);
          df.set(t, (df.get(t) ?? 0) + 1);
        }
      }
    }
    return { tf, df };
  });
  const total = new Map<string, number>();
  let all = 0;
  for (const { tf } of counts) {
    for (const [t, c] of tf) {
      total.set(t, (total.get(t) ?? 0) + c);
      all += c;
    }
  }
  const avg = classes.length > 0 ? all / classes.length : 0;
  return counts.map(({ tf, df }) => {
    let size = 0;
    for (const c of tf.values()) size += c;
    const scored = [...tf].map(([t, c]) => ({
      t,
      score: (c / size) * Math.log(1 + avg / total.get(t)!),
      df: df.get(t)!,
    }));
    scored.sort((a, b) => Number(b.df >= 2) - Number(a.df >= 2) || b.score - a.score || b.df - a.df || (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
    return scored.slice(0, top).map((s) => s.t);
  });
}

// ─── main ────────────────────────────────────────────────────────────────────

/**
 * Clusters inquiries into themes; see the module comment for the method. `vectors[i]` is the
 * embedding of `items[i]` (any provider; all rows the same length). Deterministic for a seed.
 */
export function clusterThemes(items: ThemeItem[], vectors: number[][], opts: ClusterThemesOptions = {}): ClusterThemesResult {
  if (items.length !== vectors.length) {
    throw new RangeError(`clusterThemes: ${items.length} items but ${vectors.length} vectors`);
  }
  const n = items.length;
  const seed = opts.seed ?? DEFAULT_SEED;
  if (n === 0) return { clusters: [], k: 0, quality: 0 };

  // 1. unit rows, LSA-reduced when long
  let X = normalizeRows(vectors);
  const dims = X[0]?.length ?? 0;
  if (X.some((v) => v.length !== dims)) throw new RangeError('clusterThemes: vectors differ in length');
  if (dims > LSA_ABOVE) {
    const sparse = X.map(toSparse);
    const fitIdx = sampleIndices(n, FIT_SAMPLE, seededRandom(seed ^ 0x2545f491));
    const basis = fitLsa(fitIdx.map((i) => sparse[i]!), dims, LSA_RANK, seed);
    X = sparse.map((row) => normalizeInPlace(projectLsa(row, basis)));
  }
  const live: number[] = [];
  const empty: number[] = [];
  X.forEach((v, i) => (isZero(v) ? empty : live).push(i));
  const distinct = countDistinct(live.map((i) => X[i]!));

  // 2–3. k by silhouette, then the final clustering
  const kMaxDefault = Math.min(MAX_THEMES, Math.max(Math.floor(1.5 * Math.sqrt(live.length)), Math.floor(live.length / 15)));
  const kMax = Math.min(Math.floor(opts.kMax ?? kMaxDefault), distinct, live.length - 1);
  const kMin = Math.max(2, Math.floor(opts.kMin ?? 2));
  let groups: number[][];
  let k = 0;
  let quality = 0;
  if (live.length < 3 || kMax < 2) {
    groups = live.length ? [live] : [];
    k = groups.length;
  } else {
    const lo = Math.min(kMin, kMax);
    const L = live.map((i) => X[i]!);
    const sel = L.length > SELECT_SAMPLE ? sampleIndices(L.length, SELECT_SAMPLE, seededRandom(seed ^ 0x1b873593)).map((j) => L[j]!) : L;
    const chosen: Selection = lo === kMax ? { k: kMax, quality: 0 } : chooseK(sel, lo, kMax, seed);
    // the restarts run on the selection sample; with more rows, one run on all of them refines the winner
    let run = kmeansBest(sel, chosen.k, { seed, restarts: FINAL_RESTARTS });
    if (sel !== L) run = kmeansBest(L, chosen.k, { seed, initial: run.centroids });
    const rand = seededRandom(seed ^ 0x68e31da4);
    const sample = sampleIndices(L.length, SILHOUETTE_SAMPLE, rand);
    quality = silhouetteFromSimilarity(similarityMatrix(sample.map((i) => L[i]!)), sample.map((i) => run.assignments[i]!), chosen.k);
    const byCluster = Array.from({ length: chosen.k }, () => [] as number[]);
    run.assignments.forEach((c, j) => byCluster[c]!.push(live[j]!));
    groups = byCluster.filter((g) => g.length > 0);
    k = groups.length;
  }
  if (empty.length) groups.push(empty);
  groups.sort((a, b) => b.length - a.length || a[0]! - b[0]!);

  // 4. labels
  const termLists = classTfIdf(groups.map((g) => g.map((i) => items[i]!.terms ?? [])));

  // 5. representatives and output
  const clusters = groups.map((g, gi): ThemeCluster => {
    const centre = new Array<number>(X[0]!.length).fill(0);
    for (const i of g) {
      const v = X[i]!;
      for (let t = 0; t < v.length; t++) centre[t]! += v[t]!;
    }
    const order = g
      .map((i) => ({ i, s: dotArr(X[i]!, centre) }))
      .sort((a, b) => b.s - a.s || a.i - b.i)
      .map((x) => x.i);
    const reps: number[] = [];
    const seenText = new Set<string>();
    for (const i of order) {
      if (reps.length === REPRESENTATIVES) break;
      const key = items[i]!.text.trim().replace(/\s+/g, ' ').toLowerCase();
      if (seenText.has(key)) continue;
      seenText.add(key);
      reps.push(i);
    }
    const terms = termLists[gi]!;
    const label = terms.length ? terms.slice(0, LABEL_TERMS).join(' / ') : truncate(items[reps[0]!]!.text, 40);
    return {
      label,
      terms,
      memberIds: g.map((i) => items[i]!.id),
      representativeIds: reps.map((i) => items[i]!.id),
    };
  });
  return { clusters, k, quality };
}

/** Number of distinct rows (exact duplicates counted once). */
function countDistinct(rows: readonly (readonly number[])[]): number {
  const seen = new Map<string, (readonly number[])[]>();
  let count = 0;
  for (const row of rows) {
    // bucket by a few coordinates, then compare exactly within the bucket
    const key = `${row[0]}|${row[1]}|${row[2]}|${row[row.length - 1]}`;
    const bucket = seen.get(key);
    if (!bucket) {
      seen.set(key, [row]);
      count++;
    } else if (!bucket.some((other) => other.every((x, i) => x === row[i]))) {
      bucket.push(row);
      count++;
    }
  }
  return count;
}

function truncate(text: string, max: number): string {
  const chars = [...text.trim().replace(/\s+/g, ' ')];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

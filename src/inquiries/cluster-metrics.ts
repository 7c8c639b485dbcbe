/**
 * External clustering scores: how well a clustering agrees with gold labels. Pure functions;
 * labels may be any strings or numbers (only equality matters, so renaming clusters changes
 * nothing).
 *
 * - `nmi`: normalised mutual information, arithmetic normalisation — MI / ((H(true) + H(pred)) / 2),
 *   natural logarithms — as scikit-learn's `normalized_mutual_info_score` (default
 *   `average_method='arithmetic'`), with the same limit cases: 1 when both labelings put every
 *   item in one cluster (or there are no items), 0 when the mutual information is 0.
 * - `ari`: adjusted Rand index (Hubert & Arabie), computed from pair counts as scikit-learn's
 *   `adjusted_rand_score`: 1 when the two labelings agree on every pair (including the
 *   degenerate cases of no items, a single item, or one cluster on both sides); about 0 for a
 *   random clustering; can be negative.
 */

export type Label = string | number;

/** Contingency table of two labelings of the same items: the non-empty cells and the marginals. */
export interface Contingency {
  n: number;
  /** Non-empty cells: index of the true class, index of the predicted cluster, count. */
  cells: Array<{ t: number; p: number; count: number }>;
  /** Size of each true class (indexed by `t`). */
  trueSizes: number[];
  /** Size of each predicted cluster (indexed by `p`). */
  predSizes: number[];
}

export function contingency(labelsTrue: readonly Label[], labelsPred: readonly Label[]): Contingency {
  if (labelsTrue.length !== labelsPred.length) {
    throw new RangeError(`labelings differ in length: ${labelsTrue.length} true vs ${labelsPred.length} predicted`);
  }
  const trueIds = new Map<Label, number>();
  const predIds = new Map<Label, number>();
  const trueSizes: number[] = [];
  const predSizes: number[] = [];
  const cellMap = new Map<string, { t: number; p: number; count: number }>();
  for (let i = 0; i < labelsTrue.length; i++) {
    const tl = labelsTrue[i]!;
    const pl = labelsPred[i]!;
    let t = trueIds.get(tl);
    if (t === undefined) trueIds.set(tl, (t = trueSizes.push(0) - 1));
    let p = predIds.get(pl);
    if (p === undefined) predIds.set(pl, (p = predSizes.push(0) - 1));
    trueSizes[t]!++;
    predSizes[p]!++;
    const key = `${t},${p}`;
    const cell = cellMap.get(key);
    if (cell) cell.count++;
    else cellMap.set(key, { t, p, count: 1 });
  }
  return { n: labelsTrue.length, cells: [...cellMap.values()], trueSizes, predSizes };
}

/** Shannon entropy (nats) of a partition given its part sizes. */
function entropy(sizes: readonly number[], n: number): number {
  let h = 0;
  for (const s of sizes) if (s > 0) h -= (s / n) * Math.log(s / n);
  return h;
}

function miOf(c: Contingency): number {
  // MI = Σ n_ij/n · ln(n · n_ij / (a_i · b_j))
  let mi = 0;
  for (const { t, p, count } of c.cells) {
    mi += (count / c.n) * Math.log((c.n * count) / (c.trueSizes[t]! * c.predSizes[p]!));
  }
  return Math.max(0, mi);
}

/** Mutual information (nats) between the two labelings. */
export function mutualInformation(labelsTrue: readonly Label[], labelsPred: readonly Label[]): number {
  return miOf(contingency(labelsTrue, labelsPred));
}

/** Normalised mutual information with arithmetic normalisation (scikit-learn's default). */
export function nmi(labelsTrue: readonly Label[], labelsPred: readonly Label[]): number {
  const c = contingency(labelsTrue, labelsPred);
  const kt = c.trueSizes.length;
  const kp = c.predSizes.length;
  // both labelings unsplit (zero entropy each): a perfect match
  if ((kt === 1 && kp === 1) || (kt === 0 && kp === 0)) return 1;
  const mi = miOf(c);
  if (mi <= 0) return 0;
  const norm = (entropy(c.trueSizes, c.n) + entropy(c.predSizes, c.n)) / 2;
  return Math.min(1, mi / norm);
}

/** Adjusted Rand index (scikit-learn's `adjusted_rand_score`). */
export function ari(labelsTrue: readonly Label[], labelsPred: readonly Label[]): number {
  const c = contingency(labelsTrue, labelsPred);
  const n = c.n;
  // pair confusion matrix over ordered pairs (i ≠ j), as scikit-learn's pair_confusion_matrix
  const sumSq = (xs: readonly number[]) => xs.reduce((s, x) => s + x * x, 0);
  const sumCellsSq = sumSq(c.cells.map((x) => x.count));
  const tp = sumCellsSq - n; // same class, same cluster
  const fp = sumSq(c.predSizes) - sumCellsSq; // same cluster, different class
  const fn = sumSq(c.trueSizes) - sumCellsSq; // same class, different cluster
  const tn = n * n - fp - fn - sumCellsSq; // different on both sides
  if (fn === 0 && fp === 0) return 1;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}

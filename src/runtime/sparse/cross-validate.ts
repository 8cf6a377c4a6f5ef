// K-fold cross-validation that leaves whole subjects out. Held-out error is
// computed from the held-out subjects' Gram statistics, so a fold costs one
// path fit on (total - fold) and no re-assembly. Subjects, not weak-form rows,
// are the unit: rows of one subject share its curve and its random effects,
// and leaving rows out would reward fitting them.
import { createRng } from "../numeric/random.js";
import { addInto, rss, sumGrams, type Gram } from "./gram.js";

/** Seeded split of subjects 0..n-1 into K folds of near-equal size (K capped at n). */
export function subjectFolds(n: number, k: number, seed: number): number[][] {
  const folds = Math.max(2, Math.min(k, n));
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = createRng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const out: number[][] = Array.from({ length: folds }, () => []);
  order.forEach((s, i) => out[i % folds]!.push(s));
  return out.map((f) => f.sort((a, b) => a - b));
}

export interface CvResult {
  /** Mean held-out squared error per row, per grid point. */
  mean: Float64Array;
  /** Its standard error across folds. */
  se: Float64Array;
  /** Grid point with the smallest mean error. */
  best: number;
  /** Sparsest grid point (smallest index, i.e. largest lambda on a decreasing path) within one SE of the best. */
  oneSe: number;
  /** Coefficients per fold, per grid point (for stability across folds). */
  foldCoefs: Float64Array[][];
}

/**
 * `fitPath(train)` returns one coefficient vector per grid point (the same
 * grid for every call, ordered from sparsest to densest).
 */
export function crossValidate(
  grams: Gram[],
  folds: number[][],
  fitPath: (train: Gram, fold: number) => Float64Array[],
): CvResult {
  const m = grams[0]!.m;
  const total = sumGrams(grams, m);
  const foldErrors: Float64Array[] = [];
  const foldCoefs: Float64Array[][] = [];
  folds.forEach((fold, f) => {
    const test = sumGrams(
      fold.map((i) => grams[i]!),
      m,
    );
    const train = sumGrams([total], m);
    addInto(train, test, -1);
    const coefs = fitPath(train, f);
    foldCoefs.push(coefs);
    foldErrors.push(Float64Array.from(coefs, (w) => rss(test, w) / Math.max(test.n, 1)));
  });
  const nGrid = foldErrors[0]!.length;
  const mean = new Float64Array(nGrid);
  const se = new Float64Array(nGrid);
  const K = folds.length;
  for (let g = 0; g < nGrid; g++) {
    let s = 0;
    for (const e of foldErrors) s += e[g]!;
    const mu = s / K;
    let v = 0;
    for (const e of foldErrors) v += (e[g]! - mu) ** 2;
    mean[g] = mu;
    se[g] = Math.sqrt(v / Math.max(K - 1, 1) / K);
  }
  let best = 0;
  for (let g = 1; g < nGrid; g++) if (mean[g]! < mean[best]!) best = g;
  let oneSe = best;
  for (let g = 0; g <= best; g++)
    if (mean[g]! <= mean[best]! + se[best]!) {
      oneSe = g;
      break;
    }
  return { mean, se, best, oneSe, foldCoefs };
}

// Term selection for one equation: the penalised path, the choice of its
// tuning parameter (K-fold CV over whole subjects, or eBIC, or a fixed
// value), false-positive control, and the selection frequency of each term
// across the folds.
import { solveSpd } from "../numeric/linalg.js";
import { crossValidate, subjectFolds } from "./cross-validate.js";
import { ebicPath } from "./ebic.js";
import { columnScales, restrict, sumGrams, type Gram } from "./gram.js";
import { lassoAt, lassoPath } from "./lasso.js";
import { spls, splsGrid } from "./spls.js";
import { complementaryPairs, selectionFrequency, subsampleFrequency } from "./stability.js";
import { waldPrune } from "./wald-prune.js";

export type FalsePositiveControl = "adaptive" | "stability" | "relaxed" | "none";

export interface SelectOptions {
  penalty: "lasso" | "spls";
  lambda: "cv" | "ebic" | number;
  /** SPLS settings; undefined ones are chosen by cross-validation. */
  eta?: number;
  K?: number;
  folds: number;
  seed: number;
  /** "1se": the sparsest grid point within one standard error of the CV minimum (default); "min": the minimum. */
  rule: "min" | "1se";
  control: FalsePositiveControl;
  adaptiveGamma: number;
  stabilityThreshold: number;
  stabilityDraws: number;
  nLambda: number;
  lambdaRatio: number;
  ebicGamma: number;
  /** Effective rows for eBIC (default: every weak-form row, which overstates the information of overlapping rows). */
  ebicRows: number | undefined;
  /** Tests of the selected terms (subject-clustered Wald, stepwise; wald-prune.ts) after the penalised selection. */
  test?: "none" | "wald";
  testAlpha?: number;
  /** Offer excluded terms for re-entry in the stepwise tests (default true). */
  reenter?: boolean;
  /** Complementary pairs of half-samples of subjects for the selection probability (0: none, stability across folds instead). */
  pairs?: number;
  /** Keep only terms whose selection probability over the halves is >= this (when `pairs` > 0; 0 keeps the full-data selection). */
  pairThreshold?: number;
  /** "intersect": full-data selection with probability >= threshold; "frequency": every term with probability >= threshold. */
  pairRule?: "intersect" | "frequency";
  /** Level of the tests on each half (default testAlpha). */
  pairAlpha?: number;
}

export interface Selection {
  /** Selected columns (indices into the Grams' columns), free columns included. */
  support: number[];
  /** Selection frequency of every column across the CV folds, or over the half-samples with `pairs` (1 for free columns). */
  stability: Float64Array;
  /** The chosen tuning value: lambda (standardised units) or "eta,K" for SPLS. */
  tuning: number | string;
  /** With complementary pairs: mean number of penalised terms a half selects (q of the error bound). */
  meanSelected?: number;
}

/**
 * `grams` are per subject; columns with `free[j]` are never penalised and
 * always kept (a common intercept in the pooled comparison).
 */
export function selectTerms(grams: Gram[], free: boolean[], options: SelectOptions): Selection {
  const m = grams[0]!.m;
  const total = sumGrams(grams, m);
  const scales = columnScales(total);
  const folds = subjectFolds(grams.length, options.folds, options.seed);
  const freeCols = free.flatMap((f, j) => (f ? [j] : []));
  if (options.penalty === "spls") return selectSpls(grams, total, scales, folds, freeCols, options);

  const weights = new Float64Array(m).fill(1);
  if (options.control === "adaptive") {
    // Adaptive LASSO (Zou 2006): weights 1/|w~_j|^gamma from a lightly ridged least-squares fit in standardised units.
    const ridge = restrict(total, Array.from({ length: m }, (_, j) => j));
    for (let j = 0; j < m; j++) ridge.xx[j * m + j] = ridge.xx[j * m + j]! * (1 + 1e-3) + 1e-300;
    const w = solveSpd(ridge.xx, m, ridge.xy);
    if (w) for (let j = 0; j < m; j++) weights[j] = 1 / Math.max(Math.abs(w[j]! * scales[j]!), 1e-8) ** options.adaptiveGamma;
  }
  for (const j of freeCols) weights[j] = 0;
  const path = lassoPath(total, { scales, weights, nLambda: options.nLambda, lambdaRatio: options.lambdaRatio });
  const relaxed = options.control === "relaxed";
  // Relaxed LASSO (Meinshausen 2007, phi = 0): the lambda is chosen for the least-squares refit on its support.
  const fitPath = (train: Gram): Float64Array[] => {
    const coefs = lassoPath(train, { scales, weights, lambdas: path.lambdas }).coefs;
    return relaxed ? coefs.map((w) => refitOnSupport(train, w)) : coefs;
  };

  let index: number;
  let foldCoefs: Float64Array[] | undefined;
  if (typeof options.lambda === "number") {
    // Only the support is used (a refit follows): a looser tolerance saves most sweeps on collinear columns.
    const w = lassoAt(total, options.lambda, { scales, weights, tol: 1e-5 });
    // folds = 0: no fold stability wanted (the half-samples of complementary pairs).
    const folded = options.folds > 0 ? folds.map((f) => lassoAt(trainOf(total, grams, f), options.lambda as number, { scales, weights })) : [];
    return finish(w, folded, freeCols, options.lambda);
  } else if (options.lambda === "ebic") {
    const coefs = relaxed ? path.coefs.map((w) => refitOnSupport(total, w)) : path.coefs;
    index = ebicPath(total, coefs, { gamma: options.ebicGamma, free: freeCols.length, nEffective: options.ebicRows }).best;
  } else {
    const cv = crossValidate(grams, folds, fitPath);
    // Stability selection prunes on its own, so it starts from the CV minimum.
    index = options.rule === "min" || options.control === "stability" ? cv.best : cv.oneSe;
    foldCoefs = cv.foldCoefs.map((c) => c[index]!);
  }
  const lambda = path.lambdas[index]!;
  foldCoefs ??= folds.map((f) => lassoAt(trainOf(total, grams, f), lambda, { scales, weights }));
  let w = path.coefs[index]!;
  if (options.control === "stability") {
    // Stability selection (Meinshausen & Buehlmann 2010): keep what most random halves of the subjects select.
    const freq = subsampleFrequency(grams, options.stabilityDraws, options.seed + 1, (train) => lassoAt(train, lambda, { scales, weights }));
    w = Float64Array.from(w, (v, j) => (freq[j]! >= options.stabilityThreshold || weights[j] === 0 ? (v === 0 ? 1e-300 : v) : 0));
  }
  return finish(w, foldCoefs, freeCols, lambda);
}

function finish(w: Float64Array, foldCoefs: Float64Array[], freeCols: number[], tuning: number | string): Selection {
  const m = w.length;
  const stability = selectionFrequency(foldCoefs, m);
  for (const j of freeCols) stability[j] = 1;
  const support: number[] = [];
  for (let j = 0; j < m; j++) if (w[j] !== 0 || freeCols.includes(j)) support.push(j);
  return { support, stability, tuning };
}

/**
 * The penalised selection, the stepwise tests when asked for, and, with
 * `pairs`, the selection probability of every term when the same procedure
 * (its tuning fixed at the full data's) runs on complementary halves of the
 * subjects; terms below the threshold are dropped.
 */
export function selectAndTest(grams: Gram[], free: boolean[], options: SelectOptions, factors: number[][] = []): Selection {
  const s = selectTerms(grams, free, options);
  const keep = free.flatMap((f, j) => (f ? [j] : []));
  let support = s.support;
  if ((options.test ?? "none") !== "none")
    support = waldPrune(grams, s.support, { alpha: options.testAlpha ?? 0.05, reenter: reenter(options), keep, factors }).support;
  const pairs = options.pairs ?? 0;
  if (pairs <= 0 || grams.length < 4) return { ...s, support };
  const fixed: SelectOptions = {
    ...options,
    pairs: 0,
    folds: 0,
    control: options.control === "stability" ? "none" : options.control,
    ...(options.penalty === "spls" ? splsPoint(s.tuning) : { lambda: s.tuning as number }),
  };
  // With tests, a half reruns the stepwise tests from the full data's penalised screen: re-running the LASSO on
  // each half was 15-40x slower on a collinear degree-2 library (NOTES.md). Without tests, the whole selection.
  const tested = (options.test ?? "none") !== "none";
  const halfAlpha = options.pairAlpha ?? options.testAlpha ?? 0.05;
  const halves = complementaryPairs(grams, pairs, options.seed + 2, (half) =>
    tested
      ? waldPrune(half, s.support, { alpha: halfAlpha, reenter: reenter(options), keep, factors }).support
      : selectAndTest(half, free, fixed, factors).support,
  );
  const threshold = options.pairThreshold ?? 0;
  const frequency = halves.frequency;
  for (const j of keep) frequency[j] = 1;
  const stable = (j: number): boolean => keep.includes(j) || frequency[j]! >= threshold;
  const final =
    options.pairRule === "frequency" ? Array.from({ length: frequency.length }, (_, j) => j).filter(stable) : support.filter(stable);
  return { support: final, stability: frequency, tuning: s.tuning, meanSelected: halves.meanSelected - keep.length };
}

/** Re-entry by default, except under a lambda the user fixed: then the tests only prune that lambda's selection. */
function reenter(options: SelectOptions): boolean {
  return options.reenter ?? typeof options.lambda !== "number";
}

function splsPoint(tuning: number | string): { eta: number; K: number } {
  const m = /eta=([^,]+),K=(\d+)/.exec(String(tuning));
  return { eta: Number(m?.[1]), K: Number(m?.[2]) };
}

function trainOf(total: Gram, grams: Gram[], fold: number[]): Gram {
  const held = new Set(fold);
  return sumGrams(
    grams.filter((_, i) => !held.has(i)),
    total.m,
  );
}

/** Least squares on the non-zero columns of w (zeros elsewhere). */
export function refitOnSupport(g: Gram, w: Float64Array): Float64Array {
  const cols: number[] = [];
  for (let j = 0; j < w.length; j++) if (w[j] !== 0) cols.push(j);
  const out = new Float64Array(w.length);
  if (cols.length === 0) return out;
  const sub = restrict(g, cols);
  for (let a = 0; a < cols.length; a++) sub.xx[a * cols.length + a] = sub.xx[a * cols.length + a]! * (1 + 1e-10);
  const x = solveSpd(sub.xx, cols.length, sub.xy);
  if (!x) return Float64Array.from(w);
  cols.forEach((j, a) => (out[j] = x[a]! === 0 ? 1e-300 : x[a]!));
  return out;
}

function selectSpls(
  grams: Gram[],
  total: Gram,
  scales: Float64Array,
  folds: number[][],
  freeCols: number[],
  options: SelectOptions,
): Selection {
  const grid = splsGrid(total.m, options.eta, options.K);
  const run = (g: Gram, point: { eta: number; K: number }): Float64Array => {
    const w = spls(g, { ...point, scales });
    // Free columns (a common intercept) are always in.
    if (freeCols.length === 0) return w;
    const mask = Float64Array.from(w, (v, j) => (v !== 0 || freeCols.includes(j) ? 1 : 0));
    return refitOnSupport(g, mask);
  };
  let index = 0;
  let foldCoefs: Float64Array[];
  if (grid.length > 1) {
    const cv = crossValidate(grams, folds, (train) => grid.map((pt) => run(train, pt)));
    index = options.rule === "min" ? cv.best : cv.oneSe;
    foldCoefs = cv.foldCoefs.map((c) => c[index]!);
  } else foldCoefs = folds.map((f) => run(trainOf(total, grams, f), grid[0]!));
  const point = grid[index]!;
  return finish(run(total, point), foldCoefs, freeCols, `eta=${point.eta},K=${point.K}`);
}

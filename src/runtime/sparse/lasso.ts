// LASSO by cyclic coordinate descent on a Gram matrix (Friedman, Hastie &
// Tibshirani 2010, "covariance updates"): minimise
//     (1 / 2n) ||y - X w||^2 + lambda * sum_j v_j |w_j s_j|
// where s_j standardises column j and v_j are penalty weights (adaptive
// LASSO; 0 = unpenalised, Infinity = excluded). Only X'X and X'y are touched,
// so the cost per sweep is O(m * active) whatever the number of weak-form rows.
// A path over decreasing lambdas is warm-started from the previous solution.
import { solveSpd } from "../numeric/linalg.js";
import { columnScales, partialOut, type Gram } from "./gram.js";

export interface LassoOptions {
  /** Decreasing lambdas (standardised units); default a geometric grid from lambdaMax. */
  lambdas?: ArrayLike<number>;
  /** Grid size when `lambdas` is not given (default 60). */
  nLambda?: number;
  /** Smallest / largest lambda of the default grid (default 1e-3). */
  lambdaRatio?: number;
  /** Penalty weight per column (default 1). */
  weights?: Float64Array;
  /** Column scales (default from the Gram's diagonal); pass the full data's scales to share a grid across folds. */
  scales?: Float64Array;
  /** Convergence: largest coefficient change (standardised) per sweep (default 1e-7). */
  tol?: number;
  maxSweeps?: number;
}

export interface LassoPath {
  lambdas: Float64Array;
  /** Coefficients per lambda, in the original (unstandardised) units. */
  coefs: Float64Array[];
  scales: Float64Array;
  /** Coordinate sweeps used, for diagnostics. */
  sweeps: number;
}

/** Smallest lambda at which every penalised coefficient is zero (unpenalised columns fitted first). */
export function lambdaMax(g: Gram, scales: Float64Array, weights?: Float64Array): number {
  const m = g.m;
  // Gradient at the fit of the unpenalised columns alone.
  const beta = new Float64Array(m);
  const free = Array.from({ length: m }, (_, j) => j).filter((j) => weights !== undefined && weights[j] === 0 && scales[j]! > 0);
  if (free.length > 0) {
    // Only the unpenalised columns move: the others are held at zero.
    const only = weights!.map((v) => (v === 0 ? 0 : Number.POSITIVE_INFINITY));
    solve(new Workspace(g, scales), beta, 0, only, 1e-10, 1000);
  }
  const grad = gradient(g, scales, beta);
  let max = 0;
  for (let j = 0; j < m; j++) {
    const v = weights ? weights[j]! : 1;
    if (scales[j] === 0 || v === 0 || !Number.isFinite(v)) continue;
    max = Math.max(max, Math.abs(grad[j]!) / v);
  }
  return max;
}

export function lassoPath(g: Gram, options: LassoOptions = {}): LassoPath {
  const free = options.weights ? [...options.weights.keys()].filter((j) => options.weights![j] === 0) : [];
  if (free.length > 0) return withFreeColumns(g, free, options);
  const m = g.m;
  const scales = options.scales ?? columnScales(g);
  const weights = options.weights ?? new Float64Array(m).fill(1);
  let lambdas: Float64Array;
  if (options.lambdas) lambdas = Float64Array.from(options.lambdas);
  else {
    const nl = options.nLambda ?? 60;
    const top = lambdaMax(g, scales, weights);
    const ratio = options.lambdaRatio ?? 1e-3;
    lambdas = new Float64Array(nl);
    for (let k = 0; k < nl; k++) lambdas[k] = top * ratio ** (k / Math.max(1, nl - 1));
  }
  const ws = new Workspace(g, scales);
  const beta = new Float64Array(m);
  const coefs: Float64Array[] = [];
  let sweeps = 0;
  for (const lambda of lambdas) {
    sweeps += solve(ws, beta, lambda, weights, options.tol ?? 1e-7, options.maxSweeps ?? 10000);
    const w = new Float64Array(m);
    for (let j = 0; j < m; j++) w[j] = scales[j]! > 0 ? beta[j]! / scales[j]! : 0;
    coefs.push(w);
  }
  return { lambdas, coefs, scales, sweeps };
}

/** The single-lambda solution (original units). */
export function lassoAt(g: Gram, lambda: number, options: LassoOptions = {}): Float64Array {
  return lassoPath(g, { ...options, lambdas: [lambda] }).coefs[0]!;
}

/** Standardised problem: a = X~'X~ / n, c = X~'y / n, and the running gradient c - a beta. */
class Workspace {
  readonly a: Float64Array;
  readonly c: Float64Array;
  readonly grad: Float64Array;
  constructor(g: Gram, readonly scales: Float64Array) {
    const m = g.m;
    const n = Math.max(g.n, 1);
    this.a = new Float64Array(m * m);
    this.c = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      const sj = scales[j]!;
      if (sj === 0) continue;
      this.c[j] = g.xy[j]! / (n * sj);
      for (let k = 0; k < m; k++) {
        const sk = scales[k]!;
        if (sk !== 0) this.a[j * m + k] = g.xx[j * m + k]! / (n * sj * sk);
      }
    }
    this.grad = Float64Array.from(this.c);
  }
}

/** Coordinate descent from the current beta (warm start); returns the number of sweeps. */
function solve(ws: Workspace, beta: Float64Array, lambda: number, weights: Float64Array, tol: number, maxSweeps: number): number {
  const { a, grad, scales } = ws;
  const m = beta.length;
  // Re-sync the gradient with beta (cheap relative to the sweeps, and keeps rounding from drifting).
  for (let j = 0; j < m; j++) {
    let acc = ws.c[j]!;
    for (let k = 0; k < m; k++) if (beta[k] !== 0) acc -= a[j * m + k]! * beta[k]!;
    grad[j] = acc;
  }
  const update = (j: number): number => {
    const ajj = a[j * m + j]!;
    if (!(ajj > 0) || scales[j] === 0 || !Number.isFinite(weights[j]!)) return 0;
    const old = beta[j]!;
    const z = grad[j]! + ajj * old;
    const t = lambda * weights[j]!;
    const next = z > t ? (z - t) / ajj : z < -t ? (z + t) / ajj : 0;
    const delta = next - old;
    if (delta === 0) return 0;
    beta[j] = next;
    for (let k = 0; k < m; k++) grad[k] -= a[k * m + j]! * delta;
    return Math.abs(delta);
  };
  let sweeps = 0;
  while (sweeps < maxSweeps) {
    // Full sweep, then iterate on the active set until it settles (glmnet's strategy).
    let change = 0;
    for (let j = 0; j < m; j++) change = Math.max(change, update(j));
    sweeps++;
    if (change < tol) break;
    const active: number[] = [];
    for (let j = 0; j < m; j++) if (beta[j] !== 0) active.push(j);
    while (sweeps < maxSweeps) {
      let inner = 0;
      for (const j of active) inner = Math.max(inner, update(j));
      sweeps++;
      if (inner < tol) break;
    }
  }
  return sweeps;
}

function gradient(g: Gram, scales: Float64Array, beta: Float64Array): Float64Array {
  const ws = new Workspace(g, scales);
  const m = g.m;
  const out = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let acc = ws.c[j]!;
    for (let k = 0; k < m; k++) acc -= ws.a[j * m + k]! * beta[k]!;
    out[j] = acc;
  }
  return out;
}

/**
 * Unpenalised columns by Frisch-Waugh-Lovell: the LASSO on the other columns
 * after projecting out the free ones has the same solution, and coordinate
 * descent no longer crawls along a free column that is nearly collinear with
 * the rest (e.g. a common intercept). The free coefficients are then
 * recovered by least squares given the penalised ones.
 */
function withFreeColumns(g: Gram, free: number[], options: LassoOptions): LassoPath {
  const m = g.m;
  const pen = [...Array(m).keys()].filter((j) => !free.includes(j));
  // Reorder as [pen..., free...] and project the free columns out one at a time.
  let h = restrictGram(g, [...pen, ...free]);
  for (let f = 0; f < free.length; f++) h = partialOutLast(h);
  // Same 1/(2n) as the original problem, so that lambda means the same thing.
  h.n = g.n;
  const scales = options.scales ?? columnScales(g);
  const sub = lassoPath(h, {
    ...options,
    weights: Float64Array.from(pen, (j) => options.weights![j]!),
    scales: Float64Array.from(pen, (j) => scales[j]!),
  });
  const ff = free.length;
  const gff = new Float64Array(ff * ff);
  free.forEach((a, x) => free.forEach((b, y) => (gff[x * ff + y] = g.xx[a * m + b]! * (x === y ? 1 + 1e-12 : 1))));
  const coefs = sub.coefs.map((wp) => {
    const w = new Float64Array(m);
    pen.forEach((j, a) => (w[j] = wp[a]!));
    const rhs = Float64Array.from(free, (a) => {
      let acc = g.xy[a]!;
      pen.forEach((j) => (acc -= g.xx[a * m + j]! * w[j]!));
      return acc;
    });
    const x = solveSpd(gff, ff, rhs);
    free.forEach((a, i) => (w[a] = x ? x[i]! : 0));
    return w;
  });
  return { lambdas: sub.lambdas, coefs, scales, sweeps: sub.sweeps };
}

function restrictGram(g: Gram, cols: number[]): Gram {
  const r = cols.length;
  const xx = new Float64Array(r * r);
  cols.forEach((a, x) => cols.forEach((b, y) => (xx[x * r + y] = g.xx[a * g.m + b]!)));
  return { n: g.n, m: r, xx, xy: Float64Array.from(cols, (a) => g.xy[a]!), yy: g.yy };
}

function partialOutLast(g: Gram): Gram {
  const reduced = partialOut(g, g.m - 1);
  return reduced;
}

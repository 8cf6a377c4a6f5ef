// LASSO by cyclic coordinate descent on a Gram matrix (Friedman, Hastie &
// Tibshirani 2010, "covariance updates"): minimise
//     (1 / 2n) ||y - X w||^2 + lambda * sum_j v_j |w_j s_j|
// where s_j standardises column j and v_j are penalty weights (adaptive
// LASSO; 0 = unpenalised, Infinity = excluded). Only X'X and X'y are touched,
// so the cost per sweep is O(m * active) whatever the number of weak-form rows.
// A path over decreasing lambdas is warm-started from the previous solution.
import { columnScales, type Gram } from "./gram.js";

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

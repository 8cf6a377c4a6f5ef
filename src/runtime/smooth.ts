// Penalised cubic B-splines (P-splines, Eilers & Marx 1996) with the smoothing
// parameter chosen by generalised cross-validation. One Demmler-Reinsch
// eigen-decomposition per series makes every GCV evaluation O(size^2), so the
// search over lambda costs next to nothing compared with the set-up.
import { evalBasis, uniformCubicBasis, type UniformCubicBasis } from "./bspline.js";
import { cholesky, forwardSolve, symmetricEigen } from "./linalg.js";

export interface SmoothOptions {
  /** Observation weights (inverse variances up to a constant); default all 1. */
  weights?: Float64Array;
  /** Cap on the number of knot spans (default 20). */
  maxSegments?: number;
  /** Fixed smoothing parameter instead of GCV. */
  lambda?: number;
  /**
   * Multiplier applied to the GCV lambda for the returned curve (default 1).
   * Values below 1 undersmooth: two-stage ODE estimators need a curve whose
   * bias is smaller than the curve-optimal one, since the bias does not
   * average out across test functions and subjects while the noise does.
   * The noise estimate (`noise`) always comes from the GCV fit.
   */
  undersmooth?: number;
}

export interface SmoothFit {
  basis: UniformCubicBasis;
  coef: Float64Array;
  lambda: number;
  /** Effective degrees of freedom, trace of the hat matrix. */
  edf: number;
  gcv: number;
  fitted: Float64Array;
  residuals: Float64Array;
  /** Weighted residual sum of squares. */
  rss: number;
  /** How lambda was chosen: "gcv", "fixed", "line" (too few points: straight line), "capped" (GCV wanted to interpolate). */
  method: "gcv" | "fixed" | "line" | "capped";
  /** The linear map data -> coefficients (size x n, row-major): coef = A y. Computed on demand. */
  smootherMatrix(): Float64Array;
  /** The fit at the selected (not undersmoothed) lambda, for noise estimates. */
  noise: { lambda: number; edf: number; fitted: Float64Array; residuals: Float64Array };
}

const GRID = 41;

export function smoothSeries(times: Float64Array, values: Float64Array, options: SmoothOptions = {}): SmoothFit {
  const n = times.length;
  if (n < 2) throw new RangeError(`smoothing needs at least 2 points, got ${n}`);
  const t0 = times[0]!;
  const t1 = times[n - 1]!;
  if (!(t1 > t0)) throw new RangeError("smoothing needs at least two distinct times");
  const segments = Math.max(1, Math.min(n - 1, options.maxSegments ?? 20));
  const basis = uniformCubicBasis(t0, t1, segments);
  const m = basis.size;
  const w = options.weights ?? new Float64Array(n).fill(1);

  // Design rows: 4 non-zeros each.
  const first = new Int32Array(n);
  const bv = new Float64Array(4 * n);
  const tmp = new Float64Array(4);
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < n; i++) {
    first[i] = evalBasis(basis, times[i]!, tmp);
    bv.set(tmp, 4 * i);
    sw += w[i]!;
    swy += w[i]! * values[i]!;
  }
  // Centre y: constants are unpenalised and reproduced exactly, so this only
  // removes cancellation from the RSS formula.
  const mean = swy / sw;
  const btb = new Float64Array(m * m);
  const bty = new Float64Array(m);
  let yty = 0;
  for (let i = 0; i < n; i++) {
    const j0 = first[i]!;
    const yi = values[i]! - mean;
    const wi = w[i]!;
    yty += wi * yi * yi;
    for (let a = 0; a < 4; a++) {
      const ba = bv[4 * i + a]! * wi;
      bty[j0 + a] += ba * yi;
      for (let b = 0; b < 4; b++) btb[(j0 + a) * m + j0 + b] += ba * bv[4 * i + b]!;
    }
  }
  // Second-difference penalty P = D'D.
  const pen = new Float64Array(m * m);
  for (let r = 0; r < m - 2; r++) {
    const d = [1, -2, 1];
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) pen[(r + a) * m + r + b] += d[a]! * d[b]!;
  }
  // M = B'WB + eps I, M = L L'; K = L^-1 P L^-T = U S U'.
  let trace = 0;
  for (let j = 0; j < m; j++) trace += btb[j * m + j]!;
  const eps = 1e-10 * (trace / m);
  const l = Float64Array.from(btb);
  for (let j = 0; j < m; j++) l[j * m + j] += eps;
  if (!cholesky(l, m)) throw new Error("smoothing: normal matrix is not positive definite");
  const linvP = solveLowerColumns(l, m, pen); // L^-1 P
  const k = solveLowerColumns(l, m, transpose(linvP, m)); // L^-1 (L^-1 P)' = L^-1 P L^-T
  symmetrise(k, m);
  const s = new Float64Array(m);
  const u = new Float64Array(m * m);
  symmetricEigen(k, m, s, u);
  for (let j = 0; j < m; j++) if (s[j]! < 0) s[j] = 0;
  // g = U' L^-1 B'Wy; C = U' L^-1 B'WB L^-T U (close to I, exactly I - eps U'M^-1U).
  const linvBty = Float64Array.from(bty);
  forwardSolve(l, m, linvBty);
  const g = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let acc = 0;
    for (let i = 0; i < m; i++) acc += u[i * m + j]! * linvBty[i]!;
    g[j] = acc;
  }
  const linvB = solveLowerColumns(l, m, btb);
  const kb = solveLowerColumns(l, m, transpose(linvB, m));
  const c = new Float64Array(m * m);
  const tmpRow = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    for (let i = 0; i < m; i++) {
      let acc = 0;
      for (let r = 0; r < m; r++) acc += kb[i * m + r]! * u[r * m + a]!;
      tmpRow[i] = acc;
    }
    for (let b = 0; b < m; b++) {
      let acc = 0;
      for (let i = 0; i < m; i++) acc += u[i * m + b]! * tmpRow[i]!;
      c[b * m + a] = acc;
    }
  }
  const dg = new Float64Array(m);
  const evaluate = (lambda: number): { rss: number; edf: number } => {
    let edf = 0;
    let cross = 0;
    for (let j = 0; j < m; j++) {
      const f = 1 / (1 + lambda * s[j]!);
      dg[j] = f * g[j]!;
      edf += f * c[j * m + j]!;
      cross += dg[j]! * g[j]!;
    }
    let quad = 0;
    for (let a = 0; a < m; a++) {
      let acc = 0;
      for (let b = 0; b < m; b++) acc += c[a * m + b]! * dg[b]!;
      quad += dg[a]! * acc;
    }
    return { rss: Math.max(0, yty - 2 * cross + quad), edf };
  };

  // Reference scale of lambda: where the penalty and the data term weigh alike.
  let tracePen = 0;
  for (let j = 0; j < m; j++) tracePen += pen[j * m + j]!;
  const ref = tracePen > 0 ? trace / tracePen : 1;
  // With few points GCV tends to interpolate; keep some residual degrees of freedom.
  const maxEdf = n - Math.max(2, 0.2 * n);
  let method: SmoothFit["method"];
  let lambda: number;
  if (options.lambda !== undefined) {
    lambda = options.lambda;
    method = "fixed";
  } else if (n <= 4 || maxEdf <= 2) {
    lambda = ref * 1e10;
    method = "line";
  } else {
    const score = (logLambda: number): number => {
      const { rss, edf } = evaluate(ref * 10 ** logLambda);
      if (edf > maxEdf) return Number.POSITIVE_INFINITY;
      return (n * rss) / ((n - edf) * (n - edf));
    };
    const lo = -8;
    const hi = 8;
    let best = -1;
    let bestScore = Number.POSITIVE_INFINITY;
    const grid = new Float64Array(GRID);
    for (let i = 0; i < GRID; i++) {
      grid[i] = score(lo + ((hi - lo) * i) / (GRID - 1));
      if (grid[i]! < bestScore) {
        bestScore = grid[i]!;
        best = i;
      }
    }
    const step = (hi - lo) / (GRID - 1);
    if (best < 0) {
      lambda = ref * 1e10;
      method = "line";
    } else {
      // Golden-section refinement inside the bracket around the best grid point.
      let a = lo + step * Math.max(0, best - 1);
      let b = lo + step * Math.min(GRID - 1, best + 1);
      const phi = (Math.sqrt(5) - 1) / 2;
      let x1 = b - phi * (b - a);
      let x2 = a + phi * (b - a);
      let f1 = score(x1);
      let f2 = score(x2);
      for (let it = 0; it < 30 && b - a > 1e-3; it++) {
        if (f1 <= f2) {
          b = x2;
          x2 = x1;
          f2 = f1;
          x1 = b - phi * (b - a);
          f1 = score(x1);
        } else {
          a = x1;
          x1 = x2;
          f1 = f2;
          x2 = a + phi * (b - a);
          f2 = score(x2);
        }
      }
      const xb = f1 <= f2 ? x1 : x2;
      const fb = Math.min(f1, f2);
      const logLambda = fb <= bestScore ? xb : lo + step * best;
      lambda = ref * 10 ** logLambda;
      // The edf cap was active when the unconstrained optimum lies at smaller lambda.
      method = best > 0 && grid[best - 1] === Number.POSITIVE_INFINITY ? "capped" : "gcv";
    }
  }

  const curveAt = (lam: number): { coef: Float64Array; fitted: Float64Array; residuals: Float64Array; rss: number } => {
    // Coefficients: L^-T U diag(1/(1 + lambda s)) g, plus the mean.
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let acc = 0;
      for (let j = 0; j < m; j++) acc += (u[i * m + j]! * g[j]!) / (1 + lam * s[j]!);
      v[i] = acc;
    }
    backSolveTranspose(l, m, v);
    const coef = new Float64Array(m);
    for (let j = 0; j < m; j++) coef[j] = v[j]! + mean;
    const fitted = new Float64Array(n);
    const residuals = new Float64Array(n);
    let rss = 0;
    for (let i = 0; i < n; i++) {
      const j0 = first[i]!;
      let f = 0;
      for (let a = 0; a < 4; a++) f += coef[j0 + a]! * bv[4 * i + a]!;
      fitted[i] = f;
      residuals[i] = values[i]! - f;
      rss += w[i]! * residuals[i]! * residuals[i]!;
    }
    return { coef, fitted, residuals, rss };
  };
  const selected = curveAt(lambda);
  const noise = { lambda, edf: evaluate(lambda).edf, fitted: selected.fitted, residuals: selected.residuals };
  const factor = method === "gcv" || method === "capped" ? (options.undersmooth ?? 1) : 1;
  if (factor !== 1) lambda *= factor;
  const { edf } = evaluate(lambda);
  const { coef, fitted, residuals, rss } = factor !== 1 ? curveAt(lambda) : selected;
  const gcv = n - edf > 0 ? (n * rss) / ((n - edf) * (n - edf)) : Number.POSITIVE_INFINITY;

  const smootherMatrix = (): Float64Array => {
    // A = L^-T U D U' L^-1 B'W, one data column at a time.
    const out = new Float64Array(m * n);
    const col = new Float64Array(m);
    const z = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      col.fill(0);
      const j0 = first[i]!;
      for (let a = 0; a < 4; a++) col[j0 + a] = bv[4 * i + a]! * w[i]!;
      forwardSolve(l, m, col);
      for (let j = 0; j < m; j++) {
        let acc = 0;
        for (let r = 0; r < m; r++) acc += u[r * m + j]! * col[r]!;
        z[j] = acc / (1 + lambda * s[j]!);
      }
      for (let r = 0; r < m; r++) {
        let acc = 0;
        for (let j = 0; j < m; j++) acc += u[r * m + j]! * z[j]!;
        col[r] = acc;
      }
      backSolveTranspose(l, m, col);
      for (let r = 0; r < m; r++) out[r * n + i] = col[r]!;
    }
    return out;
  };

  return { basis, coef, lambda, edf, gcv, fitted, residuals, rss, method, smootherMatrix, noise };
}

/** L^-1 X for a lower-triangular L and an m x m X (new matrix). */
function solveLowerColumns(l: Float64Array, m: number, x: Float64Array): Float64Array {
  const out = Float64Array.from(x);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < m; i++) {
      let acc = out[i * m + c]!;
      for (let k = 0; k < i; k++) acc -= l[i * m + k]! * out[k * m + c]!;
      out[i * m + c] = acc / l[i * m + i]!;
    }
  }
  return out;
}

function transpose(x: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[j * m + i] = x[i * m + j]!;
  return out;
}

function symmetrise(x: Float64Array, m: number): void {
  for (let i = 0; i < m; i++)
    for (let j = i + 1; j < m; j++) {
      const v = 0.5 * (x[i * m + j]! + x[j * m + i]!);
      x[i * m + j] = v;
      x[j * m + i] = v;
    }
}

/** Solve L' x = b in place. */
function backSolveTranspose(l: Float64Array, m: number, b: Float64Array): void {
  for (let i = m - 1; i >= 0; i--) {
    let acc = b[i]!;
    for (let k = i + 1; k < m; k++) acc -= l[k * m + i]! * b[k]!;
    b[i] = acc / l[i * m + i]!;
  }
}

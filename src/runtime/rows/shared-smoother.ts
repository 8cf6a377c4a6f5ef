// A P-spline that borrows strength across subjects (a mixed-model P-spline,
// after Durban et al. 2005): on one cubic B-spline basis spanning every
// subject's samples, subject i's curve is
//     f_i(t) = B(t) (c + d_i)
// with c the population curve (second-difference penalty, lambda_c) and d_i
// the subject's deviation from it (penalty lambda_d (D'D + eta I): its
// curvature is penalised like a P-spline's, its level and slope by a ridge,
// so with lambda_d large every subject follows the population curve and with
// lambda_d small each has its own). A subject with 6 noisy samples then gets
// the population's shape, moved to its own level and slope, instead of a
// 6-point curve that is mostly noise. lambda_c, lambda_d and eta are chosen
// by generalised cross-validation over all the samples pooled.
//
// Given the lambdas the problem is block-arrowhead: each d_i is eliminated
// (A_i = M_i + lambda_d P_d, M_i = B_i'W_i B_i, K_i = A_i^-1 M_i), leaving an
// m x m system for c (C = sum M_i (I - K_i) + lambda_c P). The trace of the
// hat matrix is sum tr(K_i) + tr(C^-1 sum (I-K_i)' M_i (I-K_i)). Matrices are
// m x m with m = segments + 3 <= 23, so a GCV evaluation is O(N m^3).
import { evalBasis, uniformCubicBasis, type UniformCubicBasis } from "../numeric/bspline.js";
import { cholesky, choleskySolve } from "../numeric/linalg.js";
import type { SmoothFit } from "./smooth.js";

export interface SharedSeries {
  times: Float64Array;
  values: Float64Array;
  /** Observation weights (inverse variances up to a constant); default 1. */
  weights?: Float64Array;
}

export interface SharedSmoothOptions {
  /** Cap on the number of knot spans of the common basis (default 20; never more than distinct times - 1). */
  maxSegments?: number;
  /** Multiplier on both GCV lambdas for the returned curves (default 1; < 1 undersmooths). Noise figures use the GCV fit. */
  undersmooth?: number;
  /** Fixed (lambda_c, lambda_d, eta) relative to the reference scales, instead of GCV (tests). */
  fixed?: { logLambdaC: number; logLambdaD: number; eta: number };
}

export interface SharedSmoothFit {
  basis: UniformCubicBasis;
  /** The population curve's coefficients. */
  population: Float64Array;
  /** One per series, on the common basis, its own samples' fitted values and residuals. */
  subjects: SmoothFit[];
  /** log10 of the selected lambdas over their reference scales, and the ridge of the deviations. */
  logLambdaC: number;
  logLambdaD: number;
  eta: number;
  /** Trace of the pooled hat matrix at the GCV lambdas, and the pooled weighted residual sum of squares there. */
  edf: number;
  rss: number;
  /** Samples pooled. */
  n: number;
}

/** Deviation ridges tried: eta times the mean diagonal of D'D. */
const ETAS = [1e-3, 1e-1, 10];
const COARSE = Array.from({ length: 13 }, (_, i) => -6 + i);

/** Per-series design: the dense rows B_i (n_i x m), M_i = B'WB, b_i = B'Wy, y'Wy. */
interface SeriesDesign {
  n: number;
  first: Int32Array;
  bv: Float64Array;
  w: Float64Array;
  y: Float64Array;
  M: Float64Array;
  b: Float64Array;
}

/** The subject blocks at one (lambda_d, eta): K_i = A_i^-1 M_i, a_i = A_i^-1 b_i, and the sums that enter c's system. */
interface DeviationBlocks {
  K: Float64Array[];
  a: Float64Array[];
  /** A_i's Cholesky factors (for the smoother matrices). */
  L: Float64Array[];
  sumS: Float64Array;
  sumR: Float64Array;
  sumQ: Float64Array;
  trK: number;
}

function designOf(basis: UniformCubicBasis, s: SharedSeries): SeriesDesign {
  const n = s.times.length;
  const m = basis.size;
  const first = new Int32Array(n);
  const bv = new Float64Array(4 * n);
  const w = s.weights ?? new Float64Array(n).fill(1);
  const M = new Float64Array(m * m);
  const b = new Float64Array(m);
  const tmp = new Float64Array(4);
  for (let i = 0; i < n; i++) {
    const j0 = evalBasis(basis, s.times[i]!, tmp);
    first[i] = j0;
    bv.set(tmp, 4 * i);
    for (let u = 0; u < 4; u++) {
      b[j0 + u] += w[i]! * tmp[u]! * s.values[i]!;
      for (let v = 0; v < 4; v++) M[(j0 + u) * m + j0 + v] += w[i]! * tmp[u]! * tmp[v]!;
    }
  }
  return { n, first, bv, w, y: s.values, M, b };
}

/** The second-difference penalty D'D, dense m x m. */
function secondDifference(m: number): Float64Array {
  const p = new Float64Array(m * m);
  const d2 = [1, -2, 1];
  for (let r = 0; r + 2 < m; r++) for (let u = 0; u < 3; u++) for (let v = 0; v < 3; v++) p[(r + u) * m + r + v] += d2[u]! * d2[v]!;
  return p;
}

function trace(a: Float64Array, m: number): number {
  let s = 0;
  for (let i = 0; i < m; i++) s += a[i * m + i]!;
  return s;
}

/** X = A^-1 Y for Y m x k (columns solved one by one), from A's Cholesky factor. */
function solveColumns(l: Float64Array, m: number, y: Float64Array, k: number): Float64Array {
  const out = new Float64Array(m * k);
  const col = new Float64Array(m);
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < m; i++) col[i] = y[i * k + j]!;
    choleskySolve(l, m, col);
    for (let i = 0; i < m; i++) out[i * k + j] = col[i]!;
  }
  return out;
}

function deviationBlocks(designs: SeriesDesign[], m: number, pd: Float64Array, lambdaD: number, eps: number): DeviationBlocks | null {
  const sumS = new Float64Array(m * m);
  const sumR = new Float64Array(m);
  const sumQ = new Float64Array(m * m);
  const K: Float64Array[] = [];
  const a: Float64Array[] = [];
  const L: Float64Array[] = [];
  let trK = 0;
  const iMinusK = new Float64Array(m * m);
  const mk = new Float64Array(m * m);
  for (const d of designs) {
    const l = new Float64Array(m * m);
    for (let i = 0; i < m * m; i++) l[i] = d.M[i]! + lambdaD * pd[i]!;
    for (let i = 0; i < m; i++) l[i * m + i] += eps;
    if (!cholesky(l, m)) return null;
    const k = solveColumns(l, m, d.M, m);
    const ai = Float64Array.from(d.b);
    choleskySolve(l, m, ai);
    K.push(k);
    a.push(ai);
    L.push(l);
    trK += trace(k, m);
    for (let i = 0; i < m * m; i++) iMinusK[i] = (i % (m + 1) === 0 ? 1 : 0) - k[i]!;
    // S_i = M_i (I - K_i); r_i = b_i - M_i a_i; Q_i = (I - K_i)' M_i (I - K_i) = (I - K_i)' S_i.
    for (let r = 0; r < m; r++)
      for (let c = 0; c < m; c++) {
        let s = 0;
        for (let t = 0; t < m; t++) s += d.M[r * m + t]! * iMinusK[t * m + c]!;
        mk[r * m + c] = s;
        sumS[r * m + c] += s;
      }
    for (let r = 0; r < m; r++) {
      let s = d.b[r]!;
      for (let t = 0; t < m; t++) s -= d.M[r * m + t]! * ai[t]!;
      sumR[r] += s;
      for (let c = 0; c < m; c++) {
        let q = 0;
        for (let t = 0; t < m; t++) q += iMinusK[t * m + r]! * mk[t * m + c]!;
        sumQ[r * m + c] += q;
      }
    }
  }
  return { K, a, L, sumS, sumR, sumQ, trK };
}

/** Population and subject coefficients at lambda_c, with the weighted RSS and the trace of the hat matrix. */
function solveAt(designs: SeriesDesign[], m: number, blocks: DeviationBlocks, pc: Float64Array, lambdaC: number, eps: number) {
  const cl = new Float64Array(m * m);
  for (let i = 0; i < m * m; i++) cl[i] = blocks.sumS[i]! + lambdaC * pc[i]!;
  for (let i = 0; i < m; i++) cl[i * m + i] += eps;
  if (!cholesky(cl, m)) return null;
  const c = Float64Array.from(blocks.sumR);
  choleskySolve(cl, m, c);
  const cinvQ = solveColumns(cl, m, blocks.sumQ, m);
  const edf = blocks.trK + trace(cinvQ, m);
  let rss = 0;
  const coefs = designs.map((d, i) => {
    const k = blocks.K[i]!;
    const coef = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      let s = blocks.a[i]![r]! + c[r]!;
      for (let t = 0; t < m; t++) s -= k[r * m + t]! * c[t]!;
      coef[r] = s;
    }
    for (let j = 0; j < d.n; j++) {
      const j0 = d.first[j]!;
      let f = 0;
      for (let u = 0; u < 4; u++) f += coef[j0 + u]! * d.bv[4 * j + u]!;
      rss += d.w[j]! * (d.y[j]! - f) ** 2;
    }
    return coef;
  });
  return { c, coefs, rss, edf, cl };
}

/**
 * Fit every series on a common basis, population curve plus penalised
 * deviations, lambdas by pooled GCV (a 13 x 13 grid of decades per ridge,
 * then a quarter-decade grid around the best point).
 */
export function smoothShared(series: SharedSeries[], options: SharedSmoothOptions = {}): SharedSmoothFit {
  if (series.length === 0) throw new RangeError("shared smoothing needs at least one series");
  let t0 = Number.POSITIVE_INFINITY;
  let t1 = Number.NEGATIVE_INFINITY;
  const distinct = new Set<number>();
  for (const s of series) for (const t of s.times) {
    t0 = Math.min(t0, t);
    t1 = Math.max(t1, t);
    distinct.add(t);
  }
  if (!(t1 > t0)) throw new RangeError("shared smoothing needs at least two distinct times");
  const segments = Math.max(1, Math.min(options.maxSegments ?? 20, distinct.size - 1));
  const basis = uniformCubicBasis(t0, t1, segments);
  const m = basis.size;
  const designs = series.map((s) => designOf(basis, s));
  const n = designs.reduce((a, d) => a + d.n, 0);
  const pc = secondDifference(m);
  const pTrace = trace(pc, m) / m;
  let mTrace = 0;
  for (const d of designs) mTrace += trace(d.M, m);
  const refC = mTrace / m / pTrace;
  const refD = mTrace / designs.length / m / pTrace;
  const eps = 1e-10 * (mTrace / m);
  const pdOf = (eta: number): Float64Array => {
    const p = Float64Array.from(pc);
    for (let i = 0; i < m; i++) p[i * m + i] += eta * pTrace;
    return p;
  };
  const maxEdf = n - Math.max(2, 0.2 * n);
  const score = (rss: number, edf: number): number => (edf <= maxEdf && edf < n ? (n * rss) / ((n - edf) * (n - edf)) : Number.POSITIVE_INFINITY);
  let best = options.fixed ?? { logLambdaC: 0, logLambdaD: 0, eta: ETAS[1]! };
  if (!options.fixed) {
    let bestScore = Number.POSITIVE_INFINITY;
    const tryGrid = (etas: number[], gridD: number[], gridC: number[]): void => {
      for (const eta of etas) {
        const pd = pdOf(eta);
        for (const ld of gridD) {
          const blocks = deviationBlocks(designs, m, pd, refD * 10 ** ld, eps);
          if (!blocks) continue;
          for (const lc of gridC) {
            const r = solveAt(designs, m, blocks, pc, refC * 10 ** lc, eps);
            const sc = r ? score(r.rss, r.edf) : Number.POSITIVE_INFINITY;
            if (sc < bestScore) {
              bestScore = sc;
              best = { logLambdaC: lc, logLambdaD: ld, eta };
            }
          }
        }
      }
    };
    tryGrid(ETAS, COARSE, COARSE);
    const around = (x: number): number[] => [-0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75].map((h) => x + h);
    const { logLambdaC, logLambdaD, eta } = best;
    tryGrid([eta], around(logLambdaD), around(logLambdaC));
  }
  return assemble(series, designs, basis, best, { refC, refD, eps, pc, pd: pdOf(best.eta), n, under: options.undersmooth ?? 1 });
}

/** The fits at the selected lambdas (noise figures) and at the undersmoothed ones (curves), as one SmoothFit per series. */
function assemble(
  series: SharedSeries[],
  designs: SeriesDesign[],
  basis: UniformCubicBasis,
  sel: { logLambdaC: number; logLambdaD: number; eta: number },
  k: { refC: number; refD: number; eps: number; pc: Float64Array; pd: Float64Array; n: number; under: number },
): SharedSmoothFit {
  const m = basis.size;
  const at = (scale: number) => {
    const blocks = deviationBlocks(designs, m, k.pd, k.refD * 10 ** sel.logLambdaD * scale, k.eps);
    const r = blocks && solveAt(designs, m, blocks, k.pc, k.refC * 10 ** sel.logLambdaC * scale, k.eps);
    if (!blocks || !r) throw new Error("internal error: the shared smoother's system is not positive definite at the selected lambdas");
    return { blocks, ...r };
  };
  const noiseFit = at(1);
  const curveFit = k.under !== 1 ? at(k.under) : noiseFit;
  const lambdaD = k.refD * 10 ** sel.logLambdaD * k.under;
  const subjects = designs.map((d, i): SmoothFit => {
    const fitted = (coef: Float64Array): { fitted: Float64Array; residuals: Float64Array; rss: number } => {
      const f = new Float64Array(d.n);
      const r = new Float64Array(d.n);
      let rss = 0;
      for (let j = 0; j < d.n; j++) {
        const j0 = d.first[j]!;
        for (let u = 0; u < 4; u++) f[j] += coef[j0 + u]! * d.bv[4 * j + u]!;
        r[j] = d.y[j]! - f[j]!;
        rss += d.w[j]! * r[j]! ** 2;
      }
      return { fitted: f, residuals: r, rss };
    };
    const curve = fitted(curveFit.coefs[i]!);
    const noise = fitted(noiseFit.coefs[i]!);
    const edfOf = (fit: typeof noiseFit): number => subjectEdf(d, m, fit.blocks, i, fit.cl);
    const edfNoise = edfOf(noiseFit);
    return {
      basis,
      coef: curveFit.coefs[i]!,
      lambda: lambdaD,
      edf: k.under !== 1 ? edfOf(curveFit) : edfNoise,
      gcv: Number.NaN,
      fitted: curve.fitted,
      residuals: curve.residuals,
      rss: curve.rss,
      method: "shared",
      smootherMatrix: () => ownSmootherMatrix(d, m, curveFit.blocks, i, curveFit.cl),
      residualDf: () => d.n - edfNoise,
      noise: { lambda: k.refD * 10 ** sel.logLambdaD, edf: edfNoise, fitted: noise.fitted, residuals: noise.residuals },
    };
  });
  void series;
  return { basis, population: curveFit.c, subjects, ...sel, edf: noiseFit.edf, rss: noiseFit.rss, n: k.n };
}

/** The subject's share of the hat matrix trace: tr(K_i) + tr(C^-1 (I-K_i)' M_i (I-K_i)). */
function subjectEdf(d: SeriesDesign, m: number, blocks: DeviationBlocks, i: number, cl: Float64Array): number {
  const k = blocks.K[i]!;
  const q = new Float64Array(m * m);
  for (let r = 0; r < m; r++)
    for (let c = 0; c < m; c++) {
      let s = 0;
      for (let t = 0; t < m; t++) {
        let ms = 0;
        for (let u = 0; u < m; u++) ms += d.M[t * m + u]! * ((u === c ? 1 : 0) - k[u * m + c]!);
        s += ((t === r ? 1 : 0) - k[t * m + r]!) * ms;
      }
      q[r * m + c] = s;
    }
  return trace(k, m) + trace(solveColumns(cl, m, q, m), m);
}

/**
 * d coef_i / d y_i (m x n_i, row-major): the subject's own samples move its
 * deviation directly and the population curve by their share,
 * A_i^-1 B_i'W_i + (I - K_i) C^-1 (I - K_i)' B_i'W_i.
 */
function ownSmootherMatrix(d: SeriesDesign, m: number, blocks: DeviationBlocks, i: number, cl: Float64Array): Float64Array {
  const bw = new Float64Array(m * d.n);
  for (let j = 0; j < d.n; j++) for (let u = 0; u < 4; u++) bw[(d.first[j]! + u) * d.n + j] = d.bv[4 * j + u]! * d.w[j]!;
  const direct = solveColumns(blocks.L[i]!, m, bw, d.n);
  const k = blocks.K[i]!;
  const proj = new Float64Array(m * d.n);
  for (let r = 0; r < m; r++)
    for (let j = 0; j < d.n; j++) {
      let s = bw[r * d.n + j]!;
      for (let t = 0; t < m; t++) s -= k[t * m + r]! * bw[t * d.n + j]!;
      proj[r * d.n + j] = s;
    }
  const viaC = solveColumns(cl, m, proj, d.n);
  const out = new Float64Array(m * d.n);
  for (let r = 0; r < m; r++)
    for (let j = 0; j < d.n; j++) {
      let s = direct[r * d.n + j]! + viaC[r * d.n + j]!;
      for (let t = 0; t < m; t++) s -= k[r * m + t]! * viaC[t * d.n + j]!;
      out[r * d.n + j] = s;
    }
  return out;
}

// Penalised cubic B-splines (P-splines, Eilers & Marx 1996) with the smoothing
// parameter chosen by generalised cross-validation. Everything is banded
// (half-bandwidth 3): a GCV evaluation is one banded Cholesky plus the band of
// the inverse (Takahashi / Hutchinson-de Hoog recursion) for the trace of the
// hat matrix, O(size) work, so the search over lambda costs next to nothing.
import { evalBasis, uniformCubicBasis, type UniformCubicBasis } from "../numeric/bspline.js";
import { GridSeries, knownGrid, sharedGrid } from "./grid-smoother.js";

export interface SmoothOptions {
  /** Observation weights (inverse variances up to a constant); default all 1. */
  weights?: Float64Array;
  /** Cap on the number of knot spans (default 20). */
  maxSegments?: number;
  /** Fixed smoothing parameter instead of GCV (absolute: multiplies the second-difference penalty). */
  lambda?: number;
  /**
   * Multiplier applied to the GCV lambda for the returned curve (default 1).
   * Values below 1 undersmooth: two-stage ODE estimators need a curve whose
   * bias is smaller than the curve-optimal one, since bias does not average
   * out across test functions and subjects while noise does. The noise
   * estimate (`noise`) always comes from the GCV fit.
   */
  undersmooth?: number;
  /** A lambda known to be close (e.g. from an unweighted pass): the search is then local, +-1 decade around it. */
  lambdaHint?: number;
  /** Grid search only (one-decade precision), for a pilot fit that a weighted pass refines. */
  coarse?: boolean;
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
  /**
   * How lambda was chosen: "gcv"; "capped" (GCV wanted more degrees of freedom
   * than the few points allow, so the fit keeps some residual ones); "line"
   * (4 points or fewer: the penalty's null space, a straight line); "floored"
   * (GCV chose a near-straight line; lambda lowered to keep 3 degrees of freedom); "fixed";
   * "shared" (a population curve plus the subject's deviation: rows/shared-smoother.ts).
   */
  method: "gcv" | "fixed" | "line" | "capped" | "floored" | "shared";
  /** The linear map data -> coefficients (size x n, row-major): coef = A y. Computed on demand. */
  smootherMatrix(): Float64Array;
  /**
   * Residual degrees of freedom of the fit at the selected lambda, n - 2 tr(H) + tr(H^2)
   * (unweighted: E[RSS] = sigma^2 times this). n - edf overstates them when the
   * points are few (8 points, 4 degrees of freedom: by 20%). Optional for other smoothers.
   */
  residualDf?(): number;
  /** The fit at the selected (not undersmoothed) lambda, for noise estimates. */
  noise: { lambda: number; edf: number; fitted: Float64Array; residuals: Float64Array };
}

const B = 3; // half-bandwidth of B'WB (cubic splines)
const W = B + 1; // band row width
const GRID = 17;
const MIN_EDF = 3;

/**
 * The banded penalised least-squares problem of one series: design rows
 * (4 non-zeros each), B'WB and B'Wy in upper band storage, the
 * second-difference penalty D'D, and work space for a factor at one lambda.
 */
class BandedProblem {
  readonly n: number;
  readonly m: number;
  readonly first: Int32Array;
  readonly bv: Float64Array;
  readonly btb: Float64Array; // upper band: btb[i*W + (j-i)]
  readonly bty: Float64Array;
  readonly pen: Float64Array;
  readonly eps: number;
  /** The scale of lambda at which data and penalty weigh alike. */
  readonly ref: number;
  /** Work space of the factor at one lambda, shared by the problems of one size (see `Scratch`). */
  private readonly scratch: Scratch;
  /** The lambda the factor, coef and sigma currently hold, and its result (the search often asks twice). */
  private held = Number.NaN;
  private readonly heldResult = { rss: Number.NaN, edf: Number.NaN };

  constructor(
    readonly basis: UniformCubicBasis,
    times: Float64Array,
    readonly values: Float64Array,
    readonly w: Float64Array,
    /** The basis at these times when already known (a shared grid's), else evaluated here. */
    known?: { first: Int32Array; bv: Float64Array },
  ) {
    const n = (this.n = times.length);
    const m = (this.m = basis.size);
    // One store for both (see GridSeries.curveAt).
    const slab = new Float64Array(m * W + m);
    this.btb = slab.subarray(0, m * W);
    this.bty = slab.subarray(m * W);
    if (known) {
      this.first = known.first;
      this.bv = known.bv;
    } else {
      this.first = new Int32Array(n);
      this.bv = new Float64Array(4 * n);
      const tmp = new Float64Array(4);
      for (let i = 0; i < n; i++) {
        this.first[i] = evalBasis(basis, times[i]!, tmp);
        this.bv.set(tmp, 4 * i);
      }
    }
    const { first, bv, btb, bty } = this;
    for (let i = 0; i < n; i++) {
      const j0 = first[i]!;
      const wi = w[i]!;
      for (let a = 0; a < 4; a++) {
        const ba = bv[4 * i + a]! * wi;
        bty[j0 + a] += ba * values[i]!;
        for (let b = a; b < 4; b++) btb[(j0 + a) * W + (b - a)] += ba * bv[4 * i + b]!;
      }
    }
    this.pen = penaltyBand(m);
    let traceB = 0;
    let traceP = 0;
    for (let j = 0; j < m; j++) {
      traceB += this.btb[j * W]!;
      traceP += this.pen[j * W]!;
    }
    this.eps = 1e-11 * (traceB / m);
    this.ref = traceP > 0 ? traceB / traceP : 1;
    this.scratch = scratchFor(m);
  }

  /** The factor, the band of its inverse and the coefficients: valid while this problem owns the scratch. */
  get u(): Float64Array {
    return this.scratch.u;
  }
  get sigma(): Float64Array {
    return this.scratch.sigma;
  }
  get coef(): Float64Array {
    return this.scratch.coef;
  }

  factor(lambda: number): boolean {
    this.held = Number.NaN;
    this.scratch.owner = this;
    const { u, btb, pen, m } = this;
    for (let k = 0; k < m * W; k++) u[k] = btb[k]! + lambda * pen[k]!;
    for (let i = 0; i < m; i++) u[i * W] += this.eps;
    return bandCholesky(u, m);
  }

  solveCoef(): void {
    this.coef.set(this.bty);
    bandSolve(this.u, this.m, this.coef);
  }

  rssOf(c: Float64Array, fittedOut?: Float64Array, residOut?: Float64Array): number {
    const { first, bv, values, w } = this;
    let rss = 0;
    for (let i = 0; i < this.n; i++) {
      const j0 = first[i]!;
      const f = c[j0]! * bv[4 * i]! + c[j0 + 1]! * bv[4 * i + 1]! + c[j0 + 2]! * bv[4 * i + 2]! + c[j0 + 3]! * bv[4 * i + 3]!;
      const r = values[i]! - f;
      if (fittedOut) fittedOut[i] = f;
      if (residOut) residOut[i] = r;
      rss += w[i]! * r * r;
    }
    return rss;
  }

  /** The result object is reused: read it before the next call. */
  evaluate(lambda: number): { rss: number; edf: number } {
    if (lambda === this.held && this.scratch.owner === this) return this.heldResult;
    if (!this.factor(lambda)) return { rss: Number.NaN, edf: Number.NaN };
    this.solveCoef();
    const { m, sigma, btb } = this;
    bandInverse(this.u, m, sigma);
    // tr(H) = tr((B'WB + lambda P)^-1 B'WB), both symmetric and banded.
    let edf = 0;
    for (let i = 0; i < m; i++) {
      edf += sigma[i * W]! * btb[i * W]!;
      for (let k = 1; k < W && i + k < m; k++) edf += 2 * sigma[i * W + k]! * btb[i * W + k]!;
    }
    this.held = lambda;
    this.heldResult.rss = this.rssOf(this.coef);
    this.heldResult.edf = edf;
    return this.heldResult;
  }

  curveAt(lam: number): { coef: Float64Array; edf: number; fitted: Float64Array; residuals: Float64Array; rss: number } {
    const { edf } = this.evaluate(lam);
    const { m, n } = this;
    const slab = new Float64Array(m + 2 * n);
    const fitted = slab.subarray(m, m + n);
    const residuals = slab.subarray(m + n);
    const rss = this.rssOf(this.coef, fitted, residuals);
    const coef = slab.subarray(0, m);
    coef.set(this.coef);
    return { coef, edf, fitted, residuals, rss };
  }

  /** tr(H^2) = tr(K^2) with K = (B'WB + lambda P)^-1 B'WB, column by column. */
  traceHatSquared(lambda: number): number {
    const { m, btb, u } = this;
    if (!this.factor(lambda)) return Number.NaN;
    const k = new Float64Array(m * m);
    const col = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      col.fill(0);
      for (let i = Math.max(0, j - B); i <= Math.min(m - 1, j + B); i++) col[i] = i <= j ? btb[i * W + (j - i)]! : btb[j * W + (i - j)]!;
      bandSolve(u, m, col);
      for (let i = 0; i < m; i++) k[i * m + j] = col[i]!;
    }
    let tr = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) tr += k[i * m + j]! * k[j * m + i]!;
    return tr;
  }

  /** A = (B'WB + lambda P)^-1 B'W, one data column at a time. */
  smootherMatrix(lambda: number): Float64Array {
    const { m, n, first, bv, w, u } = this;
    this.factor(lambda);
    const out = new Float64Array(m * n);
    const col = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      col.fill(0);
      const j0 = first[i]!;
      for (let a = 0; a < 4; a++) col[j0 + a] = bv[4 * i + a]! * w[i]!;
      bandSolve(u, m, col);
      for (let r = 0; r < m; r++) out[r * n + i] = col[r]!;
    }
    return out;
  }
}

/**
 * Factor, inverse band and coefficients of the problems with m coefficients.
 * Every problem refactors before it reads them (`factor` takes ownership), so
 * problems kept alive by their fits (smootherMatrix, residualDf) need no
 * copies of their own: a few arrays per series fewer to allocate and collect.
 */
interface Scratch {
  owner: BandedProblem | null;
  u: Float64Array;
  sigma: Float64Array;
  coef: Float64Array;
}

const scratches = new Map<number, Scratch>();

function scratchFor(m: number): Scratch {
  let s = scratches.get(m);
  if (!s) {
    s = { owner: null, u: new Float64Array(m * W), sigma: new Float64Array(m * W), coef: new Float64Array(m) };
    scratches.set(m, s);
  }
  return s;
}

/** What the lambda search needs of a problem: the banded solver, or a series on a shared grid (grid-smoother.ts). */
interface LambdaProblem {
  readonly n: number;
  readonly ref: number;
  evaluate(lambda: number): { rss: number; edf: number };
}

/**
 * The GCV score of a problem as a function of log10(lambda / ref), +Infinity
 * past the cap on the degrees of freedom. An object rather than a closure: the
 * search runs for every series of every subject, and a closure per search was
 * a measurable share of it.
 */
class GcvScore {
  constructor(
    readonly pb: LambdaProblem,
    readonly maxEdf: number,
  ) {}
  at(logLambda: number): number {
    const { n, ref } = this.pb;
    const { rss, edf } = this.pb.evaluate(ref * pow10(logLambda));
    if (!(edf <= this.maxEdf)) return Number.POSITIVE_INFINITY;
    return (n * rss) / ((n - edf) * (n - edf));
  }
}

/** 10^k at the whole decades of the full grid (-8 .. 8), computed as `10 ** k` is: every series scans them. */
const DECADES = Array.from({ length: 17 }, (_, i) => {
  const k = i - 8;
  return 10 ** k;
});

function pow10(x: number): number {
  const i = x + 8;
  return i >= 0 && i <= 16 && Number.isInteger(x) ? DECADES[i]! : 10 ** x;
}

/** GCV over log10(lambda / ref): a grid, then golden-section refinement around its best point; the floor of MIN_EDF degrees of freedom. */
function chooseLambda(pb: LambdaProblem, options: SmoothOptions): { lambda: number; method: SmoothFit["method"] } {
  const { n, ref } = pb;
  // With few points GCV tends to interpolate; keep some residual degrees of freedom.
  const maxEdf = n - Math.max(2, 0.2 * n);
  if (options.lambda !== undefined) return { lambda: options.lambda, method: "fixed" };
  if (n <= 4 || maxEdf <= 2) return { lambda: ref * 1e8, method: "line" };
  const score = new GcvScore(pb, maxEdf);
  const hint = options.lambdaHint !== undefined && options.lambdaHint > 0 ? Math.log10(options.lambdaHint / ref) : Number.NaN;
  const local = Number.isFinite(hint);
  const lo = local ? hint - 1 : -8;
  const hi = local ? hint + 1 : 8;
  const nGrid = local ? 5 : GRID;
  const step = (hi - lo) / (nGrid - 1);
  const { best, bestScore, capped } = (local && walkDown(score, lo, step, nGrid)) || scanGrid(score, lo, step, nGrid);
  if (best < 0) return { lambda: ref * 1e8, method: "line" };
  // Brent's minimiser (golden section with parabolic steps) in the bracket
  // around the best grid point, starting from it: GCV is smooth there, so the
  // parabolic steps reach the 1e-2 (log10) precision in a few evaluations where
  // golden section alone needs a dozen.
  const logLambda = options.coarse
    ? lo + step * best
    : brentMinimum(score, lo + step * Math.max(0, best - 1), lo + step * Math.min(nGrid - 1, best + 1), lo + step * best, bestScore, 5e-3, 30);
  // GCV on a handful of points often prefers the straight line (the
  // penalty's null space); a line has no curvature, which the dynamics
  // need, so keep at least MIN_EDF degrees of freedom.
  if (pb.evaluate(ref * pow10(logLambda)).edf < MIN_EDF && maxEdf >= MIN_EDF) {
    let a = lo - 4;
    let b = logLambda;
    for (let it = 0; it < 40; it++) {
      const mid = 0.5 * (a + b);
      if (pb.evaluate(ref * 10 ** mid).edf > MIN_EDF) a = mid;
      else b = mid;
    }
    return { lambda: ref * 10 ** b, method: "floored" };
  }
  return { lambda: ref * pow10(logLambda), method: capped ? "capped" : "gcv" };
}

/** The grid's best point (the first of equal ones; -1 when no score is finite), and whether every point below it is past the cap on the degrees of freedom. */
interface GridBest {
  best: number;
  bestScore: number;
  capped: boolean;
}

function scanGrid(score: GcvScore, lo: number, step: number, nGrid: number): GridBest {
  let best = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  let firstFinite = -1;
  for (let i = 0; i < nGrid; i++) {
    const sc = score.at(lo + step * i);
    if (sc < Number.POSITIVE_INFINITY && firstFinite < 0) firstFinite = i;
    if (sc < bestScore) {
      bestScore = sc;
      best = i;
    }
  }
  return { best, bestScore, capped: best === firstFinite && firstFinite > 0 };
}

/**
 * The local grid around a hint, walked downhill from its centre instead of
 * scanned: a refit's minimum is mostly within half a decade of the pilot's
 * lambda, so the walk evaluates 3 or 4 of the 5 points (a sixth of a weighted
 * refit's factorisations) and, where GCV is unimodal on the grid, ends where
 * the scan would, bit for bit. Where it is not, the walk may stop at a local
 * minimum the scan would have passed over: on 1,000 Lotka-Volterra subjects
 * this moved the estimates by 3e-6 (relative). Where it meets a score that is
 * not finite (the cap on the degrees of freedom, a failed factor) it gives up
 * (null) and the grid is scanned. Its point has finite neighbours, so it is
 * never the capped first finite point.
 */
function walkDown(score: GcvScore, lo: number, step: number, nGrid: number): GridBest | null {
  const sc = new Float64Array(nGrid).fill(Number.NaN);
  let best = (nGrid - 1) >> 1;
  sc[best] = score.at(lo + step * best);
  for (;;) {
    for (let j = best - 1; j <= best + 1; j += 2)
      if (j >= 0 && j < nGrid && Number.isNaN(sc[j]!)) {
        const v = score.at(lo + step * j);
        if (!Number.isFinite(v)) return null;
        sc[j] = v;
      }
    if (!Number.isFinite(sc[best]!)) return null;
    // As the scan: the lower of equal scores.
    let next = best;
    if (best > 0 && sc[best - 1]! <= sc[next]!) next = best - 1;
    if (best + 1 < nGrid && sc[best + 1]! < sc[next]!) next = best + 1;
    if (next === best) return { best, bestScore: sc[best]!, capped: false };
    best = next;
  }
}

/**
 * Brent's minimiser of f on [a, b] from a point x inside with known value fx
 * (Brent 1973, as in Numerical Recipes' `brent`), to absolute tolerance tol.
 */
function brentMinimum(f: GcvScore, a: number, b: number, x: number, fx: number, tol: number, maxIter: number): number {
  const cGold = 0.3819660112501051;
  let w = x;
  let v = x;
  let fw = fx;
  let fv = fx;
  let d = 0;
  let e = 0;
  for (let it = 0; it < maxIter; it++) {
    const xm = 0.5 * (a + b);
    const tol2 = 2 * tol;
    if (Math.abs(x - xm) <= tol2 - 0.5 * (b - a)) break;
    let golden = true;
    if (Math.abs(e) > tol) {
      const r = (x - w) * (fx - fv);
      let q = (x - v) * (fx - fw);
      let p = (x - v) * q - (x - w) * r;
      q = 2 * (q - r);
      if (q > 0) p = -p;
      else q = -q;
      const eOld = e;
      e = d;
      if (Number.isFinite(p) && q > 0 && Math.abs(p) < Math.abs(0.5 * q * eOld) && p > q * (a - x) && p < q * (b - x)) {
        d = p / q;
        const u = x + d;
        if (u - a < tol2 || b - u < tol2) d = xm >= x ? tol : -tol;
        golden = false;
      }
    }
    if (golden) {
      e = x >= xm ? a - x : b - x;
      d = cGold * e;
    }
    const u = Math.abs(d) >= tol ? x + d : x + (d >= 0 ? tol : -tol);
    const fu = f.at(u);
    if (fu <= fx) {
      if (u >= x) a = x;
      else b = x;
      v = w;
      fv = fw;
      w = x;
      fw = fx;
      x = u;
      fx = fu;
    } else {
      if (u < x) a = u;
      else b = u;
      if (fu <= fw || w === x) {
        v = w;
        fv = fw;
        w = u;
        fw = fu;
      } else if (fu <= fv || v === x || v === w) {
        v = u;
        fv = fu;
      }
    }
  }
  return x;
}

/** A series' problem: its basis, and the shared-grid form when the grid is shared and the series unweighted, else the banded one. */
function problemOf(times: Float64Array, values: Float64Array, options: SmoothOptions): { basis: UniformCubicBasis; pb: GridSeries | BandedProblem } {
  const n = times.length;
  if (n < 2) throw new RangeError(`smoothing needs at least 2 points, got ${n}`);
  const t0 = times[0]!;
  const t1 = times[n - 1]!;
  if (!(t1 > t0)) throw new RangeError("smoothing needs at least two distinct times");
  const segments = Math.max(1, Math.min(n - 1, options.maxSegments ?? 20));
  const basis = uniformCubicBasis(t0, t1, segments);
  // Unweighted series on a grid many subjects share take the shared Demmler-Reinsch form.
  const grid = options.weights ? null : sharedGrid(basis, times);
  return { basis, pb: grid ? new GridSeries(grid, values) : bandedProblem(basis, times, values, options.weights) };
}

function bandedProblem(basis: UniformCubicBasis, times: Float64Array, values: Float64Array, weights: Float64Array | undefined): BandedProblem {
  return new BandedProblem(basis, times, values, weights ?? new Float64Array(times.length).fill(1), knownGrid(basis, times) ?? undefined);
}

/**
 * The fit at the GCV lambda only (`SmoothFit.noise`), without the
 * undersmoothed curve: what a pilot fit whose residuals set the weights of a
 * refit needs. The same lambda as `smoothSeries` with these options.
 */
export function smoothNoise(times: Float64Array, values: Float64Array, options: SmoothOptions = {}): SmoothFit["noise"] {
  const { pb } = problemOf(times, values, options);
  const { lambda } = chooseLambda(pb, options);
  const selected = pb.curveAt(lambda);
  return { lambda, edf: selected.edf, fitted: selected.fitted, residuals: selected.residuals };
}

export function smoothSeries(times: Float64Array, values: Float64Array, options: SmoothOptions = {}): SmoothFit {
  const n = times.length;
  const { basis, pb } = problemOf(times, values, options);
  const { lambda, method } = chooseLambda(pb, options);
  const selected = pb.curveAt(lambda);
  const noise = { lambda, edf: selected.edf, fitted: selected.fitted, residuals: selected.residuals };
  const under = method === "gcv" || method === "capped" || method === "floored" ? (options.undersmooth ?? 1) : 1;
  const finalLambda = under !== 1 ? lambda * under : lambda;
  const final = under !== 1 ? pb.curveAt(finalLambda) : selected;
  const gcv = n - final.edf > 0 ? (n * final.rss) / ((n - final.edf) * (n - final.edf)) : Number.POSITIVE_INFINITY;
  return new PSplineFit(basis, final, finalLambda, gcv, method, noise, pb, times, values, options.weights);
}

/** A P-spline fit; the smoother matrix and the residual degrees of freedom come on demand from its problem (methods, not closures per fit). */
class PSplineFit implements SmoothFit {
  readonly coef: Float64Array;
  readonly edf: number;
  readonly fitted: Float64Array;
  readonly residuals: Float64Array;
  readonly rss: number;
  constructor(
    readonly basis: UniformCubicBasis,
    final: { coef: Float64Array; edf: number; fitted: Float64Array; residuals: Float64Array; rss: number },
    readonly lambda: number,
    readonly gcv: number,
    readonly method: SmoothFit["method"],
    readonly noise: SmoothFit["noise"],
    private readonly pb: GridSeries | BandedProblem,
    private readonly times: Float64Array,
    private readonly values: Float64Array,
    private readonly weights: Float64Array | undefined,
  ) {
    this.coef = final.coef;
    this.edf = final.edf;
    this.fitted = final.fitted;
    this.residuals = final.residuals;
    this.rss = final.rss;
  }
  smootherMatrix(): Float64Array {
    const pb = this.pb instanceof BandedProblem ? this.pb : bandedProblem(this.basis, this.times, this.values, this.weights);
    return pb.smootherMatrix(this.lambda);
  }
  residualDf(): number {
    return this.times.length - 2 * this.noise.edf + this.pb.traceHatSquared(this.noise.lambda);
  }
}

const penalties = new Map<number, Float64Array>();

/** The second-difference penalty D'D of m coefficients in upper band storage (half-bandwidth 2), shared read-only. */
function penaltyBand(m: number): Float64Array {
  const hit = penalties.get(m);
  if (hit) return hit;
  const pen = new Float64Array(m * W);
  const d2 = [1, -2, 1];
  for (let r = 0; r < m - 2; r++) for (let a = 0; a < 3; a++) for (let b = a; b < 3; b++) pen[(r + a) * W + (b - a)] += d2[a]! * d2[b]!;
  penalties.set(m, pen);
  return pen;
}

// The three banded kernels below run a dozen times per series and lambda
// search: written out for the half-bandwidth 3 of cubic splines (no loop
// bounds to compute), each sum taken over the same terms in the same order as
// the loops they replace (index k ascending), so the results are the same to
// the last bit.

/** In-place banded Cholesky A = U'U (upper band storage, half-bandwidth B). */
function bandCholesky(a: Float64Array, m: number): boolean {
  for (let i = 0; i < m; i++) {
    const r = i * W;
    // d = a_ii - sum over k = i-3 .. i-1 of u_ki^2.
    let d = a[r]!;
    if (i >= 3) d -= a[r - 3 * W + 3]! ** 2;
    if (i >= 2) d -= a[r - 2 * W + 2]! ** 2;
    if (i >= 1) d -= a[r - W + 1]! ** 2;
    if (!(d > 0)) return false;
    const uii = Math.sqrt(d);
    a[r] = uii;
    // u_ij = (a_ij - sum over k = j-3 .. i-1 of u_ki u_kj) / u_ii, j = i+1 .. i+3.
    if (i + 1 < m) {
      let s = a[r + 1]!;
      if (i >= 2) s -= a[r - 2 * W + 2]! * a[r - 2 * W + 3]!;
      if (i >= 1) s -= a[r - W + 1]! * a[r - W + 2]!;
      a[r + 1] = s / uii;
    }
    if (i + 2 < m) {
      let s = a[r + 2]!;
      if (i >= 1) s -= a[r - W + 1]! * a[r - W + 3]!;
      a[r + 2] = s / uii;
    }
    if (i + 3 < m) a[r + 3] = a[r + 3]! / uii;
  }
  return true;
}

/** Solve U'U x = b in place. */
function bandSolve(u: Float64Array, m: number, b: Float64Array): void {
  for (let i = 0; i < m; i++) {
    const r = i * W;
    let s = b[i]!;
    if (i >= 3) s -= u[r - 3 * W + 3]! * b[i - 3]!;
    if (i >= 2) s -= u[r - 2 * W + 2]! * b[i - 2]!;
    if (i >= 1) s -= u[r - W + 1]! * b[i - 1]!;
    b[i] = s / u[r]!;
  }
  for (let i = m - 1; i >= 0; i--) {
    const r = i * W;
    let s = b[i]!;
    if (i + 1 < m) s -= u[r + 1]! * b[i + 1]!;
    if (i + 2 < m) s -= u[r + 2]! * b[i + 2]!;
    if (i + 3 < m) s -= u[r + 3]! * b[i + 3]!;
    b[i] = s / u[r]!;
  }
}

/** Band of (U'U)^-1 from U: U Sigma = U^-T gives Sigma_ij (j >= i) from rows below. */
function bandInverse(u: Float64Array, m: number, sigma: Float64Array): void {
  for (let i = m - 1; i >= 0; i--) {
    const r = i * W;
    const uii = u[r]!;
    if (i + B > m - 1) {
      // The last rows: the general recursion.
      const kmax = Math.min(m - 1, i + B);
      for (let j = kmax; j >= i; j--) {
        let s = j === i ? 1 / uii : 0;
        for (let k = i + 1; k <= kmax; k++) {
          const skj = k <= j ? sigma[k * W + (j - k)]! : sigma[j * W + (k - j)]!;
          s -= u[r + (k - i)]! * skj;
        }
        sigma[r + (j - i)] = s / uii;
      }
      continue;
    }
    const u1 = u[r + 1]!;
    const u2 = u[r + 2]!;
    const u3 = u[r + 3]!;
    const r1 = r + W;
    const r2 = r + 2 * W;
    const r3 = r + 3 * W;
    // j = i+3, i+2, i+1, i in turn; k = i+1, i+2, i+3, reading sigma_kj or its mirror sigma_jk.
    let s = 0;
    s -= u1 * sigma[r1 + 2]!;
    s -= u2 * sigma[r2 + 1]!;
    s -= u3 * sigma[r3]!;
    sigma[r + 3] = s / uii;
    s = 0;
    s -= u1 * sigma[r1 + 1]!;
    s -= u2 * sigma[r2]!;
    s -= u3 * sigma[r2 + 1]!;
    sigma[r + 2] = s / uii;
    s = 0;
    s -= u1 * sigma[r1]!;
    s -= u2 * sigma[r1 + 1]!;
    s -= u3 * sigma[r1 + 2]!;
    sigma[r + 1] = s / uii;
    s = 1 / uii;
    s -= u1 * sigma[r + 1]!;
    s -= u2 * sigma[r + 2]!;
    s -= u3 * sigma[r + 3]!;
    sigma[r] = s / uii;
  }
}

// The unweighted P-spline problem of one sampling grid in Demmler-Reinsch form,
// shared by every series sampled on that grid. The basis, B'B, the penalty and
// their factorisations depend only on the times, so when many subjects share
// a design (the usual case in a study) they are computed once:
//     B'B + eps I = R'R,   R^-T P R^-1 = U S U',   Q = R^-1 U,
// and then, for a series y with z = Q' B'y and d_j = 1 / (1 + lambda s_j),
//     coef = Q (d z),   tr(H) = sum_j (1 - eps |Q e_j|^2) d_j,
//     RSS = (y'y - |z|^2) + sum_j z_j^2 (1 - d_j)^2,
// so one GCV evaluation is O(size) instead of a banded factorisation and the
// band of its inverse. Exact for the same ridge eps as the banded solver, up to
// rounding; a grid whose B'B is too ill-conditioned for the transformation
// (fewer points than basis functions, empty knot spans) is left to that solver.
import { evalBasis, type UniformCubicBasis } from "../numeric/bspline.js";
import { cholesky, symmetricEigen } from "../numeric/linalg.js";

/** Smallest eigenvalue of B'B relative to its largest diagonal entry (squared diagonal of R) the transform accepts. */
const CONDITION = 1e-8;
/** Grids remembered (most studies have one or a few designs). */
const CACHE_SIZE = 8;

export class SharedGrid {
  readonly n: number;
  readonly m: number;
  /** First non-zero basis function at each time, and the four values. */
  readonly first: Int32Array;
  readonly bv: Float64Array;
  /** Q = R^-1 U (m x m, row-major), and Q' (so that Q'x reads a row of it). */
  readonly q: Float64Array;
  readonly qt: Float64Array;
  /** Work space of one series at a time (`GridSeries`: B'y, and d z for its curve). */
  readonly dz: Float64Array;
  readonly bty: Float64Array;
  /** Eigenvalues s_j of R^-T P R^-1. */
  readonly s: Float64Array;
  /** 1 - eps |Q e_j|^2: the ridge's share taken out of each term of tr(H). */
  readonly traceWeight: Float64Array;
  /** The scale of lambda at which data and penalty weigh alike (as the banded solver's). */
  readonly ref: number;

  private constructor(
    readonly basis: UniformCubicBasis,
    times: Float64Array,
    q: Float64Array,
    s: Float64Array,
    traceWeight: Float64Array,
    ref: number,
  ) {
    this.n = times.length;
    this.m = basis.size;
    this.first = new Int32Array(this.n);
    this.bv = new Float64Array(4 * this.n);
    const tmp = new Float64Array(4);
    for (let i = 0; i < this.n; i++) {
      this.first[i] = evalBasis(basis, times[i]!, tmp);
      this.bv.set(tmp, 4 * i);
    }
    this.q = q;
    this.qt = new Float64Array(this.m * this.m);
    for (let i = 0; i < this.m; i++) for (let j = 0; j < this.m; j++) this.qt[j * this.m + i] = q[i * this.m + j]!;
    this.dz = new Float64Array(this.m);
    this.bty = new Float64Array(this.m);
    this.s = s;
    this.traceWeight = traceWeight;
    this.ref = ref;
  }

  /** The Demmler-Reinsch form of a grid, or null when B'B is too ill-conditioned for it. */
  static build(basis: UniformCubicBasis, times: Float64Array): SharedGrid | null {
    const n = times.length;
    const m = basis.size;
    if (n < m) return null;
    const a = new Float64Array(m * m);
    const tmp = new Float64Array(4);
    for (let i = 0; i < n; i++) {
      const j0 = evalBasis(basis, times[i]!, tmp);
      for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) a[(j0 + r) * m + j0 + c] += tmp[r]! * tmp[c]!;
    }
    const pen = new Float64Array(m * m);
    const d2 = [1, -2, 1];
    for (let r = 0; r + 2 < m; r++) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) pen[(r + i) * m + r + j] += d2[i]! * d2[j]!;
    let traceB = 0;
    let traceP = 0;
    let maxDiag = 0;
    for (let j = 0; j < m; j++) {
      traceB += a[j * m + j]!;
      traceP += pen[j * m + j]!;
      maxDiag = Math.max(maxDiag, a[j * m + j]!);
    }
    // The same ridge as the banded solver, so both solve the same problem.
    const eps = 1e-11 * (traceB / m);
    for (let j = 0; j < m; j++) a[j * m + j] += eps;
    if (!cholesky(a, m)) return null;
    for (let j = 0; j < m; j++) if (!(a[j * m + j]! ** 2 > CONDITION * maxDiag)) return null;
    // M = L^-1 P L^-T (L = R'): X = L^-1 P, then M = L^-1 X'.
    const x = new Float64Array(m * m);
    for (let c = 0; c < m; c++) forwardColumn(a, m, pen, x, c);
    const xt = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) xt[i * m + j] = x[j * m + i]!;
    const mm = new Float64Array(m * m);
    for (let c = 0; c < m; c++) forwardColumn(a, m, xt, mm, c);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < i; j++) {
        const avg = 0.5 * (mm[i * m + j]! + mm[j * m + i]!);
        mm[i * m + j] = avg;
        mm[j * m + i] = avg;
      }
    const s = new Float64Array(m);
    const u = new Float64Array(m * m);
    symmetricEigen(mm, m, s, u);
    for (let j = 0; j < m; j++) if (s[j]! < 0) s[j] = 0; // P is semi-definite: rounding only
    // Q = L^-T U, column by column.
    const q = new Float64Array(m * m);
    const col = new Float64Array(m);
    const traceWeight = new Float64Array(m);
    for (let c = 0; c < m; c++) {
      for (let i = 0; i < m; i++) col[i] = u[i * m + c]!;
      for (let i = m - 1; i >= 0; i--) {
        let t = col[i]!;
        for (let k = i + 1; k < m; k++) t -= a[k * m + i]! * col[k]!;
        col[i] = t / a[i * m + i]!;
      }
      let norm2 = 0;
      for (let i = 0; i < m; i++) {
        q[i * m + c] = col[i]!;
        norm2 += col[i]! * col[i]!;
      }
      traceWeight[c] = 1 - eps * norm2;
    }
    return new SharedGrid(basis, Float64Array.from(times), q, s, traceWeight, traceP > 0 ? traceB / traceP : 1);
  }
}

/** Column c of L^-1 B into out (L lower triangular from `cholesky`). */
function forwardColumn(l: Float64Array, m: number, b: Float64Array, out: Float64Array, c: number): void {
  for (let i = 0; i < m; i++) {
    let t = b[i * m + c]!;
    for (let k = 0; k < i; k++) t -= l[i * m + k]! * out[k * m + c]!;
    out[i * m + c] = t / l[i * m + i]!;
  }
}

interface CacheEntry {
  times: Float64Array;
  segments: number;
  t0: number;
  t1: number;
  seen: number;
  grid: SharedGrid | null | undefined;
}

const cache: CacheEntry[] = [];
let nextSlot = 0;

function sameTimes(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The shared form of this grid, or null when it is too ill-conditioned. Built at
 * the grid's first sight, though a grid met only once is a little cheaper to
 * solve directly: the solver must not depend on which subjects came before (the
 * two agree only up to rounding), or a split of the subjects over worker
 * threads (estimate/fit-async.ts) would change the numbers.
 */
export function sharedGrid(basis: UniformCubicBasis, times: Float64Array): SharedGrid | null {
  for (const e of cache) {
    if (e.segments !== basis.segments || e.t0 !== basis.t0 || e.t1 !== basis.t1 || !sameTimes(e.times, times)) continue;
    e.seen++;
    if (e.grid === undefined) e.grid = SharedGrid.build(basis, times);
    return e.grid;
  }
  const entry: CacheEntry = { times: Float64Array.from(times), segments: basis.segments, t0: basis.t0, t1: basis.t1, seen: 1, grid: SharedGrid.build(basis, times) };
  if (cache.length < CACHE_SIZE) cache.push(entry);
  else {
    cache[nextSlot] = entry;
    nextSlot = (nextSlot + 1) % CACHE_SIZE;
  }
  return entry.grid ?? null;
}

/** The shared form of this grid if it is already built (no bookkeeping): a weighted refit reuses its basis values. */
export function knownGrid(basis: UniformCubicBasis, times: Float64Array): SharedGrid | null {
  for (const e of cache)
    if (e.grid && e.segments === basis.segments && e.t0 === basis.t0 && e.t1 === basis.t1 && sameTimes(e.times, times)) return e.grid;
  return null;
}

/** One unweighted series on a shared grid: what GCV and the final curves need, in O(size) per lambda. */
export class GridSeries {
  readonly n: number;
  readonly ref: number;
  private readonly z: Float64Array;
  /** y'y - |z|^2: the residual sum of squares at lambda = 0. */
  private readonly rss0: number;
  private readonly result = { rss: 0, edf: 0 };

  constructor(
    readonly grid: SharedGrid,
    readonly values: Float64Array,
  ) {
    const { m, n, first, bv, qt } = grid;
    this.n = n;
    this.ref = grid.ref;
    const bty = grid.bty.fill(0);
    let yty = 0;
    for (let i = 0; i < n; i++) {
      const y = values[i]!;
      yty += y * y;
      const j0 = first[i]!;
      for (let a = 0; a < 4; a++) bty[j0 + a] += bv[4 * i + a]! * y;
    }
    const z = (this.z = new Float64Array(m));
    let zz = 0;
    for (let j = 0; j < m; j++) {
      let t = 0;
      for (let i = 0; i < m; i++) t += qt[j * m + i]! * bty[i]!;
      z[j] = t;
      zz += t * t;
    }
    this.rss0 = Math.max(0, yty - zz);
  }

  /** The result object is reused (the search evaluates dozens of lambdas per series): read it before the next call. */
  evaluate(lambda: number): { rss: number; edf: number } {
    const { s, traceWeight, m } = this.grid;
    const z = this.z;
    let rss = this.rss0;
    let edf = 0;
    for (let j = 0; j < m; j++) {
      const d = 1 / (1 + lambda * s[j]!);
      edf += traceWeight[j]! * d;
      const shrink = z[j]! * (1 - d);
      rss += shrink * shrink;
    }
    this.result.rss = rss;
    this.result.edf = edf;
    return this.result;
  }

  /** tr(H^2) = sum_j d_j^2 (up to the ridge, 1e-11). */
  traceHatSquared(lambda: number): number {
    const { s, m } = this.grid;
    let tr = 0;
    for (let j = 0; j < m; j++) tr += 1 / (1 + lambda * s[j]!) ** 2;
    return tr;
  }

  curveAt(lambda: number): { coef: Float64Array; edf: number; fitted: Float64Array; residuals: Float64Array; rss: number } {
    const { s, q, m, n, first, bv, dz } = this.grid;
    for (let j = 0; j < m; j++) dz[j] = this.z[j]! / (1 + lambda * s[j]!);
    // One array for the three results: a typed array over 64 bytes has its own store outside the heap, a
    // microsecond to make and more to collect, and a fit makes several per series.
    const slab = new Float64Array(m + 2 * n);
    const coef = slab.subarray(0, m);
    for (let i = 0; i < m; i++) {
      let t = 0;
      for (let j = 0; j < m; j++) t += q[i * m + j]! * dz[j]!;
      coef[i] = t;
    }
    const fitted = slab.subarray(m, m + n);
    const residuals = slab.subarray(m + n);
    let rss = 0;
    for (let i = 0; i < n; i++) {
      const j0 = first[i]!;
      const f = coef[j0]! * bv[4 * i]! + coef[j0 + 1]! * bv[4 * i + 1]! + coef[j0 + 2]! * bv[4 * i + 2]! + coef[j0 + 3]! * bv[4 * i + 3]!;
      const r = this.values[i]! - f;
      fitted[i] = f;
      residuals[i] = r;
      rss += r * r;
    }
    return { coef, edf: this.evaluate(lambda).edf, fitted, residuals, rss };
  }
}

// The population step: a linear mixed model on weak-form pseudo-data,
//     y_i = G_i theta + G_i S b_i + e_i,   e_i ~ N(0, sigma^2 I),  b_i ~ N(0, Omega),
// fitted by maximum likelihood. Rows enter only through per-subject sufficient
// statistics (G'G, G'y, y'y, row count), so the cost per likelihood evaluation
// is O(p^3) per subject whatever the number of rows. With Omega = sigma^2 L L'
// the likelihood profiles out theta (GLS) and sigma^2 in closed form
// (as in lme4), leaving a smooth function of the log-Cholesky entries of L:
// a few EM steps give a start, then quasi-Newton (BFGS) finishes, which does
// not stall when sigma is small the way plain EM does.
import type { SubjectStats } from "./subject-rows.js";
export type { SubjectStats } from "./subject-rows.js";
import { cholesky, choleskyLogDet, choleskySolve, symmetricEigen, choleskyInverse } from "../numeric/linalg.js";

export interface RandomBlock {
  /** Parameter indices (into 0..p-1) of this block, in declaration order. */
  params: number[];
  full: boolean;
}

export interface LmmOptions {
  /** Iterations of EM before the quasi-Newton phase (default 30). */
  emIterations?: number;
  maxIterations?: number;
  /** Relative eigenvalue below which a direction of the stacked design counts as unidentifiable (default 1e-10). */
  rankTolerance?: number;
}

export interface LmmFit {
  theta: Float64Array;
  /** Covariance of theta-hat (p x p). */
  thetaCov: Float64Array;
  /** Random-effect covariance, q x q in the order of `randomParams`. */
  omega: Float64Array;
  randomParams: number[];
  sigma2: number;
  /** BLUPs per subject, q each. */
  blups: Float64Array[];
  logLik: number;
  iterations: number;
  converged: boolean;
  /** Unit null-space directions of the stacked design, in parameter units (empty when full rank). */
  nullSpace: Float64Array[];
  /** Weight of the penalty along the null directions in the fixed-effect normal equations (0 when full rank). */
  ridge: number;
}

/** Index bookkeeping for the block lower-triangular factor L. */
interface FactorLayout {
  q: number;
  /** Per free parameter: row, column (in 0..q-1); diagonal entries are stored as logs. */
  entries: { r: number; c: number }[];
}

function layoutFor(blocks: RandomBlock[], randomParams: number[]): FactorLayout {
  const pos = new Map(randomParams.map((p, i) => [p, i]));
  const entries: { r: number; c: number }[] = [];
  for (const b of blocks) {
    const idx = b.params.map((p) => pos.get(p)!);
    for (let a = 0; a < idx.length; a++) {
      entries.push({ r: idx[a]!, c: idx[a]! });
      if (b.full) for (let c = 0; c < a; c++) entries.push({ r: idx[a]!, c: idx[c]! });
    }
  }
  return { q: randomParams.length, entries };
}

function factorFrom(layout: FactorLayout, phi: Float64Array, out: Float64Array): void {
  out.fill(0);
  const q = layout.q;
  layout.entries.forEach((e, k) => {
    out[e.r * q + e.c] = e.r === e.c ? Math.exp(phi[k]!) : phi[k]!;
  });
}

/** Log-Cholesky parameters of the block-structured factor of a (relative) covariance. */
function phiFrom(layout: FactorLayout, blocks: RandomBlock[], randomParams: number[], rel: Float64Array): Float64Array {
  const q = layout.q;
  const pos = new Map(randomParams.map((p, i) => [p, i]));
  const l = new Float64Array(q * q);
  for (const b of blocks) {
    const idx = b.params.map((p) => pos.get(p)!);
    const k = idx.length;
    const sub = new Float64Array(k * k);
    for (let a = 0; a < k; a++)
      for (let c = 0; c < k; c++) sub[a * k + c] = b.full || a === c ? rel[idx[a]! * q + idx[c]!]! : 0;
    for (let a = 0; a < k; a++) sub[a * k + a] = Math.max(sub[a * k + a]!, 1e-8) * (1 + 1e-9);
    if (!cholesky(sub, k)) for (let a = 0; a < k; a++) for (let c = 0; c < k; c++) sub[a * k + c] = a === c ? 1e-4 : 0;
    for (let a = 0; a < k; a++) for (let c = 0; c <= a; c++) l[idx[a]! * q + idx[c]!] = sub[a * k + c]!;
  }
  const phi = new Float64Array(layout.entries.length);
  layout.entries.forEach((e, k) => {
    const v = l[e.r * q + e.c]!;
    phi[k] = e.r === e.c ? Math.log(Math.max(v, 1e-12)) : v;
  });
  return phi;
}

/** The non-zero entries of a q x q factor, by column (rows ascending) and by row (columns ascending), CSR-style. */
interface NonZeros {
  colStart: Int32Array;
  cols: Int32Array;
  rowStart: Int32Array;
  rows: Int32Array;
  /** Exactly the diagonal (every column and row has its own entry only): the sums have one term each. */
  diagonal: boolean;
}

/** With `lower`, only the lower triangle (the part of the factor that `profile` reads). */
function nonZeros(lam: Float64Array, q: number, lower = false): NonZeros {
  const colStart = new Int32Array(q + 1);
  const cols = new Int32Array(q * q);
  const rowStart = new Int32Array(q + 1);
  const rows = new Int32Array(q * q);
  let nc = 0;
  let nr = 0;
  for (let s = 0; s < q; s++) {
    colStart[s] = nc;
    rowStart[s] = nr;
    for (let u = 0; u < q; u++) {
      if (lam[u * q + s] !== 0 && (!lower || u >= s)) cols[nc++] = u;
      if (lam[s * q + u] !== 0 && (!lower || u <= s)) rows[nr++] = u;
    }
  }
  colStart[q] = nc;
  rowStart[q] = nr;
  let diagonal = nc === q && nr === q;
  for (let s = 0; s < q && diagonal; s++) diagonal = colStart[s] === s && cols[s] === s && rowStart[s] === s && rows[s] === s;
  return { colStart, cols, rowStart, rows, diagonal };
}

export class MixedModel {
  readonly p: number;
  readonly q: number;
  readonly m: number;
  readonly nTotal: number;
  /** Column scales: the model is solved for theta~ = theta / scale on G diag(scale). */
  readonly scale: Float64Array;
  private readonly a: Float64Array[];
  private readonly c: Float64Array[];
  /** The scaled G'G and G'y of every subject end to end (views `a`, `c` per subject): the hot loops read one array. */
  private readonly aAll: Float64Array;
  private readonly cAll: Float64Array;
  /** Per non-zero of the factor in `profile`: its value and the parameter row it multiplies. */
  private readonly nzValue: Float64Array;
  private readonly nzParam: Int32Array;
  private readonly yy: Float64Array;
  private readonly layout: FactorLayout;
  readonly nullSpace: Float64Array[] = [];
  /** The null directions in scaled coordinates (unit vectors), penalised to pin theta~ to the identifiable subspace. */
  private readonly nullScaled: Float64Array[] = [];
  ridge = 0;
  // Workspaces.
  private readonly lam: Float64Array;
  private readonly mm: Float64Array;
  private readonly r: Float64Array;
  private readonly v: Float64Array;
  private readonly xtvx: Float64Array;
  private readonly xtvy: Float64Array;
  private readonly zr: Float64Array;
  private readonly zz: Float64Array;
  private readonly pm: Float64Array;
  private readonly lt: Float64Array;
  private readonly minv: Float64Array;
  private readonly invColumn: Float64Array;

  constructor(
    stats: SubjectStats[],
    p: number,
    readonly randomParams: number[],
    readonly blocks: RandomBlock[],
    readonly options: LmmOptions = {},
  ) {
    this.p = p;
    this.q = randomParams.length;
    this.m = stats.length;
    this.nTotal = stats.reduce((s, x) => s + x.n, 0);
    // Column scaling from the stacked design (the logistic model mixes r ~ 3e-3 with q ~ 1.6e-5).
    const diag = new Float64Array(p);
    for (const s of stats) for (let j = 0; j < p; j++) diag[j] += s.gtg[j * p + j]!;
    this.scale = new Float64Array(p);
    for (let j = 0; j < p; j++) this.scale[j] = diag[j]! > 0 ? 1 / Math.sqrt(diag[j]! / Math.max(1, this.m)) : 1;
    this.aAll = new Float64Array(stats.length * p * p);
    this.cAll = new Float64Array(stats.length * p);
    this.a = stats.map((s, k) => {
      const out = this.aAll.subarray(k * p * p, (k + 1) * p * p);
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) out[i * p + j] = s.gtg[i * p + j]! * this.scale[i]! * this.scale[j]!;
      return out;
    });
    this.c = stats.map((s, k) => {
      const out = this.cAll.subarray(k * p, (k + 1) * p);
      for (let j = 0; j < p; j++) out[j] = s.gty[j]! * this.scale[j]!;
      return out;
    });
    this.yy = Float64Array.from(stats.map((s) => s.yty));
    this.layout = layoutFor(blocks, randomParams);
    const q = this.q;
    this.lam = new Float64Array(q * q);
    this.mm = new Float64Array(q * q);
    this.r = new Float64Array(q * p);
    this.v = new Float64Array(q);
    this.xtvx = new Float64Array(p * p);
    this.xtvy = new Float64Array(p);
    this.zr = new Float64Array(q);
    this.zz = new Float64Array(q * q);
    this.pm = new Float64Array(q * q);
    this.lt = new Float64Array(q);
    this.minv = new Float64Array(q * q);
    this.invColumn = new Float64Array(q);
    this.nzValue = new Float64Array(q * q);
    this.nzParam = new Int32Array(q * q);
    this.detectRank();
  }

  /** Eigen-analysis of the stacked (scaled) G'G: null directions are reported and ridged. */
  private detectRank(): void {
    const p = this.p;
    const total = new Float64Array(p * p);
    for (const a of this.a) for (let k = 0; k < p * p; k++) total[k] += a[k]!;
    const values = new Float64Array(p);
    const vectors = new Float64Array(p * p);
    symmetricEigen(Float64Array.from(total), p, values, vectors);
    const tol = (this.options.rankTolerance ?? 1e-10) * Math.max(values[0]!, 1e-300);
    for (let j = 0; j < p; j++) {
      if (values[j]! > tol) continue;
      this.nullScaled.push(Float64Array.from({ length: p }, (_, i) => vectors[i * p + j]!));
      const dir = new Float64Array(p);
      let norm = 0;
      for (let i = 0; i < p; i++) {
        dir[i] = vectors[i * p + j]! * this.scale[i]!;
        norm += dir[i]! * dir[i]!;
      }
      norm = Math.sqrt(norm);
      for (let i = 0; i < p; i++) dir[i] = dir[i]! / norm;
      this.nullSpace.push(dir);
    }
    // A penalty along the null directions only: it fixes their (arbitrary)
    // component at 0 and leaves the identifiable subspace untouched, since those
    // directions are null for every subject's G'G too.
    if (this.nullSpace.length > 0) this.ridge = Math.max(values[0]!, 1e-300) / Math.max(1, this.m);
  }

  /**
   * For `profile`, one subject's R = L' S'A (q x p), v = L' S'c and M = I + R S L (= I + L'Z'ZL), its Gram sums at
   * `ao`, `co` of the flat arrays and the factor's non-zeros in `nzValue`/`nzParam` by column (`colStart`). With a
   * `diagonal` factor each sum has one term, read directly (the same sums as the general loops).
   */
  private subjectFactor(ao: number, co: number, colStart: Int32Array, diagonal: boolean): void {
    const { p, q, mm, r, v, aAll, cAll } = this;
    const nzv = this.nzValue;
    const nzp = this.nzParam;
    if (diagonal) {
      for (let s = 0; s < q; s++) {
        const ls = nzv[s]!;
        const row = ao + nzp[s]! * p;
        for (let j = 0; j < p; j++) {
          let acc = 0;
          acc += ls * aAll[row + j]!;
          r[s * p + j] = acc;
        }
        let acc = 0;
        acc += ls * cAll[co + nzp[s]!]!;
        v[s] = acc;
      }
      for (let s = 0; s < q; s++)
        for (let t = 0; t < q; t++) {
          let acc = s === t ? 1 : 0;
          acc += r[s * p + nzp[t]!]! * nzv[t]!;
          mm[s * q + t] = acc;
        }
    } else {
      for (let s = 0; s < q; s++) {
        const x0 = colStart[s]!;
        const x1 = colStart[s + 1]!;
        for (let j = 0; j < p; j++) {
          let acc = 0;
          for (let x = x0; x < x1; x++) acc += nzv[x]! * aAll[ao + nzp[x]! * p + j]!;
          r[s * p + j] = acc;
        }
        let acc = 0;
        for (let x = x0; x < x1; x++) acc += nzv[x]! * cAll[co + nzp[x]!]!;
        v[s] = acc;
      }
      for (let s = 0; s < q; s++)
        for (let t = 0; t < q; t++) {
          let acc = s === t ? 1 : 0;
          for (let x = colStart[t]!; x < colStart[t + 1]!; x++) acc += r[s * p + nzp[x]!]! * nzv[x]!;
          mm[s * q + t] = acc;
        }
    }
    for (let s = 0; s < q; s++)
      for (let t = 0; t < s; t++) {
        const avg = 0.5 * (mm[s * q + t]! + mm[t * q + s]!);
        mm[s * q + t] = avg;
        mm[t * q + s] = avg;
      }
  }

  /**
   * Profiled deviance at log-Cholesky parameters phi; fills theta (scaled) and
   * returns { deviance, rss } where sigma^2 = rss / N.
   */
  profile(phi: Float64Array, theta: Float64Array): { deviance: number; rss: number } {
    const { p, q, lam, mm, r, v, xtvx, xtvy } = this;
    factorFrom(this.layout, phi, lam);
    xtvx.fill(0);
    xtvy.fill(0);
    let logdet = 0;
    let base = 0;
    const rp = this.randomParams;
    // The factor's zeros add exactly 0 to these sums: skip them (see `posterior`). Per non-zero of column s, its
    // value and the row of A it multiplies, gathered once: the subject loop below runs some 35 times over every
    // subject, so it reads flat arrays only (the same terms in the same order as the plain loops).
    const { colStart, cols } = nonZeros(lam, q, true);
    const nzv = this.nzValue;
    const nzp = this.nzParam;
    for (let x = 0; x < colStart[q]!; x++) nzp[x] = rp[cols[x]!]!;
    for (let s = 0; s < q; s++) for (let x = colStart[s]!; x < colStart[s + 1]!; x++) nzv[x] = lam[cols[x]! * q + s]!;
    const aAll = this.aAll;
    const cAll = this.cAll;
    const yy = this.yy;
    const pp = p * p;
    let diagonal = colStart[q] === q;
    for (let s = 0; s < q && diagonal; s++) diagonal = colStart[s] === s && cols[s] === s;
    for (let i = 0; i < this.m; i++) {
      const ao = i * pp;
      const co = i * p;
      this.subjectFactor(ao, co, colStart, diagonal);
      if (q > 0 && !cholesky(mm, q)) return { deviance: Number.POSITIVE_INFINITY, rss: Number.NaN };
      logdet += q > 0 ? choleskyLogDet(mm, q) : 0;
      // W = M^-1/2 style: solve L_M w = R columns and v, then accumulate.
      for (let j = 0; j < p; j++) {
        for (let s = 0; s < q; s++) {
          let acc = r[s * p + j]!;
          for (let t = 0; t < s; t++) acc -= mm[s * q + t]! * r[t * p + j]!;
          r[s * p + j] = acc / mm[s * q + s]!;
        }
      }
      for (let s = 0; s < q; s++) {
        let acc = v[s]!;
        for (let t = 0; t < s; t++) acc -= mm[s * q + t]! * v[t]!;
        v[s] = acc / mm[s * q + s]!;
      }
      let vv = 0;
      for (let s = 0; s < q; s++) vv += v[s]! * v[s]!;
      base += yy[i]! - vv;
      for (let j = 0; j < p; j++) {
        let accy = cAll[co + j]!;
        for (let s = 0; s < q; s++) accy -= r[s * p + j]! * v[s]!;
        xtvy[j] += accy;
        for (let k = 0; k <= j; k++) {
          let acc = aAll[ao + j * p + k]!;
          for (let s = 0; s < q; s++) acc -= r[s * p + j]! * r[s * p + k]!;
          xtvx[j * p + k] += acc;
        }
      }
    }
    for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) xtvx[k * p + j] = xtvx[j * p + k]!;
    for (const v of this.nullScaled)
      for (let j = 0; j < p; j++) for (let k = 0; k < p; k++) xtvx[j * p + k] += this.ridge * v[j]! * v[k]!;
    const l = Float64Array.from(xtvx);
    if (!cholesky(l, p)) return { deviance: Number.POSITIVE_INFINITY, rss: Number.NaN };
    theta.set(xtvy);
    choleskySolve(l, p, theta);
    let fit = 0;
    for (let j = 0; j < p; j++) fit += theta[j]! * xtvy[j]!;
    const rss = Math.max(base - fit, 1e-300);
    const n = this.nTotal;
    return { deviance: logdet + n * Math.log(rss / n) + n * (1 + Math.log(2 * Math.PI)), rss };
  }

  /**
   * Posterior means of b_i (scaled units) at factor `lam` and theta, `nz` its non-zero pattern (`nonZeros(lam)`):
   * the sums skip the factor's zeros (all of its off-diagonal ones with diagonal blocks), which add exactly 0.
   */
  private posterior(i: number, theta: Float64Array, lam: Float64Array, nz: NonZeros, mean: Float64Array, cov?: Float64Array): void {
    const { p, q } = this;
    const rp = this.randomParams;
    const a = this.a[i]!;
    const c = this.c[i]!;
    const { zr, zz, pm: m, lt } = this;
    const { colStart, cols, rowStart, rows } = nz;
    for (let s = 0; s < q; s++) {
      let acc = c[rp[s]!]!;
      for (let j = 0; j < p; j++) acc -= a[rp[s]! * p + j]! * theta[j]!;
      zr[s] = acc;
    }
    // M = I + L'Z'ZL; mean = L M^-1 L' Z'r.
    for (let s = 0; s < q; s++) for (let t = 0; t < q; t++) zz[s * q + t] = a[rp[s]! * p + rp[t]!]!;
    if (nz.diagonal) {
      this.diagonalPosterior(zr, lam, mean, cov);
      return;
    }
    for (let s = 0; s < q; s++)
      for (let t = 0; t < q; t++) {
        let acc = s === t ? 1 : 0;
        for (let x = colStart[s]!; x < colStart[s + 1]!; x++) {
          const u = cols[x]!;
          for (let y = colStart[t]!; y < colStart[t + 1]!; y++) {
            const w = cols[y]!;
            acc += lam[u * q + s]! * zz[u * q + w]! * lam[w * q + t]!;
          }
        }
        m[s * q + t] = acc;
      }
    cholesky(m, q);
    for (let s = 0; s < q; s++) {
      let acc = 0;
      for (let x = colStart[s]!; x < colStart[s + 1]!; x++) acc += lam[cols[x]! * q + s]! * zr[cols[x]!]!;
      lt[s] = acc;
    }
    choleskySolve(m, q, lt);
    for (let s = 0; s < q; s++) {
      let acc = 0;
      for (let x = rowStart[s]!; x < rowStart[s + 1]!; x++) acc += lam[s * q + rows[x]!]! * lt[rows[x]!]!;
      mean[s] = acc;
    }
    if (cov) {
      // L M^-1 L' (times sigma^2 by the caller).
      const minv = this.minv;
      choleskyInverse(m, q, minv, this.invColumn);
      for (let s = 0; s < q; s++)
        for (let t = 0; t < q; t++) {
          let acc = 0;
          for (let x = rowStart[s]!; x < rowStart[s + 1]!; x++) {
            const u = rows[x]!;
            for (let y = rowStart[t]!; y < rowStart[t + 1]!; y++) {
              const w = rows[y]!;
              acc += lam[s * q + u]! * minv[u * q + w]! * lam[t * q + w]!;
            }
          }
          cov[s * q + t] = acc;
        }
    }
  }

  /** `posterior` with a diagonal factor: each of its sums has one term, read directly (the same arithmetic). */
  private diagonalPosterior(zr: Float64Array, lam: Float64Array, mean: Float64Array, cov?: Float64Array): void {
    const { q, zz, pm: m, lt } = this;
    for (let s = 0; s < q; s++) {
      const ls = lam[s * q + s]!;
      for (let t = 0; t < q; t++) {
        let acc = s === t ? 1 : 0;
        acc += ls * zz[s * q + t]! * lam[t * q + t]!;
        m[s * q + t] = acc;
      }
    }
    cholesky(m, q);
    for (let s = 0; s < q; s++) {
      let acc = 0;
      acc += lam[s * q + s]! * zr[s]!;
      lt[s] = acc;
    }
    choleskySolve(m, q, lt);
    for (let s = 0; s < q; s++) {
      let acc = 0;
      acc += lam[s * q + s]! * lt[s]!;
      mean[s] = acc;
    }
    if (!cov) return;
    const minv = this.minv;
    choleskyInverse(m, q, minv, this.invColumn);
    for (let s = 0; s < q; s++) {
      const ls = lam[s * q + s]!;
      for (let t = 0; t < q; t++) {
        let acc = 0;
        acc += ls * minv[s * q + t]! * lam[t * q + t]!;
        cov[s * q + t] = acc;
      }
    }
  }

  /** Starting relative covariance Omega / sigma^2 from per-subject least squares. */
  private start(): Float64Array {
    const { p, q } = this;
    const theta = new Float64Array(p);
    const zero = new Float64Array(this.layout.entries.length).fill(-30);
    const { rss } = this.profile(zero, theta);
    const sigma2 = rss / this.nTotal;
    const ests: Float64Array[] = [];
    for (let i = 0; i < this.m; i++) {
      const l = Float64Array.from(this.a[i]!);
      for (let j = 0; j < p; j++) l[j * p + j] += 1e-10 * (l[j * p + j]! + 1);
      if (!cholesky(l, p)) continue;
      const x = Float64Array.from(this.c[i]!);
      choleskySolve(l, p, x);
      ests.push(x);
    }
    const rel = new Float64Array(q * q);
    if (ests.length >= 2) {
      for (let s = 0; s < q; s++)
        for (let t = 0; t < q; t++) {
          const js = this.randomParams[s]!;
          const jt = this.randomParams[t]!;
          let ms = 0;
          let mt = 0;
          for (const e of ests) {
            ms += e[js]!;
            mt += e[jt]!;
          }
          ms /= ests.length;
          mt /= ests.length;
          let acc = 0;
          for (const e of ests) acc += (e[js]! - ms) * (e[jt]! - mt);
          rel[s * q + t] = acc / (ests.length - 1) / sigma2;
        }
    } else {
      for (let s = 0; s < q; s++) rel[s * q + s] = (0.01 * theta[this.randomParams[s]!]! ** 2 + 1e-6) / sigma2;
    }
    for (let s = 0; s < q; s++) if (!(rel[s * q + s]! > 0) || !Number.isFinite(rel[s * q + s]!)) rel[s * q + s] = 1;
    return rel;
  }

  fit(): LmmFit {
    const { p, q } = this;
    const theta = new Float64Array(p);
    const nPhi = this.layout.entries.length;
    let phi = q > 0 ? phiFrom(this.layout, this.blocks, this.randomParams, this.start()) : new Float64Array(0);
    let iterations = 0;
    // EM on (theta, sigma^2, Omega): closed-form steps, robust from a rough start.
    const emIterations = q > 0 ? (this.options.emIterations ?? 10) : 0;
    const lam = new Float64Array(q * q);
    const mean = new Float64Array(q);
    const cov = new Float64Array(q * q);
    for (let it = 0; it < emIterations; it++) {
      const { rss } = this.profile(phi, theta);
      const sigma2 = rss / this.nTotal;
      factorFrom(this.layout, phi, lam);
      const nz = nonZeros(lam, q);
      const omegaNew = new Float64Array(q * q);
      for (let i = 0; i < this.m; i++) {
        this.posterior(i, theta, lam, nz, mean, cov);
        for (let s = 0; s < q; s++)
          for (let t = 0; t < q; t++) omegaNew[s * q + t] += (mean[s]! * mean[t]! + sigma2 * cov[s * q + t]!) / this.m;
      }
      for (let k = 0; k < q * q; k++) omegaNew[k] = omegaNew[k]! / sigma2;
      phi = phiFrom(this.layout, this.blocks, this.randomParams, omegaNew);
      iterations++;
    }
    // Quasi-Newton on the profiled deviance.
    let converged = q === 0;
    if (q > 0) {
      const f = (x: Float64Array): number => this.profile(x, theta).deviance;
      const res = bfgs(f, phi, this.options.maxIterations ?? 200);
      phi = res.x;
      iterations += res.iterations;
      converged = res.converged;
    }
    const { deviance, rss } = this.profile(phi, theta);
    const sigma2 = rss / this.nTotal;
    factorFrom(this.layout, phi, lam);
    // Fixed-effect covariance: sigma^2 (X'V^-1 X)^-1 from the last profile.
    const info = Float64Array.from(this.xtvx);
    const thetaCovScaled = new Float64Array(p * p);
    if (cholesky(info, p)) choleskyInverse(info, p, thetaCovScaled);
    const blups: Float64Array[] = [];
    const nz = nonZeros(lam, q);
    for (let i = 0; i < this.m; i++) {
      const b = new Float64Array(q);
      if (q > 0) this.posterior(i, theta, lam, nz, b);
      for (let s = 0; s < q; s++) b[s] = b[s]! * this.scale[this.randomParams[s]!]!;
      blups.push(b);
    }
    const omega = new Float64Array(q * q);
    for (let s = 0; s < q; s++)
      for (let t = 0; t < q; t++) {
        let acc = 0;
        for (let u = 0; u < q; u++) acc += lam[s * q + u]! * lam[t * q + u]!;
        omega[s * q + t] = acc * sigma2 * this.scale[this.randomParams[s]!]! * this.scale[this.randomParams[t]!]!;
      }
    const thetaOut = new Float64Array(p);
    const thetaCov = new Float64Array(p * p);
    for (let j = 0; j < p; j++) {
      thetaOut[j] = theta[j]! * this.scale[j]!;
      for (let k = 0; k < p; k++) thetaCov[j * p + k] = sigma2 * thetaCovScaled[j * p + k]! * this.scale[j]! * this.scale[k]!;
    }
    void nPhi;
    return {
      theta: thetaOut,
      thetaCov,
      omega,
      randomParams: this.randomParams,
      sigma2,
      blups,
      logLik: -0.5 * deviance,
      iterations,
      converged,
      nullSpace: this.nullSpace,
      ridge: this.ridge,
    };
  }
}

/** Minimal BFGS with central-difference gradients and a backtracking line search. */
export function bfgs(
  f: (x: Float64Array) => number,
  x0: Float64Array,
  maxIterations: number,
): { x: Float64Array; value: number; iterations: number; converged: boolean } {
  const n = x0.length;
  let x = Float64Array.from(x0);
  let fx = f(x);
  const grad = (at: Float64Array, out: Float64Array): void => {
    const y = Float64Array.from(at);
    for (let i = 0; i < n; i++) {
      const h = 1e-5 * Math.max(1, Math.abs(at[i]!));
      y[i] = at[i]! + h;
      const fp = f(y);
      y[i] = at[i]! - h;
      const fm = f(y);
      y[i] = at[i]!;
      out[i] = (fp - fm) / (2 * h);
    }
  };
  const g = new Float64Array(n);
  grad(x, g);
  const hinv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) hinv[i * n + i] = 1;
  const dir = new Float64Array(n);
  const gNew = new Float64Array(n);
  let converged = false;
  let it = 0;
  for (; it < maxIterations; it++) {
    let gnorm = 0;
    for (let i = 0; i < n; i++) gnorm = Math.max(gnorm, Math.abs(g[i]!));
    if (gnorm < 1e-5) {
      converged = true;
      break;
    }
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let j = 0; j < n; j++) acc -= hinv[i * n + j]! * g[j]!;
      dir[i] = acc;
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += dir[i]! * g[i]!;
    if (slope >= 0) {
      // Not a descent direction: reset to steepest descent.
      hinv.fill(0);
      for (let i = 0; i < n; i++) {
        hinv[i * n + i] = 1;
        dir[i] = -g[i]!;
      }
      slope = -g.reduce((s, v) => s + v * v, 0);
    }
    // Keep steps on the log scale moderate.
    let maxStep = 0;
    for (let i = 0; i < n; i++) maxStep = Math.max(maxStep, Math.abs(dir[i]!));
    let step = maxStep > 5 ? 5 / maxStep : 1;
    let xNew = new Float64Array(n);
    let fNew = Number.POSITIVE_INFINITY;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * dir[i]!;
      fNew = f(xNew);
      if (fNew <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < fx)) {
      // No progress along the quasi-Newton direction: done at this precision.
      converged = true;
      break;
    }
    grad(xNew, gNew);
    const s = new Float64Array(n);
    const yv = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i]! - x[i]!;
      yv[i] = gNew[i]! - g[i]!;
      sy += s[i]! * yv[i]!;
    }
    const df = fx - fNew;
    x = xNew;
    fx = fNew;
    g.set(gNew);
    if (sy > 1e-12) {
      const hy = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let acc = 0;
        for (let j = 0; j < n; j++) acc += hinv[i * n + j]! * yv[j]!;
        hy[i] = acc;
      }
      let yhy = 0;
      for (let i = 0; i < n; i++) yhy += yv[i]! * hy[i]!;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          hinv[i * n + j] += ((sy + yhy) * s[i]! * s[j]!) / (sy * sy) - (hy[i]! * s[j]! + s[i]! * hy[j]!) / sy;
    }
    if (df < 1e-10 * (1 + Math.abs(fx))) {
      converged = true;
      it++;
      break;
    }
  }
  return { x, value: fx, iterations: it, converged };
}

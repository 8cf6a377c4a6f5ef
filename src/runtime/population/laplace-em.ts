// The population step for parameters that are not linear in the rows: positive
// parameters estimated on the log scale (log theta_i = mu + eta_i), products of
// them (theta * fM2 = exp(psi_theta + psi_fM2)) and searched rates (ka) whose
// rows change with their value. Each subject hands over its whitened
// residuals as a function of psi_i (the subject's parameters on their
// estimation scale: log for positive ones), its nuisance coefficients
// (X(t_0)) already profiled out; the rows are a Gaussian pseudo-likelihood
// y_i = G_i(psi_i) c(psi_i) + e_i, e ~ N(0, sigma^2), psi_i = mu + eta_i,
// eta_i ~ N(0, Omega).
//
// Method: Laplace-approximated EM (first-order conditional, FOCE-like).
// A round finds every subject's conditional mode (Levenberg-Marquardt with a
// finite-difference Jacobian, the prior N(mu, Omega) as penalty), linearises
// its residuals there, and then iterates on these local quadratics: mu by
// generalised least squares over subjects (W_i = (Omega + I_i^-1)^-1, defined
// when a subject's own information I_i is singular, so a subject whose data do
// not determine a parameter simply adds nothing to it), Omega by the EM
// update from the posterior moments, sigma^2 from the expected residual sum
// of squares. Parameters without a random effect have Omega rows of 0: they
// are pooled by the same GLS. Because every subject enters through its
// posterior, an outlying subject whose rate the data barely determine (a wide
// profile) is shrunk instead of setting the omega.
import { createRng } from "../numeric/random.js";
import { centres, glsFixedEffects, regressMeans, type CovariateColumns } from "./laplace-covariates.js";

export interface NonlinearSubject {
  /** Whitened residuals at psi (same length every call); non-finite entries mean "outside the model's domain". */
  residuals(psi: Float64Array): Float64Array;
  /** Residual degrees of freedom (rows after the nuisance coefficients are profiled out). */
  dof: number;
  /** The subject's own starting value (e.g. its least-squares estimate), if any. */
  start?: Float64Array | null;
}

export interface LaplaceEmOptions {
  /** Per component of psi: true when it has a random effect. */
  random: boolean[];
  /** Groups of random components with a full covariance (default: diagonal Omega). */
  fullBlocks?: number[][];
  /** Population starting value. */
  start: Float64Array;
  /** Starting Omega diagonal (default 0.25: a CV of ~50% on the log scale). */
  omegaStart?: Float64Array;
  /** Finite-difference step per component (default 1e-4 times max(1, |psi|)). */
  step?: Float64Array;
  /** Box on psi per component (e.g. a searched rate's log bounds). */
  lower?: Float64Array;
  upper?: Float64Array;
  /** Outer rounds (re-linearisations) at most (default 40). */
  maxRounds?: number;
  tolerance?: number;
  /**
   * Importance-sampling E-step for the random components (posterior means
   * and covariances by `samples` draws of a t_4 proposal around each mode
   * with its Laplace covariance, the same seeded draws every round), in place
   * of the Laplace moments. Where a subject's data determine a parameter only
   * on one side (fM2 of a sparse antibody design: flat below, steep above) the
   * mode is far from the posterior mean and the Laplace EM drifts; measured
   * in test/runtime/estimate/sparse-designs.test.ts.
   */
  importance?: { samples: number; seed: number };
  /** Covariate effects on random components: psi_i = mu + Z_i beta + eta_i (laplace-covariates.ts). */
  covariates?: CovariateColumns;
}

export interface LaplaceEmFit {
  mu: Float64Array;
  /** dim x dim, row-major (0 on rows and columns of components without a random effect). */
  omega: Float64Array;
  sigma2: number;
  /** Per subject: conditional mode of psi_i. */
  modes: Float64Array[];
  /** Covariance of mu (GLS), dim x dim. */
  muCov: Float64Array;
  /** Covariate coefficients (empty without covariates) and the covariance of (mu, beta), (dim + nb)^2. */
  beta: Float64Array;
  fixedCov: Float64Array;
  /** Laplace approximation of the pseudo-log-likelihood. */
  logLik: number;
  rounds: number;
  converged: boolean;
  /** Importance sampling: subjects whose moments fell back to Laplace in the last round. */
  importanceFallbacks?: number;
}

/** Solve A X = B for a general n x n A (partial pivoting); B is n x m, overwritten by X. False if singular. */
export function solveGeneral(a: Float64Array, n: number, b: Float64Array, m: number): boolean {
  const A = Float64Array.from(a);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]!) > Math.abs(A[piv * n + c]!)) piv = r;
    if (!(Math.abs(A[piv * n + c]!) > 1e-300)) return false;
    if (piv !== c) {
      for (let k = 0; k < n; k++) [A[c * n + k], A[piv * n + k]] = [A[piv * n + k]!, A[c * n + k]!];
      for (let k = 0; k < m; k++) [b[c * m + k], b[piv * m + k]] = [b[piv * m + k]!, b[c * m + k]!];
    }
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c]! / A[c * n + c]!;
      if (f === 0) continue;
      for (let k = c; k < n; k++) A[r * n + k] -= f * A[c * n + k]!;
      for (let k = 0; k < m; k++) b[r * m + k] -= f * b[c * m + k]!;
    }
  }
  for (let c = n - 1; c >= 0; c--)
    for (let k = 0; k < m; k++) {
      let s = b[c * m + k]!;
      for (let j = c + 1; j < n; j++) s -= A[c * n + j]! * b[j * m + k]!;
      b[c * m + k] = s / A[c * n + c]!;
    }
  return true;
}

function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) {
    const v = a[i * n + k]!;
    if (v !== 0) for (let j = 0; j < n; j++) out[i * n + j] += v * b[k * n + j]!;
  }
  return out;
}

function sumSq(r: Float64Array): number {
  let s = 0;
  for (const v of r) s += v * v;
  return Number.isFinite(s) ? s : Number.POSITIVE_INFINITY;
}

/** Residuals and their forward-difference Jacobian (n x dim, row-major) at psi. */
function jacobian(sub: NonlinearSubject, psi: Float64Array, step: (j: number, v: number) => number): { r: Float64Array; J: Float64Array } {
  const dim = psi.length;
  const r = sub.residuals(psi);
  const n = r.length;
  const J = new Float64Array(n * dim);
  const x = Float64Array.from(psi);
  for (let j = 0; j < dim; j++) {
    const h = step(j, psi[j]!);
    x[j] = psi[j]! + h;
    let rp = sub.residuals(x);
    let hh = h;
    if (!rp.every(Number.isFinite)) {
      x[j] = psi[j]! - h;
      rp = sub.residuals(x);
      hh = -h;
    }
    x[j] = psi[j]!;
    for (let i = 0; i < n; i++) J[i * dim + j] = Number.isFinite(rp[i]!) ? (rp[i]! - r[i]!) / hh : 0;
  }
  return { r, J };
}

function gram(J: Float64Array, n: number, dim: number): Float64Array {
  const g = new Float64Array(dim * dim);
  for (let i = 0; i < n; i++) for (let a = 0; a < dim; a++) {
    const v = J[i * dim + a]!;
    if (v !== 0) for (let b = 0; b < dim; b++) g[a * dim + b] += v * J[i * dim + b]!;
  }
  return g;
}

/** What the inner EM needs of one subject: its local quadratic at the mode. */
interface Local {
  mode: Float64Array;
  rss: number;
  /** J'J (unscaled) and J'r at the mode. */
  jtj: Float64Array;
  jtr: Float64Array;
}

/**
 * The conditional mode of one subject: min ||r(psi)||^2 / (2 sigma2) + (psi - mu)' P (psi - mu) / 2
 * over the random components (the others held at mu), by Levenberg-Marquardt.
 */
function conditionalMode(sub: NonlinearSubject, from: Float64Array, mu: Float64Array, prec: Float64Array, free: number[], sigma2: number, opt: Required<Pick<LaplaceEmOptions, "lower" | "upper">>, step: (j: number, v: number) => number): Float64Array {
  const dim = mu.length;
  const psi = Float64Array.from(mu);
  for (const j of free) psi[j] = from[j]!;
  const q = free.length;
  if (q === 0) return psi;
  const objective = (x: Float64Array): number => {
    let pen = 0;
    for (const a of free) for (const b of free) pen += (x[a]! - mu[a]!) * prec[a * dim + b]! * (x[b]! - mu[b]!);
    return sumSq(sub.residuals(x)) / (2 * sigma2) + pen / 2;
  };
  let f = objective(psi);
  let lambda = 1e-3;
  for (let it = 0; it < 40; it++) {
    const { r, J } = jacobian(sub, psi, step);
    const n = r.length;
    const A = new Float64Array(q * q);
    const g = new Float64Array(q);
    free.forEach((a, u) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += J[i * dim + a]! * (Number.isFinite(r[i]!) ? r[i]! : 0);
      g[u] = s / sigma2;
      free.forEach((b, v) => {
        let t = 0;
        for (let i = 0; i < n; i++) t += J[i * dim + a]! * J[i * dim + b]!;
        A[u * q + v] = t / sigma2 + prec[a * dim + b]!;
      });
      for (const b of free) g[u] += prec[a * dim + b]! * (psi[b]! - mu[b]!);
    });
    let improved = false;
    for (let tries = 0; tries < 12; tries++) {
      const M = Float64Array.from(A);
      for (let u = 0; u < q; u++) M[u * q + u] += lambda * (A[u * q + u]! + 1e-12);
      const d = Float64Array.from(g, (v) => -v);
      if (!solveGeneral(M, q, d, 1)) {
        lambda *= 10;
        continue;
      }
      const trial = Float64Array.from(psi);
      free.forEach((a, u) => (trial[a] = Math.min(opt.upper[a]!, Math.max(opt.lower[a]!, psi[a]! + d[u]!))));
      const ft = objective(trial);
      if (ft < f) {
        const change = Math.max(...free.map((a) => Math.abs(trial[a]! - psi[a]!)));
        psi.set(trial);
        const rel = (f - ft) / Math.max(1e-300, Math.abs(f));
        f = ft;
        lambda = Math.max(1e-9, lambda / 3);
        improved = true;
        if (change < 1e-7 || rel < 1e-12) return psi;
        break;
      }
      lambda *= 4;
    }
    if (!improved) break;
  }
  return psi;
}

/**
 * The conditional mode from the subject's last mode, and also from its prior centre when the last mode lies
 * more than 3 prior SDs away (Mahalanobis): Levenberg-Marquardt is local, and where the data alone cannot tell
 * two branches apart (an oral dose's flip-flop, ka and ke swapped with the same curve) only the prior picks the
 * branch; a subject left on the far branch from its own start sets the omegas (pk_oral_wt.csv: 2 of 60 subjects
 * with ka and ke swapped made every omega 0.5 for 0.2).
 */
function modeOf(sub: NonlinearSubject, from: Float64Array, centre: Float64Array, prec: Float64Array, free: number[], sigma2: number, opt: Required<Pick<LaplaceEmOptions, "lower" | "upper">>, step: (j: number, v: number) => number): Float64Array {
  const dim = centre.length;
  const a = conditionalMode(sub, from, centre, prec, free, sigma2, opt, step);
  const penalty = (x: Float64Array): number => {
    let pen = 0;
    for (const u of free) for (const v of free) pen += (x[u]! - centre[u]!) * prec[u * dim + v]! * (x[v]! - centre[v]!);
    return pen;
  };
  if (!(penalty(a) > 9)) return a;
  const b = conditionalMode(sub, centre, centre, prec, free, sigma2, opt, step);
  const objective = (x: Float64Array): number => sumSq(sub.residuals(x)) / (2 * sigma2) + penalty(x) / 2;
  return objective(b) < objective(a) ? b : a;
}

/** Local quadratic of a subject's residuals at its mode (Gauss-Newton). */
function localAt(sub: NonlinearSubject, mode: Float64Array, step: (j: number, v: number) => number): Local {
  const dim = mode.length;
  const { r, J } = jacobian(sub, mode, step);
  const n = r.length;
  const jtr = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let a = 0; a < dim; a++) jtr[a] += J[i * dim + a]! * r[i]!;
  return { mode, rss: sumSq(r), jtj: gram(J, n, dim), jtr };
}

interface InnerResult {
  mu: Float64Array;
  beta: Float64Array;
  /** Covariance of (mu, beta). */
  fixedCov: Float64Array;
  omega: Float64Array;
  sigma2: number;
  muCov: Float64Array;
  posteriors: { mean: Float64Array; cov: Float64Array }[];
  logLik: number;
}

/** EM on the subjects' local quadratics: mu by GLS, Omega from the posterior moments, sigma^2 from the expected RSS. */
function innerEm(locals: Local[], dofs: number[], mu0: Float64Array, beta0: Float64Array, omega0: Float64Array, sigma20: number, random: boolean[], fullBlocks: number[][], cols?: CovariateColumns): InnerResult {
  const dim = mu0.length;
  let mu: Float64Array = Float64Array.from(mu0);
  let beta: Float64Array = Float64Array.from(beta0);
  let fixedCov: Float64Array = new Float64Array(0);
  let omega: Float64Array = Float64Array.from(omega0);
  let sigma2 = sigma20;
  const M = locals.length;
  const sameBlock = (a: number, b: number): boolean => a === b || fullBlocks.some((bl) => bl.includes(a) && bl.includes(b));
  let posteriors: InnerResult["posteriors"] = [];
  let muCov: Float64Array = new Float64Array(dim * dim);
  let logLik = Number.NaN;
  for (let it = 0; it < 200; it++) {
    // I_i = J'J / sigma2, h_i = I_i m_i - J'r / sigma2 (the subject's information-weighted own estimate).
    const infos = locals.map((l) => {
      const I = Float64Array.from(l.jtj, (v) => v / sigma2);
      const h = new Float64Array(dim);
      for (let a = 0; a < dim; a++) {
        let s = 0;
        for (let b = 0; b < dim; b++) s += I[a * dim + b]! * l.mode[b]!;
        h[a] = s - l.jtr[a]! / sigma2;
      }
      return { I, h };
    });
    // GLS for (mu, beta): W_i = (1 + I_i Omega)^-1 I_i, b_i = (1 + I_i Omega)^-1 h_i.
    const weights = infos.map(({ I, h }) => {
      const A = matMul(I, omega, dim);
      for (let a = 0; a < dim; a++) A[a * dim + a] += 1;
      const rhs = new Float64Array(dim * (dim + 1));
      for (let a = 0; a < dim; a++) {
        for (let b = 0; b < dim; b++) rhs[a * (dim + 1) + b] = I[a * dim + b]!;
        rhs[a * (dim + 1) + dim] = h[a]!;
      }
      if (!solveGeneral(A, dim, rhs, dim + 1)) return null;
      const W = new Float64Array(dim * dim);
      const b = new Float64Array(dim);
      for (let a = 0; a < dim; a++) {
        for (let c = 0; c < dim; c++) W[a * dim + c] = rhs[a * (dim + 1) + c]!;
        b[a] = rhs[a * (dim + 1) + dim]!;
      }
      return { W, b };
    });
    const gls = glsFixedEffects(weights, dim, cols, Float64Array.from([...mu, ...beta]));
    const nextMu = gls.gamma.slice(0, dim);
    const nextBeta = gls.gamma.slice(dim);
    fixedCov = gls.cov;
    const D = gls.gamma.length;
    muCov = new Float64Array(dim * dim);
    for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) muCov[a * dim + b] = fixedCov[a * D + b]!;
    const centre = centres(nextMu, nextBeta, cols, M);
    // Posterior of each psi_i: C = (1 + Omega I)^-1 Omega, m = c_i + C (h - I c_i) with c_i the subject's centre.
    posteriors = infos.map(({ I, h }, i) => {
      const nextMu = centre[i]!;
      const A = matMul(omega, I, dim);
      for (let a = 0; a < dim; a++) A[a * dim + a] += 1;
      const C = Float64Array.from(omega);
      solveGeneral(A, dim, C, dim);
      const resid = new Float64Array(dim);
      for (let a = 0; a < dim; a++) {
        let s = h[a]!;
        for (let b = 0; b < dim; b++) s -= I[a * dim + b]! * nextMu[b]!;
        resid[a] = s;
      }
      const mean = Float64Array.from(nextMu);
      for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) mean[a] += C[a * dim + b]! * resid[b]!;
      return { mean, cov: C };
    });
    const nextOmega = new Float64Array(dim * dim);
    posteriors.forEach((p, i) => {
      const c = centre[i]!;
      for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) {
        if (!random[a] || !random[b] || !sameBlock(a, b)) continue;
        nextOmega[a * dim + b] += (p.cov[a * dim + b]! + (p.mean[a]! - c[a]!) * (p.mean[b]! - c[b]!)) / M;
      }
    });
    for (let a = 0; a < dim; a++) if (random[a]) nextOmega[a * dim + a] = Math.max(nextOmega[a * dim + a]!, 1e-10);
    // sigma^2: expected RSS under the posterior, the linearised residual at the posterior mean.
    let ess = 0;
    let dof = 0;
    locals.forEach((l, i) => {
      const p = posteriors[i]!;
      const d = Float64Array.from(p.mean, (v, a) => v - l.mode[a]!);
      let quad = 0;
      let lin = 0;
      let trace = 0;
      for (let a = 0; a < dim; a++) {
        lin += 2 * l.jtr[a]! * d[a]!;
        for (let b = 0; b < dim; b++) {
          quad += d[a]! * l.jtj[a * dim + b]! * d[b]!;
          trace += l.jtj[a * dim + b]! * p.cov[b * dim + a]!;
        }
      }
      ess += Math.max(0, l.rss + lin + quad) + trace;
      dof += dofs[i]!;
    });
    const nextSigma2 = Math.max(ess / Math.max(1, dof), 1e-300);
    let change = Math.abs(nextSigma2 / sigma2 - 1);
    for (let a = 0; a < dim; a++) {
      change = Math.max(change, Math.abs(nextMu[a]! - mu[a]!) / (Math.sqrt(Math.abs(omega[a * dim + a]!)) + 1e-3 * Math.abs(mu[a]!) + 1e-12));
      if (random[a]) change = Math.max(change, Math.abs(nextOmega[a * dim + a]! / omega[a * dim + a]! - 1));
    }
    cols?.params.forEach((a, k) => (change = Math.max(change, Math.abs(nextBeta[k]! - beta[k]!) / (Math.sqrt(Math.abs(omega[a * dim + a]!)) + 1e-12))));
    mu = nextMu;
    beta = nextBeta;
    omega = nextOmega;
    sigma2 = nextSigma2;
    logLik = laplaceLogLik(locals, dofs, posteriors, centre, omega, sigma2);
    if (change < 1e-7) break;
  }
  return { mu, beta, fixedCov, omega, sigma2, muCov, posteriors, logLik };
}

/** Laplace approximation of the marginal pseudo-log-likelihood at the posterior means. */
function laplaceLogLik(locals: Local[], dofs: number[], posteriors: InnerResult["posteriors"], centre: Float64Array[], omega: Float64Array, sigma2: number): number {
  const dim = centre[0]?.length ?? 0;
  let ll = 0;
  locals.forEach((l, i) => {
    const p = posteriors[i]!;
    const mu = centre[i]!;
    const d = Float64Array.from(p.mean, (v, a) => v - l.mode[a]!);
    let rss = l.rss;
    for (let a = 0; a < dim; a++) {
      rss += 2 * l.jtr[a]! * d[a]!;
      for (let b = 0; b < dim; b++) rss += d[a]! * l.jtj[a * dim + b]! * d[b]!;
    }
    // log det(1 + I Omega) via the determinant of the small general matrix.
    const A = matMul(Float64Array.from(l.jtj, (v) => v / sigma2), omega, dim);
    for (let a = 0; a < dim; a++) A[a * dim + a] += 1;
    ll += -0.5 * (dofs[i]! * Math.log(2 * Math.PI * sigma2) + Math.max(0, rss) / sigma2 + Math.log(Math.max(determinant(A, dim), 1e-300)));
    // Prior term (m - mu)' Omega^+ (m - mu) over the random components.
    const idx = [...Array(dim).keys()].filter((a) => omega[a * dim + a]! > 0);
    if (idx.length > 0) {
      const q = idx.length;
      const O = new Float64Array(q * q);
      const r = new Float64Array(q);
      idx.forEach((a, u) => {
        r[u] = p.mean[a]! - mu[a]!;
        idx.forEach((b, v) => (O[u * q + v] = omega[a * dim + b]!));
      });
      const x = Float64Array.from(r);
      if (solveGeneral(O, q, x, 1)) ll -= 0.5 * r.reduce((s, v, u) => s + v * x[u]!, 0);
    }
  });
  return ll;
}

function determinant(a: Float64Array, n: number): number {
  const A = Float64Array.from(a);
  let det = 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]!) > Math.abs(A[piv * n + c]!)) piv = r;
    if (A[piv * n + c] === 0) return 0;
    if (piv !== c) {
      for (let k = 0; k < n; k++) [A[c * n + k], A[piv * n + k]] = [A[piv * n + k]!, A[c * n + k]!];
      det = -det;
    }
    det *= A[c * n + c]!;
    for (let r = c + 1; r < n; r++) {
      const f = A[r * n + c]! / A[c * n + c]!;
      for (let k = c; k < n; k++) A[r * n + k] -= f * A[c * n + k]!;
    }
  }
  return det;
}

/** Fit mu, Omega and sigma^2 of psi_i = mu + eta_i from every subject's residual function (see the file comment). */
export function laplaceEm(subjects: NonlinearSubject[], options: LaplaceEmOptions): LaplaceEmFit {
  const dim = options.start.length;
  const random = options.random;
  const fullBlocks = options.fullBlocks ?? [];
  const lower = options.lower ?? new Float64Array(dim).fill(Number.NEGATIVE_INFINITY);
  const upper = options.upper ?? new Float64Array(dim).fill(Number.POSITIVE_INFINITY);
  const stepOf = (j: number, v: number): number => (options.step?.[j] ?? 1e-4) * Math.max(1, Math.abs(v));
  let mu: Float64Array = Float64Array.from(options.start);
  let omega: Float64Array = new Float64Array(dim * dim);
  for (let a = 0; a < dim; a++) if (random[a]) omega[a * dim + a] = options.omegaStart?.[a] ?? 0.25;
  const free = [...Array(dim).keys()].filter((a) => random[a]);
  const cols = options.covariates && options.covariates.params.length > 0 ? options.covariates : undefined;
  if (cols?.params.some((a) => !random[a])) throw new Error("laplaceEm: a covariate effect on a component without a random effect");
  let beta: Float64Array = Float64Array.from(cols?.start ?? new Float64Array(cols?.params.length ?? 0));
  // sigma^2 to start: the subjects' own residuals at their starting values.
  let rss0 = 0;
  let dof0 = 0;
  subjects.forEach((s) => {
    const r = sumSq(s.residuals(s.start ?? mu));
    if (Number.isFinite(r)) {
      rss0 += r;
      dof0 += s.dof;
    }
  });
  let sigma2 = Math.max(rss0 / Math.max(1, dof0), 1e-12);
  let modes: Float64Array[] = subjects.map((s) => Float64Array.from(s.start ?? mu));
  let inner: InnerResult | null = null;
  const maxRounds = options.maxRounds ?? 40;
  const tol = options.tolerance ?? 1e-5;
  let rounds = 0;
  let converged = false;
  const imp = options.importance;
  const draws = imp && imp.samples > 0 && free.length > 0 ? subjects.map((_, i) => tDraws(imp.seed + 7919 * i, imp.samples, free.length)) : null;
  let fallbacks = 0;
  for (let round = 0; round < maxRounds; round++) {
    rounds++;
    const prec = precision(omega, dim, random);
    const centre = centres(mu, beta, cols, subjects.length);
    modes = subjects.map((s, i) => modeOf(s, modes[i]!, centre[i]!, prec, free, sigma2, { lower, upper }, stepOf));
    const locals = subjects.map((s, i) => localAt(s, modes[i]!, stepOf));
    inner = innerEm(locals, subjects.map((s) => s.dof), mu, beta, omega, sigma2, random, fullBlocks, cols);
    if (draws) {
      const step = importanceStep(subjects, locals, inner, { mu, beta, cols }, omega, sigma2, random, fullBlocks, draws, { lower, upper });
      inner = { ...inner, mu: step.mu, beta: step.beta, omega: step.omega, sigma2: step.sigma2 };
      fallbacks = step.fallbacks;
    }
    let change = Math.abs(inner.sigma2 / sigma2 - 1);
    for (let a = 0; a < dim; a++) {
      change = Math.max(change, Math.abs(inner.mu[a]! - mu[a]!) / (Math.sqrt(inner.omega[a * dim + a]!) + 1e-3 * Math.abs(mu[a]!) + 1e-12));
      if (random[a]) change = Math.max(change, Math.abs(Math.sqrt(inner.omega[a * dim + a]! / Math.max(omega[a * dim + a]!, 1e-300)) - 1));
    }
    cols?.params.forEach((a, k) => (change = Math.max(change, Math.abs(inner!.beta[k]! - beta[k]!) / (Math.sqrt(inner!.omega[a * dim + a]!) + 1e-12))));
    mu = inner.mu;
    beta = inner.beta;
    omega = inner.omega;
    sigma2 = inner.sigma2;
    if (change < tol && round > 0) {
      converged = true;
      break;
    }
  }
  const prec = precision(omega, dim, random);
  const centre = centres(mu, beta, cols, subjects.length);
  modes = subjects.map((s, i) => modeOf(s, modes[i]!, centre[i]!, prec, free, sigma2, { lower, upper }, stepOf));
  return { mu, beta, fixedCov: inner!.fixedCov, omega, sigma2, modes, muCov: inner!.muCov, logLik: inner!.logLik, rounds, converged, ...(draws ? { importanceFallbacks: fallbacks } : {}) };
}

const T_DF = 4;
/** The proposal is twice as wide as the Laplace covariance: the posterior of a one-sided parameter has a tail the mode does not see. */
const PROPOSAL_SCALE = 2;

/** Standard t_4 draws, K x q, from a seeded stream (one per subject, reused every round). */
function tDraws(seed: number, K: number, q: number): Float64Array {
  const rng = createRng(seed);
  const out = new Float64Array(K * q);
  for (let k = 0; k < K; k++) {
    let chi = 0;
    for (let v = 0; v < T_DF; v++) chi += rng.normal() ** 2;
    const f = Math.sqrt(T_DF / chi);
    for (let u = 0; u < q; u++) out[k * q + u] = rng.normal() * f;
  }
  return out;
}

/** A subject's posterior moments over the free components by importance sampling (null when too few draws carry weight). */
function importanceMoments(
  sub: NonlinearSubject,
  local: Local,
  mu: Float64Array,
  prec: Float64Array,
  free: number[],
  sigma2: number,
  draws: Float64Array,
  bounds: { lower: Float64Array; upper: Float64Array },
): { mean: Float64Array; cov: Float64Array; rss: number; draws: Float64Array[] } | null {
  const dim = mu.length;
  const q = free.length;
  const K = draws.length / q;
  // Laplace covariance of the free block: (J'J / sigma2 + Omega^-1)^-1, and its Cholesky factor.
  const H = new Float64Array(q * q);
  free.forEach((a, u) => free.forEach((b, v) => (H[u * q + v] = local.jtj[a * dim + b]! / sigma2 + prec[a * dim + b]!)));
  const C = new Float64Array(q * q);
  for (let u = 0; u < q; u++) C[u * q + u] = 1;
  if (!solveGeneral(H, q, C, q)) return null;
  const L = new Float64Array(q * q);
  for (let j = 0; j < q; j++) {
    let d = C[j * q + j]!;
    for (let k = 0; k < j; k++) d -= L[j * q + k]! ** 2;
    if (!(d > 0)) return null;
    L[j * q + j] = Math.sqrt(d);
    for (let i = j + 1; i < q; i++) {
      let t = C[i * q + j]!;
      for (let k = 0; k < j; k++) t -= L[i * q + k]! * L[j * q + k]!;
      L[i * q + j] = t / L[j * q + j]!;
    }
  }
  const logw = new Float64Array(K).fill(Number.NEGATIVE_INFINITY);
  const pts = new Float64Array(K * dim);
  const rssK = new Float64Array(K);
  const x = new Float64Array(dim);
  for (let k = 0; k < K; k++) {
    x.set(local.mode);
    let tt = 0;
    let inside = true;
    free.forEach((a, u) => {
      let s = 0;
      for (let v = 0; v <= u; v++) s += L[u * q + v]! * draws[k * q + v]!;
      x[a] = local.mode[a]! + PROPOSAL_SCALE * s;
      tt += draws[k * q + u]! ** 2;
      if (x[a]! < bounds.lower[a]! || x[a]! > bounds.upper[a]!) inside = false;
    });
    pts.set(x, k * dim);
    if (!inside) continue;
    const rss = sumSq(sub.residuals(x));
    if (!Number.isFinite(rss)) continue;
    let pen = 0;
    for (const a of free) for (const b of free) pen += (x[a]! - mu[a]!) * prec[a * dim + b]! * (x[b]! - mu[b]!);
    rssK[k] = rss;
    logw[k] = -rss / (2 * sigma2) - pen / 2 + ((T_DF + q) / 2) * Math.log1p(tt / T_DF);
  }
  const top = Math.max(...logw);
  if (!Number.isFinite(top)) return null;
  let sw = 0;
  let sw2 = 0;
  const w = Float64Array.from(logw, (v) => Math.exp(v - top));
  for (const v of w) {
    sw += v;
    sw2 += v * v;
  }
  // Effective sample size: below 10 the estimate of the moments is itself noise.
  if ((sw * sw) / sw2 < 10) return null;
  const mean = new Float64Array(dim);
  let rss = 0;
  for (let k = 0; k < K; k++) {
    const wk = w[k]! / sw;
    if (wk === 0) continue;
    for (let a = 0; a < dim; a++) mean[a] += wk * pts[k * dim + a]!;
    rss += wk * rssK[k]!;
  }
  const cov = new Float64Array(dim * dim);
  for (let k = 0; k < K; k++) {
    const wk = w[k]! / sw;
    if (wk === 0) continue;
    for (const a of free) for (const b of free) cov[a * dim + b] += wk * (pts[k * dim + a]! - mean[a]!) * (pts[k * dim + b]! - mean[b]!);
  }
  // A deterministic (systematic) resample of the weighted draws, for the fixed components' step.
  const kept: Float64Array[] = [];
  let acc = 0;
  let next = 0.5 / RESAMPLE;
  for (let k = 0; k < K && kept.length < RESAMPLE; k++) {
    acc += w[k]! / sw;
    while (acc > next && kept.length < RESAMPLE) {
      kept.push(pts.slice(k * dim, (k + 1) * dim));
      next += 1 / RESAMPLE;
    }
  }
  return { mean, cov, rss, draws: kept };
}

/** Draws kept per subject for the fixed components' Monte Carlo step. */
const RESAMPLE = 20;

/**
 * The Monte Carlo step of the components without a random effect (e.g.
 * delta_Ab), per component: a Newton step on the marginal likelihood from
 * every subject's resampled posterior draws (their random components held).
 * The score is the posterior mean of the complete-data score (Fisher's
 * identity); the information is the complete-data one less the missing one,
 * the posterior variance of that score (Louis 1982). The plain EM step
 * divides by the complete-data information alone: where the random effects
 * absorb most of what the component explains (delta_Ab against each
 * subject's theta and fM2), its steps shrink to nothing and the component
 * stays near its start for tens of rounds (antibody_clairon_sparse: still
 * moving at round 76).
 */
function fixedStep(subjects: NonlinearSubject[], draws: Float64Array[][], mu: Float64Array, fixed: number[], sigma2: number, bounds: { lower: Float64Array; upper: Float64Array }): Float64Array {
  const out = Float64Array.from(mu);
  const rssAt = (i: number, x: Float64Array, a: number, v: number): number => {
    const y = Float64Array.from(x);
    for (const b of fixed) y[b] = out[b]!;
    y[a] = v;
    return sumSq(subjects[i]!.residuals(y));
  };
  for (const a of fixed) {
    const b0 = out[a]!;
    const h = 1e-3 * Math.max(1, Math.abs(b0));
    let score = 0;
    let complete = 0;
    let missing = 0;
    let finite = true;
    subjects.forEach((_, i) => {
      const g: number[] = [];
      draws[i]!.forEach((x) => {
        const r0 = rssAt(i, x, a, b0);
        const rp = rssAt(i, x, a, b0 + h);
        const rm = rssAt(i, x, a, b0 - h);
        if (!Number.isFinite(r0 + rp + rm)) finite = false;
        g.push(-(rp - rm) / (2 * h) / (2 * sigma2));
        complete += (rp - 2 * r0 + rm) / (h * h) / (2 * sigma2) / draws[i]!.length;
      });
      const mean = g.reduce((u, v) => u + v, 0) / g.length;
      score += mean;
      missing += g.reduce((u, v) => u + (v - mean) ** 2, 0) / g.length;
    });
    if (!finite || !(complete > 0)) continue;
    // A component the data barely determine once the random effects have moved: no more than 20 times the EM step.
    const info = Math.max(complete - missing, 0.05 * complete);
    const step = Math.max(-0.5, Math.min(0.5, score / info));
    out[a] = Math.min(bounds.upper[a]!, Math.max(bounds.lower[a]!, b0 + step));
  }
  return out;
}

/** The M-step of the random components (and sigma^2) from importance-sampled posterior moments; Laplace moments where sampling failed. */
function importanceStep(
  subjects: NonlinearSubject[],
  locals: Local[],
  inner: InnerResult,
  fixedEffects: { mu: Float64Array; beta: Float64Array; cols: CovariateColumns | undefined },
  omega: Float64Array,
  sigma2: number,
  random: boolean[],
  fullBlocks: number[][],
  draws: Float64Array[],
  bounds: { lower: Float64Array; upper: Float64Array },
): { mu: Float64Array; beta: Float64Array; omega: Float64Array; sigma2: number; fallbacks: number } {
  const { mu, beta, cols } = fixedEffects;
  const dim = mu.length;
  const centre = centres(mu, beta, cols, subjects.length);
  const free = [...Array(dim).keys()].filter((a) => random[a]);
  const prec = precision(omega, dim, random);
  const M = subjects.length;
  let fallbacks = 0;
  const moments = subjects.map((s, i) => {
    const m = importanceMoments(s, locals[i]!, centre[i]!, prec, free, sigma2, draws[i]!, bounds);
    if (m) return m;
    fallbacks++;
    return null;
  });
  const regressed = regressMeans(moments.map((m, i) => (m ? m.mean : inner.posteriors[i]!.mean)), inner.mu, inner.beta, prec, free, cols);
  const nextMu = regressed.mu;
  const nextBeta = regressed.beta;
  const fixed = [...Array(dim).keys()].filter((a) => !random[a]);
  if (fixed.length > 0) {
    const kept = moments.map((m, i) => (m ? m.draws : [locals[i]!.mode]));
    const stepped = fixedStep(subjects, kept, mu, fixed, sigma2, bounds);
    for (const a of fixed) nextMu[a] = stepped[a]!;
  }
  const sameBlock = (a: number, b: number): boolean => a === b || fullBlocks.some((bl) => bl.includes(a) && bl.includes(b));
  const nextOmega = new Float64Array(dim * dim);
  const nextCentre = centres(nextMu, nextBeta, cols, M);
  moments.forEach((m, i) => {
    const mean = m ? m.mean : inner.posteriors[i]!.mean;
    const cov = m ? m.cov : inner.posteriors[i]!.cov;
    const c = nextCentre[i]!;
    for (const a of free) for (const b of free) if (sameBlock(a, b)) nextOmega[a * dim + b] += (cov[a * dim + b]! + (mean[a]! - c[a]!) * (mean[b]! - c[b]!)) / M;
  });
  for (const a of free) nextOmega[a * dim + a] = Math.max(nextOmega[a * dim + a]!, 1e-10);
  // sigma^2 from the sampled expected RSS where available (the Laplace share of the others is the inner EM's).
  let ess = 0;
  let dof = 0;
  moments.forEach((m, i) => {
    dof += subjects[i]!.dof;
    ess += m ? m.rss : inner.sigma2 * subjects[i]!.dof;
  });
  return { mu: nextMu, beta: nextBeta, omega: nextOmega, sigma2: Math.max(ess / Math.max(1, dof), 1e-300), fallbacks };
}

/** Omega^-1 over the random components (a floor keeps a vanished variance invertible). */
function precision(omega: Float64Array, dim: number, random: boolean[]): Float64Array {
  const idx = [...Array(dim).keys()].filter((a) => random[a]);
  const q = idx.length;
  const out = new Float64Array(dim * dim);
  if (q === 0) return out;
  const O = new Float64Array(q * q);
  idx.forEach((a, u) => idx.forEach((b, v) => (O[u * q + v] = omega[a * dim + b]! + (u === v ? 1e-10 : 0))));
  const inv = new Float64Array(q * q);
  for (let u = 0; u < q; u++) inv[u * q + u] = 1;
  if (!solveGeneral(O, q, inv, q)) return out;
  idx.forEach((a, u) => idx.forEach((b, v) => (out[a * dim + b] = inv[u * q + v]!)));
  return out;
}

/**
 * A subject whose rows are linear in a coefficient vector c(psi): only its
 * Gram sums are needed. ||y - G c||^2 = ||R c - z||^2 + rss_min with G'G = R'R
 * (Cholesky) and z = R^-T G'y, so the residual vector has as many entries as
 * coefficients (plus one constant entry carrying rss_min), whatever the
 * number of rows.
 */
export function linearSubject(
  st: { n: number; gtg: Float64Array; gty: Float64Array; yty: number },
  cols: number,
  coef: (psi: Float64Array, out: Float64Array) => void,
  start: Float64Array | null,
): NonlinearSubject {
  const P = cols;
  const R = Float64Array.from(st.gtg);
  let tr = 0;
  for (let j = 0; j < P; j++) tr += R[j * P + j]!;
  for (let j = 0; j < P; j++) R[j * P + j] += 1e-12 * (tr / P + 1e-300);
  // Lower Cholesky L (G'G = L L'), so R = L'.
  const L = new Float64Array(P * P);
  for (let j = 0; j < P; j++) {
    let d = R[j * P + j]!;
    for (let k = 0; k < j; k++) d -= L[j * P + k]! ** 2;
    const ljj = Math.sqrt(Math.max(d, 1e-300));
    L[j * P + j] = ljj;
    for (let i = j + 1; i < P; i++) {
      let s = R[i * P + j]!;
      for (let k = 0; k < j; k++) s -= L[i * P + k]! * L[j * P + k]!;
      L[i * P + j] = s / ljj;
    }
  }
  const z = Float64Array.from(st.gty);
  for (let i = 0; i < P; i++) {
    let s = z[i]!;
    for (let k = 0; k < i; k++) s -= L[i * P + k]! * z[k]!;
    z[i] = s / L[i * P + i]!;
  }
  let zz = 0;
  for (const v of z) zz += v * v;
  const rssMin = Math.max(0, st.yty - zz);
  const c = new Float64Array(P);
  return {
    dof: st.n,
    start,
    residuals(psi: Float64Array): Float64Array {
      coef(psi, c);
      const r = new Float64Array(P + 1);
      for (let i = 0; i < P; i++) {
        let s = -z[i]!;
        for (let k = i; k < P; k++) s += L[k * P + i]! * c[k]!;
        r[i] = s;
      }
      r[P] = Math.sqrt(rssMin);
      return r;
    },
  };
}

// Covariate effects in the log-scale population step (laplace-em.ts): each subject's typical parameters are
//     psi_i = mu + Z_i beta + eta_i,
// Z_i (dim x nb) with column c equal to z_ic on the component beta_c acts on (population/covariates.ts's T_i on
// the psi scale). The fixed effects gamma = (mu, beta) have the design D_i = [I | Z_i], so the EM's GLS step
// sum_i D_i' W_i D_i gamma = sum_i D_i' b_i keeps its form with a few more columns, and every place that read mu
// as a subject's prior centre reads D_i gamma instead. Effects act on components with a random effect only (the
// language puts covariate terms after a distribution), so the components without one keep their own M-step.
import { solveSpd } from "../numeric/linalg.js";

/** The covariate columns: coefficient c acts on component `params[c]`, with value `z[i][c]` for subject i. */
export interface CovariateColumns {
  params: number[];
  z: Float64Array[];
  /** Starting coefficients (default 0). */
  start?: Float64Array;
}

/** Subject i's prior centre D_i gamma: mu plus its covariate effects. */
export function centreOf(mu: Float64Array, beta: Float64Array, cols: CovariateColumns | undefined, i: number): Float64Array {
  const c = Float64Array.from(mu);
  if (!cols) return c;
  const z = cols.z[i]!;
  cols.params.forEach((a, k) => (c[a] = c[a]! + beta[k]! * z[k]!));
  return c;
}

/** Every subject's centre. */
export function centres(mu: Float64Array, beta: Float64Array, cols: CovariateColumns | undefined, M: number): Float64Array[] {
  return Array.from({ length: M }, (_, i) => centreOf(mu, beta, cols, i));
}

/** Column k of D_i as (component, factor). */
function column(dim: number, cols: CovariateColumns | undefined, i: number, k: number): [number, number] {
  return k < dim ? [k, 1] : [cols!.params[k - dim]!, cols!.z[i]![k - dim]!];
}

/**
 * GLS for gamma = (mu, beta): sum_i D_i' W_i D_i gamma = sum_i D_i' b_i, with per subject W_i (dim x dim, symmetric)
 * and b_i (null: the subject adds nothing). Returns gamma and its covariance (the inverse of the left-hand side),
 * both of length/size dim + nb; a tiny ridge keeps a column no subject informs at its old value.
 */
export function glsFixedEffects(
  weights: ({ W: Float64Array; b: Float64Array } | null)[],
  dim: number,
  cols: CovariateColumns | undefined,
  previous: Float64Array,
): { gamma: Float64Array; cov: Float64Array } {
  const D = dim + (cols?.params.length ?? 0);
  const lhs = new Float64Array(D * D);
  const rhs = new Float64Array(D);
  weights.forEach((w, i) => {
    if (!w) return;
    for (let a = 0; a < D; a++) {
      const [ja, fa] = column(dim, cols, i, a);
      if (fa === 0) continue;
      rhs[a] += fa * w.b[ja]!;
      for (let b = 0; b < D; b++) {
        const [jb, fb] = column(dim, cols, i, b);
        if (fb !== 0) lhs[a * D + b] += fa * fb * w.W[ja * dim + jb]!;
      }
    }
  });
  let tr = 0;
  for (let a = 0; a < D; a++) tr += Math.abs(lhs[a * D + a]!);
  const ridge = 1e-12 * (tr / D + 1e-300);
  for (let a = 0; a < D; a++) {
    lhs[a * D + a] += ridge;
    rhs[a] += ridge * previous[a]!;
  }
  // Symmetrise (a sum of symmetric matrices up to rounding).
  for (let a = 0; a < D; a++) for (let b = 0; b < a; b++) lhs[a * D + b] = lhs[b * D + a] = (lhs[a * D + b]! + lhs[b * D + a]!) / 2;
  const gamma = solveSpd(Float64Array.from(lhs), D, Float64Array.from(rhs)) ?? Float64Array.from(previous);
  const cov = new Float64Array(D * D).fill(Number.NaN);
  for (let k = 0; k < D; k++) {
    const e = new Float64Array(D);
    e[k] = 1;
    const x = solveSpd(Float64Array.from(lhs), D, e);
    if (!x) break;
    for (let a = 0; a < D; a++) cov[a * D + k] = x[a]!;
  }
  return { gamma, cov };
}

/**
 * The M-step of the random components' fixed effects from posterior means m_i: minimise
 * sum_i (m_i - D_i gamma)' P (m_i - D_i gamma) over the free components' mu and every beta (P = Omega^-1 over the
 * free components). Without covariates it is the mean of the m_i. Components not in `free` keep `mu`.
 */
export function regressMeans(means: Float64Array[], mu: Float64Array, beta: Float64Array, prec: Float64Array, free: number[], cols: CovariateColumns | undefined): { mu: Float64Array; beta: Float64Array } {
  const dim = mu.length;
  const nb = cols?.params.length ?? 0;
  const outMu = Float64Array.from(mu);
  if (nb === 0) {
    for (const a of free) outMu[a] = means.reduce((s, m) => s + m[a]!, 0) / Math.max(1, means.length);
    return { mu: outMu, beta: Float64Array.from(beta) };
  }
  const idx = [...free, ...Array.from({ length: nb }, (_, c) => dim + c)];
  const n = idx.length;
  const lhs = new Float64Array(n * n);
  const rhs = new Float64Array(n);
  means.forEach((m, i) => {
    // Column u of D_i restricted to the free components, as (component, factor).
    const colOf = (u: number): [number, number] => column(dim, cols, i, idx[u]!);
    for (let u = 0; u < n; u++) {
      const [ja, fa] = colOf(u);
      if (fa === 0) continue;
      for (const b of free) rhs[u] += fa * prec[ja * dim + b]! * m[b]!;
      for (let v = 0; v < n; v++) {
        const [jb, fb] = colOf(v);
        if (fb !== 0) lhs[u * n + v] += fa * fb * prec[ja * dim + jb]!;
      }
    }
  });
  let tr = 0;
  for (let u = 0; u < n; u++) tr += Math.abs(lhs[u * n + u]!);
  const old = idx.map((k) => (k < dim ? mu[k]! : beta[k - dim]!));
  for (let u = 0; u < n; u++) {
    lhs[u * n + u] += 1e-12 * (tr / n + 1e-300);
    rhs[u] += 1e-12 * (tr / n + 1e-300) * old[u]!;
  }
  const x = solveSpd(lhs, n, rhs);
  const outBeta = Float64Array.from(beta);
  if (x) idx.forEach((k, u) => (k < dim ? (outMu[k] = x[u]!) : (outBeta[k - dim] = x[u]!)));
  return { mu: outMu, beta: outBeta };
}

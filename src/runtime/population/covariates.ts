// Covariate effects as fixed effects of the population step. With
//     theta_i = theta + sum_c beta_c z_ic + b_i
// a subject's rows y_i = G_i theta_i + e_i become y_i = X_i (theta, beta) + G_i S b_i + e_i with
// X_i = G_i T_i, T_i = [I | e_{j_c} z_ic]: column p + c of X_i is G_i[:, j_c] z_ic. Since X_i'X_i =
// T_i' G_i'G_i T_i, the extension acts on the Gram sums alone: every row builder gets it for free, and the
// mixed model sees p + (number of betas) fixed effects with the random effects still on the first p.
import type { SubjectStats } from "./subject-rows.js";

/**
 * The Gram sums of X_i = G_i T_i (see the top of this file), p + params.length columns: `params[c]` is the parameter
 * (column of G) coefficient c multiplies, `z[c]` its covariate value for this subject.
 */
export function withCovariates(st: SubjectStats, p: number, params: ArrayLike<number>, z: Float64Array): SubjectStats {
  const nb = params.length;
  if (nb === 0) return st;
  const P = p + nb;
  // Column k of X as (column of G, factor).
  const col = (k: number): [number, number] => (k < p ? [k, 1] : [params[k - p]!, z[k - p]!]);
  const gtg = new Float64Array(P * P);
  const gty = new Float64Array(P);
  for (let a = 0; a < P; a++) {
    const [ja, fa] = col(a);
    gty[a] = fa * st.gty[ja]!;
    for (let b = 0; b < P; b++) {
      const [jb, fb] = col(b);
      gtg[a * P + b] = fa * fb * st.gtg[ja * p + jb]!;
    }
  }
  return { n: st.n, gtg, gty, yty: st.yty };
}

/** A subject's parameters at its covariates, before its random effects: theta_j + sum_c beta_c z_ic. */
export function typicalTheta(fixed: Float64Array, p: number, params: ArrayLike<number>, z: Float64Array): Float64Array {
  const th = Float64Array.from(fixed.subarray(0, p));
  for (let k = 0; k < params.length; k++) th[params[k]!] = th[params[k]!]! + fixed[p + k]! * z[k]!;
  return th;
}

// The covariate coefficients of a fit, as the FitResult reports them. The dense population step estimates every
// effect additively on the natural scale (theta_i = theta + beta z_i + b_i). For a positive (log-normal) parameter
// the spec's effect is on log theta, so beta is converted at the reference covariate value (z = 0): for a
// categorical level, exactly, beta_log = log((theta + beta) / theta) (the typical value at that level over the
// reference's); for a continuous term, by the tangent there, beta_log = beta / theta. SEs by the delta method with the
// joint covariance of (theta, beta). When the population step works on log theta itself, this conversion goes.
import type { ModelMeta } from "../model.js";
import type { CovariateEffectEstimate, FitResult } from "../fit-result.js";
import type { CovariateCoefficient } from "../data/covariate-coefficients.js";

/** Estimates and covariance of the stacked fixed effects (theta then beta), and the null directions. */
export interface FixedEffects {
  theta: Float64Array;
  cov: Float64Array;
  nullSpace: Float64Array[];
}

export function covariateEstimates(
  meta: Pick<ModelMeta, "parameters" | "covariates">,
  coefs: CovariateCoefficient[],
  fixed: FixedEffects,
  notes: string[],
): Record<string, CovariateEffectEstimate> {
  const p = meta.parameters.length;
  const P = fixed.theta.length;
  const out: Record<string, CovariateEffectEstimate> = {};
  const converted = new Set<string>();
  coefs.forEach((c, k) => {
    const b = p + k;
    const j = c.param;
    const par = meta.parameters[j]!;
    const inNull = fixed.nullSpace.some((v) => Math.abs(v[b]!) > 1e-6);
    const vb = fixed.cov[b * P + b]!;
    const se = inNull || !(vb >= 0) ? null : Math.sqrt(vb);
    const beta = fixed.theta[b]!;
    const base = { parameter: par.name, covariate: meta.covariates[c.covariate]!, ...(c.level !== undefined ? { level: c.level } : {}) };
    if (!par.positive) {
      out[c.name] = { ...base, estimate: beta, se, scale: "natural" };
      return;
    }
    const theta = fixed.theta[j]!;
    const vt = fixed.cov[j * P + j]!;
    const ctb = fixed.cov[j * P + b]!;
    // Gradient of beta_log in (theta, beta).
    let estimate: number;
    let gt: number;
    let gb: number;
    if (c.level !== undefined) {
      estimate = Math.log((theta + beta) / theta);
      gt = 1 / (theta + beta) - 1 / theta;
      gb = 1 / (theta + beta);
    } else {
      estimate = beta / theta;
      gt = -beta / (theta * theta);
      gb = 1 / theta;
    }
    const vlog = gt * gt * vt + 2 * gt * gb * ctb + gb * gb * vb;
    converted.add(par.name);
    out[c.name] = {
      ...base,
      estimate: Number.isFinite(estimate) ? estimate : Number.NaN,
      se: se === null || !(vlog >= 0) || !Number.isFinite(estimate) ? null : Math.sqrt(vlog),
      scale: "log",
      natural: { estimate: beta, se },
    };
  });
  if (converted.size > 0)
    notes.push(
      `Covariate effects on ${[...converted].join(", ")} (log-normal) were estimated additively on the natural scale (theta_i = theta + beta z_i + b_i) and converted to the log scale at the reference covariate value: log((theta + beta) / theta) for a categorical level, beta / theta for a continuous term (its tangent at z = 0); the natural-scale values are kept as \`natural\`.`,
    );
  for (const [name, e] of Object.entries(out)) if (!Number.isFinite(e.estimate)) {
    notes.push(`${name}: the typical value at level ${e.level} is not positive on the natural scale, so it has no log-scale effect; reported as null.`);
    (e as { estimate: number | null }).estimate = null;
  }
  return out;
}

/** The FitResult fields of covariates: estimates, and the data's levels. */
export function covariateFields(
  meta: Pick<ModelMeta, "parameters"> & Partial<Pick<ModelMeta, "states">>,
  effects: Record<string, CovariateEffectEstimate>,
  levels: Record<string, string[]> | undefined,
): Pick<FitResult, "covariateEffects" | "covariateLevels"> {
  const out: Pick<FitResult, "covariateEffects" | "covariateLevels"> = {};
  // Present (possibly empty: a categorical covariate with one level in the data) whenever the spec declares effects,
  // on a parameter or on an initial value.
  const declared = meta.parameters.some((p) => (p.covariateEffects ?? []).length > 0) || (meta.states ?? []).some((s) => (s.initialCovariateEffects ?? []).length > 0);
  if (declared) out.covariateEffects = effects;
  if (levels && Object.keys(levels).length > 0) out.covariateLevels = levels;
  return out;
}

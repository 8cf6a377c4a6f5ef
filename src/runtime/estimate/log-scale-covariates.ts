// Covariate effects in the log-scale population steps (dense: log-scale.ts; latent states: latent-log-scale.ts).
// Each coefficient becomes a column of the Laplace EM's fixed effects acting on the component of its parameter
// (population/laplace-covariates.ts), so it is estimated on the parameter's own scale: log theta for a positive
// parameter (the spec's `V ~ lognormal + log(WT / 70)` is log V_i = log V + beta log(WT_i / 70) + eta_i, with no
// conversion), theta for an additive one. Its standard error is the GLS one of the EM's last round.
import type { ModelMeta } from "../model.js";
import type { CovariateEffectEstimate } from "../fit-result.js";
import type { LaplaceEmFit } from "../population/laplace-em.js";
import type { CovariateColumns } from "../population/laplace-covariates.js";
import { covariateCoefficients, covariateValues, type CovariateCoefficient } from "../data/covariate-coefficients.js";

export interface LogScaleCovariates {
  /** The coefficients estimated (those whose parameter is a component with a random effect). */
  coefs: CovariateCoefficient[];
  /** Their columns for laplaceEm (undefined when there are none). */
  columns: CovariateColumns | undefined;
  /** Coefficients whose parameter is not a component of this step: not estimated. */
  dropped: string[];
}

/**
 * The covariate columns of a log-scale step whose components are model parameters: `componentOf(j)` is the
 * component of parameter j (-1: not a component), `random[a]` whether component a has a random effect, `cov[i]`
 * subject i's covariate values (level codes for categorical ones).
 */
export function logScaleCovariates(
  meta: Pick<ModelMeta, "parameters" | "covariates">,
  levels: Record<string, string[]> | undefined,
  componentOf: (param: number) => number,
  random: boolean[],
  cov: Float64Array[],
): LogScaleCovariates {
  const all = covariateCoefficients(meta, levels);
  const coefs = all.filter((c) => componentOf(c.param) >= 0 && random[componentOf(c.param)]);
  const dropped = all.filter((c) => !coefs.includes(c)).map((c) => c.name);
  if (coefs.length === 0) return { coefs, columns: undefined, dropped };
  return { coefs, columns: { params: coefs.map((c) => componentOf(c.param)), z: cov.map((x) => covariateValues(coefs, x)) }, dropped };
}

/** The estimates of a fitted step, on the parameter's scale (`log` when its component is on the log scale). */
export function logScaleCovariateEstimates(
  meta: Pick<ModelMeta, "parameters" | "covariates">,
  cov: LogScaleCovariates,
  em: Pick<LaplaceEmFit, "beta" | "fixedCov" | "mu">,
  onLogScale: (param: number) => boolean,
): Record<string, CovariateEffectEstimate> {
  const dim = em.mu.length;
  const D = dim + em.beta.length;
  const out: Record<string, CovariateEffectEstimate> = {};
  cov.coefs.forEach((c, k) => {
    const v = em.fixedCov[(dim + k) * D + dim + k]!;
    out[c.name] = {
      parameter: meta.parameters[c.param]!.name,
      covariate: meta.covariates[c.covariate]!,
      ...(c.level !== undefined ? { level: c.level } : {}),
      estimate: em.beta[k]!,
      se: v >= 0 && Number.isFinite(v) ? Math.sqrt(v) : null,
      scale: onLogScale(c.param) ? "log" : "natural",
    };
  });
  return out;
}

/** The note of a log-scale step that estimated covariate effects (and of those it could not). */
export function logScaleCovariateNote(cov: LogScaleCovariates): string | null {
  if (cov.coefs.length === 0 && cov.dropped.length === 0) return null;
  const parts: string[] = [];
  if (cov.coefs.length > 0)
    parts.push(`Covariate effects (${cov.coefs.map((c) => c.name).join(", ")}) were estimated in the same population step, on each parameter's own scale (the log scale for a positive parameter: log theta_i = log theta + beta z_i + eta_i), as fixed effects beside the typical values.`);
  if (cov.dropped.length > 0)
    parts.push(`Covariate effects ${cov.dropped.join(", ")} were not estimated: their parameter is not a component of this population step (it enters no observed row, or has no random effect).`);
  return parts.join(" ");
}

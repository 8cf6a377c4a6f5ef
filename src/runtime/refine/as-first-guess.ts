// The refined estimates in the shape of a FitResult, so that the exporters (which read FitResult's additive
// convention: theta_i = theta + b_i) write them as initial values. A log-normal parameter with median m and
// omega w is written as the mean theta = m exp(w^2/2) and additive SD theta sqrt(exp(w^2) - 1): the exporters'
// moment matching turns that back into exactly (m, w).
import type { FitResult } from "../fit-result.js";

export const REFINED_BANNER = "initial values are SAEM maximum-likelihood estimates (weakform-nlme --refine), refined from the weak-form first guess";

export function refinedAsFirstGuess(fit: FitResult): { fit: FitResult; initialStates: Record<string, number> } {
  const refined = fit.refined;
  if (!refined) return { fit, initialStates: {} };
  const parameters: FitResult["parameters"] = { ...fit.parameters };
  const initialStates: Record<string, number> = {};
  for (const [name, p] of Object.entries(refined.parameters)) {
    if (p.initialState) {
      initialStates[p.initialState] = p.estimate;
      continue;
    }
    const w = p.omega;
    let estimate = p.estimate;
    let omega: number | null = w;
    if (p.distribution === "logNormal" && w !== null) {
      estimate = p.estimate * Math.exp((w * w) / 2);
      omega = estimate * Math.sqrt(Math.expm1(w * w));
    }
    parameters[name] = { estimate, se: p.se, omega };
  }
  const individual: FitResult["individual"] = {};
  for (const [id, row] of Object.entries(refined.individual)) individual[id] = { ...fit.individual[id], ...(Object.keys(row.mode).length ? row.mode : row.mean) };
  const residual: FitResult["residual"] = {};
  for (const [name, r] of Object.entries(refined.residual)) residual[name] = { error: r.error, ...(r.a !== undefined ? { a: r.a } : {}), ...(r.b !== undefined ? { b: r.b } : {}) };
  const omegaCorrelation = { ...refined.omegaCorrelation };
  const covariateEffects = fit.covariateEffects ? { ...fit.covariateEffects } : undefined;
  for (const [name, e] of Object.entries(refined.covariateEffects ?? {}))
    if (covariateEffects) covariateEffects[name] = { parameter: e.parameter, covariate: e.covariate, ...(e.level !== undefined ? { level: e.level } : {}), estimate: e.estimate, se: e.se, scale: e.scale };
  return {
    fit: { ...fit, parameters, individual, residual, omegaCorrelation, ...(covariateEffects ? { covariateEffects } : {}), notes: [...fit.notes, REFINED_BANNER] },
    initialStates,
  };
}

// Covariate effects on estimated initial values (`W(0) ~ lognormal + DIET`). The dense path estimates each subject's
// X(0) from its integral rows' nuisance coefficient (initial-states.ts), outside the population step of the
// parameters, so the effects are a second stage: the individual values, on the declared scale (log X(0) when
// logNormal), regressed by least squares on the effects' columns (the same coefficients as a parameter's,
// data/covariate-coefficients.ts). The intercept is the typical value at the reference, the residual SD the omega
// left over, the standard errors the regression's.
import type { ModelMeta } from "../model.js";
import type { CovariateEffectEstimate, InitialStateEstimate } from "../fit-result.js";
import { regressInitialValue } from "../data/initial-value-regression.js";

/** Fits the effects of state `k` in place on its estimate (typical value and omega) and returns the coefficients. */
export function initialCovariateEffects(
  meta: Pick<ModelMeta, "states" | "covariates">,
  k: number,
  estimate: InitialStateEstimate,
  covariatesOf: (id: string) => Float64Array | undefined,
  levels: Record<string, string[]> | undefined,
): Record<string, CovariateEffectEstimate> {
  const state = meta.states[k]!;
  const log = estimate.scale === "log";
  const values: { value: number; covariates: Float64Array }[] = [];
  for (const [id, value] of Object.entries(estimate.individual)) {
    const covariates = covariatesOf(id);
    if (covariates) values.push({ value, covariates });
  }
  const fitted = regressInitialValue(meta, k, values, log, levels);
  if (!fitted) return {};
  const { coefs, beta, s2, se } = fitted;
  estimate.estimate = log ? Math.exp(beta[0]!) : beta[0]!;
  estimate.omega = Math.sqrt(s2);
  estimate.note += `; typical value at the reference and SD left over by the covariate effects (${coefs.map((c) => c.name).join(", ")}), a least-squares regression of the individual ${log ? "log " : ""}values`;
  const out: Record<string, CovariateEffectEstimate> = {};
  coefs.forEach((c, i) => {
    out[c.name] = {
      parameter: `${state.name}(0)`,
      covariate: meta.covariates[c.covariate]!,
      ...(c.level !== undefined ? { level: c.level } : {}),
      estimate: beta[i + 1]!,
      se: se(i + 1),
      scale: log ? "log" : "natural",
    };
  });
  return out;
}

/** Every estimated initial value's covariate effects (its estimate updated in place), and a note when one has none. */
export function initialStateEffects(
  meta: Pick<ModelMeta, "states" | "covariates">,
  initial: Record<string, InitialStateEstimate> | undefined,
  subjects: readonly { id: string; covariates: Float64Array }[],
  levels: Record<string, string[]> | undefined,
  notes: string[],
): Record<string, CovariateEffectEstimate> {
  const byId = new Map(subjects.map((s) => [s.id, s.covariates]));
  const out: Record<string, CovariateEffectEstimate> = {};
  meta.states.forEach((s, k) => {
    if (!s.initialCovariateEffects?.length) return;
    const est = initial?.[s.name];
    const effects = est ? initialCovariateEffects(meta, k, est, (id) => byId.get(id), levels) : {};
    if (Object.keys(effects).length === 0)
      notes.push(`The covariate effects on ${s.name}(0) were not estimated: ${est ? "too few subjects have an estimated initial value" : `no subject's ${s.name}(0) was estimated (test-function rows never read it; integral rows do)`}.`);
    Object.assign(out, effects);
  });
  return out;
}

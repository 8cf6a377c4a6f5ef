// Covariate effects on an initial value (`W(0) ~ lognormal + Diet`) as a least-squares regression of per-subject
// values (their logs when logNormal) on the effects' columns, the same coefficients as a parameter's. The fit uses
// it on the subjects' estimated X(0), the export on its data guesses when it starts away from time 0.
import type { ModelMeta } from "../model.js";
import { covariateCoefficients, covariateValues, type CovariateCoefficient } from "./covariate-coefficients.js";
import { solveSpd } from "../numeric/linalg.js";

export interface InitialValueRegression {
  coefs: CovariateCoefficient[];
  /** Intercept (the reference's value on the regressed scale), then one per coefficient. */
  beta: Float64Array;
  /** Residual variance: the omega^2 the covariates leave. */
  s2: number;
  /** Standard error of beta[a], or null when the information is not positive there. */
  se(a: number): number | null;
}

/** Null when state `k` carries no effects, or the values are too few (or collinear) to regress. */
export function regressInitialValue(
  meta: Pick<ModelMeta, "states" | "covariates">,
  k: number,
  values: readonly { value: number; covariates: Float64Array }[],
  log: boolean,
  levels: Record<string, string[]> | undefined,
): InitialValueRegression | null {
  const state = meta.states[k]!;
  const effects = state.initialCovariateEffects ?? [];
  if (effects.length === 0) return null;
  // The coefficients as for a parameter that carries these effects.
  const carrier = { name: `${state.name}(0)`, variability: "random" as const, distribution: "normal" as const, covariateEffects: effects };
  const coefs = covariateCoefficients({ covariates: meta.covariates, parameters: [carrier] }, levels);
  const rows = values
    .filter((v) => Number.isFinite(v.value) && (!log || v.value > 0))
    .map((v) => ({ y: log ? Math.log(v.value) : v.value, x: Float64Array.from([1, ...covariateValues(coefs, v.covariates)]) }));
  const P = coefs.length + 1;
  if (rows.length <= P) return null;
  const xtx = new Float64Array(P * P);
  const xty = new Float64Array(P);
  for (const { y, x } of rows)
    for (let a = 0; a < P; a++) {
      xty[a] += x[a]! * y;
      for (let b = 0; b < P; b++) xtx[a * P + b] += x[a]! * x[b]!;
    }
  const beta = solveSpd(Float64Array.from(xtx), P, Float64Array.from(xty));
  if (!beta) return null;
  let rss = 0;
  for (const { y, x } of rows) rss += (y - x.reduce((s, v, a) => s + v * beta[a]!, 0)) ** 2;
  const s2 = rss / (rows.length - P);
  const se = (a: number): number | null => {
    const e = new Float64Array(P);
    e[a] = 1;
    const col = solveSpd(Float64Array.from(xtx), P, e);
    return col && col[a]! >= 0 ? Math.sqrt(s2 * col[a]!) : null;
  };
  return { coefs, beta, s2, se };
}

// Covariate effects on an initial value whose export starts from data guesses (options.t0 set away from time 0,
// where the fit holds X(0), or a fit without X(0)): the fit's coefficients are time-0 values and would no longer
// match a typical value guessed at t_0. Both then come from the same guesses: a least-squares regression of each
// subject's guess (its log when logNormal) on the effects' columns, the intercept the typical value at the
// reference level, the residual SD the omega the covariates leave.
import type { ModelMeta } from "../model.js";
import { regressInitialValue } from "../data/initial-value-regression.js";

export interface SubjectGuess {
  value: number;
  covariates: Float64Array;
}

export interface GuessEffects {
  typical: number;
  omega: number;
  /** By exported coefficient name (`beta_W0_Diet_D2`). */
  coefficients: Map<string, number>;
}

/** Null when the state carries no effects or the guesses are too few (or collinear) to regress. */
export function guessEffects(
  meta: Pick<ModelMeta, "states" | "covariates">,
  k: number,
  guesses: SubjectGuess[],
  log: boolean,
  levels: Record<string, string[]> | undefined,
): GuessEffects | null {
  const fitted = regressInitialValue(meta, k, guesses, log, levels);
  if (!fitted || !fitted.beta.every(Number.isFinite)) return null;
  const { coefs, beta, s2 } = fitted;
  return {
    typical: log ? Math.exp(beta[0]!) : beta[0]!,
    omega: Math.sqrt(s2),
    coefficients: new Map(coefs.map((c, i) => [c.name, beta[i + 1]!])),
  };
}

// Covariate effects on an initial value whose export starts from data guesses (options.t0 set away from time 0,
// where the fit holds X(0), or a fit without X(0)): the fit's coefficients are time-0 values and would no longer
// match a typical value guessed at t_0. Both then come from the same guesses: a least-squares regression of each
// subject's guess (its log when logNormal) on the effects' columns, the intercept the typical value at the
// reference level, the residual SD the omega the covariates leave.
import type { ModelMeta } from "../model.js";
import { covariateCoefficients, covariateValues } from "../data/covariate-coefficients.js";
import { solveSpd } from "../numeric/linalg.js";

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
  const state = meta.states[k]!;
  const effects = state.initialCovariateEffects ?? [];
  if (effects.length === 0) return null;
  const carrier = { name: `${state.name}(0)`, variability: "random" as const, distribution: "normal" as const, covariateEffects: effects };
  const coefs = covariateCoefficients({ covariates: meta.covariates, parameters: [carrier] }, levels);
  const rows = guesses
    .filter((g) => Number.isFinite(g.value) && (!log || g.value > 0))
    .map((g) => ({ y: log ? Math.log(g.value) : g.value, x: Float64Array.from([1, ...covariateValues(coefs, g.covariates)]) }));
  const P = coefs.length + 1;
  if (rows.length <= P) return null;
  const xtx = new Float64Array(P * P);
  const xty = new Float64Array(P);
  for (const { y, x } of rows)
    for (let a = 0; a < P; a++) {
      xty[a] += x[a]! * y;
      for (let b = 0; b < P; b++) xtx[a * P + b] += x[a]! * x[b]!;
    }
  const beta = solveSpd(xtx, P, xty);
  if (!beta || !beta.every(Number.isFinite)) return null;
  let rss = 0;
  for (const { y, x } of rows) rss += (y - x.reduce((s, v, a) => s + v * beta[a]!, 0)) ** 2;
  return {
    typical: log ? Math.exp(beta[0]!) : beta[0]!,
    omega: Math.sqrt(rss / (rows.length - P)),
    coefficients: new Map(coefs.map((c, i) => [c.name, beta[i + 1]!])),
  };
}

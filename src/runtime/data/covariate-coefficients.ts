// The coefficients of a model's covariate effects, given the data's levels: one per continuous term, one per
// non-reference level of a categorical covariate. Shared by the estimator (which adds them as fixed effects), the
// simulator and the exports, so that all three name and compute them alike.
import type { ModelMeta } from "../model.js";

/** One estimated covariate coefficient (one per continuous term, one per non-reference level of a categorical one). */
export interface CovariateCoefficient {
  /** `beta_<parameter>_<covariate>`, with `_<level>` for a categorical level. */
  name: string;
  /** Index of the parameter (into `meta.parameters`, and the column of G it multiplies). */
  param: number;
  /** Index of the covariate in `meta.covariates`. */
  covariate: number;
  /** Categorical: the level this coefficient is the effect of (relative to the reference). */
  level?: string;
  /** z for a subject from its covariates (level codes for categorical ones). */
  value: (cov: Float64Array) => number;
}

/** A level as part of a coefficient's name: characters other than letters, digits and `_` become `_`. */
export function levelSuffix(level: string): string {
  return level.replace(/[^A-Za-z0-9_]/g, "_");
}

/**
 * The coefficients of the model's covariate effects, in parameter order then as written, with the data's levels
 * (`Dataset.levels`: the reference first). A categorical covariate whose data have a single level gives none.
 */
export function covariateCoefficients(meta: Pick<ModelMeta, "parameters" | "covariates">, levels: Record<string, string[]> = {}): CovariateCoefficient[] {
  const out: CovariateCoefficient[] = [];
  meta.parameters.forEach((par, j) => {
    for (const e of par.covariateEffects ?? []) {
      if (e.kind === "continuous") {
        out.push({ name: e.name, param: j, covariate: e.covariate, value: e.value });
        continue;
      }
      const lv = levels[meta.covariates[e.covariate]!] ?? [];
      lv.forEach((level, code) => {
        if (code === 0) return;
        out.push({ name: `${e.name}_${levelSuffix(level)}`, param: j, covariate: e.covariate, level, value: (cov) => (cov[e.covariate] === code ? 1 : 0) });
      });
    }
  });
  return out;
}

/** z_ic for every coefficient c, from a subject's covariates. */
export function covariateValues(coefs: CovariateCoefficient[], cov: Float64Array): Float64Array {
  return Float64Array.from(coefs, (c) => c.value(cov));
}


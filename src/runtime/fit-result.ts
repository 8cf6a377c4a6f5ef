// What a fit produces. Serialised as-is to `fit.json` and `nlme fit --json`,
// and read back by `nlme export`: keep it plain JSON (no typed arrays, no NaN:
// use null for "not available").
import type { FitQuality } from "./fit-quality.js";

export interface ParameterEstimate {
  estimate: number;
  /** Standard error of the fixed effect; null when not identifiable. */
  se: number | null;
  /** SD of the additive random effect (theta_i = theta + b_i); null for a fixed-only parameter. */
  omega: number | null;
  /**
   * Set when the parameter is no coefficient of the regression but was mapped back per subject (e.g. fM2 from
   * theta*fM2): `estimate` is then the median of the individual values and `omega` their SD.
   */
  fromIndividuals?: boolean;
}

/**
 * One covariate coefficient (`beta_V_WT`, `beta_r_DIET_2`), on the parameter's transformed scale as the spec
 * declares it: log theta for a positive (log-normal) parameter, theta itself otherwise.
 */
export interface CovariateEffectEstimate {
  parameter: string;
  covariate: string;
  /** Categorical: the level whose effect (relative to the reference) this is. */
  level?: string;
  estimate: number;
  se: number | null;
  /** Scale of `estimate`: `log` for a positive parameter (log theta_i = log theta + beta z + eta). */
  scale: "natural" | "log";
  /**
   * Set when the population step estimated the effect additively on the natural scale and `estimate` is its
   * conversion to the log scale (at the reference covariate value): the natural-scale value and its SE.
   */
  natural?: { estimate: number; se: number | null };
}

export interface ResidualError {
  /** Additive part (constant and combined error models), on the observed scale. */
  a?: number;
  /** Proportional part (proportional and combined). */
  b?: number;
  error: "constant" | "proportional" | "combined";
}

export interface FitResult {
  model: string;
  subjects: number;
  /** Fit time in seconds, without start-up. */
  seconds: number;
  parameters: Record<string, ParameterEstimate>;
  /** Correlations of random effects, keyed "A,B" in declaration order. */
  omegaCorrelation: Record<string, number>;
  /** Observation error per output (from the smoothing residuals). */
  residual: Record<string, ResidualError>;
  /** Per subject id: every declared parameter and derived quantity. */
  individual: Record<string, Record<string, number>>;
  /** Population values of derived quantities. */
  derived: Record<string, number>;
  /** Random-effect covariance (additive scale), rows/cols in `omegaNames` order. */
  omega: { names: string[]; matrix: number[][] };
  /** Covariate coefficients by name, in the order of the spec's parameters and terms; absent without covariate effects. */
  covariateEffects?: Record<string, CovariateEffectEstimate>;
  /** Levels of each categorical covariate as in the data, the reference first. */
  covariateLevels?: Record<string, string[]>;
  /** Parameter combinations the data cannot identify (empty when all are). */
  unidentifiable: { combination: Record<string, number>; note: string }[];
  /** Human-readable notes: mappings of products, reweighting, warnings. */
  notes: string[];
  /** Dictionary models: every selected term. */
  terms?: { equation: string; term: string; estimate: number; omega: number | null; stability: number }[];
  /** Estimator settings actually used, for reproducibility. */
  settings: Record<string, unknown>;
  /** The check of the fit against its own data (individual predictions, signs, bounds); absent in fits saved before it existed. */
  quality?: FitQuality;
}

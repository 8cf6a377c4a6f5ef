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
  /**
   * "log" for a positive parameter estimated on the log scale: `estimate` is the typical value exp(mu), `omega`
   * the SD of log(theta_i) (Monolix's omega), `se` by the delta method. Absent: additive.
   */
  scale?: "log";
}

/** An initial state the spec does not fix, estimated per subject (see estimate/initial-states.ts). */
export interface InitialStateEstimate {
  /** Typical value of X(0): exp(mean log) when every subject's value is positive, else the mean. */
  estimate: number;
  /** SD between subjects: of log X(0) when `scale` is "log", else additive. */
  omega: number;
  scale: "log" | "additive";
  /** Per subject id. */
  individual: Record<string, number>;
  /** How the value at time 0 was obtained (e.g. integrated back from the first sample). */
  note: string;
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
  /** What the loader noticed in the data (rows skipped, negative values, outliers...); absent when nothing. */
  dataWarnings?: string[];
  /** Dictionary models: every selected term. */
  terms?: { equation: string; term: string; estimate: number; omega: number | null; stability: number }[];
  /** Estimated initial states, by state name (absent when every initial state is fixed or none was estimated). */
  initialStates?: Record<string, InitialStateEstimate>;
  /** Estimator settings actually used, for reproducibility. */
  settings: Record<string, unknown>;
  /** The check of the fit against its own data (individual predictions, signs, bounds); absent in fits saved before it existed. */
  quality?: FitQuality;
  /** Maximum-likelihood refinement by SAEM from this first guess (`--refine`); the first guess above stays. */
  refined?: RefinedFit;
}

// The `refined` section of a fit: what SAEM produced from the first guess (`--refine`).

export interface RefinedParameter {
  /** Typical value on the natural scale: the median exp(mu) of a log-normal parameter, the mean of a normal one. */
  estimate: number;
  se: number | null;
  /** SD of the random effect on the transformed scale (Monolix's omega); null without variability. */
  omega: number | null;
  omegaSe: number | null;
  distribution: "normal" | "logNormal";
  /** The typical value SAEM started from (the first guess's, or the start given). */
  start: number;
  /** The omega SAEM started from. */
  startOmega: number | null;
  /** Set for an initial state the model does not fix (Monolix's `X0`). */
  initialState?: string;
}

export interface RefinedFit {
  method: "SAEM";
  seconds: number;
  seed: number;
  /** "first guess" or "given" (naive starts, `refine(..., { start })`). */
  startedFrom: string;
  /** Time at which estimated initial states hold. */
  t0: number;
  parameters: Record<string, RefinedParameter>;
  /**
   * Covariate coefficients on the transformed scale of their parameter (`log` for a log-normal one), named as in the
   * first guess's `covariateEffects`, with the value SAEM started from; absent without covariate effects.
   */
  covariateEffects?: Record<string, Omit<CovariateEffectEstimate, "natural"> & { start: number }>;
  /** Correlations of random effects within full blocks, keyed "A,B". */
  omegaCorrelation: Record<string, number>;
  residual: Record<string, ResidualError & { aSe?: number | null; bSe?: number | null }>;
  /** log p(y) by importance sampling, with its Monte Carlo standard error. */
  logLikelihood: { value: number; mcSe: number; samples: number };
  /** -2 logLik + 2 k, and with log(subjects) per parameter. */
  aic: number;
  bic: number;
  /** Per subject id: conditional means and conditional modes of every parameter (natural scale). */
  individual: Record<string, { mean: Record<string, number>; mode: Record<string, number> }>;
  /** Per SAEM iteration (after burn-in). */
  trace: {
    iteration: number[];
    /** Iterations with step 1 (the rest have step 1/k^0.7; the estimate averages the last half of them). */
    exploration: number;
    completeLogLik: number[];
    parameters: Record<string, number[]>;
    omega: Record<string, number[]>;
    residual: Record<string, number[]>;
  };
  settings: Record<string, unknown>;
  notes: string[];
  /**
   * With first-order absorption into one compartment (`meta.absorption`): the runs from both branches of the
   * flip-flop (ka and ke swapped give the same typical curve), in the order they ran, the kept one (higher
   * log-likelihood) being this result. Absent for other models, or when ka and ke ended within 10% of each other.
   */
  branches?: {
    startedFrom: string;
    /** The names of the absorption and elimination rates. */
    ka: string;
    ke: string;
    /** "flip-flop": ka < ke. */
    branch: "flip-flop" | "conventional";
    kept: boolean;
    logLikelihood: { value: number; mcSe: number };
    /** Typical values on the natural scale, and omegas, by parameter. */
    parameters: Record<string, number>;
    omega: Record<string, number>;
    iterations: number;
    seconds: number;
  }[];
}

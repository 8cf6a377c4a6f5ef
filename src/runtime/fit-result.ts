// What a fit produces. Serialised as-is to `fit.json` and `nlme fit --json`,
// and read back by `nlme export`: keep it plain JSON (no typed arrays, no NaN:
// use null for "not available").

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
  /** Parameter combinations the data cannot identify (empty when all are). */
  unidentifiable: { combination: Record<string, number>; note: string }[];
  /** Human-readable notes: mappings of products, reweighting, warnings. */
  notes: string[];
  /** What the loader noticed in the data (rows skipped, negative values, outliers...); absent when nothing. */
  dataWarnings?: string[];
  /** Dictionary models: every selected term. */
  terms?: { equation: string; term: string; estimate: number; omega: number | null; stability: number }[];
  /** Estimator settings actually used, for reproducibility. */
  settings: Record<string, unknown>;
}

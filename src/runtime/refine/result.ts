// The `refined` section of a fit: what SAEM produced from the first guess. Plain JSON, like FitResult.
import type { ResidualError } from "../fit-result.js";

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
}

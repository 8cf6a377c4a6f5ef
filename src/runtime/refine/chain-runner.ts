// Where SAEM's per-subject work runs (this thread or worker threads), and what that work hands back per subject.
// The main thread's chains always hold every subject's current state; a runner's results are per subject, in
// subject order, and summed by the caller in that order.
import type { KernelCounts, WalkScales } from "./chain.js";
import type { Population, PopulationFactors } from "./population.js";

/** One chain state's contribution to Louis' formula: the score and the Hessian of the complete log-likelihood. */
export interface LouisSample {
  grad: Float64Array;
  hess: Float64Array;
}

/** One subject's part of the Newton step of the values without variability. */
export interface FixedContribution {
  grad: Float64Array;
  /** Schur complement (nF x nF). */
  schur: Float64Array;
  /** Response of the subject's random effects to x (nR x nF). */
  response: Float64Array;
  /** Sensitivities to the subject's random effects (reused for a few iterations). */
  randomJ: Float64Array[];
}

/** Importance-sampling proposal per subject: mean and covariance of its conditional distribution. */
export interface Proposal {
  mean: Float64Array[];
  covariance: Float64Array[];
}

/** One subject's part of the log-likelihood: log mean(w) and the delta-method variance of it. */
export interface SubjectLogLik {
  value: number;
  variance: number;
}

export interface SweepStream {
  seed: number;
  phase: number;
  iteration: number;
}

export type Outcome<T> = T | Promise<T>;

export interface ChainRunner {
  /** Re-solves every chain at its state. */
  refresh(pop: Population): Outcome<void>;
  /** One sweep of the kernels per subject; adds the acceptance counts to `scales`; Louis' samples when asked. */
  sweep(pop: Population, factors: PopulationFactors, kernels: KernelCounts, scales: WalkScales, stream: SweepStream, louis?: boolean): Outcome<(LouisSample | null)[]>;
  /** `cached`: per subject, the sensitivities to its random effects to reuse, or null to compute them. */
  fixed(pop: Population, omegaInverse: Float64Array, h: Float64Array, cached: (Float64Array[] | null)[]): Outcome<(FixedContribution | null)[]>;
  importance(pop: Population, proposal: Proposal, samples: number, seed: number): Outcome<SubjectLogLik[]>;
  modes(pop: Population, start: Float64Array[], spread: Float64Array[]): Outcome<Float64Array[]>;
}

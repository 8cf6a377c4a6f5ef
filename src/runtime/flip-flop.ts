// The flip-flop twin of a one-compartment model with first-order absorption (`meta.absorption`, found by the
// compiler in ir/absorption.ts): ka and ke swapped, and the curve's scale kept, predicts the same observed curve for
// every input into the depot. Shared by the estimators that try both branches (the first guess's compartment path,
// SAEM's refinement).
import type { ModelMeta } from "./model.js";

export type Absorption = NonNullable<ModelMeta["absorption"]>;

/**
 * The twin of `theta` (one value per model parameter). `space` says what the values are: "natural" the parameters
 * as the spec names them (V), "coefficients" what the compiled functions take (1/V for a reciprocal V). Rates must
 * be positive.
 */
export function flipFlopTwin(a: Absorption, theta: ArrayLike<number>, space: "natural" | "coefficients"): Float64Array {
  const out = Float64Array.from(theta);
  const ka = theta[a.ka]!;
  const ke = theta[a.ke]!;
  out[a.ka] = ke;
  out[a.ke] = ka;
  if (a.inflow === undefined && a.volume) {
    // The curve is (dose factor) x ka x (e^{-ke t} - e^{-ka t}) / (ka - ke): the factor takes ka/ke.
    const v = a.volume.param;
    const ratio = ka / ke;
    out[v] = space === "natural" && a.volume.reciprocal ? theta[v]! / ratio : theta[v]! * ratio;
  }
  return out;
}

/**
 * Whether the two branches are far enough apart to be worth a second run: at ka = ke they meet (the twin is the
 * point itself), and within 10% of each other a second run starts where the first one is.
 */
export function branchesApart(ka: number, ke: number): boolean {
  return ka > 0 && ke > 0 && Math.abs(Math.log(ka / ke)) > Math.log(1.1);
}

/** "flip-flop" when absorption is slower than elimination (ka < ke), the branch a convention usually excludes. */
export function branchOf(ka: number, ke: number): "flip-flop" | "conventional" {
  return ka < ke ? "flip-flop" : "conventional";
}

/** What decides between the two branches' runs: the log-likelihood each reached, and its rates. */
export interface BranchRun {
  logLik: number;
  ka: number;
  ke: number;
}

/**
 * Whether the second run (from the twin) is kept: the higher log-likelihood, unless the two are within `tie` of each
 * other (the same model when the random effects are symmetric under the swap); then the convention modellers apply,
 * absorption faster than elimination, and the first run when both are on the same side.
 */
export function keepsSecond(first: BranchRun, second: BranchRun, tie: number): boolean {
  const d = second.logLik - first.logLik;
  if (Math.abs(d) >= tie) return d > 0;
  return branchOf(first.ka, first.ke) === "flip-flop" && branchOf(second.ka, second.ke) === "conventional";
}

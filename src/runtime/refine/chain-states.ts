// The chains' states (random effects, cached predictions, observation log-likelihood) of a range of subjects,
// packed into three arrays to travel between threads. The main thread's chains hold the true states: a worker
// takes them with each task and gives them back, so any worker may serve any subject.
import type { SubjectChain } from "./chain.js";

export interface ChainStates {
  phi: Float64Array;
  pred: Float64Array;
  ll: Float64Array;
  /** Solves done per subject while the task ran (the refinement counts them). */
  solves: Float64Array;
}

export function packStates(chains: SubjectChain[], from: number, to: number): ChainStates {
  const nR = chains[from]?.phi.length ?? 0;
  let nObs = 0;
  for (let i = from; i < to; i++) nObs += chains[i]!.pred.length;
  const out: ChainStates = { phi: new Float64Array((to - from) * nR), pred: new Float64Array(nObs), ll: new Float64Array(to - from), solves: new Float64Array(to - from) };
  let at = 0;
  for (let i = from; i < to; i++) {
    const ch = chains[i]!;
    out.phi.set(ch.phi, (i - from) * nR);
    out.pred.set(ch.pred, at);
    at += ch.pred.length;
    out.ll[i - from] = ch.llObs;
    out.solves[i - from] = ch.predictor.solves;
  }
  return out;
}

/** Sets the chains' states; with `addSolves`, adds the solves counted in `states` (a worker's) to theirs. */
export function unpackStates(chains: SubjectChain[], from: number, to: number, states: ChainStates, addSolves: boolean): void {
  const nR = chains[from]?.phi.length ?? 0;
  let at = 0;
  for (let i = from; i < to; i++) {
    const ch = chains[i]!;
    ch.phi.set(states.phi.subarray((i - from) * nR, (i - from + 1) * nR));
    ch.pred.set(states.pred.subarray(at, at + ch.pred.length));
    at += ch.pred.length;
    ch.llObs = states.ll[i - from]!;
    if (addSolves) ch.predictor.solves += states.solves[i - from]!;
  }
}

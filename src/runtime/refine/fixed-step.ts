// Parameters without variability have no sufficient statistic to approximate. We update them by a
// stochastic-approximation Gauss-Newton step (a Robbins-Monro iteration on the Fisher identity
// d log p(y)/dx = E[d log p(y | phi, x)/dx | y]): each iteration takes the exact score of the observation
// log-likelihood at the chains' current states, with sensitivities by forward differences (one extra solve per
// subject and parameter), preconditions it by the averaged Gauss-Newton information, and moves by gamma_k times
// that step. During exploration gamma = 1: a plain Gauss-Newton step on the current sample. We chose this over
// Monolix's older trick (a small variance annealed to zero) because that freezes the parameter once its variance
// is small, and converges slowly on delta_Ab of the Clairon model.
import { solveSpd } from "../linalg.js";
import type { SubjectChain } from "./chain.js";
import type { Layout } from "./layout.js";
import { naturalParams, type Population } from "./population.js";
import { errorSd, observationScore } from "./residual.js";

export class FixedStep {
  /** Averaged Gauss-Newton information (nF x nF). */
  private info: Float64Array | null = null;

  constructor(private readonly layout: Layout) {}

  /** Moves the fixed components of `pop.mu` and re-solves the chains there. */
  step(chains: SubjectChain[], pop: Population, gamma: number): void {
    const fixed = this.layout.fixed;
    const nF = fixed.length;
    if (nF === 0) return;
    const grad = new Float64Array(nF);
    const info = new Float64Array(nF * nF);
    const psi = new Float64Array(this.layout.components.length);
    const mu = Float64Array.from(pop.mu);
    const h = fixed.map((c) => 1e-4 * Math.max(1, Math.abs(pop.mu[c]!)));
    for (const ch of chains) {
      const obs = ch.predictor.obs;
      if (!Number.isFinite(ch.llObs)) continue;
      const score = new Float64Array(obs.n);
      observationScore(obs, ch.pred, pop.residual, score);
      const J: Float64Array[] = [];
      let ok = true;
      for (let m = 0; m < nF; m++) {
        mu.set(pop.mu);
        mu[fixed[m]!] = mu[fixed[m]!]! + h[m]!;
        naturalParams(this.layout, mu, ch.phi, psi);
        const f = new Float64Array(obs.n);
        if (!ch.predictor.predict(psi, f)) {
          ok = false;
          break;
        }
        for (let i = 0; i < obs.n; i++) f[i] = (f[i]! - ch.pred[i]!) / h[m]!;
        J.push(f);
      }
      if (!ok) continue;
      for (let i = 0; i < obs.n; i++) {
        const o = obs.output[i]!;
        const g = errorSd(pop.residual, o, ch.pred[i]!);
        const w = 1 / (g * g);
        for (let m = 0; m < nF; m++) {
          grad[m]! += score[i]! * J[m]![i]!;
          for (let n = 0; n < nF; n++) info[m * nF + n]! += w * J[m]![i]! * J[n]![i]!;
        }
      }
    }
    if (this.info === null) this.info = info;
    else for (let i = 0; i < info.length; i++) this.info[i] = this.info[i]! + gamma * (info[i]! - this.info[i]!);
    const reg = Float64Array.from(this.info);
    for (let m = 0; m < nF; m++) reg[m * nF + m] = reg[m * nF + m]! * (1 + 1e-8) + 1e-12;
    const delta = solveSpd(reg, nF, grad);
    if (!delta) return;
    for (let m = 0; m < nF; m++) {
      const c = fixed[m]!;
      // A trust region: one step moves a log-scale value by at most 0.5 (x1.65), a natural-scale one by half its size.
      const limit = this.layout.components[c]!.scale === "logNormal" ? 0.5 : 0.5 * Math.max(Math.abs(pop.mu[c]!), 1e-8);
      pop.mu[c] = pop.mu[c]! + Math.max(-limit, Math.min(limit, gamma * delta[m]!));
    }
    for (const ch of chains) ch.refresh(pop);
  }
}

// One subject's Markov chain over its random effects, with the three Metropolis-Hastings kernels of Monolix's
// SAEM (Kuhn and Lavielle 2004; Lavielle 2014, Mixed Effects Models for the Population Approach, sect. 9.2):
// 1. an independence sampler proposing from the population distribution N(mu, Omega) (prior ratio cancels);
// 2. a random walk on one component at a time;
// 3. a random walk on all components jointly, shaped by Omega.
// The current state's predictions and observation log-likelihood are cached, so a kernel costs one ODE solve.
import type { Rng } from "../numeric/random.js";
import { subjectMean } from "./effects.js";
import type { Layout } from "./layout.js";
import { naturalParams, priorQuadratic, type Population, type PopulationFactors } from "./population.js";
import type { SubjectPredictor } from "./predict.js";
import { observationLogLik, type ResidualParams } from "./residual.js";

export interface KernelCounts {
  independent: number;
  componentwise: number;
  joint: number;
}

/** Random-walk scales shared by all subjects, adapted towards an acceptance rate of 0.4. */
export interface WalkScales {
  component: Float64Array;
  joint: number;
  /** Acceptances and trials of the last sweep, per component and joint. */
  accepted: Float64Array;
  tried: Float64Array;
  jointAccepted: number;
  jointTried: number;
}

export class SubjectChain {
  readonly phi: Float64Array;
  readonly pred: Float64Array;
  llObs = -Infinity;
  private readonly phiNew: Float64Array;
  private readonly predNew: Float64Array;
  private readonly psi: Float64Array;
  private readonly z: Float64Array;
  private readonly m: Float64Array;

  /** `covariates`: the subject's covariate terms z_i, one per `layout.effects`. */
  constructor(
    readonly predictor: SubjectPredictor,
    private readonly layout: Layout,
    readonly covariates: Float64Array = new Float64Array(layout.effects.length),
  ) {
    const nR = layout.random.length;
    this.m = new Float64Array(layout.components.length);
    this.phi = new Float64Array(nR);
    this.phiNew = new Float64Array(nR);
    this.pred = new Float64Array(predictor.obs.n);
    this.predNew = new Float64Array(predictor.obs.n);
    this.psi = new Float64Array(layout.components.length);
    this.z = new Float64Array(nR);
  }

  /** The subject's mean m_i = mu + B z_i (transformed scale, every component); a buffer the next call overwrites. */
  mean(pop: Population): Float64Array {
    return subjectMean(this.layout.effects, pop.mu, pop.beta, this.covariates, this.m);
  }

  /** Log-likelihood of the observations at `phi` (random positions) under `pop`; -Infinity when the solve fails. */
  evaluate(pop: Population, phi: Float64Array, pred: Float64Array): number {
    naturalParams(this.layout, this.mean(pop), phi, this.psi);
    if (!this.predictor.predict(this.psi, pred)) return -Infinity;
    const ll = observationLogLik(this.predictor.obs, pred, pop.residual);
    return Number.isFinite(ll) ? ll : -Infinity;
  }

  /** Re-solve at the current state (after the fixed components changed). */
  refresh(pop: Population): void {
    this.llObs = this.evaluate(pop, this.phi, this.pred);
  }

  /** Re-score the cached predictions (after only the residual error changed): no solve. */
  rescore(residual: ResidualParams): void {
    const ll = observationLogLik(this.predictor.obs, this.pred, residual);
    this.llObs = Number.isFinite(ll) ? ll : -Infinity;
  }

  /** Start the chain at `phi` (e.g. the population values or the first guess's individual estimate). */
  start(pop: Population, phi: Float64Array): void {
    this.phi.set(phi);
    this.refresh(pop);
  }

  sweep(pop: Population, factors: PopulationFactors, counts: KernelCounts, scales: WalkScales, rng: Rng): void {
    const { layout, phi, phiNew, z } = this;
    const nR = layout.random.length;
    if (nR === 0) return;
    const L = factors.chol;
    const mean = Float64Array.from(this.mean(pop));
    for (let m = 0; m < counts.independent; m++) {
      for (let r = 0; r < nR; r++) z[r] = rng.normal();
      for (let r = 0; r < nR; r++) {
        let s = mean[layout.random[r]!]!;
        for (let q = 0; q <= r; q++) s += L[r * nR + q]! * z[q]!;
        phiNew[r] = s;
      }
      const ll = this.evaluate(pop, phiNew, this.predNew);
      if (Math.log(rng.uniform()) < ll - this.llObs) this.accept(ll);
    }
    let prior = priorQuadratic(layout, mean, factors, phi);
    for (let m = 0; m < counts.componentwise; m++) {
      for (let r = 0; r < nR; r++) {
        phiNew.set(phi);
        phiNew[r] = phi[r]! + scales.component[r]! * rng.normal();
        const ll = this.evaluate(pop, phiNew, this.predNew);
        const priorNew = priorQuadratic(layout, mean, factors, phiNew);
        scales.tried[r]!++;
        if (Math.log(rng.uniform()) < ll + priorNew - this.llObs - prior) {
          this.accept(ll);
          prior = priorNew;
          scales.accepted[r]!++;
        }
      }
    }
    for (let m = 0; m < counts.joint; m++) {
      for (let r = 0; r < nR; r++) z[r] = rng.normal();
      for (let r = 0; r < nR; r++) {
        let s = 0;
        for (let q = 0; q <= r; q++) s += L[r * nR + q]! * z[q]!;
        phiNew[r] = phi[r]! + scales.joint * s;
      }
      const ll = this.evaluate(pop, phiNew, this.predNew);
      const priorNew = priorQuadratic(layout, mean, factors, phiNew);
      scales.jointTried++;
      if (Math.log(rng.uniform()) < ll + priorNew - this.llObs - prior) {
        this.accept(ll);
        prior = priorNew;
        scales.jointAccepted++;
      }
    }
  }

  private accept(ll: number): void {
    this.phi.set(this.phiNew);
    this.pred.set(this.predNew);
    this.llObs = ll;
  }
}

export function newWalkScales(omegaSd: Float64Array): WalkScales {
  const n = omegaSd.length;
  return {
    component: Float64Array.from(omegaSd, (s) => 0.5 * s),
    joint: 0.5,
    accepted: new Float64Array(n),
    tried: new Float64Array(n),
    jointAccepted: 0,
    jointTried: 0,
  };
}

/** Monolix's adaptation: scale *= 1 + 0.4 (rate - 0.4), then the counters restart. */
export function adaptScales(s: WalkScales): void {
  for (let r = 0; r < s.component.length; r++) {
    if (s.tried[r]! > 0) s.component[r] = s.component[r]! * (1 + 0.4 * (s.accepted[r]! / s.tried[r]! - 0.4));
    s.accepted[r] = 0;
    s.tried[r] = 0;
  }
  if (s.jointTried > 0) s.joint *= 1 + 0.4 * (s.jointAccepted / s.jointTried - 0.4);
  s.jointAccepted = 0;
  s.jointTried = 0;
}

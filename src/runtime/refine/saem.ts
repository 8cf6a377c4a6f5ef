// The SAEM iterations (Delyon, Lavielle and Moulines 1999; Kuhn and Lavielle 2004) as Monolix runs them:
// burn-in (chains only), exploration (step gamma = 1, simulated annealing of the variances) and smoothing
// (gamma_k = 1/k^0.7). Each iteration: a sweep of the MH kernels per subject, the statistics of the new states, the
// stochastic approximation, the closed-form M-step, and the step of the parameters without variability.
import { wait, type Steps } from "../threads/steps.js";
import { adaptScales, newWalkScales, SubjectChain, type KernelCounts, type WalkScales } from "./chain.js";
import type { ChainRunner } from "./chain-runner.js";
import { STREAM } from "./streams.js";
import { EffectRegression } from "./effects.js";
import { FixedStep } from "./fixed-step.js";
import { toNatural, type Layout } from "./layout.js";
import { approximate, currentStats, mStep, newStats, type SufficientStats } from "./mstep.js";
import { clonePopulation, factorise, priorLogDensity, type Population } from "./population.js";

export interface SaemSettings {
  burnIn: number;
  /** Least exploration iterations; exploration goes on while the complete log-likelihood still climbs. */
  exploration: number;
  maxExploration: number;
  /** Least smoothing iterations; smoothing goes on while the typical values have not settled (`settled`). */
  smoothing: number;
  maxSmoothing: number;
  kernels: KernelCounts;
  /** Largest shrink factor of a variance per exploration iteration. */
  anneal: number;
  seed: number;
}

export const DEFAULT_SETTINGS: SaemSettings = {
  burnIn: 5,
  exploration: 100,
  maxExploration: 500,
  smoothing: 200,
  maxSmoothing: 1000,
  kernels: { independent: 2, componentwise: 1, joint: 1 },
  anneal: 0.95,
  seed: 1,
};

/**
 * Step of the parameters without variability during exploration: a full Newton step per iteration carries the
 * whole sampling noise of one chain state into x (on the linear test model b wandered +-10% around its optimum
 * and the smoothing phase inherited the last excursion); half a step halves that noise and still converges
 * geometrically.
 */
const FIXED_EXPLORATION_STEP = 0.5;

/**
 * Smoothing steps gamma_k = 1/k^0.7 (Monolix also exposes a step-size exponent for this phase). With 1/k the
 * parameters froze where the exploration left them on the flat fM2 ridge of antibody_clairon_sparse (fM2 3.3-3.5
 * over seeds, log-likelihood -50.9 to -51.3); with 0.7, 3.7-3.8 and -50.7 to -50.9; a 1000-iteration run gives
 * 4.43 at -50.43 (the ridge is flat: the SE of fM2 is 0.9).
 */
const SMOOTHING_EXPONENT = 0.7;

export interface TracePoint {
  iteration: number;
  phase: "exploration" | "smoothing";
  /** Sum over subjects of log p(y_i, phi_i) at the chains' states: noisy, but flat once converged. */
  completeLogLik: number;
  population: Population;
}

export interface SaemRun {
  population: Population;
  trace: TracePoint[];
  chains: SubjectChain[];
  scales: WalkScales;
}

/** SAEM from `start`, the chains already started (at their first states, solved at `start`). */
export function* runSaem(
  runner: ChainRunner,
  layout: Layout,
  chains: SubjectChain[],
  start: Population,
  settings: SaemSettings,
  onIteration?: (k: number, total: number) => void,
): Steps<SaemRun> {
  const nR = layout.random.length;
  const N = chains.length;
  const pop = clonePopulation(start);
  const scales = newWalkScales(Float64Array.from({ length: nR }, (_, r) => Math.sqrt(pop.omega[r * nR + r]!)));
  let factors = factorise(pop, nR);
  for (let k = 0; k < settings.burnIn; k++) {
    yield* wait(runner.sweep(pop, factors, settings.kernels, scales, { seed: settings.seed, phase: STREAM.burnIn, iteration: k }));
    adaptScales(scales);
  }
  const S = newStats(nR, pop.residual.kind.length, layout.effects.length);
  const fixedStep = new FixedStep(layout, chains);
  const regression = new EffectRegression(
    layout.effects,
    layout.random,
    chains.map((ch) => ch.covariates),
  );
  const trace: TracePoint[] = [];
  let explored = settings.exploration; // grows while the exploration is still climbing
  let smoothing = settings.smoothing; // grows while the typical values have not settled
  for (let k = 1; k <= explored + smoothing; k++) {
    const exploring = k <= explored;
    const gamma = exploring ? 1 : 1 / Math.pow(k - explored, SMOOTHING_EXPONENT);
    yield* wait(runner.sweep(pop, factors, settings.kernels, scales, { seed: settings.seed, phase: STREAM.saem, iteration: k }));
    adaptScales(scales);
    approximate(S, currentStats(chains, pop, nR), gamma);
    mStep(layout, S, N, pop, exploring ? settings.anneal : null, chains, gamma, regression);
    factors = factorise(pop, nR);
    if (layout.stepped.length > 0) {
      // The averaged statistics move with the chains' states, or the next M-step would pull mu back to where
      // the states were before x moved (this lag kept b 1% off the exact ML of the linear test model).
      const shifts = yield* fixedStep.step(runner, chains, pop, factors.inverse, exploring ? FIXED_EXPLORATION_STEP : gamma);
      for (const [ch, v] of shifts) shiftStats(S, ch.phi, ch.covariates, v, nR);
    } else for (const ch of chains) ch.rescore(pop.residual);
    let complete = 0;
    for (const ch of chains) complete += ch.llObs + priorLogDensity(layout, ch.mean(pop), factors, ch.phi);
    trace.push({ iteration: k, phase: exploring ? "exploration" : "smoothing", completeLogLik: complete, population: clonePopulation(pop) });
    if (k === explored && explored < settings.maxExploration && stillClimbing(trace)) explored++;
    if (k === explored + smoothing && smoothing < settings.maxSmoothing && !settled(layout, trace)) smoothing += Math.min(SETTLE_WINDOW, settings.maxSmoothing - smoothing);
    onIteration?.(k, explored + smoothing);
  }
  // Polyak-Ruppert: the estimate is the average of the second half of the smoothing iterates (steps 1/k^0.7
  // keep moving along flat directions; their average has the variance that 1/k steps would give).
  const tail = trace.slice(trace.length - Math.max(1, Math.floor(smoothing / 2)));
  const averaged = averagePopulation(tail.map((t) => t.population));
  return { population: averaged, trace, chains, scales };
}

/**
 * Monolix stops exploring automatically; our rule: the complete log-likelihood of the chains' states still rises
 * when the mean of its last 25 values exceeds that of the 25 before by more than twice the standard error of
 * that difference. From a poor first guess (growth_sparse: kA 10x too small) 100 iterations were not enough and
 * the smoothing phase then froze SAEM 40 log-likelihood units below the optimum.
 */
function stillClimbing(trace: TracePoint[]): boolean {
  const w = 25;
  if (trace.length < 2 * w) return false;
  const last = trace.slice(-w).map((t) => t.completeLogLik);
  const before = trace.slice(-2 * w, -w).map((t) => t.completeLogLik);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const variance = (v: number[]) => {
    const m = mean(v);
    return v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1);
  };
  const se = Math.sqrt((variance(last) + variance(before)) / w);
  return mean(last) - mean(before) > 2 * se;
}

/** Iterations per window of the settling rule, and how far two windows' means may differ (transformed scale). */
const SETTLE_WINDOW = 50;
const SETTLE_TOLERANCE = 0.02;

/**
 * Monolix's automatic mode also lengthens the smoothing phase until the trajectories settle; ours: the mean of
 * every typical value (and covariate effect) over the last SETTLE_WINDOW iterations is within SETTLE_TOLERANCE of
 * its mean over the window before: 0.02 on the log scale (2%), 2% of the value's size on the natural scale (of
 * the random effect's SD when that is larger). On the flat fM2 ridge of antibody_clairon_sparse the default 200
 * smoothing iterations ended anywhere in 3.7-4.4 depending on the seed and the exploration's length.
 */
function settled(layout: Layout, trace: TracePoint[]): boolean {
  const w = SETTLE_WINDOW;
  if (trace.length < 2 * w) return true;
  const last = trace.slice(-w).map((t) => t.population);
  const before = trace.slice(-2 * w, -w).map((t) => t.population);
  const mean = (pops: Population[], pick: (p: Population) => number) => pops.reduce((a, p) => a + pick(p), 0) / pops.length;
  const nR = layout.random.length;
  const scaleOf = (c: number, p: Population) => {
    if (layout.components[c]!.scale === "logNormal") return 1;
    const r = layout.randomOf[c]!;
    return Math.max(Math.abs(p.mu[c]!), r >= 0 ? Math.sqrt(p.omega[r * nR + r]!) : 0, 1e-12);
  };
  const end = last[last.length - 1]!;
  for (let c = 0; c < layout.components.length; c++) {
    const d = Math.abs(mean(last, (p) => p.mu[c]!) - mean(before, (p) => p.mu[c]!));
    if (d > SETTLE_TOLERANCE * scaleOf(c, end)) return false;
  }
  for (let e = 0; e < layout.effects.length; e++) {
    const d = Math.abs(mean(last, (p) => p.beta[e]!) - mean(before, (p) => p.beta[e]!));
    if (d > SETTLE_TOLERANCE * scaleOf(layout.effects[e]!.component, end)) return false;
  }
  return true;
}

function averagePopulation(pops: Population[]): Population {
  const out = clonePopulation(pops[0]!);
  const mean = (pick: (p: Population) => Float64Array, into: Float64Array) => {
    into.fill(0);
    for (const p of pops) {
      const v = pick(p);
      for (let i = 0; i < into.length; i++) into[i]! += v[i]! / pops.length;
    }
  };
  mean((p) => p.mu, out.mu);
  mean((p) => p.beta, out.beta);
  mean((p) => p.omega, out.omega);
  mean((p) => p.residual.a, out.residual.a);
  mean((p) => p.residual.b, out.residual.b);
  return out;
}

/** S for states phi - v -> phi: s1 += v, sz += z v^T, s2 += phi phi^T - (phi - v)(phi - v)^T. */
function shiftStats(S: SufficientStats, phi: Float64Array, z: Float64Array, v: Float64Array, nR: number): void {
  for (let r = 0; r < nR; r++) {
    S.s1[r]! += v[r]!;
    for (let e = 0; e < z.length; e++) S.sz[e * nR + r]! += z[e]! * v[r]!;
    for (let q = 0; q < nR; q++) {
      const before = (phi[r]! - v[r]!) * (phi[q]! - v[q]!);
      S.s2[r * nR + q]! += phi[r]! * phi[q]! - before;
    }
  }
}

/** Typical values on the natural scale (the median of a log-normal parameter). */
export function typicalValues(layout: Layout, pop: Population): number[] {
  return layout.components.map((c, i) => toNatural(c.scale, pop.mu[i]!));
}

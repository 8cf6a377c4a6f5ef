// Parameters without variability have no sufficient statistic to approximate. We update them by a
// stochastic-approximation Newton step (a Robbins-Monro iteration on the Fisher identity
// d log p(y)/dx = E[d log p(y | phi, x)/dx | y]): each iteration takes the exact score of the observation
// log-likelihood at the chains' current states, with sensitivities by forward differences, and moves by gamma_k
// times that score preconditioned by an approximate *marginal* information: the Gauss-Newton information of
// (x, phi_i) with phi_i profiled out (the Schur complement H_xx - H_xphi H_phiphi^-1 H_phix, H_phiphi including
// the prior precision Omega^-1). Preconditioning by the conditional information H_xx alone crawled: on
// X = a t + b t^2/2, with a random and b fixed, b had not converged after 200 iterations because each step
// only moved it as far as the current a_i allowed. During exploration gamma = 1: a Newton step on the
// approximate marginal likelihood.
// We chose this over Monolix's older trick (a small variance annealed to zero), which freezes the parameter once
// its variance is small.
import { solveSpd } from "../numeric/linalg.js";
import type { SubjectChain } from "./chain.js";
import type { ChainRunner, FixedContribution } from "./chain-runner.js";
import { wait, type Steps } from "../threads/steps.js";
import { subjectMean } from "./effects.js";
import type { Layout, Stepped } from "./layout.js";
import { naturalParams, type Population } from "./population.js";
import { errorSd, observationScore } from "./residual.js";

/**
 * The sensitivities to a subject's random effects only shape the preconditioner and the chains' response, so
 * they are refreshed every few iterations (they cost one solve per random effect and subject).
 */
const RANDOM_SENSITIVITY_EVERY = 4;

export class FixedStep {
  /** Averaged Gauss-Newton information (nF x nF). */
  private info: Float64Array | null = null;
  private readonly randomSensitivity = new Map<SubjectChain, Float64Array[]>();
  private calls = 0;
  /** Per stepped value, the largest |z| of its covariate term (1 for a component's own value): bounds its steps. */
  private readonly zScale: number[];

  constructor(
    private readonly layout: Layout,
    chains: SubjectChain[],
  ) {
    this.zScale = layout.stepped.map((p) => {
      if (p.kind === "mu") return 1;
      let m = 0;
      for (const ch of chains) m = Math.max(m, Math.abs(ch.covariates[p.index]!));
      return m > 0 ? m : 1;
    });
  }

  /**
   * Moves the fixed components of `pop.mu`, moves each chain's state along its profiled response and re-solves
   * the chains there. Returns the shift of each chain's state (random positions), so that the caller can move
   * the averaged statistics with them. The subjects' contributions come from `runner` (this thread or workers)
   * and are summed here in subject order, so that any split of the subjects gives the same numbers.
   */
  *step(runner: ChainRunner, chains: SubjectChain[], pop: Population, omegaInverse: Float64Array, gamma: number): Steps<Map<SubjectChain, Float64Array>> {
    const layout = this.layout;
    const stepped = layout.stepped;
    const nF = stepped.length;
    const nR = layout.random.length;
    const shifts = new Map<SubjectChain, Float64Array>();
    if (nF === 0) return shifts;
    this.calls++;
    const h = Float64Array.from(stepped, (p, m) => (1e-4 * Math.max(1, Math.abs(steppedValue(pop, p)))) / this.zScale[m]!);
    const cached = chains.map((ch) => (this.calls % RANDOM_SENSITIVITY_EVERY !== 0 ? (this.randomSensitivity.get(ch) ?? null) : null));
    const contributions = yield* wait(runner.fixed(pop, omegaInverse, h, cached));
    const grad = new Float64Array(nF);
    const info = new Float64Array(nF * nF);
    const responses = new Map<SubjectChain, Float64Array>();
    contributions.forEach((c, i) => {
      if (!c) return;
      const ch = chains[i]!;
      for (let m = 0; m < nF; m++) grad[m]! += c.grad[m]!;
      for (let k = 0; k < nF * nF; k++) info[k]! += c.schur[k]!;
      if (!cached[i]) this.randomSensitivity.set(ch, c.randomJ);
      responses.set(ch, c.response);
    });
    if (this.info === null) this.info = info;
    else for (let i = 0; i < info.length; i++) this.info[i] = this.info[i]! + gamma * (info[i]! - this.info[i]!);
    const reg = Float64Array.from(this.info);
    for (let m = 0; m < nF; m++) reg[m * nF + m] = reg[m * nF + m]! * (1 + 1e-8) + 1e-12;
    const delta = solveSpd(reg, nF, grad);
    if (!delta) return shifts;
    const moved = new Float64Array(nF);
    for (let m = 0; m < nF; m++) {
      const p = stepped[m]!;
      const c = p.kind === "mu" ? p.index : layout.effects[p.index]!.component;
      // A trust region: one step moves a log-scale value by at most 0.5 (x1.65), a natural-scale one by half its
      // size; a covariate effect moves its component that much at the largest |z|.
      const limit = (this.layout.components[c]!.scale === "logNormal" ? 0.5 : 0.5 * Math.max(Math.abs(pop.mu[c]!), 1e-8)) / this.zScale[m]!;
      moved[m] = Math.max(-limit, Math.min(limit, gamma * delta[m]!));
      setStepped(pop, p, steppedValue(pop, p) + moved[m]!);
    }
    // Each chain's state follows x along its profiled response, so that the chains do not lag behind x (with
    // lagging chains the next score points past the optimum and the Newton steps oscillate).
    for (const [ch, response] of responses) {
      const shift = new Float64Array(nR);
      for (let r = 0; r < nR; r++) {
        for (let m = 0; m < nF; m++) shift[r]! += response[r * nF + m]! * moved[m]!;
        ch.phi[r] = ch.phi[r]! + shift[r]!;
      }
      shifts.set(ch, shift);
    }
    yield* wait(runner.refresh(pop));
    return shifts;
  }
}

/**
 * Subject `ch`'s contribution at `pop`: sensitivities to the stepped values by forward differences of size `h`,
 * to its random effects likewise unless `cached` gives them; null when its state or a solve fails.
 */
export function fixedContribution(layout: Layout, ch: SubjectChain, pop: Population, omegaInverse: Float64Array, h: Float64Array, cached: Float64Array[] | null): FixedContribution | null {
  const stepped = layout.stepped;
  const nF = stepped.length;
  const nR = layout.random.length;
  const obs = ch.predictor.obs;
  if (!Number.isFinite(ch.llObs)) return null;
  const psi = new Float64Array(layout.components.length);
  const trial = { mu: Float64Array.from(pop.mu), beta: Float64Array.from(pop.beta) };
  const mean = new Float64Array(layout.components.length);
  const phi = new Float64Array(nR);
  const nA = nF + nR;
  const score = new Float64Array(obs.n);
  observationScore(obs, ch.pred, pop.residual, score);
  // Sensitivities to the fixed components, then to the subject's random ones.
  const J: Float64Array[] = [];
  for (let m = 0; m < nA; m++) {
    if (m >= nF && cached) {
      J.push(cached[m - nF]!);
      continue;
    }
    trial.mu.set(pop.mu);
    trial.beta.set(pop.beta);
    phi.set(ch.phi);
    let step: number;
    if (m < nF) {
      step = h[m]!;
      setStepped(trial, stepped[m]!, steppedValue(trial, stepped[m]!) + step);
    } else {
      const r = m - nF;
      step = 1e-4 * Math.max(Math.sqrt(pop.omega[r * nR + r]!), 1e-3);
      phi[r] = phi[r]! + step;
    }
    naturalParams(layout, subjectMean(layout.effects, trial.mu, trial.beta, ch.covariates, mean), phi, psi);
    const f = new Float64Array(obs.n);
    if (!ch.predictor.predict(psi, f)) return null;
    for (let i = 0; i < obs.n; i++) f[i] = (f[i]! - ch.pred[i]!) / step;
    J.push(f);
  }
  const grad = new Float64Array(nF);
  const A = new Float64Array(nA * nA);
  for (let i = 0; i < obs.n; i++) {
    const g = errorSd(pop.residual, obs.output[i]!, ch.pred[i]!);
    const w = 1 / (g * g);
    for (let m = 0; m < nA; m++) for (let n = 0; n < nA; n++) A[m * nA + n]! += w * J[m]![i]! * J[n]![i]!;
    for (let m = 0; m < nF; m++) grad[m]! += score[i]! * J[m]![i]!;
  }
  for (let r = 0; r < nR; r++) for (let q = 0; q < nR; q++) A[(nF + r) * nA + nF + q]! += omegaInverse[r * nR + q]!;
  const { schur, response } = schurComplement(A, nF, nR);
  return { grad, schur, response, randomJ: J.slice(nF) };
}

export function steppedValue(pop: Pick<Population, "mu" | "beta">, p: Stepped): number {
  return p.kind === "mu" ? pop.mu[p.index]! : pop.beta[p.index]!;
}

export function setStepped(pop: Pick<Population, "mu" | "beta">, p: Stepped, v: number): void {
  if (p.kind === "mu") pop.mu[p.index] = v;
  else pop.beta[p.index] = v;
}

/**
 * For A = [[A_xx, A_xr], [A_rx, A_rr]] (sizes nF, nR): the Schur complement A_xx - A_xr A_rr^-1 A_rx, and the
 * response -A_rr^-1 A_rx (nR x nF) of the profiled random effects to a change of x.
 */
function schurComplement(A: Float64Array, nF: number, nR: number): { schur: Float64Array; response: Float64Array } {
  const nA = nF + nR;
  const out = new Float64Array(nF * nF);
  const response = new Float64Array(nR * nF);
  for (let m = 0; m < nF; m++) for (let n = 0; n < nF; n++) out[m * nF + n] = A[m * nA + n]!;
  if (nR === 0) return { schur: out, response };
  const Arr = new Float64Array(nR * nR);
  for (let r = 0; r < nR; r++) for (let q = 0; q < nR; q++) Arr[r * nR + q] = A[(nF + r) * nA + nF + q]!;
  for (let n = 0; n < nF; n++) {
    const col = new Float64Array(nR);
    for (let r = 0; r < nR; r++) col[r] = A[(nF + r) * nA + n]!;
    const x = solveSpd(Arr, nR, col);
    if (!x) continue;
    for (let r = 0; r < nR; r++) response[r * nF + n] = -x[r]!;
    for (let m = 0; m < nF; m++) {
      let s = 0;
      for (let r = 0; r < nR; r++) s += A[m * nA + nF + r]! * x[r]!;
      out[m * nF + n] = out[m * nF + n]! - s;
    }
  }
  // The profiled information must stay positive: keep at least a small part of the conditional one.
  for (let m = 0; m < nF; m++) out[m * nF + m] = Math.max(out[m * nF + m]!, 1e-3 * A[m * nA + m]!);
  return { schur: out, response };
}

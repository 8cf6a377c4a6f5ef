// The stochastic-approximation statistics of SAEM and the closed-form M-step they feed. For phi_i ~ N(mu, Omega)
// the complete-data model is an exponential family with sufficient statistics sum phi_i and sum phi_i phi_i^T;
// the residual variances have sum r^2 (constant) and sum (r/f)^2 (proportional). S_k = S_{k-1} + gamma_k (s_k - S_{k-1}).
import { cholesky } from "../numeric/linalg.js";
import type { SubjectChain } from "./chain.js";
import type { EffectRegression } from "./effects.js";
import type { Layout } from "./layout.js";
import type { Population } from "./population.js";
import { accumulateResidual, combinedMStep, newResidualStats, type ResidualStats } from "./residual.js";

export interface SufficientStats {
  s1: Float64Array;
  s2: Float64Array;
  /** sum z_ie phi_ir (effects x nR): the covariates' cross-products, for the regression M-step. */
  sz: Float64Array;
  residual: ResidualStats;
}

export function newStats(nR: number, outputs: number, effects = 0): SufficientStats {
  return { s1: new Float64Array(nR), s2: new Float64Array(nR * nR), sz: new Float64Array(effects * nR), residual: newResidualStats(outputs) };
}

/** The statistics of the chains' current states. */
export function currentStats(chains: SubjectChain[], pop: Population, nR: number): SufficientStats {
  const nE = pop.beta.length;
  const st = newStats(nR, pop.residual.kind.length, nE);
  for (const ch of chains) {
    const phi = ch.phi;
    for (let r = 0; r < nR; r++) {
      st.s1[r]! += phi[r]!;
      for (let q = 0; q < nR; q++) st.s2[r * nR + q]! += phi[r]! * phi[q]!;
      for (let e = 0; e < nE; e++) st.sz[e * nR + r]! += ch.covariates[e]! * phi[r]!;
    }
    accumulateResidual(st.residual, ch.predictor.obs, ch.pred, pop.residual);
  }
  return st;
}

export function approximate(S: SufficientStats, s: SufficientStats, gamma: number): void {
  const mix = (A: Float64Array, a: Float64Array) => {
    for (let i = 0; i < A.length; i++) A[i] = A[i]! + gamma * (a[i]! - A[i]!);
  };
  mix(S.s1, s.s1);
  mix(S.s2, s.s2);
  mix(S.sz, s.sz);
  mix(S.residual.n, s.residual.n);
  mix(S.residual.s, s.residual.s);
}

/** Smallest variance kept on the transformed scale, so that Omega stays invertible when a variability collapses. */
const VARIANCE_FLOOR = 1e-8;

/**
 * New mu (random components), Omega and residual error from S. With `anneal` (the exploration phase), each
 * variance may shrink by at most the factor `anneal` per iteration, which keeps the chains exploring early
 * (Monolix's simulated annealing).
 */
export function mStep(
  layout: Layout,
  S: SufficientStats,
  N: number,
  pop: Population,
  anneal: number | null,
  chains: SubjectChain[],
  gamma: number,
  regression: EffectRegression | null = null,
): void {
  const nR = layout.random.length;
  const old = Float64Array.from(pop.omega);
  const pairs: [number, number][] = [];
  for (const b of layout.blocks) for (const r of b.members) for (const q of b.members) if (r === q || b.full) pairs.push([r, q]);
  pop.omega.fill(0);
  if (regression?.any) {
    const mu = Float64Array.from(layout.random, (c) => pop.mu[c]!);
    regression.mStep(S.s1, S.sz, S.s2, nR, pairs, mu, pop.beta, pop.omega);
    layout.random.forEach((c, r) => (pop.mu[c] = mu[r]!));
  } else {
    for (let r = 0; r < nR; r++) pop.mu[layout.random[r]!] = S.s1[r]! / N;
    for (const [r, q] of pairs) pop.omega[r * nR + q] = S.s2[r * nR + q]! / N - pop.mu[layout.random[r]!]! * pop.mu[layout.random[q]!]!;
  }
  const scale = new Float64Array(nR).fill(1);
  for (let r = 0; r < nR; r++) {
    let v = Math.max(pop.omega[r * nR + r]!, VARIANCE_FLOOR);
    if (anneal !== null) v = Math.max(v, anneal * old[r * nR + r]!);
    scale[r] = Math.sqrt(v / Math.max(pop.omega[r * nR + r]!, VARIANCE_FLOOR));
    pop.omega[r * nR + r] = v;
  }
  // Inflating a variance scales its row and column, which keeps the block's correlations and its definiteness.
  for (let r = 0; r < nR; r++) for (let q = 0; q < nR; q++) if (r !== q) pop.omega[r * nR + q] = pop.omega[r * nR + q]! * scale[r]! * scale[q]!;
  for (const b of layout.blocks) if (b.full) keepDefinite(pop.omega, nR, b.members);

  const res = pop.residual;
  for (let o = 0; o < res.kind.length; o++) {
    const n = S.residual.n[o]!;
    if (!(n > 0)) continue;
    const kind = res.kind[o]!;
    if (kind === "combined") {
      const r: number[] = [];
      const f: number[] = [];
      for (const ch of chains) {
        const obs = ch.predictor.obs;
        for (let i = 0; i < obs.n; i++)
          if (obs.output[i] === o && !obs.censored[i]) {
            r.push(obs.y[i]! - ch.pred[i]!);
            f.push(ch.pred[i]!);
          }
      }
      const [a, b] = combinedMStep(r, f, res.a[o]!, res.b[o]!);
      res.a[o] = annealed(res.a[o]! + gamma * (a - res.a[o]!), res.a[o]!, anneal);
      res.b[o] = annealed(res.b[o]! + gamma * (b - res.b[o]!), res.b[o]!, anneal);
    } else {
      const sd = Math.sqrt(Math.max(S.residual.s[o]! / n, 1e-300));
      if (kind === "constant") res.a[o] = annealed(sd, res.a[o]!, anneal);
      else res.b[o] = annealed(sd, res.b[o]!, anneal);
    }
  }
}

function annealed(v: number, old: number, anneal: number | null): number {
  return anneal === null ? v : Math.max(v, Math.sqrt(anneal) * old);
}

/** Shrinks the correlations of a full block until its Cholesky factor exists (sampling noise can break it). */
function keepDefinite(omega: Float64Array, nR: number, members: number[]): void {
  const m = members.length;
  for (let attempt = 0; attempt < 50; attempt++) {
    const a = new Float64Array(m * m);
    members.forEach((r, i) => members.forEach((q, j) => (a[i * m + j] = omega[r * nR + q]!)));
    if (cholesky(a, m)) return;
    for (const r of members) for (const q of members) if (r !== q) omega[r * nR + q] = omega[r * nR + q]! * 0.95;
  }
}


// The population parameters SAEM iterates on, and what each E-step derives from them once (the Cholesky factor
// and inverse of Omega), so that the kernels of every subject share it.
import { cholesky, choleskyInverse, choleskyLogDet } from "../numeric/linalg.js";
import { RefineError, toNatural, type Layout } from "./layout.js";
import type { ResidualParams } from "./residual.js";

export interface Population {
  /** Per component, on the transformed scale (at covariate terms z = 0). */
  mu: Float64Array;
  /** Per covariate effect (`layout.effects`), on its component's transformed scale. */
  beta: Float64Array;
  /** Covariance of the random effects (nR x nR, zero across blocks). */
  omega: Float64Array;
  residual: ResidualParams;
}

export interface PopulationFactors {
  chol: Float64Array;
  inverse: Float64Array;
  logDet: number;
}

export function factorise(pop: Population, nR: number): PopulationFactors {
  const chol = Float64Array.from(pop.omega);
  if (nR > 0 && !cholesky(chol, nR)) throw new RefineError("the random-effect covariance lost positive definiteness (internal error)");
  const inverse = new Float64Array(nR * nR);
  if (nR > 0) choleskyInverse(chol, nR, inverse);
  return { chol, inverse, logDet: nR > 0 ? choleskyLogDet(chol, nR) : 0 };
}

export function clonePopulation(p: Population): Population {
  return {
    mu: Float64Array.from(p.mu),
    beta: Float64Array.from(p.beta),
    omega: Float64Array.from(p.omega),
    residual: { kind: [...p.residual.kind], a: Float64Array.from(p.residual.a), b: Float64Array.from(p.residual.b) },
  };
}

/**
 * psi (natural scale, layout order) from a subject's random positions `phi` and its mean `mu` (the subject's
 * m_i = mu + B z_i, `subjectMean`) for the components without a random effect.
 */
export function naturalParams(layout: Layout, mu: Float64Array, phi: Float64Array, out: Float64Array): void {
  const comps = layout.components;
  for (let c = 0; c < comps.length; c++) {
    const r = layout.randomOf[c]!;
    out[c] = toNatural(comps[c]!.scale, r >= 0 ? phi[r]! : mu[c]!);
  }
}

/** log N(phi; mu_random, Omega) up to the constant -nR/2 log 2 pi - logDet/2 (which the kernels' ratios cancel). */
export function priorQuadratic(layout: Layout, mu: Float64Array, factors: PopulationFactors, phi: Float64Array): number {
  const nR = layout.random.length;
  const inv = factors.inverse;
  let q = 0;
  for (let r = 0; r < nR; r++) {
    const dr = phi[r]! - mu[layout.random[r]!]!;
    if (dr === 0) continue;
    for (let s = 0; s < nR; s++) q += dr * inv[r * nR + s]! * (phi[s]! - mu[layout.random[s]!]!);
  }
  return -0.5 * q;
}

/** The full log density of phi under N(mu, Omega). */
export function priorLogDensity(layout: Layout, mu: Float64Array, factors: PopulationFactors, phi: Float64Array): number {
  const nR = layout.random.length;
  return priorQuadratic(layout, mu, factors, phi) - 0.5 * nR * Math.log(2 * Math.PI) - 0.5 * factors.logDet;
}

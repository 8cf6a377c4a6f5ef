// The log-likelihood log p(y) = sum_i log integral p(y_i | phi) p(phi) dphi by importance sampling, as Monolix
// computes it: per subject, draws from a Student t (5 degrees of freedom, heavier tails than the target) centred
// on the conditional mean with the conditional covariance; the estimate is log mean(w), w = p(y|phi) p(phi) / q(phi).
// Its Monte Carlo standard error is the delta-method one, sqrt(var(w) / M) / mean(w), summed in quadrature
// over subjects.
import { cholesky, choleskyLogDet } from "../numeric/linalg.js";
import type { Rng } from "../numeric/random.js";
import { wait, type Steps } from "../threads/steps.js";
import type { ChainRunner, Proposal, SubjectLogLik } from "./chain-runner.js";
import type { SubjectChain } from "./chain.js";
import type { Layout } from "./layout.js";
import { factorise, priorLogDensity, type Population } from "./population.js";


export interface LogLikelihood {
  value: number;
  /** Monte Carlo standard error of `value`. */
  mcSe: number;
  samples: number;
}

const NU = 5;

/**
 * Subject `ch`'s log-likelihood from `samples` draws of its own stream `rng`, proposal centred on `mean` with
 * covariance `covariance` (the conditional ones from the chains).
 */
export function subjectLogLik(layout: Layout, ch: SubjectChain, pop: Population, mean: Float64Array, covariance: Float64Array, samples: number, rng: Rng): SubjectLogLik {
  const nR = layout.random.length;
  const pred = new Float64Array(ch.predictor.obs.n);
  if (nR === 0) return { value: ch.evaluate(pop, new Float64Array(0), pred), variance: 0 };
  const factors = factorise(pop, nR);
  const L = proposalFactor(covariance, pop, nR);
  const logDetL = 0.5 * choleskyLogDet(L, nR);
  const m = mean;
  const logW = new Float64Array(samples);
  const phi = new Float64Array(nR);
  const z = new Float64Array(nR);
  for (let s = 0; s < samples; s++) {
    const scale = Math.sqrt(NU / chiSquare(rng, NU));
    for (let r = 0; r < nR; r++) z[r] = rng.normal();
    let quad = 0;
    for (let r = 0; r < nR; r++) {
      let v = 0;
      for (let q = 0; q <= r; q++) v += L[r * nR + q]! * z[q]!;
      phi[r] = m[r]! + scale * v;
      quad += (scale * z[r]!) ** 2; // (phi - m)^T C^-1 (phi - m)
    }
    const logQ = logStudent(quad, nR, logDetL);
    const ll = ch.evaluate(pop, phi, pred);
    logW[s] = ll + priorLogDensity(layout, ch.mean(pop), factors, phi) - logQ;
  }
  let max = -Infinity;
  for (const w of logW) if (w > max) max = w;
  let s1 = 0;
  let s2 = 0;
  for (const w of logW) {
    const e = Math.exp(w - max);
    s1 += e;
    s2 += e * e;
  }
  const meanW = s1 / samples;
  const varW = s2 / samples - meanW * meanW;
  return { value: max + Math.log(meanW), variance: Math.max(0, varW) / samples / (meanW * meanW) };
}

/** The sum over subjects, in subject order (`runner` computes each subject's part on its own stream). */
export function* importanceLogLik(runner: ChainRunner, pop: Population, proposal: Proposal, samples: number, seed: number): Steps<LogLikelihood> {
  const parts = yield* wait(runner.importance(pop, proposal, samples, seed));
  let value = 0;
  let variance = 0;
  for (const p of parts) {
    value += p.value;
    variance += p.variance;
  }
  return { value, mcSe: Math.sqrt(variance), samples };
}

/** Cholesky factor of the proposal covariance, inflated where the chain's spread is degenerate. */
function proposalFactor(cov: Float64Array, pop: Population, nR: number): Float64Array {
  const L = Float64Array.from(cov);
  for (let r = 0; r < nR; r++) L[r * nR + r] = Math.max(L[r * nR + r]!, 1e-4 * pop.omega[r * nR + r]!, 1e-12);
  if (cholesky(L, nR)) return L;
  const D = new Float64Array(nR * nR);
  for (let r = 0; r < nR; r++) D[r * nR + r] = Math.max(cov[r * nR + r]!, pop.omega[r * nR + r]!, 1e-12);
  cholesky(D, nR);
  return D;
}

function chiSquare(rng: Rng, nu: number): number {
  let s = 0;
  for (let k = 0; k < nu; k++) s += rng.normal() ** 2;
  return s;
}

/** log density of the multivariate t(nu) with scale matrix C at (phi - m), given quad = (phi-m)^T C^-1 (phi-m). */
function logStudent(quad: number, d: number, halfLogDetC: number): number {
  return (
    lgamma((NU + d) / 2) - lgamma(NU / 2) - (d / 2) * Math.log(NU * Math.PI) - halfLogDetC - ((NU + d) / 2) * Math.log(1 + quad / NU)
  );
}

/** log Gamma (Lanczos, g = 7). */
export function lgamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

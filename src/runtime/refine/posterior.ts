// After convergence: the chains keep running at the final population values, and their states give each
// subject's conditional distribution p(phi_i | y_i): its mean and covariance on the transformed scale (the
// importance-sampling proposal), the conditional mean of the natural-scale parameters, and the Louis samples.
import { wait, type Steps } from "../threads/steps.js";
import { adaptScales, type KernelCounts, type SubjectChain, type WalkScales } from "./chain.js";
import type { ChainRunner } from "./chain-runner.js";
import type { Louis } from "./fisher.js";
import type { Layout } from "./layout.js";
import { STREAM } from "./streams.js";
import { factorise, naturalParams, type Population } from "./population.js";

export interface Conditional {
  /** Per subject: mean and covariance (nR x nR) of phi_i, and the mean of psi_i (natural scale, every component). */
  mean: Float64Array[];
  covariance: Float64Array[];
  naturalMean: Float64Array[];
}

export function* runPosterior(
  runner: ChainRunner,
  layout: Layout,
  chains: SubjectChain[],
  pop: Population,
  kernels: KernelCounts,
  scales: WalkScales,
  seed: number,
  iterations: number,
  louis: Louis | null,
  louisEvery: number,
): Steps<Conditional> {
  const nR = layout.random.length;
  const nC = layout.components.length;
  const factors = factorise(pop, nR);
  const sum = chains.map(() => new Float64Array(nR));
  const sum2 = chains.map(() => new Float64Array(nR * nR));
  const sumPsi = chains.map(() => new Float64Array(nC));
  const psi = new Float64Array(nC);
  yield* wait(runner.refresh(pop));
  for (let k = 0; k < iterations; k++) {
    const sampling = louis !== null && k % louisEvery === 0;
    const samples = yield* wait(runner.sweep(pop, factors, kernels, scales, { seed, phase: STREAM.posterior, iteration: k }, sampling));
    chains.forEach((ch, i) => {
      const phi = ch.phi;
      for (let r = 0; r < nR; r++) {
        sum[i]![r]! += phi[r]!;
        for (let q = 0; q < nR; q++) sum2[i]![r * nR + q]! += phi[r]! * phi[q]!;
      }
      naturalParams(layout, ch.mean(pop), phi, psi);
      for (let c = 0; c < nC; c++) sumPsi[i]![c]! += psi[c]!;
      if (sampling) louis.add(i, samples[i]!);
    });
    adaptScales(scales);
  }
  const mean = sum.map((s) => Float64Array.from(s, (v) => v / iterations));
  const covariance = sum2.map((s2, i) => {
    const c = new Float64Array(nR * nR);
    for (let r = 0; r < nR; r++) for (let q = 0; q < nR; q++) c[r * nR + q] = s2[r * nR + q]! / iterations - mean[i]![r]! * mean[i]![q]!;
    return c;
  });
  const naturalMean = sumPsi.map((s) => Float64Array.from(s, (v) => v / iterations));
  return { mean, covariance, naturalMean };
}

// Covariate effects in the log-scale Laplace EM (population/laplace-covariates.ts), against seeded simulations
// whose truth is the simulating values: psi_i = mu + Z_i beta + eta_i.
import { describe, expect, it } from "vitest";
import { laplaceEm, linearSubject, type NonlinearSubject } from "../../../src/runtime/population/laplace-em.js";
import { gramSums } from "../../../src/runtime/population/subject-rows.js";
import { createRng } from "../../../src/runtime/numeric/random.js";

/**
 * y_ij = exp(psi1_i) x_ij - exp(psi2_i) w_ij + e with psi1_i = mu1 + b_wt log(WT_i / 70) + b_g [group_i = 2] + eta1_i,
 * psi2_i = mu2 + eta2_i; WT log-normal around 70 kg (SD of log 0.25), two groups alternating.
 */
function simulate(seed: number, m: number, truth: { mu: number[]; bWt: number; bGroup: number; omega: number[] }) {
  const rng = createRng(seed);
  const subjects: NonlinearSubject[] = [];
  const z: Float64Array[] = [];
  for (let i = 0; i < m; i++) {
    const wt = 70 * Math.exp(0.25 * rng.normal());
    const group = i % 2;
    const zi = Float64Array.from([Math.log(wt / 70), group]);
    const psi = [truth.mu[0]! + truth.bWt * zi[0]! + truth.bGroup * zi[1]! + truth.omega[0]! * rng.normal(), truth.mu[1]! + truth.omega[1]! * rng.normal()];
    const rows = 8;
    const g = new Float64Array(rows * 2);
    const y = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const x = 1 + 2 * rng.uniform();
      const w = 0.5 + rng.uniform();
      g[r * 2] = x;
      g[r * 2 + 1] = -w;
      y[r] = Math.exp(psi[0]!) * x - Math.exp(psi[1]!) * w + 0.05 * rng.normal();
    }
    subjects.push(linearSubject(gramSums({ rows, cols: 2, g, y }), 2, (p, out) => ((out[0] = Math.exp(p[0]!)), (out[1] = Math.exp(p[1]!))), null));
    z.push(zi);
  }
  return { subjects, z };
}

const truth = { mu: [1, -0.5], bWt: 0.75, bGroup: -0.3, omega: [0.15, 0.2] };

describe("laplaceEm with covariate columns (seeded simulation, truth = the simulating values)", () => {
  for (const importance of [undefined, { samples: 200, seed: 3 }]) {
    it(`recovers mu, a continuous and a categorical effect and the omega left over${importance ? " (importance-sampling E-step)" : ""}`, () => {
      const { subjects, z } = simulate(21, 80, truth);
      const fit = laplaceEm(subjects, { random: [true, true], start: Float64Array.from([0, 0]), covariates: { params: [0, 0], z }, ...(importance ? { importance } : {}) });
      const se = (k: number) => Math.sqrt(fit.fixedCov[k * 4 + k]!);
      // Within 3 standard errors of the truth, and the SEs small enough to make that a test (15% of each effect).
      expect(Math.abs(fit.mu[0]! - 1)).toBeLessThan(3 * se(0));
      expect(Math.abs(fit.beta[0]! - 0.75)).toBeLessThan(3 * se(2));
      expect(Math.abs(fit.beta[1]! + 0.3)).toBeLessThan(3 * se(3));
      expect(Math.abs(fit.beta[0]! / 0.75 - 1)).toBeLessThan(0.15);
      expect(Math.abs(fit.beta[1]! / -0.3 - 1)).toBeLessThan(0.15);
      // The omega is what the covariates leave (0.15), not the spread they make.
      expect(Math.abs(Math.sqrt(fit.omega[0]!) / 0.15 - 1)).toBeLessThan(0.3);
    });
  }

  it("without the covariate columns the omega absorbs their spread (the test above can fail)", () => {
    const { subjects } = simulate(21, 80, truth);
    const fit = laplaceEm(subjects, { random: [true, true], start: Float64Array.from([0, 0]) });
    expect(Math.sqrt(fit.omega[0]!)).toBeGreaterThan(0.2);
    expect(fit.beta.length).toBe(0);
  });
});

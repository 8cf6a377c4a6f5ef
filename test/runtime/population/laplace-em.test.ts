import { describe, expect, it } from "vitest";
import { laplaceEm, linearSubject, type NonlinearSubject } from "../../../src/runtime/population/laplace-em.js";
import { gramSums, profileNuisance } from "../../../src/runtime/population/subject-rows.js";
import { createRng } from "../../../src/runtime/numeric/random.js";

/** Seeded log-normal population: y_ij = exp(psi1_i) x_ij - exp(psi2_i) w_ij + e, psi_i ~ N(mu, diag(omega^2)). */
function simulate(seed: number, m: number, rows: number, mu: number[], omega: number[], sigma: number, outlier = false) {
  const rng = createRng(seed);
  const subjects: NonlinearSubject[] = [];
  for (let i = 0; i < m; i++) {
    const psi = mu.map((v, j) => v + omega[j]! * rng.normal());
    // One subject far out, with rows that barely determine it (a flat profile).
    const weak = outlier && i === 0;
    if (weak) psi[0] = mu[0]! + 3;
    const g = new Float64Array(rows * 2);
    const y = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const x = weak ? 0.0003 * (1 + rng.uniform()) : 1 + 2 * rng.uniform();
      const w = 0.5 + rng.uniform();
      g[r * 2] = x;
      g[r * 2 + 1] = -w;
      y[r] = Math.exp(psi[0]!) * x - Math.exp(psi[1]!) * w + sigma * rng.normal();
    }
    const st = gramSums({ rows, cols: 2, g, y });
    subjects.push(linearSubject(st, 2, (p, out) => ((out[0] = Math.exp(p[0]!)), (out[1] = Math.exp(p[1]!))), null));
  }
  return subjects;
}

describe("laplaceEm (seeded log-normal populations, truth = the simulation's values)", () => {
  it("recovers mu and the log-scale omegas", () => {
    const subjects = simulate(11, 60, 8, [1, -0.5], [0.3, 0.2], 0.05);
    const fit = laplaceEm(subjects, { random: [true, true], start: Float64Array.from([0, 0]) });
    expect(Math.abs(fit.mu[0]! - 1)).toBeLessThan((3 * 0.3) / Math.sqrt(60));
    expect(fit.mu[1]).toBeCloseTo(-0.5, 1);
    expect(Math.sqrt(fit.omega[0]!) / 0.3 - 1).toBeLessThan(0.25);
    expect(Math.abs(Math.sqrt(fit.omega[3]!) / 0.2 - 1)).toBeLessThan(0.25);
    expect(Math.sqrt(fit.sigma2) / 0.05 - 1).toBeLessThan(0.2);
    expect(fit.converged).toBe(true);
  });

  it("an outlying subject that its data barely determine does not set the omega", () => {
    const subjects = simulate(12, 30, 8, [1, -0.5], [0.3, 0.2], 0.05, true);
    const fit = laplaceEm(subjects, { random: [true, true], start: Float64Array.from([0, 0]) });
    expect(Math.abs(Math.sqrt(fit.omega[0]!) / 0.3 - 1)).toBeLessThan(0.4);
  });

  it("a component without a random effect is pooled", () => {
    const subjects = simulate(13, 40, 6, [0.5, -1], [0.3, 0], 0.05);
    const fit = laplaceEm(subjects, { random: [true, false], start: Float64Array.from([0, 0]) });
    expect(fit.mu[1]).toBeCloseTo(-1, 1);
    expect(fit.omega[3]).toBe(0);
  });
});

describe("profileNuisance", () => {
  it("gives the same least-squares estimate as keeping the nuisance column, with one row fewer", () => {
    const rows = 6;
    const g = new Float64Array(rows * 2);
    const y = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      g[r * 2] = r * r + 1;
      g[r * 2 + 1] = 1;
      y[r] = 0.7 * (r * r + 1) + 3 + 0.1 * Math.sin(r * 7);
    }
    const prof = profileNuisance({ rows, cols: 2, g, y }, [1]);
    expect(prof.rows).toBe(5);
    const st = gramSums(prof);
    const slopeProfiled = st.gty[0]! / st.gtg[0]!;
    // Full least squares by the normal equations of [x 1].
    const full = gramSums({ rows, cols: 2, g, y });
    const det = full.gtg[0]! * full.gtg[3]! - full.gtg[1]! * full.gtg[2]!;
    const slopeFull = (full.gtg[3]! * full.gty[0]! - full.gtg[1]! * full.gty[1]!) / det;
    expect(slopeProfiled).toBeCloseTo(slopeFull, 10);
  });
});

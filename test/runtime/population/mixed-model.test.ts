import { describe, expect, it } from "vitest";
import { MixedModel, type SubjectStats } from "../../../src/runtime/population/mixed-model.js";
import { cholesky } from "../../../src/runtime/numeric/linalg.js";
import { createRng } from "../../../src/runtime/numeric/random.js";

/** Seeded linear mixed data y_i = G_i (theta + b_i) + e_i with random designs. */
function simulate(opts: {
  m: number;
  rows: number;
  theta: number[];
  omega: number[][];
  sigma: number;
  seed: number;
  colScale?: number[];
}): SubjectStats[] {
  const p = opts.theta.length;
  const rng = createRng(opts.seed);
  const l = Float64Array.from(opts.omega.flat());
  cholesky(l, p);
  const stats: SubjectStats[] = [];
  for (let i = 0; i < opts.m; i++) {
    const z = Array.from({ length: p }, () => rng.normal());
    const th = opts.theta.map((t, a) => t + z.reduce((s, zz, c) => s + l[a * p + c]! * zz, 0));
    const gtg = new Float64Array(p * p);
    const gty = new Float64Array(p);
    let yty = 0;
    for (let r = 0; r < opts.rows; r++) {
      const g = Array.from({ length: p }, (_, j) => (1 + rng.normal()) * (opts.colScale?.[j] ?? 1));
      const y = g.reduce((s, gj, j) => s + gj * th[j]!, 0) + opts.sigma * rng.normal();
      yty += y * y;
      for (let a = 0; a < p; a++) {
        gty[a] += g[a]! * y;
        for (let b = 0; b < p; b++) gtg[a * p + b] += g[a]! * g[b]!;
      }
    }
    stats.push({ n: opts.rows, gtg, gty, yty });
  }
  return stats;
}

describe("linear mixed model (ML)", () => {
  const theta = [1, -2, 0.5];
  const diag = [
    [0.09, 0, 0],
    [0, 0.25, 0],
    [0, 0, 0.04],
  ];
  const full = [
    [0.09, 0.06, 0],
    [0.06, 0.25, -0.03],
    [0, -0.03, 0.04],
  ];

  for (const sigma of [0.01, 1]) {
    it(`recovers theta, a diagonal Omega and sigma = ${sigma}`, () => {
      const stats = simulate({ m: 400, rows: 12, theta, omega: diag, sigma, seed: 21 });
      const blocks = [0, 1, 2].map((j) => ({ params: [j], full: false }));
      const fit = new MixedModel(stats, 3, [0, 1, 2], blocks).fit();
      for (let j = 0; j < 3; j++) {
        expect(Math.abs(fit.theta[j]! - theta[j]!)).toBeLessThan(4 * Math.sqrt(fit.thetaCov[j * 3 + j]!));
        expect(Math.sqrt(fit.omega[j * 3 + j]!) / Math.sqrt(diag[j]![j]!)).toBeGreaterThan(0.85);
        expect(Math.sqrt(fit.omega[j * 3 + j]!) / Math.sqrt(diag[j]![j]!)).toBeLessThan(1.15);
      }
      expect(Math.sqrt(fit.sigma2) / sigma).toBeGreaterThan(0.95);
      expect(Math.sqrt(fit.sigma2) / sigma).toBeLessThan(1.05);
      expect(fit.omega[1]).toBe(0); // diagonal structure keeps off-diagonals at 0
      expect(fit.nullSpace).toHaveLength(0);
    });
  }

  it("recovers a full Omega (correlations) with very different column scales", () => {
    const scale = [1e3, 1, 1e-2];
    // Parameters scaled inversely so that G theta has the same size.
    const thetaS = theta.map((t, j) => t / scale[j]!);
    const omegaS = full.map((row, a) => row.map((v, b) => v / (scale[a]! * scale[b]!)));
    const stats = simulate({ m: 500, rows: 12, theta: thetaS, omega: omegaS, sigma: 0.1, seed: 22, colScale: scale });
    const fit = new MixedModel(stats, 3, [0, 1, 2], [{ params: [0, 1, 2], full: true }]).fit();
    for (let j = 0; j < 3; j++) expect(fit.theta[j]! * scale[j]!).toBeCloseTo(theta[j]!, 1);
    const sd = (j: number): number => Math.sqrt(fit.omega[j * 3 + j]!);
    for (let j = 0; j < 3; j++) expect(sd(j) * scale[j]! / Math.sqrt(full[j]![j]!)).toBeGreaterThan(0.85);
    for (let j = 0; j < 3; j++) expect(sd(j) * scale[j]! / Math.sqrt(full[j]![j]!)).toBeLessThan(1.15);
    const corr01 = fit.omega[1]! / (sd(0) * sd(1));
    const corr12 = fit.omega[5]! / (sd(1) * sd(2));
    expect(corr01).toBeGreaterThan(0.4 - 0.15);
    expect(corr01).toBeLessThan(0.4 + 0.15);
    expect(corr12).toBeGreaterThan(-0.3 - 0.15);
    expect(corr12).toBeLessThan(-0.3 + 0.15);
  });

  it("handles fixed-only parameters (no random effect)", () => {
    const omega = [
      [0.09, 0, 0],
      [0, 0, 0],
      [0, 0, 0.04],
    ];
    const stats = simulate({ m: 300, rows: 10, theta, omega, sigma: 0.3, seed: 23 });
    const fit = new MixedModel(stats, 3, [0, 2], [{ params: [0], full: false }, { params: [2], full: false }]).fit();
    expect(fit.omega).toHaveLength(4);
    expect(Math.sqrt(fit.omega[0]!)).toBeGreaterThan(0.3 * 0.85);
    expect(Math.sqrt(fit.omega[3]!)).toBeLessThan(0.2 * 1.15);
    expect(Math.abs(fit.theta[1]! - theta[1]!)).toBeLessThan(4 * Math.sqrt(fit.thetaCov[4]!));
    expect(fit.blups[0]).toHaveLength(2);
  });

  it("reports a rank-deficient design instead of throwing", () => {
    // Column 2 = column 0 + column 1 in every row: only theta_0 + theta_2 and theta_1 + theta_2 are identified (one null direction).
    const rng = createRng(24);
    const stats: SubjectStats[] = [];
    for (let i = 0; i < 50; i++) {
      const gtg = new Float64Array(9);
      const gty = new Float64Array(3);
      let yty = 0;
      for (let r = 0; r < 8; r++) {
        const g0 = rng.normal();
        const g1 = rng.normal();
        const g = [g0, g1, g0 + g1];
        const y = g0 * 1 + g1 * 2 + 0.1 * rng.normal();
        yty += y * y;
        for (let a = 0; a < 3; a++) {
          gty[a] += g[a]! * y;
          for (let b = 0; b < 3; b++) gtg[a * 3 + b] += g[a]! * g[b]!;
        }
      }
      stats.push({ n: 8, gtg, gty, yty });
    }
    const model = new MixedModel(stats, 3, [0], [{ params: [0], full: false }]);
    expect(model.nullSpace).toHaveLength(1);
    const v = model.nullSpace[0]!;
    // Null direction is proportional to (1, 1, -1).
    expect(Math.abs(v[0]! / v[2]!)).toBeCloseTo(1, 6);
    expect(v[0]! / v[1]!).toBeCloseTo(1, 6);
    const fit = model.fit();
    expect(Number.isFinite(fit.theta[0]!)).toBe(true);
    // The identifiable combinations are still right.
    expect(fit.theta[0]! + fit.theta[2]!).toBeCloseTo(1, 1);
    expect(fit.theta[1]! + fit.theta[2]!).toBeCloseTo(2, 1);
  });
});

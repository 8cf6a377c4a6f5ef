// The shared smoother (rows/shared-smoother.ts) against the per-subject P-spline, on seeded growth populations
// with their noise-free curves (simulation truth, shared-smoother-fixture.ts). Measured with
// `npx tsx scripts/shared-smoother-accuracy.ts 10 100` (median over seeds 100-109, relative RMSE over the sampled span):
//   per-subject P-spline (undersmooth 0.1, as the fit): value 2.44%, derivative 22.4%
//   shared smoother (GCV lambdas):                      value 1.76%, derivative 9.0%; noise b 0.0283 (truth 0.03)
//   shared smoother undersmoothed by 0.1:               value 2.07%, derivative 14.5% (so the fit does not undersmooth it)
//   pchip through the samples (the integral rows' default curve): value 2.68%
// Effect on the fit of data/growth_sparse.csv: b 0.088 -> 0.029 (truth 0.03); kA, k and omegas within 1% of before.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { smoothShared, type SharedSeries } from "../../../src/runtime/rows/shared-smoother.js";
import { sharedSmoothingApplies } from "../../../src/runtime/rows/shared-curves.js";
import { fit } from "../../../src/runtime/estimate/fit.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { model as growth } from "../../../generated/growth_sparse.js";
import { growthPopulation, smootherErrors } from "./shared-smoother-fixture.js";

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;

describe("shared smoother on seeded growth populations (14 x 6 samples, 3% noise; truth: the noise-free curves)", () => {
  const errors = [100, 101, 102, 103, 104].map((seed) => smootherErrors(growthPopulation(seed)));
  const med = (k: string) => median(errors.map((e) => e[k]!));

  it("follows the true curve more closely than the per-subject P-spline and pchip", () => {
    expect(med("sharedValue")).toBeLessThan(0.8 * med("ownValue"));
    expect(med("sharedValue")).toBeLessThan(0.8 * med("pchipValue"));
  });

  it("and its derivative at less than half the per-subject error", () => {
    expect(med("sharedDeriv")).toBeLessThan(0.5 * med("ownDeriv"));
  });

  it("estimates the noise b within 15% of the truth (0.03)", () => {
    expect(Math.abs(med("sharedB") / 0.03 - 1)).toBeLessThan(0.15);
  });
});

describe("shared smoother mechanics", () => {
  const pop = growthPopulation(7);
  const series: SharedSeries[] = pop.map((s) => ({ times: s.times, values: s.values }));

  it("with a very large deviation penalty every subject follows the population curve", () => {
    const f = smoothShared(series, { fixed: { logLambdaC: 0, logLambdaD: 10, eta: 10 } });
    for (const s of f.subjects) for (let j = 0; j < s.coef.length; j++) expect(s.coef[j]!).toBeCloseTo(f.population[j]!, 3);
  });

  it("its smoother matrix is the derivative of the subject's coefficients in its own samples", () => {
    const fixed = { logLambdaC: -1, logLambdaD: 0.5, eta: 0.1 };
    const f = smoothShared(series, { fixed });
    const a = f.subjects[3]!.smootherMatrix();
    const n = series[3]!.times.length;
    const h = 1e-3;
    for (const j of [0, 2, 5]) {
      const bumped = series.map((s, i) => (i === 3 ? { ...s, values: s.values.map((v, k) => (k === j ? v + h : v)) } : s));
      const g = smoothShared(bumped, { fixed }).subjects[3]!.coef;
      for (let r = 0; r < g.length; r++) expect(a[r * n + j]!).toBeCloseTo((g[r]! - f.subjects[3]!.coef[r]!) / h, 5);
    }
  });

  it("its pooled edf lies between the population curve alone and one curve per subject", () => {
    const f = smoothShared(series);
    expect(f.edf).toBeGreaterThan(2);
    expect(f.edf).toBeLessThan(series.length * 4);
    expect(f.subjects.reduce((s, x) => s + x.noise.edf, 0)).toBeCloseTo(f.edf, 6);
  });
});

describe("the rule that chooses the shared smoother", () => {
  const at = (times: number[], n = 14): SharedSeries[] => Array.from({ length: n }, () => ({ times: Float64Array.from(times), values: new Float64Array(times.length) }));
  it("applies to many subjects sampled sparsely on a common design", () => {
    expect(sharedSmoothingApplies(at([2, 4, 8, 12, 16, 22]))).toBe(true);
  });
  it("not to densely sampled subjects, nor to fewer than 8 subjects", () => {
    expect(sharedSmoothingApplies(at(Array.from({ length: 24 }, (_, i) => i)))).toBe(false);
    expect(sharedSmoothingApplies(at([2, 4, 8, 12, 16, 22], 7))).toBe(false);
  });
  it("not when subjects are observed over different stretches of time", () => {
    const staggered = Array.from({ length: 14 }, (_, i) => ({ times: Float64Array.from([0, 2, 4, 6, 8].map((t) => t + 10 * i)), values: new Float64Array(5) }));
    expect(sharedSmoothingApplies(staggered)).toBe(false);
  });
});

describe("the fit says which smoother it used", () => {
  const file = fileURLToPath(new URL("../../../data/growth_sparse.csv", import.meta.url));
  const data = loadData(readFileSync(file, "utf8"), "data/growth_sparse.csv", growth.meta);
  it("growth_sparse.csv: the shared smoother for height, in the settings and the notes; b within 15% of the truth file's 0.03", () => {
    const r = fit(growth, data);
    expect((r.settings.smoothing as { shared?: string[] }).shared).toEqual(["height"]);
    expect(r.notes.join(" ")).toMatch(/Curves of height: shared smoother/);
    expect(Math.abs(r.residual.height!.b! / 0.03 - 1)).toBeLessThan(0.15);
  });
  it("smoother: 'subject' keeps the per-subject P-splines", () => {
    const r = fit(growth, data, { smoother: "subject" });
    expect((r.settings.smoothing as { shared?: string[] }).shared).toBeUndefined();
  });
});

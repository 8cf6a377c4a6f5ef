import { describe, expect, it } from "vitest";
import { fitSparse } from "../../../src/runtime/sparse/fit-sparse.js";
import { scoreTerms } from "../../../src/runtime/sparse/score.js";
import { simulatedNetwork } from "./network-model.js";

describe("fitSparse on a seeded simulated network (6 genes, 16 subjects)", async () => {
  const { model, data, theta } = await simulatedNetwork({ genes: 6, subjects: 16, seed: 12 });

  it("recovers the wiring and reports every selected term with canonical names", () => {
    const fit = fitSparse(model, data);
    const score = scoreTerms(fit.terms!, theta);
    expect(score.f1).toBeGreaterThanOrEqual(0.85);
    expect(score.medianRelativeError).toBeLessThan(0.15);
    for (const t of fit.terms!) {
      expect(model.meta.states.map((s) => s.name)).toContain(t.equation);
      expect(t.term).toMatch(/^(1|g\d+)$/);
      expect(t.stability).toBeGreaterThanOrEqual(0);
      expect(t.stability).toBeLessThanOrEqual(1);
      expect(fit.parameters[`W[${t.equation}, ${t.term}]`]!.estimate).toBe(t.estimate);
    }
    // The constant (production) is always in, with a random effect.
    for (const s of model.meta.states) {
      const c = fit.terms!.find((t) => t.equation === s.name && t.term === "1")!;
      expect(c.omega).not.toBeNull();
      expect(c.stability).toBe(1);
    }
    // The stability is the selection probability over 25 complementary pairs of half-samples of subjects, and the threshold was applied.
    expect(fit.settings["stability"]).toMatchObject({ of: "of 50 half-samples of subjects", pairs: 25, threshold: 0.5, rule: "intersect" });
    for (const t of fit.terms!) expect(t.stability * 50).toBeCloseTo(Math.round(t.stability * 50), 9);
    for (const t of fit.terms!.filter((x) => x.term !== "1")) expect(t.stability).toBeGreaterThanOrEqual(0.5);
    expect(fit.notes.join(" ")).toMatch(/Stability of a term: the fraction of 50 half-samples of subjects/);
    expect(Object.keys(fit.parameters).length).toBe(model.nParams);
    expect(Object.keys(fit.individual).length).toBe(16);
    expect(() => JSON.parse(JSON.stringify(fit))).not.toThrow();
    expect(JSON.stringify(fit)).not.toMatch(/NaN|Infinity/);
  });

  it("is reproducible for a seed and every tuning route selects sensibly", () => {
    const a = fitSparse(model, data, { seed: 4 });
    const b = fitSparse(model, data, { seed: 4 });
    expect(b.terms).toEqual(a.terms);
    for (const options of [
      { lambda: "ebic" as const },
      { control: "stability" as const },
      { control: "relaxed" as const },
      { penalty: "spls" as const },
      { test: "none" as const, pairs: 0 },
    ]) {
      const f1 = scoreTerms(fitSparse(model, data, options).terms!, theta).f1;
      expect(f1, JSON.stringify(options)).toBeGreaterThanOrEqual(0.7);
    }
  });

  it("a fixed lambda large enough keeps only the constants", () => {
    const fit = fitSparse(model, data, { lambda: 1e6 });
    expect(fit.terms!.every((t) => t.term === "1")).toBe(true);
    expect(fit.terms!.length).toBe(6);
  });
});

// Simulated covariates and their effects: given or drawn per subject, categorical labels written as they are, the
// effects on the transformed scale (log for a positive parameter), every coefficient required.
import { describe, expect, it } from "vitest";
import { model as growthDiet } from "../../../generated/growth_diet.js";
import { model as decayWeight } from "../../../generated/decay_weight.js";
import { simulateDatasetWithTruth, type DatasetSpec } from "../../../src/runtime/simulate/simulate-data.js";
import { loadData } from "../../../src/runtime/data/load-data.js";

const growth: DatasetSpec = {
  theta: { r: 0.02 },
  beta: { beta_r_DIET_D2: 0.006, beta_r_DIET_D3: -0.005 },
  covariateDistribution: { DIET: { levels: ["D1", "D2", "D3"] } },
  x0: { W: 250 },
  times: [0, 10, 20],
  noise: { weight: {} },
  subjects: 6,
  seed: 3,
};

describe("simulated covariate effects", () => {
  it("levels dealt in turn; a normal parameter moves by beta; the file reads back with the same levels", () => {
    const { csv, individual } = simulateDatasetWithTruth(growthDiet, growth);
    expect(individual.map((p) => p.r)).toEqual([0.02, 0.026, 0.015, 0.02, 0.026, 0.015].map((x) => expect.closeTo(x, 12)));
    const data = loadData(csv, "sim.csv", growthDiet.meta);
    expect(data.levels).toEqual({ DIET: ["D1", "D2", "D3"] });
    // Noise-free: W(20) = 250 exp(20 r) for the subject's diet.
    expect(data.subjects[1]!.series[0]!.values[2]).toBeCloseTo(250 * Math.exp(20 * 0.026), 3);
  });

  it("a positive parameter moves on the log scale: k (WT / 70)^beta", () => {
    const { individual } = simulateDatasetWithTruth(decayWeight, {
      theta: { k: 0.2 },
      beta: { beta_k_WT: 0.75 },
      covariates: { WT: [35, 70, 140] },
      x0: { C: 10 },
      times: [1, 2, 4],
      noise: { conc: {} },
      subjects: 3,
      seed: 1,
    });
    expect(individual.map((p) => p.k)).toEqual([0.2 * 0.5 ** 0.75, 0.2, 0.2 * 2 ** 0.75].map((x) => expect.closeTo(x, 12)));
  });

  it("drawn covariates come from their own stream: the same seed gives the same file, the draws do not move the noise", () => {
    const spec = { ...growth, covariateDistribution: { DIET: { levels: ["D1", "D2", "D3"], weights: [1, 1, 1] } }, noise: { weight: { a: 1 } } };
    const a = simulateDatasetWithTruth(growthDiet, spec).csv;
    expect(simulateDatasetWithTruth(growthDiet, spec).csv).toBe(a);
    const drawnWt = simulateDatasetWithTruth(decayWeight, {
      theta: { k: 0.2 },
      beta: { beta_k_WT: 0.75 },
      covariateDistribution: { WT: { lognormal: [70, 0.2] } },
      x0: { C: 10 },
      times: [1],
      noise: { conc: {} },
      subjects: 50,
      seed: 5,
    });
    const wts = loadData(drawnWt.csv, "sim.csv", decayWeight.meta).subjects.map((s) => s.covariates[0]!);
    const logMean = wts.reduce((s, w) => s + Math.log(w), 0) / wts.length;
    expect(Math.exp(logMean)).toBeGreaterThan(60);
    expect(Math.exp(logMean)).toBeLessThan(80);
    expect(new Set(wts).size).toBe(50);
  });

  it("a missing coefficient or a covariate both given and drawn is an error that names it", () => {
    expect(() => simulateDatasetWithTruth(growthDiet, { ...growth, beta: { beta_r_DIET_D2: 0.006 } })).toThrow(/beta: no value for beta_r_DIET_D3/);
    expect(() => simulateDatasetWithTruth(growthDiet, { ...growth, covariates: { DIET: "D1" } })).toThrow(/DIET is both given and drawn/);
    expect(() => simulateDatasetWithTruth(growthDiet, { ...growth, covariateDistribution: {} })).toThrow(/no value for DIET/);
  });
});

describe("simulated covariate effects on a volume (pk_oral_wt, V estimated as 1/V)", () => {
  it("V_i = V (WT_i / 70)^beta on the model's scale; the compiled functions get 1/V_i", async () => {
    const { model } = await import("../../../generated/pk_oral_wt.js");
    const spec: DatasetSpec = {
      theta: { ka: 1, V: 20, ke: 0.1 },
      beta: { beta_V_WT: 1 },
      covariates: { WT: [35, 140] },
      doses: [{ time: 0, amount: 100 }],
      times: [0.5, 2, 8],
      noise: { conc: {} },
      subjects: 2,
      seed: 1,
    };
    const { csv, individual } = simulateDatasetWithTruth(model, spec);
    expect(individual.map((p) => p.V)).toEqual([10, 40].map((x) => expect.closeTo(x, 12)));
    // Twice the weight here means four times the volume: a quarter of the concentration at every time.
    const data = loadData(csv, "sim.csv", model.meta);
    const [a, b] = data.subjects.map((s) => Array.from(s.series[0]!.values));
    a!.forEach((v, i) => expect(v / b![i]!).toBeCloseTo(4, 4));
  });
});

// Issue 13, fitted: the pharmacokinetic forms against their seeded simulations
// (`simulateDatasetWithTruth`, the ODE solved by the product's simulator; the
// fit never solves it). The same settings wrote data/pk_iv_multidose.csv,
// pk_iv_infusion.csv and pk_2cmt_iv.csv with `nlme simulate` (the command is in
// each *.truth.json); the first test checks that the file is that simulation. Targets: population values within 15% of the
// simulating ones, and for a searched rate the median of the individual values.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { model as iv } from "../../../generated/pk_iv_multidose.js";
import { model as infusion } from "../../../generated/pk_iv_infusion.js";
import { model as twoCmt } from "../../../generated/pk_2cmt_iv.js";
import { model as oralWt } from "../../../generated/pk_oral_wt.js";
import { simulateDatasetWithTruth, type DatasetSpec } from "../../../src/runtime/simulate/simulate-data.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { fit } from "../../../src/runtime/estimate/fit.js";
import { median } from "../../../src/runtime/numeric/summary.js";
import type { CompiledModel } from "../../../src/runtime/model.js";
import type { FitResult } from "../../../src/runtime/fit-result.js";
import { PK_ORAL_WT } from "../../../scripts/covariate-designs.js";

function simulateAndFit(model: CompiledModel, spec: DatasetSpec): FitResult {
  const sim = simulateDatasetWithTruth(model, spec);
  return fit(model, loadData(sim.csv, `${model.meta.name}.csv`, model.meta));
}

const medianOf = (r: FitResult, name: string) => median(Object.values(r.individual).map((x) => x[name]!).filter(Number.isFinite));
const rel = (a: number, b: number) => Math.abs(a - b) / b;

describe("one-compartment IV bolus, repeated doses (pk_iv_multidose: C += amt / V)", () => {
  it("data/pk_iv_multidose.csv is this seeded simulation", () => {
    const file = readFileSync(new URL("../../../data/pk_iv_multidose.csv", import.meta.url), "utf8");
    const sim = simulateDatasetWithTruth(iv, { theta: { V: 20, ke: 0.15 }, omega: { V: 0.2, ke: 0.2 }, re: "lognormal", times: [1, 6, 11.9, 13, 23.9, 30, 35.9, 37, 42, 47.9], doses: [0, 12, 24, 36].map((t) => ({ time: t, amount: 500 })), noise: { conc: { b: 0.1 } }, subjects: 40, seed: 13 });
    expect(sim.csv).toBe(file);
  });
  // Truth: V = 20 L, ke = 0.15 1/h, log-normal omega 0.2 each, 10% proportional noise; 40 subjects, seed 13,
  // 500 mg every 12 h, samples around the doses (troughs at 11.9, 23.9, 35.9 h).
  const r = simulateAndFit(iv, {
    theta: { V: 20, ke: 0.15 },
    omega: { V: 0.2, ke: 0.2 },
    re: "lognormal",
    times: [1, 6, 11.9, 13, 23.9, 30, 35.9, 37, 42, 47.9],
    doses: [0, 12, 24, 36].map((t) => ({ time: t, amount: 500 })),
    noise: { conc: { b: 0.1 } },
    subjects: 40,
    seed: 13,
  });
  it("V (population, 1 / typical coefficient) within 15% of 20", () => expect(rel(r.parameters.V!.estimate, 20)).toBeLessThan(0.15));
  it("ke (median of the searched individual rates) within 15% of 0.15", () => expect(rel(medianOf(r, "ke"), 0.15)).toBeLessThan(0.15));
  it("reports V, not its reciprocal, per subject", () => expect(medianOf(r, "V")).toBeGreaterThan(10));
});

describe("sparse IV multi-dose (quinidine-like: 2 troughs per subject between 6 doses)", () => {
  // Truth as above (V = 20, ke = 0.15), 60 subjects, seed 7; each subject only at 2 of the troughs.
  const r = simulateAndFit(iv, {
    theta: { V: 20, ke: 0.15 },
    omega: { V: 0.2, ke: 0.2 },
    re: "lognormal",
    times: [5.9, 35.9, 59.9],
    doses: [0, 6, 12, 24, 36, 48].map((t) => ({ time: t, amount: 300 })),
    noise: { conc: { b: 0.1 } },
    subjects: 60,
    seed: 7,
  });
  it("V within 15% of 20", () => expect(rel(r.parameters.V!.estimate, 20)).toBeLessThan(0.15));
  it("ke (median of individuals) within 15% of 0.15", () => expect(rel(medianOf(r, "ke"), 0.15)).toBeLessThan(0.15));
});

describe("one-compartment IV infusion (pk_iv_infusion: DUR in the data)", () => {
  // Truth: V = 20 L, ke = 0.3 1/h, log-normal omega 0.2 each, 10% proportional noise; 30 subjects, seed 11,
  // 100 mg over 2 h, samples during and after the infusion.
  const r = simulateAndFit(infusion, {
    theta: { V: 20, ke: 0.3 },
    omega: { V: 0.2, ke: 0.2 },
    re: "lognormal",
    times: [0.5, 1, 1.5, 2, 3, 4, 6, 8, 12],
    doses: [{ time: 0, amount: 100, duration: 2 }],
    noise: { conc: { b: 0.1 } },
    subjects: 30,
    seed: 11,
  });
  it("V within 15% of 20", () => expect(rel(r.parameters.V!.estimate, 20)).toBeLessThan(0.15));
  it("ke (median of individuals) within 15% of 0.3", () => expect(rel(medianOf(r, "ke"), 0.3)).toBeLessThan(0.15));
});

describe("two-compartment IV bolus (pk_2cmt_iv: P latent, a convolution of C)", () => {
  // Truth: V = 10, k10 = 0.1, k12 = 0.3, k21 = 0.15 (1/min), log-normal omega 0.2 each, 5% proportional noise;
  // 30 subjects, seed 5, 100 mg at 0, 12 samples over 90 min. Population values of the log-scale mixed model
  // (compartment-population.ts), measured: V +9.4%, k10 +7.3%, k12 -2.8%, k21 -3.1% from the truth, each within
  // 0.6% of the realised typical value (the geometric mean of the 30 simulated subjects' values: V 10.97, k10 0.107).
  const truth = { V: 10, k10: 0.1, k12: 0.3, k21: 0.15 };
  const sim = simulateDatasetWithTruth(twoCmt, {
    theta: truth,
    omega: { V: 0.2, k10: 0.2, k12: 0.2, k21: 0.2 },
    re: "lognormal",
    times: [0.5, 1, 2, 4, 6, 10, 15, 20, 30, 45, 60, 90],
    doses: [{ time: 0, amount: 100 }],
    noise: { conc: { b: 0.05 } },
    subjects: 30,
    seed: 5,
  });
  const r = fit(twoCmt, loadData(sim.csv, "pk_2cmt_iv.csv", twoCmt.meta));
  const logs = (name: string) => sim.individual.map((x) => Math.log(x[name]!));
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const sdOf = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1));
  for (const [name, value] of Object.entries(truth)) {
    it(`${name} (population value) within 15% of ${value}`, () => expect(rel(r.parameters[name]!.estimate, value)).toBeLessThan(0.15));
    it(`${name} within 3% of the realised typical value, omega within 15% of the realised SD, with a standard error`, () => {
      expect(rel(r.parameters[name]!.estimate, Math.exp(mean(logs(name))))).toBeLessThan(0.03);
      expect(rel(r.parameters[name]!.omega!, sdOf(logs(name)))).toBeLessThan(0.15);
      expect(r.parameters[name]!.se).toBeGreaterThan(0);
    });
  }
  it("proportional error b within 15% of 0.05", () => expect(rel(r.residual.conc!.b!, 0.05)).toBeLessThan(0.15));
});

describe("one-compartment oral, amounts over V, weight on V (pk_oral_wt: the depot receives amt / V after the concentration rewrite)", () => {
  // data/pk_oral_wt.csv and its truth file, written by scripts/simulate-covariate-data.ts from PK_ORAL_WT
  // (scripts/covariate-designs.ts): ka = 1.5 1/h, V = 30 L at 70 kg with V_i = V (WT_i / 70)^1 e^eta, ke = 0.1 1/h,
  // log-normal omega 0.2 each, 10% proportional noise; 60 subjects of 40-120 kg, seed 17, 300 mg at 0, 9 samples to
  // 24 h. Truth = the simulation's values.
  const spec: DatasetSpec = PK_ORAL_WT;
  const path = new URL("../../../data/pk_oral_wt.csv", import.meta.url);
  it("data/pk_oral_wt.csv is this seeded simulation", () => {
    expect(simulateDatasetWithTruth(oralWt, spec).csv).toBe(readFileSync(path, "utf8"));
  });
  it("ka, V, ke and the allometric exponent of V within 15% of the truth (the exponent estimated in the log-scale EM)", () => {
    const r = fit(oralWt, loadData(readFileSync(path, "utf8"), "pk_oral_wt.csv", oralWt.meta));
    const beta = r.covariateEffects!["beta_V_WT"]!;
    expect(beta).toMatchObject({ parameter: "V", covariate: "WT", scale: "log" });
    const errs = { ka: rel(r.parameters.ka!.estimate, 1.5), V: rel(r.parameters.V!.estimate, 30), ke: rel(r.parameters.ke!.estimate, 0.1), beta_V_WT: rel(beta.estimate, 1), medianKa: rel(medianOf(r, "ka"), 1.5) };
    console.log("pk_oral_wt relative errors:", errs, "beta SE", beta.se, "omegas", r.parameters.ka!.omega, r.parameters.V!.omega, r.parameters.ke!.omega);
    for (const [name, err] of Object.entries(errs)) expect(err, name).toBeLessThan(0.15);
    // The omega of V is what weight leaves (0.2), not the spread weight makes (0.34 with it).
    expect(rel(r.parameters.V!.omega!, 0.2)).toBeLessThan(0.3);
    expect(r.notes.join("\n")).not.toMatch(/were not estimated/);
  }, 600_000);
});

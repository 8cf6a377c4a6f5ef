// SAEM from the weak-form first guess on seeded simulations with known truth (data/*.truth.json, copied from
// the shared simulated sets): the refined population values must be closer to the truth than the first guess.
// Typical values are compared: the truth files' theta are the medians of log-normal parameters.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { lotka_volterra, pk_oral } from "../../../generated/index.js";
import { loadModel } from "../../../src/cli/load-model.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { estimate } from "../../../src/runtime/model-entry.js";
import type { CompiledModel } from "../../../src/runtime/model.js";
import { refine } from "../../../src/runtime/refine/refine.js";

const root = resolve(import.meta.dirname, "../../..");

function run(model: CompiledModel, file: string) {
  const path = join(root, "data", file);
  const data = loadData(readFileSync(path, "utf8"), path, model.meta);
  const truth = JSON.parse(readFileSync(path.replace(/\.csv$/, ".truth.json"), "utf8")) as { theta: Record<string, number>; omega_sd: Record<string, number> };
  const guess = estimate(model, data);
  const refined = refine(model, data, guess, { seed: 1 });
  const err = (v: number, name: string) => Math.abs(v / truth.theta[name]! - 1);
  return { guess, refined, truth, err };
}

describe("refine on seeded simulations", () => {
  it("growth_sparse.csv (14 x 6, proportional 3%): within 10% of the truth and closer than the first guess", async () => {
    const model = (await loadModel(join(import.meta.dirname, "growth.nlme"))).model;
    const { guess, refined, err } = run(model, "growth_sparse.csv");
    // Measured (seed 1, per-subject random streams): kA 4.673 (truth 4.8, -2.6%), k 0.07787 (0.08, -2.7%); first guess kA 4.638 (-3.4%),
    // k 0.07694 (-3.8%): the weak form now starts near the optimum (it gave kA 0.37, k -0.039 before its integral rows).
    for (const name of ["kA", "k"]) {
      expect(err(refined.parameters[name]!.estimate, name)).toBeLessThan(0.1);
      expect(err(refined.parameters[name]!.estimate, name)).toBeLessThan(err(guess.parameters[name]!.estimate, name));
    }
  }, 120_000);

  it("pk_oral_sparse.csv (12 x 10, proportional 10%): closer to the truth than the first guess", () => {
    const { guess, refined, err } = run(pk_oral, "pk_oral_sparse.csv");
    // Measured (seed 1, per-subject random streams): ka 1.86 (truth 2.2; first guess 1.52), ka_over_V 3.68 (4.0;
    // 3.52), ke 0.0777 (0.07; 0.087).
    for (const name of ["ka", "ka_over_V", "ke"])
      expect(err(refined.parameters[name]!.estimate, name)).toBeLessThan(err(guess.parameters[name]!.estimate, name));
  }, 120_000);

  it("lotka_volterra.csv (50 x 40, additive random effects, `~ normal`): within 10% of the truth, a, b, d closer than the first guess, omegas within 30%", () => {
    const { guess, refined, truth, err } = run(lotka_volterra, "lotka_volterra.csv");
    // Measured (seed 1): refined a 0.67964, b 0.29389, c 0.25183, d 0.58773 (truth 0.7, 0.3, 0.25, 0.6); first guess
    // 0.67607, 0.29346, 0.25182, 0.58566. The 50 drawn subjects' own means are 0.6795, 0.2929, 0.2523, 0.5883: c is
    // +0.73% by both estimators (equal to 4 digits, its SE 2%), so "closer for c" is not asserted: it is a tie the
    // data decide, reported as such in the README.
    for (const name of ["a", "b", "c", "d"]) {
      expect(err(refined.parameters[name]!.estimate, name)).toBeLessThan(0.1);
      if (name !== "c") expect(err(refined.parameters[name]!.estimate, name)).toBeLessThan(err(guess.parameters[name]!.estimate, name));
      // The spec's `~ normal`: omega is an additive SD in the parameter's unit, as the truth file's omega_sd.
      expect(Math.abs(refined.parameters[name]!.omega! / truth.omega_sd[name]! - 1)).toBeLessThan(0.3);
    }
  }, 120_000);
});

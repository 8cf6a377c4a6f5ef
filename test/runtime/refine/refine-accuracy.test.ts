// SAEM from the weak-form first guess on seeded simulations with known truth (data/*.truth.json, copied from
// the shared simulated sets): the refined population values must be closer to the truth than the first guess.
// Typical values are compared: the truth files' theta are the medians of log-normal parameters.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { pk_oral } from "../../../generated/index.js";
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
});

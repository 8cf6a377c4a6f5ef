// Writes the simulated data sets of the covariate specs and their truth files:
//   npx tsx scripts/simulate-covariate-data.ts
// data/growth_diet.csv (specs/growth_diet.nlme), data/decay_weight.csv (specs/decay_weight.nlme) and
// data/pk_oral_wt.csv (specs/pk_oral_wt.nlme).
import { writeFileSync } from "node:fs";
import { model as growthDiet } from "../generated/growth_diet.js";
import { model as decayWeight } from "../generated/decay_weight.js";
import { model as pkOralWt } from "../generated/pk_oral_wt.js";
import { simulateDatasetWithTruth, type DatasetSpec } from "../src/runtime/simulate/simulate-data.js";
import { DECAY_WEIGHT, GROWTH_DIET, PK_ORAL_WT } from "./covariate-designs.js";
import type { CompiledModel } from "../src/runtime/model.js";

function write(name: string, model: CompiledModel, spec: DatasetSpec): void {
  const { csv, individual } = simulateDatasetWithTruth(model, spec);
  writeFileSync(`data/${name}.csv`, csv);
  const truth = {
    model: model.meta.name,
    seed: spec.seed,
    subjects: spec.subjects,
    theta: spec.theta,
    beta: spec.beta,
    omega_sd: spec.omega,
    re: spec.re ?? "additive",
    covariates: spec.covariateDistribution,
    x0: spec.x0,
    doses: spec.doses,
    noise: spec.noise,
    individual: Object.fromEntries(individual.map((row, i) => [String(i + 1), row])),
  };
  writeFileSync(`data/${name}.truth.json`, JSON.stringify(truth, null, 1) + "\n");
}

write("growth_diet", growthDiet, GROWTH_DIET);
write("decay_weight", decayWeight, DECAY_WEIGHT);
write("pk_oral_wt", pkOralWt, PK_ORAL_WT);

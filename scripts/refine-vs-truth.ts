// Is the refined estimate where the data put the maximum likelihood, or did SAEM stop short? For a simulated set
// with a truth file: `npx tsx scripts/refine-vs-truth.ts <generated model name | spec.nlme> <data.csv> <seeds>`
// refines from the first guess with each seed and prints the refined typical values against the truth and the
// log-likelihood (importance sampling, 2000 draws per subject, the refined run's conditional distributions as
// proposals, the same draws for every point) at the refined values, at the truth (typical values and omegas) and at
// the truth's typical values with the refined omegas. The truth below the refined values by a few units means the
// data's own optimum is off the truth (sampling), not SAEM.
import { readFileSync } from "node:fs";
import * as models from "../generated/index.js";
import { loadModel } from "../src/cli/load-model.js";
import { estimate } from "../src/runtime/model-entry.js";
import { loadData } from "../src/runtime/data/load-data.js";
import { refineWithInternals } from "../src/runtime/refine/refine.js";
import { importanceLogLik } from "../src/runtime/refine/importance.js";
import { clonePopulation } from "../src/runtime/refine/population.js";
import { toTransformed } from "../src/runtime/refine/layout.js";
import { LocalRunner } from "../src/runtime/refine/subject-tasks.js";
import { runSync } from "../src/runtime/threads/steps.js";
const [name, file, seedsArg] = process.argv.slice(2);
const model = name!.endsWith(".nlme") ? (await loadModel(name!)).model : (models as any)[name!];
const data = loadData(readFileSync(file!, "utf8"), file!, model.meta);
const truth = JSON.parse(readFileSync(file!.replace(/\.csv$/, ".truth.json"), "utf8"));
const guess = estimate(model, data);
for (const seed of seedsArg!.split(",").map(Number)) {
  const { refined, internals } = refineWithInternals(model, data, guess, { seed, standardErrors: false, modes: false });
  const { layout, run, proposal } = internals;
  const fin = run.population;
  const at = clonePopulation(fin);
  const nR = layout.random.length;
  layout.components.forEach((c, i) => {
    const t = truth.theta[c.name];
    if (t === undefined) return;
    at.mu[i] = toTransformed(c.scale, t);
    const r = layout.randomOf[i]!;
    const w = truth.omega_sd?.[c.name];
    if (r >= 0 && w > 0) at.omega[r * nR + r] = c.scale === "logNormal" && truth.re !== "lognormal" ? Math.log(1 + (w / t) ** 2) : w * w;
  });
  const S = 2000;
  const runner = new LocalRunner(layout, run.chains);
  const llFinal = runSync(importanceLogLik(runner, fin, proposal, S, 7));
  const llTruth = runSync(importanceLogLik(runner, at, proposal, S, 7));
  // truth typical values with the refined omegas
  const at2 = clonePopulation(fin);
  layout.components.forEach((c, i) => { const t = truth.theta[c.name]; if (t !== undefined) at2.mu[i] = toTransformed(c.scale, t); });
  const llTruthMu = runSync(importanceLogLik(runner, at2, proposal, S, 7));
  const est = Object.entries(refined.parameters).filter(([n]) => truth.theta[n] !== undefined).map(([n, p]) => `${n} ${p.estimate.toPrecision(4)} (${((p.estimate / truth.theta[n] - 1) * 100).toFixed(1)}%)`).join(" ");
  console.log(`seed ${seed}: ${est}; logLik refined ${llFinal.value.toFixed(2)} (se ${llFinal.mcSe.toFixed(2)}), truth (values+omegas) ${llTruth.value.toFixed(2)} (se ${llTruth.mcSe.toFixed(2)}), truth typical values with refined omegas ${llTruthMu.value.toFixed(2)} (se ${llTruthMu.mcSe.toFixed(2)})`);
}

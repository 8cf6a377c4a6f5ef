// The log-likelihood (importance sampling, 3000 samples per subject) along one omega, every other population value
// held at SAEM's end point: how much the data say about that omega (a drop under 1.92 units is inside the 95%
// likelihood-ratio interval; a full profile would re-optimise the others and drop less).
//   npx tsx scripts/omega-profile.ts SPEC CSV PARAM [seed] [omega values, comma-separated]
//   npx tsx scripts/omega-profile.ts test/runtime/refine/growth.nlme data/growth_sparse.csv k 1 0.01,0.03,0.05,0.08,0.11,0.144,0.2
import { readFileSync } from "node:fs";
import { loadModel } from "../src/cli/load-model.js";
import { loadData } from "../src/runtime/data/load-data.js";
import { estimate } from "../src/runtime/model-entry.js";
import { refineWithInternals } from "../src/runtime/refine/refine.js";
import { importanceLogLik } from "../src/runtime/refine/importance.js";
import { LocalRunner } from "../src/runtime/refine/subject-tasks.js";
import { runSync } from "../src/runtime/threads/steps.js";
import { clonePopulation } from "../src/runtime/refine/population.js";

const [spec, csv, param, seedText = "1", valuesText = "0.01,0.03,0.05,0.1,0.2"] = process.argv.slice(2);
if (!spec || !csv || !param) throw new Error("usage: omega-profile.ts SPEC CSV PARAM [seed] [values]");
const model = (await loadModel(spec)).model;
const data = loadData(readFileSync(csv, "utf8"), csv, model.meta);
const { refined, internals } = refineWithInternals(model, data, estimate(model, data), { seed: Number(seedText) });
const { layout, run, proposal } = internals;
const end = run.trace[run.trace.length - 1]!.population;
const nR = layout.random.length;
const r = layout.random.findIndex((c) => layout.components[c]!.name === param);
if (r < 0) throw new Error(`${param} has no random effect`);
console.log(`SAEM (seed ${seedText}): ${param} omega ${refined.parameters[param]?.omega?.toPrecision(3)}, log-lik ${refined.logLikelihood.value.toFixed(2)}`);
for (const om of valuesText.split(",").map(Number)) {
  const p = clonePopulation(end);
  p.omega[r * nR + r] = om * om;
  const ll = runSync(importanceLogLik(new LocalRunner(layout, run.chains), p, proposal, 3000, 99));
  console.log(`omega_${param} ${om}: log-lik ${ll.value.toFixed(3)} (MC s.e. ${ll.mcSe.toFixed(3)})`);
}

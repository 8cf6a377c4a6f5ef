// A seeded oral population at steady state, for the one-compartment spec with first-order absorption and a random
// log ke (test/runtime/refine/real/quinidine_m0.nlme): an SS dose every 8 h, then two more; samples 1, 3, 7.9 and
// 20 h after it; 60 subjects. Shared by the first guess's test (estimate/steady-state-fit.test.ts) and SAEM's
// flip-flop test (refine/flip-flop.test.ts).
import { loadData } from "../../../src/runtime/data/load-data.js";
import type { Dataset } from "../../../src/runtime/data/dataset.js";
import type { CompiledModel } from "../../../src/runtime/model.js";
import { simulateDatasetWithTruth } from "../../../src/runtime/simulate/simulate-data.js";

export const STEADY_STATE_ORAL_TRUTH = { ka: 1.2, V: 150, ke: 0.08 };

export function steadyStateOralPopulation(model: CompiledModel): Dataset {
  const sim = simulateDatasetWithTruth(model, {
    theta: STEADY_STATE_ORAL_TRUTH,
    omega: { ke: 0.3 },
    re: "lognormal",
    times: [1, 3, 7.9, 20],
    doses: [
      { time: 0, amount: 200, steadyState: { interval: 8 } },
      { time: 8, amount: 200 },
      { time: 16, amount: 200 },
    ],
    noise: { conc: { a: 0.05 } },
    subjects: 60,
    seed: 11,
  });
  return loadData(sim.csv, "ss-sim.csv", model.meta);
}

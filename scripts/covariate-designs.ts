// The seeded designs of the covariate specs' data sets (data/growth_diet.csv, data/decay_weight.csv,
// data/pk_oral_wt.csv): written by scripts/simulate-covariate-data.ts, and read by the tests that check a bundled file
// is this simulation.
import type { DatasetSpec } from "../src/runtime/simulate/simulate-data.js";

/** The growth_diet design: 60 rats, 20 per diet, weighed every 6 days for 60 days. */
export const GROWTH_DIET: DatasetSpec = {
  theta: { r: 0.02 },
  omega: { r: 0.001 },
  beta: { beta_r_DIET_D2: 0.006, beta_r_DIET_D3: -0.005 },
  covariateDistribution: { DIET: { levels: ["D1", "D2", "D3"] } },
  x0: { W: 250 },
  times: Array.from({ length: 11 }, (_, i) => 6 * i),
  noise: { weight: { a: 3 } },
  subjects: 60,
  seed: 13,
};

/** The decay_weight design: 40 subjects, weights log-normal around 70 kg, 10 samples over 24 h. */
export const DECAY_WEIGHT: DatasetSpec = {
  theta: { k: 0.15 },
  omega: { k: 0.1 },
  re: "lognormal",
  beta: { beta_k_WT: 0.75 },
  covariateDistribution: { WT: { lognormal: [70, 0.2] } },
  x0: { C: 10 },
  times: [0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24],
  noise: { conc: { b: 0.05 } },
  subjects: 40,
  seed: 29,
};

/**
 * The pk_oral_wt design: 60 subjects weighing 40-120 kg (uniform), V allometric in weight (exponent 1), 300 mg orally
 * at 0, 9 samples to 24 h, 10% proportional noise. The spread of weights is what lets the data carry the exponent:
 * its standard error is about omega_V / (SD of log(WT / 70) sqrt(60)) = 0.2 / (0.31 x 7.7), 8%.
 */
export const PK_ORAL_WT: DatasetSpec = {
  theta: { ka: 1.5, V: 30, ke: 0.1 },
  omega: { ka: 0.2, V: 0.2, ke: 0.2 },
  re: "lognormal",
  beta: { beta_V_WT: 1 },
  covariateDistribution: { WT: { uniform: [40, 120] } },
  times: [0.5, 1, 2, 3, 4, 6, 8, 12, 24],
  doses: [{ time: 0, amount: 300 }],
  noise: { conc: { b: 0.1 } },
  subjects: 60,
  seed: 17,
};

// A categorical covariate on the latent-state path's log-scale step (exact exponential rows, doses through 1/V),
// against a seeded simulation whose truth is the simulating values: V = 20 L for F, log-effect 0.4 for M
// (V = 29.8 L), ke = 0.15 1/h, log-normal omega 0.2 each, 10% proportional noise; 60 subjects, seed 23.
import { describe, expect, it } from "vitest";
import { loadModel } from "../../../src/cli/load-model.js";
import { simulateDatasetWithTruth } from "../../../src/runtime/simulate/simulate-data.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { fit } from "../../../src/runtime/estimate/fit.js";

describe("categorical covariate on a log-normal parameter, latent-state path (pk_iv_sex fixture)", () => {
  it("V, ke and the SEX effect on log V within 15% of the truth; the omega of V is what SEX leaves", async () => {
    const { model } = await loadModel(new URL("fixtures/pk_iv_sex.nlme", import.meta.url).pathname);
    const sim = simulateDatasetWithTruth(model, {
      theta: { V: 20, ke: 0.15 },
      omega: { V: 0.2, ke: 0.2 },
      re: "lognormal",
      beta: { beta_V_SEX_M: 0.4 },
      covariateDistribution: { SEX: { levels: ["F", "M"] } },
      times: [1, 6, 11.9, 13, 23.9, 30, 35.9, 37, 42, 47.9],
      doses: [0, 12, 24, 36].map((t) => ({ time: t, amount: 500 })),
      noise: { conc: { b: 0.1 } },
      subjects: 60,
      seed: 23,
    });
    const r = fit(model, loadData(sim.csv, "pk_iv_sex.csv", model.meta));
    const e = r.covariateEffects!["beta_V_SEX_M"]!;
    expect(e).toMatchObject({ parameter: "V", covariate: "SEX", level: "M", scale: "log" });
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    const errs = { V: rel(r.parameters.V!.estimate, 20), ke: rel(r.parameters.ke!.estimate, 0.15), beta_V_SEX_M: rel(e.estimate, 0.4) };
    console.log("pk_iv_sex relative errors:", errs, "SE", e.se, "omega V", r.parameters.V!.omega);
    for (const [k, v] of Object.entries(errs)) expect(v, k).toBeLessThan(0.15);
    expect(rel(r.parameters.V!.omega!, 0.2)).toBeLessThan(0.3);
  }, 300_000);
});

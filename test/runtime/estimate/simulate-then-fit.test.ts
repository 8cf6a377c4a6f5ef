// Simulate, then fit: the estimator recovers the parameters a data set was
// simulated with. The simulation solves the ODE (adaptive Dormand-Prince);
// the fit never does, so this checks the two against each other.
import { describe, expect, it } from "vitest";
import { model as lotkaVolterra } from "../../../generated/lotka_volterra.js";
import { simulateDataset } from "../../../src/runtime/simulate/simulate-data.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { estimate } from "../../../src/runtime/model-entry.js";

const theta = { a: 0.7, b: 0.3, c: 0.25, d: 0.6 };
const omega = { a: 0.105, b: 0.045, c: 0.0375, d: 0.09 };

describe("simulate then fit", () => {
  it("recovers the simulating parameters of lotka_volterra within 10% (60 subjects, seed 2026)", () => {
    const csv = simulateDataset(lotkaVolterra, {
      theta,
      omega,
      x0: { x: 2, y: 1 },
      times: Array.from({ length: 41 }, (_, i) => i * 0.5),
      noise: { prey: { b: 0.05 }, predator: { b: 0.05 } },
      subjects: 60,
      seed: 2026,
    });
    const fit = estimate(lotkaVolterra, loadData(csv, "simulated.csv", lotkaVolterra.meta));
    expect(fit.subjects).toBe(60);
    for (const [name, value] of Object.entries(theta)) {
      const estimate = fit.parameters[name]!.estimate;
      expect(Math.abs(estimate - value) / value, `${name}: ${estimate} vs ${value}`).toBeLessThan(0.1);
    }
  });
});

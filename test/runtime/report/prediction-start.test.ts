// The report draws the prediction the quality check judged: both start from the
// same state (here growth_sparse's estimated H(0), not the first observation).
// Data: data/growth_sparse.csv (seeded simulation, truth in growth_sparse.truth.json).
import { describe, expect, it } from "vitest";
import { model as growth } from "../../../generated/growth_sparse.js";
import { fit } from "../../../src/runtime/estimate/fit.js";
import { predictSubject } from "../../../src/runtime/quality/individual-prediction.js";
import { computeDiagnostics } from "../../../src/runtime/report/diagnostics.js";
import { dataset } from "./fixtures.js";

describe("the report's individual predictions", () => {
  it("start where the quality check's start (estimated initial states), and agree with it at the observations", () => {
    const data = dataset(growth, "growth_sparse.csv");
    const result = fit(growth, data);
    const diag = computeDiagnostics(growth, data, result, { gridPoints: 20 });
    let compared = 0;
    for (const [si, subject] of data.subjects.entries()) {
      const check = predictSubject(growth, result, subject);
      expect(check.ok).toBe(true);
      if (!check.ok) continue;
      expect(check.start.from).toContain("estimated");
      const drawn = diag.subjects[si]!.outputs[0]!.predictedAtObs!;
      check.outputs[0]!.forEach((y, i) => {
        expect(Math.abs(drawn[i]! - y)).toBeLessThan(1e-3 * Math.abs(y) + 1e-9);
        compared++;
      });
    }
    expect(compared).toBe(data.subjects.reduce((n, s) => n + s.series[0]!.times.length, 0));
  });
});

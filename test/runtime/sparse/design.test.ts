import { describe, expect, it } from "vitest";
import { buildSparseDesign } from "../../../src/runtime/sparse/design.js";
import { assembleSubject, smoothOutput, WeakFormWorkspace } from "../../../src/runtime/rows/weak-form.js";
import { simulatedNetwork } from "./network-model.js";

describe("per-equation weak-form design", () => {
  it("equals the dense weak-form rows of each equation restricted to its own columns", async () => {
    const { model, data } = await simulatedNetwork({ genes: 4, subjects: 2, seed: 3 });
    const design = buildSparseDesign(model, data, { weightedSmoothing: false });
    expect(design.subjects).toEqual(["1", "2"]);
    expect(design.equations.map((e) => e.terms)).toEqual(Array(4).fill(["1", "g1", "g2", "g3", "g4"]));
    expect(design.equations.every((e) => e.constant === 0)).toBe(true);
    const subject = data.subjects[1]!;
    const curves = subject.series.map((s) => smoothOutput(s.times, s.values, []));
    const sys = assembleSubject(new WeakFormWorkspace(model), subject, 1, curves, new Float64Array(4).fill(1))!;
    const p = model.nParams;
    for (const eq of design.equations) {
      const g = eq.grams[1]!;
      const m = eq.params.length;
      const xx = new Float64Array(m * m);
      const xy = new Float64Array(m);
      let rows = 0;
      for (let r = 0; r < sys.rows; r++) {
        if (sys.rowState[r] !== eq.state) continue;
        rows++;
        eq.params.forEach((ja, a) => {
          xy[a] += sys.g[r * p + ja]! * sys.y[r]!;
          eq.params.forEach((jb, b) => (xx[a * m + b] += sys.g[r * p + ja]! * sys.g[r * p + jb]!));
        });
      }
      expect(g.n).toBe(rows);
      for (let k = 0; k < m * m; k++) expect(g.xx[k]).toBeCloseTo(xx[k]!, 8);
      for (let k = 0; k < m; k++) expect(g.xy[k]).toBeCloseTo(xy[k]!, 8);
    }
  });
});

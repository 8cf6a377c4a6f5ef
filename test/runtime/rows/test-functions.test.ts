import { describe, expect, it } from "vitest";
import { buildTestFunctions, levelsFor, medianSpacing } from "../../../src/runtime/rows/test-functions.js";

describe("weak-form test functions", () => {
  const set = buildTestFunctions(3, 11, 3);

  it("places 1 + 5 + 13 bumps on three scales, supports inside the interval", () => {
    expect(set.functions).toHaveLength(19);
    for (const f of set.functions) {
      expect(f.center - f.halfWidth).toBeGreaterThanOrEqual(3 - 1e-12);
      expect(f.center + f.halfWidth).toBeLessThanOrEqual(11 + 1e-12);
    }
  });

  it("bumps vanish at their ends: integral of phi' is 0, and integration by parts holds", () => {
    for (const f of set.functions) {
      let intD = 0;
      let intTD = 0;
      let intPhi = 0;
      let intD2 = 0;
      for (let i = 0; i < f.nodeCount; i++) {
        const n = f.firstNode + i;
        const w = set.weights[n]!;
        const t = set.nodes[n]!;
        intD += w * set.dphi[f.offset + i]!;
        intTD += w * t * t * set.dphi[f.offset + i]!;
        intPhi += w * 2 * t * set.phi[f.offset + i]!;
        intD2 += w * set.dphi[f.offset + i]! ** 2;
      }
      expect(intD).toBeCloseTo(0, 12);
      // int phi' t^2 = -int phi 2t
      expect(intTD).toBeCloseTo(-intPhi, 9);
      // "derivative" normalisation: ||phi'||_2 = 1
      expect(intD2).toBeCloseTo(1, 10);
      expect(intPhi).not.toBe(0);
    }
  });

  it("matches the closed-form integral of the bump", () => {
    // int_{-h}^{h} (1 - (x/h)^2)^4 dx = h * 256/315; phi = C (.)^4 with C from ||phi'|| = 1.
    const f = set.functions[0]!;
    let intPhi = 0;
    for (let i = 0; i < f.nodeCount; i++) intPhi += set.weights[f.firstNode + i]! * set.phi[f.offset + i]!;
    const h = f.halfWidth;
    // ||phi'||^2 = C^2 * 4 p^2 / h * int x^2 (1-x^2)^(2p-2) dx with p = 4: int = 2 * 1024 / 45045
    const unit = 16 * 4 * ((2 * 1024) / 45045);
    const c = Math.sqrt(h / unit);
    expect(intPhi).toBeCloseTo((c * h * 256) / 315, 10);
  });

  it("chooses the number of scales from the sampling", () => {
    expect(levelsFor(20, 0.5)).toBe(4); // widths 20, 10, 5, 2.5 >= 1.5
    expect(levelsFor(1400, 200)).toBe(2);
    expect(levelsFor(10, 5)).toBe(0);
    expect(medianSpacing([0, 1, 1, 3, 4])).toBe(1);
  });
});

describe("median spacing", () => {
  it("answers each sampling as it is, whatever was asked before (the last answer is remembered)", () => {
    const a = [0, 1, 2, 4, 7];
    const b = [0, 1, 2, 4, 9];
    expect(medianSpacing(a)).toBe(2);
    expect(medianSpacing(Float64Array.from(a))).toBe(2);
    expect(medianSpacing(b)).toBe(2);
    expect(medianSpacing([0, 3, 3, 6])).toBe(3);
    expect(medianSpacing([0, 0.5, 3, 6, 6.5, 7])).toBe(0.5);
    expect(medianSpacing([0, 0.5, 3, 6])).toBe(2.5);
    expect(medianSpacing([1, 1])).toBeNaN();
  });
});

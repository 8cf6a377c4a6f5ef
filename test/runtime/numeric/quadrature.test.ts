import { describe, expect, it } from "vitest";
import { compositeRule, gaussLegendre } from "../../../src/runtime/numeric/quadrature.js";

describe("Gauss-Legendre quadrature", () => {
  it("integrates x^k on [-1, 1] exactly for k <= 2n - 1", () => {
    for (const n of [1, 2, 3, 5, 8, 12]) {
      const { nodes, weights } = gaussLegendre(n);
      for (let k = 0; k <= 2 * n - 1; k++) {
        let acc = 0;
        for (let i = 0; i < n; i++) acc += weights[i]! * nodes[i]! ** k;
        const exact = k % 2 === 1 ? 0 : 2 / (k + 1);
        expect(acc).toBeCloseTo(exact, 13);
      }
    }
  });

  it("is not exact at degree 2n (so the test above can fail)", () => {
    const { nodes, weights } = gaussLegendre(3);
    let acc = 0;
    for (let i = 0; i < 3; i++) acc += weights[i]! * nodes[i]! ** 6;
    expect(Math.abs(acc - 2 / 7)).toBeGreaterThan(1e-3);
  });

  it("composite rule integrates a polynomial on [a, b]", () => {
    const nodes = new Float64Array(4 * 5);
    const weights = new Float64Array(4 * 5);
    compositeRule(1, 4, 4, 5, nodes, weights);
    let acc = 0;
    for (let i = 0; i < nodes.length; i++) acc += weights[i]! * (3 * nodes[i]! ** 5 - nodes[i]! ** 2 + 2);
    // int_1^4 3x^5 - x^2 + 2 dx = (4^6 - 1)/2 - (64 - 1)/3 + 6
    expect(acc).toBeCloseTo((4096 - 1) / 2 - 21 + 6, 9);
  });

  it("rejects n < 1", () => expect(() => gaussLegendre(0)).toThrow(RangeError));
});

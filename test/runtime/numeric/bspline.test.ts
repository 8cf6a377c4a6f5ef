import { describe, expect, it } from "vitest";
import { evalBasis, splineDerivative, splineValue, uniformCubicBasis } from "../../../src/runtime/numeric/bspline.js";
import { createRng } from "../../../src/runtime/numeric/random.js";

describe("uniform cubic B-splines", () => {
  const basis = uniformCubicBasis(2, 7, 9);
  it("has segments + 3 functions", () => expect(basis.size).toBe(12));

  it("form a partition of unity with non-negative values on [t0, t1]", () => {
    const rng = createRng(1);
    const v = new Float64Array(4);
    for (let i = 0; i < 200; i++) {
      const t = 2 + 5 * rng.uniform();
      const j = evalBasis(basis, t, v);
      expect(j).toBeGreaterThanOrEqual(0);
      expect(j + 3).toBeLessThan(basis.size);
      expect(v[0]! + v[1]! + v[2]! + v[3]!).toBeCloseTo(1, 14);
      for (const x of v) expect(x).toBeGreaterThanOrEqual(0);
    }
  });

  it("has derivatives that match finite differences", () => {
    const rng = createRng(2);
    const coef = Float64Array.from({ length: basis.size }, () => rng.normal());
    for (let i = 0; i < 50; i++) {
      const t = 2.01 + 4.98 * rng.uniform();
      const h = 1e-6;
      const fd = (splineValue(basis, coef, t + h) - splineValue(basis, coef, t - h)) / (2 * h);
      expect(splineDerivative(basis, coef, t)).toBeCloseTo(fd, 6);
    }
  });

  it("reproduces straight lines exactly (coefficients on a line)", () => {
    const h = 5 / 9;
    // Greville abscissae of uniform cubic B-splines: knot centres shifted by one span.
    const coef = Float64Array.from({ length: basis.size }, (_, j) => 3 * (2 + (j - 1) * h) - 1);
    for (const t of [2, 3.3, 5.5, 7]) {
      expect(splineValue(basis, coef, t)).toBeCloseTo(3 * t - 1, 12);
      expect(splineDerivative(basis, coef, t)).toBeCloseTo(3, 12);
    }
  });
});

// Covariate effects on the Gram sums: the extended sums equal those of the explicit design X = [G, G[:, j] z].
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { gramSums } from "../../../src/runtime/population/subject-rows.js";
import { typicalTheta, withCovariates } from "../../../src/runtime/population/covariates.js";

describe("withCovariates", () => {
  it("equals the Gram sums of the explicit design", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 30, maxLength: 30 }),
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 2, maxLength: 2 }),
        (rows, values, z) => {
          const p = 3;
          const g = Float64Array.from({ length: rows * p }, (_, i) => values[i % values.length]!);
          const y = Float64Array.from({ length: rows }, (_, i) => values[(i * 7 + 1) % values.length]!);
          const params = [2, 0];
          const P = p + params.length;
          const x = new Float64Array(rows * P);
          for (let r = 0; r < rows; r++) {
            for (let j = 0; j < p; j++) x[r * P + j] = g[r * p + j]!;
            params.forEach((j, c) => (x[r * P + p + c] = g[r * p + j]! * z[c]!));
          }
          const want = gramSums({ rows, cols: P, g: x, y });
          const got = withCovariates(gramSums({ rows, cols: p, g, y }), p, params, Float64Array.from(z));
          expect(got.n).toBe(want.n);
          expect(got.yty).toBeCloseTo(want.yty, 10);
          got.gtg.forEach((v, k) => expect(v).toBeCloseTo(want.gtg[k]!, 9));
          got.gty.forEach((v, k) => expect(v).toBeCloseTo(want.gty[k]!, 9));
        },
      ),
    );
  });

  it("no coefficients: the same sums", () => {
    const st = gramSums({ rows: 2, cols: 1, g: Float64Array.of(1, 2), y: Float64Array.of(3, 4) });
    expect(withCovariates(st, 1, [], new Float64Array(0))).toBe(st);
  });

  it("typicalTheta adds beta z to the parameter each coefficient acts on", () => {
    expect(Array.from(typicalTheta(Float64Array.of(1, 10, 0.5, -2), 2, [1, 1], Float64Array.of(2, 1)))).toEqual([1, 10 + 1 - 2]);
  });
});

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { median, medianInPlace } from "../../../src/runtime/numeric/summary.js";

describe("medianInPlace (selection, for arrays of millions)", () => {
  it("equals the sorted median on any array, duplicates and odd/even lengths included", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 200 }), (v) => {
        expect(medianInPlace(Float64Array.from(v))).toBe(median(v));
      }),
      { seed: 17, numRuns: 500 },
    );
  });
});

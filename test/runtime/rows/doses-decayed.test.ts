// dosesDecayed (rows/latent.ts): the one-pass recurrence equals the direct sum over doses at every time.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { dosesDecayed } from "../../../src/runtime/rows/latent.js";

function direct(k: number, doseTimes: number[], amounts: number[], times: Float64Array): Float64Array {
  return times.map((t) => doseTimes.reduce((s, td, d) => (t > td ? s + amounts[d]! * Math.exp(-k * (t - td)) : s), 0));
}

describe("dosesDecayed", () => {
  it("equals the direct sum (doses before each time only, a dose at a sample time is pre-dose)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 0, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 60 }),
        (k, doseTicks, timeTicks) => {
          const doseTimes = [...doseTicks].sort((a, b) => a - b).map((x) => x / 2);
          const amounts = doseTimes.map((_, i) => 100 + i);
          // Times on the same half-hour grid as the doses, so that some coincide with a dose.
          const times = Float64Array.from([...timeTicks].sort((a, b) => a - b).map((x) => x / 4));
          const a = dosesDecayed(k, doseTimes, amounts, times);
          const b = direct(k, doseTimes, amounts, times);
          for (let i = 0; i < times.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 9);
        },
      ),
      { seed: 13, numRuns: 200 },
    );
  });
});

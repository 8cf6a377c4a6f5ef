import { describe, expect, it } from "vitest";
import { selectionFrequency, subsampleFrequency } from "../../../src/runtime/sparse/stability.js";
import { lassoAt } from "../../../src/runtime/sparse/lasso.js";
import { gramOf, regression } from "./helpers.js";

describe("selection frequency", () => {
  it("counts the fits that select each term", () => {
    const f = selectionFrequency([Float64Array.from([1, 0, 2]), Float64Array.from([0, 0, 1]), Float64Array.from([3, 0, 0]), Float64Array.from([1, 1, 1])], 3);
    expect(Array.from(f)).toEqual([0.75, 0.25, 0.75]);
  });

  it("over random halves of the subjects: strong terms always, noise terms rarely; seeded", () => {
    const grams = Array.from({ length: 12 }, (_, s) => {
      const p = regression(20, [1, 0, 0, 0, -0.8, 0], 0.5, 200 + s);
      return gramOf(p.x, p.y);
    });
    const fit = (train: ReturnType<typeof gramOf>): Float64Array => lassoAt(train, 0.1);
    const freq = subsampleFrequency(grams, 20, 5, fit);
    expect(freq[0]).toBe(1);
    expect(freq[4]).toBe(1);
    for (const j of [1, 2, 3, 5]) expect(freq[j]!).toBeLessThan(0.5);
    expect(Array.from(subsampleFrequency(grams, 20, 5, fit))).toEqual(Array.from(freq));
  });
});

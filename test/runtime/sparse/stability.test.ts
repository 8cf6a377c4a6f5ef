import { describe, expect, it } from "vitest";
import { complementaryPairs, falseSelectionBound, selectionFrequency, subsampleFrequency } from "../../../src/runtime/sparse/stability.js";
import { sumGrams, type Gram } from "../../../src/runtime/sparse/gram.js";
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

describe("complementary pairs (Shah & Samworth 2013)", () => {
  const grams = Array.from({ length: 20 }, (_, s) => {
    const p = regression(20, [1, 0, 0, 0, -0.8, 0], 0.5, 300 + s);
    return gramOf(p.x, p.y);
  });

  it("runs the selection on both halves of each split: disjoint halves covering the subjects, frequencies in steps of 1/(2B); seeded", () => {
    const sizes: number[] = [];
    const seen: Gram[][] = [];
    const select = (half: Gram[]): number[] => {
      sizes.push(half.length);
      seen.push(half);
      const w = lassoAt(sumGrams(half, 6), 0.1);
      return [...w.keys()].filter((j) => w[j] !== 0);
    };
    const a = complementaryPairs(grams, 10, 7, select);
    expect(sizes).toEqual(new Array(20).fill(10));
    for (let b = 0; b < 10; b++) {
      const both = new Set([...seen[2 * b]!, ...seen[2 * b + 1]!]);
      expect(both.size).toBe(20);
    }
    expect(a.frequency[0]).toBe(1);
    expect(a.frequency[4]).toBe(1);
    for (const f of a.frequency) expect(Math.round(f * 20)).toBeCloseTo(f * 20, 10);
    expect(a.meanSelected).toBeGreaterThanOrEqual(2);
    expect(Array.from(complementaryPairs(grams, 10, 7, select).frequency)).toEqual(Array.from(a.frequency));
  });

  it("bounds the expected false selections by q^2 / ((2 pi - 1) p), and gives no bound at pi <= 0.5", () => {
    expect(falseSelectionBound(4, 0.75, 64)).toBeCloseTo(0.5, 12);
    expect(falseSelectionBound(4, 0.5, 64)).toBe(Number.POSITIVE_INFINITY);
  });
});

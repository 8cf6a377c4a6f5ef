import { describe, expect, it } from "vitest";
import { crossValidate, subjectFolds } from "../../../src/runtime/sparse/cross-validate.js";
import { rss, sumGrams } from "../../../src/runtime/sparse/gram.js";
import { lassoPath } from "../../../src/runtime/sparse/lasso.js";
import { gramOf, regression } from "./helpers.js";

describe("cross-validation over whole subjects", () => {
  it("partitions the subjects, reproducibly for a seed", () => {
    const folds = subjectFolds(23, 5, 42);
    expect(folds.length).toBe(5);
    expect(folds.flat().sort((a, b) => a - b)).toEqual([...Array(23).keys()]);
    expect(Math.max(...folds.map((f) => f.length)) - Math.min(...folds.map((f) => f.length))).toBeLessThanOrEqual(1);
    expect(subjectFolds(23, 5, 42)).toEqual(folds);
    expect(subjectFolds(23, 5, 43)).not.toEqual(folds);
    expect(subjectFolds(3, 10, 1).length).toBe(3);
  });

  it("scores each fold on its held-out subjects with a fit on the others", () => {
    const grams = Array.from({ length: 8 }, (_, s) => {
      const p = regression(15, [1, 0, -0.5], 0.2, 100 + s);
      return gramOf(p.x, p.y);
    });
    const folds = subjectFolds(8, 4, 7);
    const lambdas = [0.5, 0.1, 0.01];
    const cv = crossValidate(grams, folds, (train) => lassoPath(train, { lambdas }).coefs);
    // Recompute fold 2's error at lambda 0.1 by hand.
    const held = new Set(folds[2]);
    const train = sumGrams(grams.filter((_, i) => !held.has(i)), 3);
    const test = sumGrams(grams.filter((_, i) => held.has(i)), 3);
    const w = lassoPath(train, { lambdas }).coefs[1]!;
    // The fold's training Gram is total - held out: equal to the direct sum up to rounding.
    cv.foldCoefs[2]![1]!.forEach((v, j) => expect(v).toBeCloseTo(w[j]!, 9));
    const perFold = folds.map((f, k) => {
      const t = sumGrams(f.map((i) => grams[i]!), 3);
      return rss(t, cv.foldCoefs[k]![1]!) / t.n;
    });
    expect(rss(test, w) / test.n).toBeCloseTo(perFold[2]!, 12);
    expect(cv.mean[1]).toBeCloseTo(perFold.reduce((a, b) => a + b, 0) / 4, 12);
    // The heavily penalised end predicts worst here (two real effects).
    expect(cv.mean[0]!).toBeGreaterThan(cv.mean[cv.best]!);
    expect(cv.oneSe).toBeLessThanOrEqual(cv.best);
  });
});

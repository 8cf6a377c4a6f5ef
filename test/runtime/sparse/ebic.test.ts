import { describe, expect, it } from "vitest";
import { ebicPath } from "../../../src/runtime/sparse/ebic.js";
import { lassoPath } from "../../../src/runtime/sparse/lasso.js";
import { gramOf, regression } from "./helpers.js";

describe("extended BIC along the path", () => {
  it("picks the true support of a seeded sparse regression", () => {
    const truth = [1.2, 0, 0, -0.7, 0, 0, 0.5, 0, 0, 0, 0, 0];
    const { x, y } = regression(300, truth, 0.5, 21, 0.4);
    const g = gramOf(x, y);
    const path = lassoPath(g, { nLambda: 50 });
    const { best, values } = ebicPath(g, path.coefs, { gamma: 1 });
    expect(values.length).toBe(50);
    const support = [...path.coefs[best]!.keys()].filter((j) => path.coefs[best]![j] !== 0);
    expect(support).toEqual([0, 3, 6]);
  });

  it("a smaller effective n penalises size more", () => {
    const { x, y } = regression(300, [1, 0.1, 0.05, 0, 0, 0], 0.5, 22);
    const g = gramOf(x, y);
    const path = lassoPath(g, { nLambda: 40 });
    const size = (k: number): number => path.coefs[k]!.filter((v) => v !== 0).length;
    const full = ebicPath(g, path.coefs).best;
    const small = ebicPath(g, path.coefs, { nEffective: 20 }).best;
    expect(size(small)).toBeLessThanOrEqual(size(full));
  });
});

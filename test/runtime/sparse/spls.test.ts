import { describe, expect, it } from "vitest";
import { solveSpd } from "../../../src/runtime/numeric/linalg.js";
import { spls, splsGrid } from "../../../src/runtime/sparse/spls.js";
import { gramOf, regression } from "./helpers.js";

describe("sparse PLS (Chun & Keles 2010) on the Gram matrix", () => {
  const { x, y } = regression(150, [1, 0, -0.6, 0, 0], 0.2, 31, 0.6);
  const g = gramOf(x, y);

  it("with eta = 0 and K = m is least squares", () => {
    const w = spls(g, { eta: 0, K: g.m });
    const ols = solveSpd(g.xx, g.m, g.xy)!;
    for (let j = 0; j < g.m; j++) expect(w[j]).toBeCloseTo(ols[j]!, 6);
  });

  it("one component with eta = 0 points along X'y (standardised)", () => {
    const w = spls(g, { eta: 0, K: 1 });
    const s = Array.from({ length: g.m }, (_, j) => Math.sqrt(g.xx[j * g.m + j]! / g.n));
    const ratio = (j: number): number => (w[j]! * s[j]!) / (g.xy[j]! / s[j]!);
    for (let j = 1; j < g.m; j++) expect(ratio(j)).toBeCloseTo(ratio(0), 8);
  });

  it("larger eta keeps fewer columns and keeps the strong ones", () => {
    const count = (eta: number): number => spls(g, { eta, K: 2 }).filter((v) => v !== 0).length;
    expect(count(0.9)).toBeLessThanOrEqual(count(0.5));
    expect(count(0.5)).toBeLessThanOrEqual(count(0));
    const sparse = spls(g, { eta: 0.7, K: 2 });
    expect(sparse[0]).not.toBe(0);
    expect(sparse[2]).not.toBe(0);
  });

  it("searches a grid only over what the spec leaves open", () => {
    expect(splsGrid(10, 0.5, 2)).toEqual([{ eta: 0.5, K: 2 }]);
    expect(splsGrid(10, undefined, 3).map((p) => p.K)).toEqual(Array(9).fill(3));
    expect(splsGrid(3).length).toBe(27);
  });
});

import { describe, expect, it } from "vitest";
import { solveSpd } from "../../../src/runtime/numeric/linalg.js";
import { columnScales, type Gram } from "../../../src/runtime/sparse/gram.js";
import { lambdaMax, lassoAt, lassoPath } from "../../../src/runtime/sparse/lasso.js";
import { gramOf, regression } from "./helpers.js";

/** KKT conditions of (1/2n)||y - Xw||^2 + lambda sum v_j s_j |w_j| in standardised units. */
function kktViolation(g: Gram, w: Float64Array, lambda: number, weights?: Float64Array): number {
  const m = g.m;
  const s = columnScales(g);
  let worst = 0;
  for (let j = 0; j < m; j++) {
    let grad = g.xy[j]!;
    for (let k = 0; k < m; k++) grad -= g.xx[j * m + k]! * w[k]!;
    grad /= g.n * s[j]!;
    const t = lambda * (weights ? weights[j]! : 1);
    const v = w[j] !== 0 ? Math.abs(grad - t * Math.sign(w[j]!)) : Math.max(0, Math.abs(grad) - t);
    worst = Math.max(worst, v);
  }
  return worst;
}

describe("LASSO by coordinate descent on the Gram matrix", () => {
  const { x, y } = regression(200, [1.5, 0, 0, -0.8, 0, 0.4, 0, 0], 0.3, 11, 0.5);
  const g = gramOf(x, y);

  it("satisfies the KKT conditions along a warm-started path", () => {
    const path = lassoPath(g, { nLambda: 30 });
    path.coefs.forEach((w, k) => expect(kktViolation(g, w, path.lambdas[k]!)).toBeLessThan(1e-5));
    expect(path.coefs[0]!.every((v) => v === 0)).toBe(true);
    expect(path.lambdas[0]).toBeCloseTo(lambdaMax(g, columnScales(g)), 12);
    // Just below lambdaMax one coefficient enters.
    expect(lassoAt(g, path.lambdas[0]! * 0.99).filter((v) => v !== 0).length).toBe(1);
  });

  it("tends to least squares as lambda -> 0 and keeps the true support at a moderate lambda", () => {
    const ols = solveSpd(g.xx, g.m, g.xy)!;
    const tiny = lassoAt(g, 1e-9);
    for (let j = 0; j < g.m; j++) expect(tiny[j]).toBeCloseTo(ols[j]!, 5);
    const mid = lassoAt(g, 0.05);
    expect([...mid.keys()].filter((j) => mid[j] !== 0)).toEqual([0, 3, 5]);
  });

  it("honours penalty weights: 0 frees a column, Infinity excludes it", () => {
    const weights = Float64Array.from([1, 1, 1, 0, 1, 1, Number.POSITIVE_INFINITY, 1]);
    const w = lassoAt(g, 10, { weights });
    expect(w[3]).not.toBe(0);
    expect([...w.keys()].filter((j) => j !== 3).every((j) => w[j] === 0)).toBe(true);
    const mid = lassoAt(g, 0.05, { weights });
    expect(mid[6]).toBe(0);
    expect(kktViolation(g, mid, 0.05, weights)).toBeLessThan(1e-5);
  });

  it("soft-thresholds exactly on an orthogonal design", () => {
    // X'X = n I: w_j = S(x_j'y / n, lambda) / 1 with unit scales.
    const n = 4;
    const gOrth: Gram = { n, m: 2, xx: Float64Array.from([4, 0, 0, 4]), xy: Float64Array.from([2, -0.4]), yy: 3 };
    const w = lassoAt(gOrth, 0.2);
    expect(w[0]).toBeCloseTo(0.5 - 0.2, 12);
    expect(w[1]).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import { createRng } from "../../../src/runtime/numeric/random.js";
import type { Gram } from "../../../src/runtime/sparse/gram.js";
import { clusterWald, waldPrune } from "../../../src/runtime/sparse/wald-prune.js";
import { gramOf } from "./helpers.js";

/**
 * Subjects of `rows` rows each; y = X w + (subject's own slope deviation) . x + noise.
 * `columns(rng)` draws one row.
 */
function subjects(n: number, rows: number, w: number[], slopeSd: number, noise: number, seed: number, columns?: (rng: ReturnType<typeof createRng>) => number[]): Gram[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const dev = w.map(() => slopeSd * rng.normal());
    const x: Float64Array[] = [];
    const y: number[] = [];
    for (let r = 0; r < rows; r++) {
      const row = Float64Array.from(columns ? columns(rng) : w.map(() => rng.normal()));
      x.push(row);
      y.push(row.reduce((acc, v, j) => acc + v * (w[j]! + (w[j] !== 0 ? dev[j]! : 0)), 0) + noise * rng.normal());
    }
    return gramOf(x, y);
  });
}

describe("clusterWald", () => {
  it("gives the pooled least squares, and standard errors that grow with the between-subject spread the iid ones ignore", () => {
    const w = [1, -0.5, 0];
    const tight = subjects(30, 40, w, 0, 0.3, 1);
    const spread = subjects(30, 40, w, 0.3, 0.3, 1);
    const a = clusterWald(tight, [0, 1, 2])!;
    const b = clusterWald(spread, [0, 1, 2])!;
    expect(a.beta[0]).toBeCloseTo(1, 1);
    expect(a.beta[1]).toBeCloseTo(-0.5, 1);
    // iid rows: SE ~ sigma / sqrt(N) = 0.3 / sqrt(1200) ~ 0.009; clustered spread: ~ 0.3 / sqrt(30) ~ 0.055.
    expect(a.se[0]!).toBeLessThan(0.015);
    expect(b.se[0]!).toBeGreaterThan(0.035);
    expect(b.se[0]!).toBeLessThan(0.08);
    expect(Math.abs(b.z[2]!)).toBeLessThan(3);
  });

  it("returns null on a singular design", () => {
    const g = subjects(5, 10, [1, 0], 0, 0.1, 2, (rng) => {
      const v = rng.normal();
      return [v, 2 * v];
    });
    expect(clusterWald(g, [0, 1])).toBeNull();
  });
});

describe("waldPrune", () => {
  const w = [0.8, 0, 0, -0.6, 0, 0];

  it("drops the terms not distinguishable from zero, keeps the true ones", () => {
    const g = subjects(30, 40, w, 0.1, 0.3, 3);
    expect(waldPrune(g, [0, 1, 2, 3, 4, 5]).support).toEqual([0, 3]);
  });

  it("lets a missed term re-enter (and not without re-entry)", () => {
    const g = subjects(30, 40, w, 0.1, 0.3, 4);
    expect(waldPrune(g, [0, 1]).support).toEqual([0, 3]);
    expect(waldPrune(g, [0, 1], { reenter: false }).support).toEqual([0]);
  });

  it("never drops kept columns", () => {
    const g = subjects(30, 40, w, 0.1, 0.3, 5);
    expect(waldPrune(g, [0, 3], { keep: [5] }).support).toEqual([0, 3, 5]);
  });

  it("ends on the factor when a square stands in for it (x^2 for x on a narrow range)", () => {
    const g = subjects(30, 40, [1, 0], 0.1, 0.1, 6, (rng) => {
      const x = 2 + 0.5 * rng.uniform();
      return [x, x * x];
    });
    expect(waldPrune(g, [1], { factors: [[], [0]] }).support).toEqual([0]);
  });
});

import { describe, expect, it } from "vitest";
import { normalQuantile } from "../../../src/runtime/numeric/normal-quantile.js";

describe("normalQuantile", () => {
  it("matches Python statistics.NormalDist().inv_cdf to 1e-8 relative", () => {
    const table: [number, number][] = [
      [0.5, 0],
      [0.975, 1.959963984540054],
      [0.995, 2.5758293035489],
      [1 - 0.05 / 130, 3.363635456210878],
      [0.01, -2.326347874040841],
      [1e-6, -4.753424308822899],
    ];
    for (const [p, z] of table) expect(Math.abs(normalQuantile(p) - z), String(p)).toBeLessThan(1e-8 * Math.max(1, Math.abs(z)));
  });

  it("is -Infinity / Infinity at 0 / 1 and NaN outside", () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(1.5)).toBeNaN();
  });
});

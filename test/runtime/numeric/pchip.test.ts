import { describe, expect, it } from "vitest";
import { pchip, pchipValue } from "../../../src/runtime/numeric/pchip.js";

describe("pchip with replicate samples (two measurements at one time)", () => {
  it("passes through the replicates' mean and stays finite (a zero-width interval made the slopes 0/0: fuzz seed 11, CSV case 699)", () => {
    const ip = pchip([0, 1, 1, 2, 3], [0, 1, 3, 4, 5]);
    expect(pchipValue(ip, 1)).toBe(2);
    for (const t of [0, 0.5, 1, 1.5, 2.5, 3]) expect(Number.isFinite(pchipValue(ip, t))).toBe(true);
    // Without replicates the knots are the samples.
    expect(Array.from(pchip([0, 1, 2], [1, 2, 4]).x)).toEqual([0, 1, 2]);
  });

  it("all samples at one time: a constant at their mean", () => {
    const ip = pchip([5, 5], [2, 4]);
    expect(pchipValue(ip, 0)).toBe(3);
    expect(pchipValue(ip, 9)).toBe(3);
  });
});

import { describe, expect, it } from "vitest";
import { columnScales, partialOut, restrict, rss, sumGrams } from "../../../src/runtime/sparse/gram.js";
import { gramOf, regression } from "./helpers.js";

describe("Gram statistics", () => {
  it("partialOut equals the Gram of the explicitly projected rows", () => {
    const { x, y } = regression(30, [1, -2, 0.5, 0], 0.1, 3);
    const col = 1;
    const u = x.map((r) => r[col]!);
    const uu = u.reduce((s, v) => s + v * v, 0);
    const proj = (v: number[]): number[] => {
      const c = v.reduce((s, vi, i) => s + vi * u[i]!, 0) / uu;
      return v.map((vi, i) => vi - c * u[i]!);
    };
    const cols = [0, 2, 3].map((j) => proj(x.map((r) => r[j]!)));
    const rows = x.map((_, i) => Float64Array.from(cols, (c) => c[i]!));
    const expected = gramOf(rows, proj(Array.from(y)));
    const got = partialOut(gramOf(x, y), col);
    expect(got.m).toBe(3);
    for (let k = 0; k < 9; k++) expect(got.xx[k]).toBeCloseTo(expected.xx[k]!, 9);
    for (let k = 0; k < 3; k++) expect(got.xy[k]).toBeCloseTo(expected.xy[k]!, 9);
    expect(got.yy).toBeCloseTo(expected.yy, 9);
  });

  it("rss from the sums matches the residuals", () => {
    const { x, y } = regression(25, [0.3, 0, -1], 0.2, 4);
    const w = Float64Array.from([0.2, 0.1, -0.9]);
    let direct = 0;
    x.forEach((r, i) => (direct += (y[i]! - (r[0]! * w[0]! + r[1]! * w[1]! + r[2]! * w[2]!)) ** 2));
    expect(rss(gramOf(x, y), w)).toBeCloseTo(direct, 8);
  });

  it("sums, restricts and scales columns", () => {
    const a = regression(10, [1, 2], 0.1, 5);
    const b = regression(12, [1, 2], 0.1, 6);
    const total = sumGrams([gramOf(a.x, a.y), gramOf(b.x, b.y)], 2);
    const both = gramOf([...a.x, ...b.x], [...a.y, ...b.y]);
    expect(total.n).toBe(22);
    for (let k = 0; k < 4; k++) expect(total.xx[k]).toBeCloseTo(both.xx[k]!, 10);
    const sub = restrict(total, [1]);
    expect(sub.xx[0]).toBeCloseTo(total.xx[3]!, 12);
    expect(columnScales(total)[1]).toBeCloseTo(Math.sqrt(total.xx[3]! / 22), 12);
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extent, niceTicks, pad, plotSvg, tickLabels } from "../../../src/runtime/report/svg-plot.js";

const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

describe("niceTicks / tickLabels", () => {
  it("gives evenly spaced round ticks inside the range, about as many as asked", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        fc.integer({ min: 2, max: 8 }),
        (lo, span, target) => {
          const hi = lo + span;
          fc.pre(hi > lo);
          const t = niceTicks(lo, hi, target);
          expect(t.length).toBeGreaterThanOrEqual(1);
          expect(t.length).toBeLessThanOrEqual(2 * target + 1);
          const tol = 1e-9 * Math.max(Math.abs(lo), Math.abs(hi));
          for (const v of t) {
            expect(v).toBeGreaterThanOrEqual(lo - tol);
            expect(v).toBeLessThanOrEqual(hi + tol);
          }
          if (t.length > 1) {
            const step = (t[t.length - 1]! - t[0]!) / (t.length - 1);
            // Differences of large numbers carry their rounding: judge the step at that resolution.
            const resolution = (8 * Number.EPSILON * Math.max(Math.abs(lo), Math.abs(hi))) / step;
            for (let i = 1; i < t.length; i++) expect(Math.abs(t[i]! - t[i - 1]! - step) / step).toBeLessThan(1e-9 + resolution);
            const scale = 10 ** Math.floor(Math.log10(step) + 1e-12);
            const mantissa = step / scale;
            expect([1, 2, 2.5, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-9 + 10 * resolution)).toBe(true);
          }
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it("labels distinct ticks distinctly, with no more decimals than needed", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.double({ min: 1e-7, max: 1e5, noNaN: true }), (lo, span) => {
        const t = niceTicks(lo, lo + span, 5);
        fc.pre(t.length > 1);
        const labels = tickLabels(t);
        expect(new Set(labels).size).toBe(labels.length);
      }),
      { seed: 12, numRuns: 300 },
    );
    expect(tickLabels([0, 0.25, 0.5, 0.75])).toEqual(["0", "0.25", "0.50", "0.75"]);
    expect(tickLabels([0, 500, 1000, 1500])).toEqual(["0", "500", "1000", "1500"]);
    expect(tickLabels([2e-6, 4e-6])).toEqual(["2e-6", "4e-6"]);
  });
});

describe("extent / pad", () => {
  it("ignores non-finite values and widens degenerate ranges", () => {
    expect(extent([3, NaN, -1], [Infinity, 7])).toEqual([-1, 7]);
    expect(extent([NaN])).toBeNull();
    expect(pad([0, 10], 0.1)).toEqual([-1, 11]);
    const [lo, hi] = pad([5, 5]);
    expect(lo).toBeLessThan(5);
    expect(hi).toBeGreaterThan(5);
  });
});

describe("plotSvg", () => {
  it("draws one circle per finite point and breaks lines at gaps", () => {
    const svg = plotSvg({
      width: 300,
      height: 200,
      marks: [
        { kind: "points", x: [0, 1, 2, 3], y: [1, NaN, 3, 4], color: "#000" },
        { kind: "line", x: [0, 1, 2, 3, 4], y: [0, 1, NaN, 3, 4], color: "#00f" },
      ],
      clipId: "c1",
    });
    expect(svg.startsWith('<svg class="plot"')).toBe(true);
    expect(count(svg, /<circle /g)).toBe(3);
    const line = /<path class="line" d="([^"]+)"/.exec(svg)![1]!;
    expect(count(line, /M/g)).toBe(2);
    expect(count(line, /L/g)).toBe(2);
    expect(svg).toContain('data-marks="7"');
    expect(svg).toContain('<clipPath id="c1">');
    expect(svg).toContain('clip-path="url(#c1)"');
  });

  it("puts points where the axes say: the first and last ticks frame the data", () => {
    const svg = plotSvg({ width: 400, height: 300, xDomain: [0, 10], yDomain: [0, 100], marks: [{ kind: "points", x: [0, 10], y: [0, 100], color: "#000" }] });
    const circles = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const [[x0, y0], [x1, y1]] = circles as [[number, number], [number, number]];
    expect(x1).toBeGreaterThan(x0);
    expect(y1).toBeLessThan(y0); // SVG y grows downwards
    expect(x1).toBeLessThanOrEqual(400);
    expect(y1).toBeGreaterThanOrEqual(0);
    // Tick labels for both ends of each axis.
    expect(svg).toMatch(/>0<\/text>/);
    expect(svg).toMatch(/>10<\/text>/);
    expect(svg).toMatch(/>100<\/text>/);
  });

  it("identity plots share one range on both axes and draw y = x", () => {
    const svg = plotSvg({ width: 300, height: 300, identity: true, marks: [{ kind: "points", x: [1, 2], y: [10, 20], color: "#000" }] });
    const d = /<path class="identity" d="M([\d.]+) ([\d.]+)L([\d.]+) ([\d.]+)"/.exec(svg)!;
    expect(d).not.toBeNull();
    // Square plot area: the identity line runs corner to corner.
    const [x0, y0, x1, y1] = d.slice(1).map(Number) as [number, number, number, number];
    expect(x1 - x0).toBeGreaterThan(0);
    expect(y0 - y1).toBeGreaterThan(0);
    const labels = [...svg.matchAll(/text-anchor="(?:middle|end)">([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(labels).toContain("20");
    expect(labels.filter((l) => l === "20").length).toBe(2); // on both axes
  });

  it("escapes titles, labels and legend text", () => {
    const svg = plotSvg({
      width: 300,
      height: 200,
      title: "<b>&title",
      xLabel: 'x"<',
      yLabel: "y'>",
      legend: true,
      marks: [{ kind: "line", x: [0, 1], y: [0, 1], color: "#000", label: "</svg><script>" }],
    });
    expect(svg).not.toContain("<b>");
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;b&gt;&amp;title");
    expect(svg).toContain("x&quot;&lt;");
    expect(svg).toContain("y&#39;&gt;");
    expect(count(svg, /<svg/g)).toBe(1);
    expect(count(svg, /<\/svg>/g)).toBe(1);
  });

  it("keeps a run-away line finite and inside reasonable coordinates", () => {
    const svg = plotSvg({ width: 200, height: 100, yDomain: [0, 1], marks: [{ kind: "line", x: [0, 1, 2], y: [0.5, 1e300, 0.5], color: "#000" }] });
    const ys = [...svg.matchAll(/[ML][\d.-]+ ([\d.-]+)/g)].map((m) => Number(m[1]));
    expect(ys.every((y) => Number.isFinite(y) && Math.abs(y) < 2000)).toBe(true);
  });
});

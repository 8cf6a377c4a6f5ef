// The shared Demmler-Reinsch form of a sampling grid against the banded solver
// it replaces for unweighted series: same problem, same GCV choice.
import { describe, expect, it } from "vitest";
import { smoothSeries } from "../../../src/runtime/rows/smooth.js";
import { SharedGrid } from "../../../src/runtime/rows/grid-smoother.js";
import { evalBasis, uniformCubicBasis } from "../../../src/runtime/numeric/bspline.js";
import { createRng } from "../../../src/runtime/numeric/random.js";

describe("smoothing on a shared sampling grid", () => {
  it("chooses the lambda and the curve the banded solver chooses (30 seeded series on one grid)", () => {
    const rng = createRng(17);
    const t = Float64Array.from({ length: 41 }, (_, i) => i * 0.5);
    for (let s = 0; s < 30; s++) {
      const amp = 1 + rng.uniform();
      const y = Float64Array.from(t, (x) => amp * Math.exp(Math.sin(0.6 * x + s)) * (1 + 0.05 * rng.normal()));
      for (const options of [{}, { undersmooth: 0.1 }, { undersmooth: 0.1, coarse: true }]) {
        const shared = smoothSeries(t, y, options); // the grid is shared from the second series on
        const banded = smoothSeries(t, y, { ...options, weights: new Float64Array(t.length).fill(1) });
        expect(shared.method).toBe(banded.method);
        expect(Math.abs(shared.lambda / banded.lambda - 1)).toBeLessThan(1e-6);
        expect(shared.edf).toBeCloseTo(banded.edf, 6);
        for (let j = 0; j < banded.coef.length; j++) expect(shared.coef[j]).toBeCloseTo(banded.coef[j]!, 6);
        expect(shared.noise.edf).toBeCloseTo(banded.noise.edf, 6);
      }
    }
  });

  it("irregular sampling shared by many series: the same lambda and curve as the banded solver", () => {
    const rng = createRng(23);
    // One irregular design (gaps from 0.1 to 1.9) that every series shares.
    const t = new Float64Array(34);
    for (let i = 1; i < t.length; i++) t[i] = t[i - 1]! + 0.1 + 1.8 * rng.uniform();
    for (let s = 0; s < 12; s++) {
      // Noise enough for GCV to have a clear minimum (with 5% on this curve it wants ~23 degrees of freedom of 23
      // and is flat there: the two solvers' rounding then moves its minimiser by up to 1e-4).
      const y = Float64Array.from(t, (x) => Math.exp(Math.sin(0.4 * x + s)) * (1 + 0.2 * rng.normal()));
      const shared = smoothSeries(t, y, { undersmooth: 0.1 });
      const banded = smoothSeries(t, y, { undersmooth: 0.1, weights: new Float64Array(t.length).fill(1) });
      expect(shared.method).toBe(banded.method);
      expect(Math.abs(shared.lambda / banded.lambda - 1)).toBeLessThan(1e-6);
      for (let j = 0; j < banded.coef.length; j++) expect(shared.coef[j]).toBeCloseTo(banded.coef[j]!, 6);
      for (let i = 0; i < t.length; i++) expect(shared.noise.residuals[i]).toBeCloseTo(banded.noise.residuals[i]!, 6);
    }
  });

  it("a curve does not depend on the series smoothed before or after it on the same grid (shared work space)", () => {
    const rng = createRng(5);
    const t = Float64Array.from({ length: 40 }, (_, i) => (i * 20) / 39);
    const series = Array.from({ length: 4 }, (_, s) => Float64Array.from(t, (x) => 2 + Math.sin(0.5 * x + s) + 0.05 * rng.normal()));
    const copy = (f: ReturnType<typeof smoothSeries>) => [Array.from(f.coef), Array.from(f.fitted), Array.from(f.residuals), Array.from(f.noise.fitted), Array.from(f.noise.residuals)];
    for (const weights of [undefined, new Float64Array(t.length).fill(1)]) {
      const first = smoothSeries(t, series[0]!, { undersmooth: 0.1, ...(weights ? { weights } : {}) });
      const before = copy(first);
      for (const y of series.slice(1)) smoothSeries(t, y, { undersmooth: 0.1, ...(weights ? { weights } : {}) });
      expect(copy(first)).toEqual(before);
      expect(copy(smoothSeries(t, series[0]!, { undersmooth: 0.1, ...(weights ? { weights } : {}) }))).toEqual(before);
    }
  });

  it("leaves to the banded solver a grid with fewer points than basis functions", () => {
    const t = Float64Array.from([0, 1, 2, 3, 4, 5]);
    expect(SharedGrid.build(uniformCubicBasis(0, 5, 5), t)).toBeNull();
  });
});

describe("residual degrees of freedom", () => {
  it("are n - 2 tr(H) + tr(H^2) alike in the shared form and the banded solver, and below n - edf", () => {
    const t = Float64Array.from([0, 1, 2, 3.5, 5, 6, 8, 9, 10.5, 12, 13, 14.5]);
    const y = Float64Array.from(t, (x, i) => Math.sin(x / 3) + 0.1 * Math.cos(7 * i));
    smoothSeries(t, y); // the grid is shared from here on
    const shared = smoothSeries(t, y);
    const banded = smoothSeries(t, y, { weights: new Float64Array(t.length).fill(1) });
    expect(shared.residualDf!()).toBeCloseTo(banded.residualDf!(), 8);
    expect(shared.residualDf!()).toBeLessThan(t.length - shared.noise.edf);
    // By hand from the smoother matrix: H = B A, tr(H^2) = sum_ik H_ik H_ki.
    const a = banded.smootherMatrix();
    const m = banded.basis.size;
    const n = t.length;
    const h = new Float64Array(n * n);
    const values = new Float64Array(4);
    for (let i = 0; i < n; i++) {
      const j0 = evalBasis(banded.basis, t[i]!, values);
      for (let k = 0; k < n; k++) for (let c = 0; c < 4; c++) h[i * n + k] += values[c]! * a[(j0 + c) * n + k]!;
    }
    let trH = 0;
    let trH2 = 0;
    for (let i = 0; i < n; i++) {
      trH += h[i * n + i]!;
      for (let k = 0; k < n; k++) trH2 += h[i * n + k]! * h[k * n + i]!;
    }
    expect(m).toBe(banded.coef.length);
    expect(banded.residualDf!()).toBeCloseTo(n - 2 * trH + trH2, 6);
  });
});

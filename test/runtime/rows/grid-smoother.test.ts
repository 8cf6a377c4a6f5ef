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

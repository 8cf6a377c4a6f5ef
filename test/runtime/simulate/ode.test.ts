import { describe, expect, it } from "vitest";
import { OdeError, OdeSolver, solveOde, type OdeRhs } from "../../../src/runtime/simulate/ode.js";

const linspace = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));

const decay: OdeRhs = (_t, y, dy) => {
  dy[0] = -0.7 * y[0]!;
};
const oscillator: OdeRhs = (_t, y, dy) => {
  // x'' = -4 x
  dy[0] = y[1]!;
  dy[1] = -4 * y[0]!;
};
// Robertson's chemical kinetics (Hairer & Wanner II, Sect. IV.1 and IV.10).
const robertson: OdeRhs = (_t, y, dy) => {
  const [a, b, c] = [y[0]!, y[1]!, y[2]!];
  dy[0] = -0.04 * a + 1e4 * b * c;
  dy[1] = 0.04 * a - 1e4 * b * c - 3e7 * b * b;
  dy[2] = 3e7 * b * b;
};
// Reference solution at t = 40 published by Hairer & Wanner (Solving ODEs II).
const ROBERTSON_40 = [0.7158270687, 9.185534764e-6, 0.2841637457];

describe("dopri5", () => {
  it("matches exponential decay to 1e-6 at rtol 1e-8", () => {
    const times = linspace(0, 10, 41);
    const { y } = solveOde(decay, 0, [2], times, { method: "dopri5", rtol: 1e-8, atol: 1e-12 });
    times.forEach((t, i) => expect(Math.abs(y[i]![0]! - 2 * Math.exp(-0.7 * t))).toBeLessThan(1e-6));
  });

  it("matches the harmonic oscillator over ten periods", () => {
    const times = linspace(0, 10 * Math.PI, 101);
    const { y } = solveOde(oscillator, 0, [1, 0], times, { method: "dopri5", rtol: 1e-8, atol: 1e-12 });
    times.forEach((t, i) => {
      expect(Math.abs(y[i]![0]! - Math.cos(2 * t))).toBeLessThan(1e-6);
      expect(Math.abs(y[i]![1]! + 2 * Math.sin(2 * t))).toBeLessThan(1e-6);
    });
  });

  it("serves output times by dense output: same steps, accurate values between steps", () => {
    const opts = { method: "dopri5" as const, rtol: 1e-8, atol: 1e-12 };
    const coarse = solveOde(oscillator, 0, [1, 0], [0, 20], opts);
    const dense = linspace(0, 20, 2001);
    const fine = solveOde(oscillator, 0, [1, 0], dense, opts);
    // 2001 outputs and 2 outputs take exactly the same steps: far fewer steps than outputs.
    expect(fine.stats.steps).toBe(coarse.stats.steps);
    expect(fine.stats.steps).toBeLessThan(dense.length / 3);
    let maxErr = 0;
    dense.forEach((t, i) => (maxErr = Math.max(maxErr, Math.abs(fine.y[i]![0]! - Math.cos(2 * t)))));
    expect(maxErr).toBeLessThan(1e-6);
  });

  it("keeps interpolation error at the level of the step error for loose tolerances", () => {
    const opts = { method: "dopri5" as const, rtol: 1e-4, atol: 1e-8 };
    const dense = linspace(0, 20, 4001);
    const { y, stats } = solveOde(oscillator, 0, [1, 0], dense, opts);
    expect(stats.steps).toBeLessThan(200);
    let maxErr = 0;
    dense.forEach((t, i) => (maxErr = Math.max(maxErr, Math.abs(y[i]![0]! - Math.cos(2 * t)))));
    // Global error of a 1e-4 run over 6 periods; the order-4 interpolant adds no more than that.
    expect(maxErr).toBeLessThan(5e-3);
  });

  it("returns y(t0) for an output at t0 and hits tEnd exactly", () => {
    const y = new Float64Array([2]);
    const seen: [number, number][] = [];
    new OdeSolver(1, { method: "dopri5" }).integrate(decay, 1, y, 3, [1, 1, 3], (_i, t, yi) => {
      seen.push([t, yi[0]!]);
    });
    expect(seen[0]).toEqual([1, 2]);
    expect(seen[1]).toEqual([1, 2]);
    expect(seen[2]![0]).toBe(3);
    expect(seen[2]![1]).toBe(y[0]);
    expect(Math.abs(y[0]! - 2 * Math.exp(-1.4))).toBeLessThan(1e-6);
  });

  it("gives up with an OdeError when the step budget runs out on a stiff problem", () => {
    expect(() => solveOde(robertson, 0, [1, 0, 0], [40], { method: "dopri5", maxSteps: 500 })).toThrow(OdeError);
  });

  it("rejects output times outside the interval", () => {
    const y = new Float64Array([1]);
    expect(() => new OdeSolver(1).integrate(decay, 0, y, 1, [2])).toThrow(RangeError);
    expect(() => new OdeSolver(1).integrate(decay, 0, y, 1, [0.5, 0.2])).toThrow(RangeError);
  });
});

describe("rosenbrock (RODAS)", () => {
  const atol = [1e-12, 1e-16, 1e-12];

  it("solves Robertson to t = 40 in few steps, matching Hairer & Wanner's reference", () => {
    const { y, stats } = solveOde(robertson, 0, [1, 0, 0], [40], { method: "rosenbrock", rtol: 1e-8, atol });
    const y40 = y[0]!;
    expect(Math.abs(y40[0]! - ROBERTSON_40[0]!)).toBeLessThan(1e-8);
    expect(Math.abs(y40[1]! - ROBERTSON_40[1]!) / ROBERTSON_40[1]!).toBeLessThan(1e-6);
    expect(Math.abs(y40[2]! - ROBERTSON_40[2]!)).toBeLessThan(1e-8);
    expect(stats.steps).toBeLessThan(1000);
    expect(stats.method).toBe("rosenbrock");
  });

  it("stays bounded in steps up to t = 1e5 where explicit methods need millions", () => {
    const { y, stats } = solveOde(robertson, 0, [1, 0, 0], [1e5], { method: "rosenbrock", rtol: 1e-6, atol });
    expect(stats.steps).toBeLessThan(500);
    // Mass is conserved by the equations.
    expect(Math.abs(y[0]![0]! + y[0]![1]! + y[0]![2]! - 1)).toBeLessThan(1e-6);
  });

  it("gives the same answer with an exact Jacobian", () => {
    const jac = (_t: number, y: Float64Array, J: Float64Array) => {
      const [a, b, c] = [y[0]!, y[1]!, y[2]!];
      void a;
      J.set([-0.04, 1e4 * c, 1e4 * b, 0.04, -1e4 * c - 6e7 * b, -1e4 * b, 0, 6e7 * b, 0]);
    };
    const num = solveOde(robertson, 0, [1, 0, 0], [40], { method: "rosenbrock", rtol: 1e-8, atol });
    const exact = solveOde(robertson, 0, [1, 0, 0], [40], { method: "rosenbrock", rtol: 1e-8, atol, jacobian: jac });
    expect(Math.abs(exact.y[0]![0]! - ROBERTSON_40[0]!)).toBeLessThan(1e-8);
    expect(Math.abs(exact.y[0]![0]! - num.y[0]![0]!)).toBeLessThan(1e-8);
    expect(exact.stats.rhsEvals).toBeLessThan(num.stats.rhsEvals);
  });

  it("handles explicit time dependence: y' = -50 (y - cos t)", () => {
    // Exact: y = (2500 cos t + 50 sin t) / 2501 - (2500 / 2501) e^{-50 t}.
    const f: OdeRhs = (t, y, dy) => {
      dy[0] = -50 * (y[0]! - Math.cos(t));
    };
    const times = linspace(0, 3, 61);
    const { y } = solveOde(f, 0, [0], times, { method: "rosenbrock", rtol: 1e-8, atol: 1e-12 });
    times.forEach((t, i) => {
      const exact = (2500 * Math.cos(t) + 50 * Math.sin(t)) / 2501 - (2500 / 2501) * Math.exp(-50 * t);
      expect(Math.abs(y[i]![0]! - exact)).toBeLessThan(1e-6);
    });
  });

  it("dense output between steps matches the exact solution", () => {
    const times = linspace(0, 10, 501);
    const { y, stats } = solveOde(decay, 0, [2], times, { method: "rosenbrock", rtol: 1e-8, atol: 1e-12 });
    expect(stats.steps).toBeLessThan(250);
    times.forEach((t, i) => expect(Math.abs(y[i]![0]! - 2 * Math.exp(-0.7 * t))).toBeLessThan(1e-6));
  });
});

describe("auto", () => {
  it("switches to the stiff method on Robertson and still matches the reference", () => {
    const { y, stats } = solveOde(robertson, 0, [1, 0, 0], [40], { rtol: 1e-8, atol: [1e-12, 1e-16, 1e-12] });
    expect(stats.switchedAt).toBeDefined();
    expect(stats.method).toBe("rosenbrock");
    expect(stats.steps).toBeLessThan(1000);
    expect(Math.abs(y[0]![0]! - ROBERTSON_40[0]!)).toBeLessThan(1e-8);
    expect(Math.abs(y[0]![2]! - ROBERTSON_40[2]!)).toBeLessThan(1e-8);
  });

  it("stays explicit on a non-stiff problem", () => {
    const { stats } = solveOde(oscillator, 0, [1, 0], [20], { rtol: 1e-8 });
    expect(stats.switchedAt).toBeUndefined();
    expect(stats.method).toBe("dopri5");
  });

  it("switches on Van der Pol with mu = 1000 and crosses a relaxation period in bounded steps", () => {
    const mu = 1000;
    const vdp: OdeRhs = (_t, y, dy) => {
      dy[0] = y[1]!;
      dy[1] = mu * (1 - y[0]! * y[0]!) * y[1]! - y[0]!;
    };
    // Period of the relaxation limit cycle ~ (3 - 2 ln 2) mu ~ 1614.
    const times = linspace(0, 3000, 301);
    const { y, stats } = solveOde(vdp, 0, [2, 0], times, { rtol: 1e-6, atol: 1e-8 });
    expect(stats.switchedAt).toBeDefined();
    expect(stats.steps).toBeLessThan(5000);
    // The limit cycle keeps |x| <= ~2.01 and crosses zero: both signs occur.
    const xs = y.map((v) => v[0]!);
    expect(Math.max(...xs.map(Math.abs))).toBeLessThan(2.1);
    expect(Math.min(...xs)).toBeLessThan(-1.5);
    // Same answer from the stiff method alone at a tighter tolerance, away from the fast jumps.
    const ref = solveOde(vdp, 0, [2, 0], times, { method: "rosenbrock", rtol: 1e-9, atol: 1e-11 });
    let agree = 0;
    ref.y.forEach((v, i) => (agree += Math.abs(v[0]! - xs[i]!) < 1e-3 ? 1 : 0));
    expect(agree).toBeGreaterThan(290);
  });
});

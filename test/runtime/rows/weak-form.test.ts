import { describe, expect, it } from "vitest";
import { assembleSubject, smoothOutput, WeakFormWorkspace } from "../../../src/runtime/rows/weak-form.js";
import { gramSums } from "../../../src/runtime/population/subject-rows.js";
import { solveSpd } from "../../../src/runtime/numeric/linalg.js";
import { lotkaVolterraModel } from "../models/lotka-volterra.js";

/** Lotka-Volterra by RK4 with a fine step (reference trajectory, no noise). */
function lotkaVolterra(theta: number[], times: number[]): number[][] {
  let x = [1.5, 1];
  const f = (u: number[]): number[] => [theta[0]! * u[0]! - theta[1]! * u[0]! * u[1]!, theta[2]! * u[0]! * u[1]! - theta[3]! * u[1]!];
  const out: number[][] = [[], []];
  let t = 0;
  for (const target of times) {
    while (t < target - 1e-12) {
      const h = Math.min(0.002, target - t);
      const k1 = f(x);
      const k2 = f(x.map((v, i) => v + (h / 2) * k1[i]!));
      const k3 = f(x.map((v, i) => v + (h / 2) * k2[i]!));
      const k4 = f(x.map((v, i) => v + h * k3[i]!));
      x = x.map((v, i) => v + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!));
      t += h;
    }
    out[0]!.push(x[0]!);
    out[1]!.push(x[1]!);
  }
  return out;
}

describe("weak-form assembly", () => {
  it("recovers the parameters of a noise-free subject by least squares on its rows", () => {
    const theta = [0.7, 0.3, 0.25, 0.6];
    const times = Array.from({ length: 40 }, (_, i) => (20 * i) / 39);
    const values = lotkaVolterra(theta, times);
    const t = Float64Array.from(times);
    const curves = [0, 1].map((k) => smoothOutput(t, Float64Array.from(values[k]!), [], { lambda: 1e-9 }));
    const subject = { id: "s1", series: [], doses: [], covariates: new Float64Array(0) };
    const sys = assembleSubject(new WeakFormWorkspace(lotkaVolterraModel()), subject, 0, curves, new Float64Array([1, 1]))!;
    expect(sys.rows).toBe(2 * (1 + 5 + 13 + 29));
    const st = gramSums(sys);
    const est = solveSpd(st.gtg, 4, st.gty)!;
    for (let j = 0; j < 4; j++) expect(Math.abs(est[j]! / theta[j]! - 1)).toBeLessThan(1e-3);
  });

  it("splits a series at jump doses (a sample at the dose time is pre-dose)", () => {
    const t = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const y = Float64Array.from([1, 2, 3, 4, 5, 10, 11, 12, 13, 14]);
    const pieces = smoothOutput(t, y, [4]);
    expect(pieces).toHaveLength(2);
    expect(pieces[0]!.end).toBe(4);
    expect(pieces[1]!.start).toBe(5);
  });

  it("returns null when no interval has enough samples for a test function", () => {
    const t = Float64Array.from([0, 1, 2]);
    const curves = [0, 1].map(() => smoothOutput(t, Float64Array.from([1, 2, 3]), []));
    const subject = { id: "s2", series: [], doses: [], covariates: new Float64Array(0) };
    expect(assembleSubject(new WeakFormWorkspace(lotkaVolterraModel()), subject, 0, curves, new Float64Array([1, 1]))).toBeNull();
  });
});

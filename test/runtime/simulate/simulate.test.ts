import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadData } from "../../../src/runtime/data/load-data.js";
import type { Dose } from "../../../src/runtime/data/dataset.js";
import { SimulationError, simulateSubject } from "../../../src/runtime/simulate/simulate.js";
import { clairon, claironExact, oneCompartment } from "./fixtures.js";

const dose = (time: number, amount: number): Dose => ({ time, amount, adm: 1 });

/** X(t) = sum over doses given by t of AMT_k exp(-k (t - t_k)), doses at t included. */
function oneCompartmentExact(k: number, doses: Dose[], t: number, amounts = doses.map((d) => d.amount)): number {
  let x = 0;
  doses.forEach((d, i) => {
    if (d.time <= t) x += amounts[i]! * Math.exp(-k * (t - d.time));
  });
  return x;
}

describe("simulateSubject: jumps", () => {
  const model = oneCompartment();
  const k = 0.23;
  const doses = [dose(0, 100), dose(5, 50), dose(12, 80)];
  // Unsorted, with outputs exactly at dose times (values after the dose) and after the last dose.
  const times = [20, 0, 5, 3.3, 12, 11.999, 7.25, 0.5, 30];

  for (const method of ["dopri5", "rosenbrock"] as const) {
    it(`matches sum AMT_k exp(-k (t - t_k)) with ${method}`, () => {
      const sim = simulateSubject(model, new Float64Array([k]), {
        doses,
        times,
        ode: { method, rtol: 1e-10, atol: 1e-12 },
      });
      expect(Array.from(sim.times)).toEqual(times);
      times.forEach((t, i) => {
        const exact = oneCompartmentExact(k, doses, t);
        expect(Math.abs(sim.states[i]![0]! - exact)).toBeLessThan(1e-7 * exact);
        expect(sim.outputs[i]![0]).toBe(sim.states[i]![0]);
      });
      expect(sim.stats.method).toBe(method);
    });
  }

  it("takes unknown per-dose amounts from doseAmounts (shared array or by state name)", () => {
    const m = oneCompartment("unknown");
    const amounts = [3, 7.5, 1.25];
    const byArray = simulateSubject(m, new Float64Array([k]), { doses, times, doseAmounts: amounts });
    const byName = simulateSubject(m, new Float64Array([k]), { doses, times, doseAmounts: { X: amounts } });
    times.forEach((t, i) => {
      const exact = oneCompartmentExact(k, doses, t, amounts);
      expect(Math.abs(byArray.states[i]![0]! - exact)).toBeLessThan(1e-5 * exact);
      expect(byName.states[i]![0]).toBe(byArray.states[i]![0]);
    });
    expect(() => simulateSubject(m, new Float64Array([k]), { doses, times })).toThrow(/unknown amount/);
  });

  it("applies two doses at the same time one after the other", () => {
    const sim = simulateSubject(model, new Float64Array([k]), { doses: [dose(2, 10), dose(2, 5)], times: [2, 4] });
    expect(sim.states[0]![0]).toBeCloseTo(15, 12);
    expect(Math.abs(sim.states[1]![0]! - 15 * Math.exp(-2 * k))).toBeLessThan(1e-6);
  });

  it("uses x0 for states the model does not fix, and refuses a missing or conflicting one", () => {
    const free = oneCompartment("amt", false);
    const sim = simulateSubject(free, new Float64Array([k]), { x0: [4], times: [1] });
    expect(Math.abs(sim.states[0]![0]! - 4 * Math.exp(-k))).toBeLessThan(1e-6);
    expect(() => simulateSubject(free, new Float64Array([k]), { times: [1] })).toThrow(SimulationError);
    expect(() => simulateSubject(model, new Float64Array([k]), { x0: [4], times: [1] })).toThrow(/starts at 0/);
  });
});

describe("simulateSubject: dose vector switching a forcing term (Clairon-like)", () => {
  const model = clairon();
  const theta = new Float64Array([18.7, 4.5, 0.03]);
  const doseTimes = [0, 21];
  const doses = doseTimes.map((t) => dose(t, 1));
  const times = [0, 1, 2, 7, 14, 20.5, 21, 21.3, 22, 28, 35, 60, 90, 120];

  for (const method of ["dopri5", "rosenbrock"] as const) {
    it(`matches the closed form of S and Ab with ${method}`, () => {
      const sim = simulateSubject(model, theta, { doses, times, ode: { method, rtol: 1e-10, atol: 1e-12 } });
      times.forEach((t, i) => {
        const [S, Ab] = claironExact(18.7, 4.5, 0.03, doseTimes, t);
        expect(Math.abs(sim.states[i]![0]! - S)).toBeLessThan(1e-7 * Math.max(1, S));
        expect(Math.abs(sim.states[i]![1]! - Ab)).toBeLessThan(1e-7 * Ab);
        expect(Math.abs(sim.outputs[i]![0]! - Math.log10(Ab))).toBeLessThan(1e-8);
      });
    });
  }

  it("gives the same trajectory with the model's Jacobian and with finite differences", () => {
    const opts = { doses, times, ode: { method: "rosenbrock" as const, rtol: 1e-9, atol: 1e-12 } };
    const exact = simulateSubject(model, theta, opts);
    const numeric = simulateSubject(model, theta, { ...opts, jacobian: "numeric" });
    times.forEach((_, i) =>
      expect(Math.abs(exact.states[i]![1]! - numeric.states[i]![1]!)).toBeLessThan(1e-6 * exact.states[i]![1]!),
    );
  });

  it("refuses more administrations than the dose vector covers", () => {
    expect(() => simulateSubject(model, theta, { doses: [dose(0, 1), dose(21, 1), dose(42, 1)], times: [50] })).toThrow(
      /covers 2 administrations/,
    );
  });
});

describe("simulateSubject against a truth file", () => {
  it("reproduces data/antibody_clairon.csv from antibody_clairon.truth.json up to the residual noise", () => {
    // The data were simulated independently of this code with residual SD 0.1 on log10(Ab); simulating
    // each subject with its true parameters must leave residuals of exactly that size and no bias.
    const model = clairon();
    const data = loadData(readFileSync("data/antibody_clairon.csv", "utf8"), "antibody_clairon.csv", model.meta);
    const truth = JSON.parse(readFileSync("data/antibody_clairon.truth.json", "utf8")) as {
      noise: number;
      individual: Record<string, { theta: number; fM2: number; delta_Ab: number }>;
    };
    const res: number[] = [];
    for (const s of data.subjects) {
      const p = truth.individual[s.id]!;
      const series = s.series[0]!;
      const sim = simulateSubject(model, new Float64Array([p.theta, p.fM2, p.delta_Ab]), {
        doses: s.doses,
        times: series.times,
      });
      series.values.forEach((v, i) => res.push((v - sim.outputs[i]![0]!) / truth.noise));
    }
    expect(res.length).toBe(1000);
    const mean = res.reduce((a, b) => a + b, 0) / res.length;
    const sd = Math.sqrt(res.reduce((a, b) => a + (b - mean) ** 2, 0) / (res.length - 1));
    // 1000 standardised residuals: SE 0.032 for the mean, 0.022 for the SD.
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(Math.abs(sd - 1)).toBeLessThan(0.07);
    expect(Math.max(...res.map(Math.abs))).toBeLessThan(4.5);
  });
});

// Steady-state doses (SS=1 with II) in the simulator: the state before the dose is reset to the periodic state of
// the regimen (simulate/steady-state.ts). References: the one-compartment closed forms (the geometric series that
// data/real/fit_quinidine.R and nlme's quinModel use), and for the others the same regimen given explicitly
// (400 doses, long enough that the residual of the first is below 1e-12 of the steady state).
import { describe, expect, it } from "vitest";
import { model as oral } from "../../../generated/pk_oral.js";
import { model as iv } from "../../../generated/pk_iv_multidose.js";
import { model as infusion } from "../../../generated/pk_iv_infusion.js";
import { model as twoCmt } from "../../../generated/pk_2cmt_iv.js";
import { simulateSubject } from "../../../src/runtime/simulate/simulate.js";
import type { Dose } from "../../../src/runtime/data/dataset.js";
import type { CompiledModel } from "../../../src/runtime/model.js";
import { steadyStateBefore } from "../../../src/runtime/simulate/steady-state.js";
import { simulateDatasetWithTruth } from "../../../src/runtime/simulate/simulate-data.js";
import { loadData } from "../../../src/runtime/data/load-data.js";

/** The regimen of a steady-state dose written out: `n` doses every `tau` ending with it (times shifted to start at 0). */
function explicit(dose: Dose, n: number): Dose[] {
  const tau = dose.steadyState!.interval;
  return Array.from({ length: n }, (_, k) => {
    const d: Dose = { ...dose, time: dose.time + (k - n + 1) * tau };
    delete d.steadyState;
    return d;
  });
}

function compareWithExplicit(model: CompiledModel, theta: Float64Array, dose: Dose, later: number[], digits = 6) {
  const ss = simulateSubject(model, theta, { doses: [dose], times: later, t0: dose.time, ode: { rtol: 1e-10, atol: 1e-12 } });
  const long = explicit(dose, 400);
  const ex = simulateSubject(model, theta, { doses: long, times: later, t0: long[0]!.time, ode: { rtol: 1e-10, atol: 1e-12 } });
  later.forEach((_, i) => ss.states[i]!.forEach((v, k) => expect(v - ex.states[i]![k]!).toBeCloseTo(0, digits)));
}

describe("steady-state doses in the simulator", () => {
  const ka = 0.8;
  const kaV = 0.8 / 200;
  const ke = 0.055;
  const theta = Float64Array.from([ka, kaV, ke]);

  it("one-compartment oral: the state at the dose is the geometric series of both exponentials (quinModel's formula), earlier doses forgotten", () => {
    const tau = 8;
    const amt = 201;
    const doses: Dose[] = [
      { time: 0, amount: 500, adm: 1 },
      { time: 10, amount: amt, adm: 1, steadyState: { interval: tau } },
    ];
    const times = [10, 13, 18, 25];
    const sim = simulateSubject(oral, theta, { doses, times, ode: { rtol: 1e-10, atol: 1e-12 } });
    // R's oral1(): right after the SS dose Ad = AMT / (1 - e^{-ka tau}), Ac = AMT ka/(ka - ke) (1/(1 - e^{-ke tau}) - 1/(1 - e^{-ka tau})).
    const ad0 = amt / (1 - Math.exp(-ka * tau));
    const c0 = ((amt * kaV) / (ka - ke)) * (1 / (1 - Math.exp(-ke * tau)) - 1 / (1 - Math.exp(-ka * tau)));
    const exact = (t: number) => {
      const s = t - 10;
      return { ad: ad0 * Math.exp(-ka * s), c: c0 * Math.exp(-ke * s) + ((kaV * ad0) / (ka - ke)) * (Math.exp(-ke * s) - Math.exp(-ka * s)) };
    };
    times.forEach((t, i) => {
      const e = exact(t);
      expect(sim.states[i]![0]! / e.ad - 1).toBeCloseTo(0, 7);
      expect(sim.states[i]![1]! / e.c - 1).toBeCloseTo(0, 7);
    });
  });

  it("IV bolus (C += amt / V): the peak is amt / V / (1 - e^{-ke tau})", () => {
    const V = 20;
    const k = 0.3;
    const th = Float64Array.from([1 / V, k]);
    const sim = simulateSubject(iv, th, { doses: [{ time: 5, amount: 100, adm: 1, steadyState: { interval: 12 } }], times: [5, 11], ode: { rtol: 1e-10, atol: 1e-12 } });
    const peak = 100 / V / (1 - Math.exp(-k * 12));
    expect(sim.states[0]![0]! / peak - 1).toBeCloseTo(0, 7);
    expect(sim.states[1]![0]! / (peak * Math.exp(-k * 6)) - 1).toBeCloseTo(0, 7);
  });

  it("two compartments and an infusion: the same as the regimen written out dose by dose", () => {
    compareWithExplicit(twoCmt, Float64Array.from([1 / 20, 0.05, 0.04, 0.03]), { time: 0, amount: 15, adm: 1, steadyState: { interval: 12 } }, [0, 3, 12, 30]);
    compareWithExplicit(infusion, Float64Array.from([1 / 20, 0.3]), { time: 2, amount: 100, adm: 1, rate: 50, duration: 2, steadyState: { interval: 6 } }, [2, 3, 4, 7, 20]);
  });

  it("no steady state where nothing eliminates the dose: an error, not a number", () => {
    expect(() => simulateSubject(iv, Float64Array.from([1 / 20, 0]), { doses: [{ time: 0, amount: 100, adm: 1, steadyState: { interval: 12 } }], times: [1] })).toThrow(/no steady state/);
  });

  it("a nonlinear map reaches its periodic state by chord iterations", () => {
    // x -> (x + 1) / 2 + 0.1 sin(x): a contraction with a fixed point the linear step alone misses.
    const x = new Float64Array(1);
    expect(steadyStateBefore((y) => (y[0] = (y[0]! + 1) / 2 + 0.1 * Math.sin(y[0]!)), x)).toBe(true);
    expect(x[0]! - ((x[0]! + 1) / 2 + 0.1 * Math.sin(x[0]!))).toBeCloseTo(0, 7);
  });

  it("a simulated data set (nlme simulate) writes SS and II, reads back as steady-state doses, and is periodic: the trough at the dose equals the one an interval later", () => {
    const out = simulateDatasetWithTruth(oral, {
      theta: { ka, ka_over_V: kaV, ke },
      times: [0, 4, 8],
      doses: [{ time: 0, amount: 201, steadyState: { interval: 8 } }],
      noise: { conc: {} },
      subjects: 1,
      seed: 1,
      digits: 12,
    });
    expect(out.csv.split("\n")[0]).toBe("ID,TIME,OBSID,DV,AMT,EVID,MDV,SS,II");
    const data = loadData(out.csv, "sim.csv", oral.meta);
    expect(data.subjects[0]!.doses).toEqual([{ time: 0, amount: 201, adm: 1, steadyState: { interval: 8 } }]);
    const c = data.subjects[0]!.series[0]!.values;
    expect(c[0]! / c[2]! - 1).toBeCloseTo(0, 6);
    expect(c[1]!).toBeGreaterThan(c[0]!);
  });
});

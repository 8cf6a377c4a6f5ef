// The closed form of linear compartment models (rows/compartment-response.ts)
// against the product's ODE solver (simulate/simulate.ts, dopri5/Rosenbrock at
// tight tolerance) on the compiled specs: two compartments with repeated
// boluses and an infusion, three compartments, an oral depot before two.
import { describe, expect, it } from "vitest";
import { model as twoCmt } from "../../../generated/pk_2cmt_iv.js";
import { model as threeCmt } from "../../../generated/pk_3cmt_iv.js";
import { model as oralTwoCmt } from "../../../generated/pk_2cmt_oral.js";
import { model as oneCmt } from "../../../generated/pk_iv_multidose.js";
import { model as logistic } from "../../../generated/logistic.js";
import { linearSystemOf, predictObserved, realRoots } from "../../../src/runtime/rows/compartment-response.js";
import { simulateSubject } from "../../../src/runtime/simulate/simulate.js";
import type { Dose } from "../../../src/runtime/data/dataset.js";
import type { CompiledModel } from "../../../src/runtime/model.js";

function agree(model: CompiledModel, theta: number[], doses: Dose[], times: number[]): void {
  const sys = linearSystemOf(model);
  expect(sys).not.toBeNull();
  const th = Float64Array.from(theta);
  const pred = predictObserved(sys!, th, doses, times)!;
  const sim = simulateSubject(model, th, { doses, times, ode: { rtol: 1e-10, atol: 1e-12 } });
  times.forEach((t, i) => expect(Math.abs(pred[i]! / sim.states[i]![sys!.observed]! - 1), `t = ${t}`).toBeLessThan(1e-6));
}

describe("linear compartment predictions against the ODE solver", () => {
  const times = [0.3, 1, 2.5, 5, 11.9, 12.5, 14, 20, 30, 47];
  it("two compartments: boluses at 0 and 12, an infusion over 4 h from 24", () => {
    const doses: Dose[] = [
      { time: 0, amount: 100, adm: 1 },
      { time: 12, amount: 50, adm: 1 },
      { time: 24, amount: 80, adm: 1, rate: 20, duration: 4 },
    ];
    agree(twoCmt, [1 / 10, 0.1, 0.3, 0.15], doses, [...times, 25, 27.9, 28.5]);
  });
  it("three compartments (two peripheral convolution states)", () => {
    agree(threeCmt, [1 / 10, 0.3, 0.6, 0.4, 0.1, 0.02], [{ time: 0, amount: 100, adm: 1 }], times);
  });
  it("oral two compartments: the dose enters the latent depot (scaled by 1/V after the concentration rewrite)", () => {
    agree(oralTwoCmt, [1.2, 1 / 20, 0.15, 0.3, 0.1], [{ time: 0, amount: 100, adm: 1 }, { time: 12, amount: 100, adm: 1 }], times);
  });
  it("an absorption rate equal to a disposition eigenvalue (coincident rates) stays finite and close", () => {
    // With k12 = k21 = 0 the disposition rate is k10 = ka: the projectors' denominators vanish without the spread.
    agree(oralTwoCmt, [0.2, 1 / 20, 0.2, 1e-9, 0.5], [{ time: 0, amount: 100, adm: 1 }], times.slice(0, 6));
  });
});

describe("which models take this path", () => {
  it("only models with a peripheral (convolution) state: one-compartment and nonlinear models do not", () => {
    expect(linearSystemOf(oneCmt)).toBeNull();
    expect(linearSystemOf(logistic)).toBeNull();
    expect(linearSystemOf(threeCmt)?.n).toBe(3);
    expect(linearSystemOf(oralTwoCmt)?.dose.state).toBe(0);
  });
});

describe("real roots of the characteristic polynomial", () => {
  it("finds every root of a polynomial with real roots, and refuses complex ones", () => {
    // (s + 1)(s + 0.1)(s + 3) = s^3 + 4.1 s^2 + 3.4 s + 0.3
    const r = realRoots([1, 4.1, 3.4, 0.3])!;
    expect(r.map((v) => +v.toFixed(10))).toEqual([-3, -1, -0.1]);
    expect(realRoots([1, 0, 1])).toBeNull();
  });
});

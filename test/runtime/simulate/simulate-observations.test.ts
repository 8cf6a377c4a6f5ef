// simulateObservations (a solver kept across subjects, outputs in one flat array) must give simulateSubject's
// outputs bit for bit: the quality check uses it for 10,000 subjects and its figures may not move.
import { describe, expect, it } from "vitest";
import type { Dose } from "../../../src/runtime/data/dataset.js";
import { SubjectSolver, simulateObservations, simulateSubject } from "../../../src/runtime/simulate/simulate.js";
import { clairon, oneCompartment } from "./fixtures.js";

const dose = (time: number, amount: number): Dose => ({ time, amount, adm: 1 });
const ODE = { rtol: 1e-5, atol: 1e-9, maxSteps: 20000 };

function flat(model: ReturnType<typeof clairon>, theta: Float64Array, opts: Parameters<typeof simulateSubject>[2]): number[] {
  return simulateSubject(model, theta, { ...opts, ode: ODE }).outputs.flatMap((y) => Array.from(y));
}

describe("simulateObservations", () => {
  it("equals simulateSubject's outputs with doses and unsorted, repeated times", () => {
    const model = clairon();
    const solver = new SubjectSolver(model, ODE);
    const times = [90, 0, 21, 2, 21, 7, 120, 21.3, 0, 60];
    const doses = [dose(0, 1), dose(21, 1)];
    for (const theta of [new Float64Array([18.7, 4.5, 0.03]), new Float64Array([9, 2, 0.1])]) {
      const out = new Float64Array(times.length);
      simulateObservations(solver, theta, { doses, times }, out);
      expect(Array.from(out)).toEqual(flat(model, theta, { doses, times }));
    }
  });

  it("starts every simulation afresh: a stiff subject (switched to Rosenbrock) leaves no trace on the next", () => {
    const model = oneCompartment();
    const solver = new SubjectSolver(model, ODE);
    const times = [0.5, 1, 3, 10, 50];
    const doses = [dose(0, 100)];
    const stiff = simulateObservations(solver, new Float64Array([5e4]), { doses, times }, new Float64Array(times.length));
    expect(stiff.method).toBe("rosenbrock");
    const out = new Float64Array(times.length);
    const gentle = simulateObservations(solver, new Float64Array([0.23]), { doses, times }, out);
    expect(gentle.method).toBe("dopri5");
    expect(Array.from(out)).toEqual(flat(model, new Float64Array([0.23]), { doses, times }));
  });

  it("refuses an output array too short for the times", () => {
    const model = oneCompartment();
    expect(() => simulateObservations(new SubjectSolver(model, ODE), new Float64Array([1]), { doses: [dose(0, 1)], times: [1, 2] }, new Float64Array(1))).toThrow(RangeError);
  });
});

// predictSubject asks the ODE once per distinct time of a subject (outputs sampled together share it) and keeps
// one solver across subjects: its predictions must equal simulateSubject's at every sample, bit for bit.
import { describe, expect, it } from "vitest";
import type { Subject } from "../../../src/runtime/data/dataset.js";
import type { FitResult } from "../../../src/runtime/fit-result.js";
import { Predictor, predictSubject, startState, individualParameters } from "../../../src/runtime/quality/individual-prediction.js";
import { simulateSubject } from "../../../src/runtime/simulate/simulate.js";
import { model as lotkaVolterra } from "../../../generated/lotka_volterra.js";

const f64 = (xs: number[]) => Float64Array.from(xs);

function subject(id: string, prey: number[], predator: number[]): Subject {
  return {
    id,
    series: [
      { output: "prey", times: f64(prey), values: f64(prey.map((t) => 1 + 0.1 * t)) },
      { output: "predator", times: f64(predator), values: f64(predator.map((t) => 1 - 0.01 * t)) },
    ],
    doses: [],
    covariates: new Float64Array(0),
  };
}

describe("predictSubject", () => {
  const names = lotkaVolterra.meta.parameters.map((p) => p.name);
  const fit = {
    parameters: Object.fromEntries(names.map((n) => [n, { estimate: 0.5 }])),
    individual: {
      a: { a: 1.1, b: 0.45, c: 0.2, d: 0.5 },
      b: { a: 0.9, b: 0.5, c: 0.25, d: 0.45 },
    },
  } as unknown as FitResult;
  // Shared, interleaved and repeated times; subject b's prey sampled where its predator is not.
  const subjects = [subject("a", [0, 0.5, 1, 2, 4, 8], [0, 0.5, 1, 2, 4, 8]), subject("b", [0, 1, 1, 3, 7.5], [0.2, 1, 2.5, 3, 9])];

  it("equals simulateSubject at every sample, with one Predictor (solver, work arrays) kept across subjects", () => {
    const predictor = new Predictor(lotkaVolterra);
    for (const s of [...subjects, ...subjects]) {
      const pred = predictor.predict(fit, s);
      if (!pred.ok) throw new Error(pred.message);
      const theta = individualParameters(lotkaVolterra, fit, s.id) as Float64Array;
      const start = startState(lotkaVolterra, fit, s);
      if (typeof start === "string") throw new Error(start);
      // One request per sample, every output's samples together (the last time ends the integration's last step).
      const times = s.series.flatMap((x) => Array.from(x.times));
      const sim = simulateSubject(lotkaVolterra, theta, { times, x0: start.x0, t0: start.t0, ode: { rtol: 1e-5, atol: 1e-9, maxSteps: 20000 } });
      let first = 0;
      s.series.forEach((series, o) => {
        expect(Array.from(pred.outputs[o]!)).toEqual(sim.outputs.slice(first, first + series.times.length).map((y) => y[o]!));
        first += series.times.length;
      });
    }
  });

  it("predictSubject alone gives what a kept Predictor gives", () => {
    const predictor = new Predictor(lotkaVolterra);
    for (const s of subjects) {
      const kept = predictor.predict(fit, s);
      const alone = predictSubject(lotkaVolterra, fit, s);
      if (!kept.ok || !alone.ok) throw new Error("no prediction");
      expect(alone.outputs.map((f) => Array.from(f))).toEqual(kept.outputs.map((f) => Array.from(f)));
    }
  });
});

// Accuracy of the weak-form population estimator against the truth files in
// data/ (lotka_volterra.truth.json, logistic.truth.json) and the R nlme
// reference fit of orange.csv quoted in data/README.md.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fit } from "../../../src/runtime/estimate/fit.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import type { CompiledModel } from "../../../src/runtime/model.js";
import type { Dataset } from "../../../src/runtime/data/dataset.js";
import { DataError } from "../../../src/runtime/data/dataset.js";
import { createRng } from "../../../src/runtime/numeric/random.js";
import { lotkaVolterraModel } from "../models/lotka-volterra.js";
import { logisticModel } from "../models/logistic.js";

const dataDir = fileURLToPath(new URL("../../../data/", import.meta.url));
const load = (name: string, model: CompiledModel): Dataset =>
  loadData(readFileSync(`${dataDir}${name}.csv`, "utf8"), `data/${name}.csv`, model.meta);
const truth = (name: string): { theta: Record<string, number>; omega_sd: Record<string, number> } =>
  JSON.parse(readFileSync(`${dataDir}${name}.truth.json`, "utf8"));
const rel = (x: number, ref: number): number => Math.abs(x / ref - 1);

describe("fit: accuracy against truth", () => {
  it("lotka_volterra.csv: fixed effects within 5%, omega within 25% of the truth", () => {
    const model = lotkaVolterraModel();
    const result = fit(model, load("lotka_volterra", model));
    const t = truth("lotka_volterra");
    for (const name of ["a", "b", "c", "d"]) {
      const p = result.parameters[name]!;
      expect(rel(p.estimate, t.theta[name]!)).toBeLessThan(0.05);
      expect(rel(p.omega!, t.omega_sd[name]!)).toBeLessThan(0.25);
      expect(p.se).toBeGreaterThan(0);
    }
    expect(result.subjects).toBe(50);
    expect(Object.keys(result.individual)).toHaveLength(50);
    expect(result.omega.names).toEqual(["a", "b", "c", "d"]);
    expect(result.residual.prey!.b).toBeGreaterThan(0.035);
    expect(result.residual.prey!.b).toBeLessThan(0.07);
    expect(result.unidentifiable).toEqual([]);
    // Plain JSON: no NaN, no typed arrays.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it("logistic.csv: r and q within 10% of the truth (8 sparse points per subject)", () => {
    const model = logisticModel();
    const result = fit(model, load("logistic", model));
    const t = truth("logistic");
    expect(rel(result.parameters.r!.estimate, t.theta.r!)).toBeLessThan(0.1);
    expect(rel(result.parameters.q!.estimate, t.theta.q!)).toBeLessThan(0.1);
    // Individual rows carry every parameter and the derived K.
    const first = Object.values(result.individual)[0]!;
    expect(Object.keys(first).sort()).toEqual(["K", "q", "r"]);
    expect(first.K).toBeCloseTo(first.r! / first.q!, 8);
  });

  it("orange.csv: r and K = r/q within 15% of the R nlme fit (r = 0.0029056/day, K = 191.05 mm)", () => {
    const model = logisticModel();
    const result = fit(model, load("orange", model));
    expect(rel(result.parameters.r!.estimate, 0.0029056)).toBeLessThan(0.15);
    expect(rel(result.derived.K!, 191.05)).toBeLessThan(0.15);
  });
});

describe("fit: behaviour", () => {
  const model = logisticModel();
  const subject = (id: string, n: number) => ({
    id,
    series: [
      {
        output: "circumference",
        times: Float64Array.from({ length: n }, (_, i) => 100 + 200 * i),
        values: Float64Array.from({ length: n }, (_, i) => 200 / (1 + 5 * Math.exp(-0.003 * 200 * i)) * (1 + 0.02 * Math.sin(7 * i))),
      },
    ],
    doses: [],
    covariates: new Float64Array(0),
  });

  it("skips subjects with too few points (one sample: no integral row), with a note naming them", () => {
    const data: Dataset = {
      file: "mem.csv",
      outputs: ["circumference"],
      covariates: [],
      subjects: [subject("A", 8), subject("B", 8), subject("C", 8), subject("tiny", 1)],
    };
    const result = fit(model, data);
    expect(result.subjects).toBe(3);
    expect(result.notes.join(" ")).toMatch(/1 subject\(s\) skipped.*tiny/);
    // Issue 13: no doses in these data, so no "between doses".
    expect(result.notes.join(" ")).toMatch(/too few observations for any test function/);
    expect(result.notes.join(" ")).not.toMatch(/between doses/);
    expect(result.individual.tiny).toBeUndefined();
  });

  it("throws a DataError when no subject is usable", () => {
    const data: Dataset = { file: "mem.csv", outputs: ["circumference"], covariates: [], subjects: [subject("x", 1)] };
    expect(() => fit(model, data)).toThrow(DataError);
    expect(() => fit(model, data)).toThrow(/x/);
  });

  it("keeps a subject with 3 samples through integral rows (2 rows once X(t0) is profiled out) and says which row form each subject got", () => {
    const data: Dataset = {
      file: "mem.csv",
      outputs: ["circumference"],
      covariates: [],
      subjects: [subject("A", 8), subject("B", 8), subject("C", 8), subject("small", 3)],
    };
    const result = fit(model, data);
    expect(result.subjects).toBe(4);
    expect(result.individual.small).toBeDefined();
    expect(result.settings.rowForms).toEqual({ integral: 1, weak: 3 });
    expect(result.notes.join(" ")).toMatch(/integral rows .* for 1 subject.*test-function rows for 3/);
  });

  it("rejects models with latent states with a clear message", () => {
    const latent = logisticModel({ states: [{ name: "C", latent: true }] });
    const data: Dataset = { file: "mem.csv", outputs: ["circumference"], covariates: [], subjects: [subject("A", 8)] };
    expect(() => fit(latent, data)).toThrow(/latent state C: its equation is not linear in C itself/);
  });

  it("reports progress and honours a fixed-only parameter", () => {
    const fixedQ = logisticModel({
      parameters: [
        { name: "r", variability: "random", distribution: "normal" },
        { name: "q", variability: "fixed", distribution: "normal" },
      ],
    });
    const calls: number[] = [];
    const result = fit(fixedQ, load("logistic", fixedQ), { onProgress: (done) => calls.push(done) });
    expect(calls.at(-1)).toBe(30);
    expect(result.parameters.q!.omega).toBeNull();
    expect(result.omega.names).toEqual(["r"]);
  });

  it("reports an unidentifiable combination rather than crashing", () => {
    // Duplicate the r column: dC/dt = r C + s C - q C^2 cannot separate r from s.
    const base = logisticModel();
    const dup: CompiledModel = {
      ...base,
      nParams: 3,
      meta: {
        ...base.meta,
        parameters: [
          { name: "r", variability: "random", distribution: "normal" },
          { name: "s", variability: "fixed", distribution: "normal" },
          { name: "q", variability: "random", distribution: "normal" },
        ],
        derived: [],
      },
      dictionary(x, _t, _e, out) {
        out[0] = x[0]!;
        out[1] = x[0]!;
        out[2] = -x[0]! * x[0]!;
      },
      observedDictionary(x, _t, _e, out) {
        out[0] = x[0]!;
        out[1] = x[0]!;
        out[2] = -x[0]! * x[0]!;
      },
      derived() {},
    };
    const result = fit(dup, load("logistic", dup));
    expect(result.unidentifiable).toHaveLength(1);
    const c = result.unidentifiable[0]!.combination;
    expect(Math.abs(c.r! + c.s!)).toBeLessThan(1e-6);
    expect(result.parameters.r!.se).toBeNull();
    // The identifiable sum r + s matches the logistic truth (data/logistic.truth.json: r = 0.003) within 10%.
    expect(rel(result.parameters.r!.estimate + result.parameters.s!.estimate, 0.003)).toBeLessThan(0.1);
    expect(result.notes.join(" ")).toMatch(/rank-deficient/);
  });
});

describe("fit: jump doses", () => {
  it("does not smooth or integrate across a dose that makes the observed state jump (seeded simulation)", () => {
    // dC/dt = r C - q C^2 with C += AMT at t = 600: truth r = 0.003, q = 1.5e-5, additive RE 10%.
    const model = logisticModel({ doses: [{ kind: "jump", state: 0, amount: "amt" }] });
    const rng = createRng(31);
    const times = Array.from({ length: 24 }, (_, i) => 50 + 62.5 * i);
    const subjects = Array.from({ length: 40 }, (_, s) => {
      const r = 0.003 * (1 + 0.1 * rng.normal());
      const q = 1.5e-5 * (1 + 0.1 * rng.normal());
      let c = 20;
      let t = 0;
      let dosed = false;
      const values: number[] = [];
      for (const target of times) {
        while (t < target - 1e-9) {
          if (!dosed && t >= 600 - 1e-9) {
            c += 60;
            dosed = true;
          }
          const h = Math.min(1, target - t, !dosed ? 600 - t : Number.POSITIVE_INFINITY) || 1;
          const f = (x: number): number => r * x - q * x * x;
          const k1 = f(c);
          const k2 = f(c + (h / 2) * k1);
          const k3 = f(c + (h / 2) * k2);
          const k4 = f(c + h * k3);
          c += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
          t += h;
        }
        values.push(c * (1 + 0.01 * rng.normal()));
      }
      return {
        id: String(s + 1),
        series: [{ output: "circumference", times: Float64Array.from(times), values: Float64Array.from(values) }],
        doses: [{ time: 600, amount: 60, adm: 1 }],
        covariates: new Float64Array(0),
      };
    });
    const result = fit(model, { file: "sim", outputs: ["circumference"], covariates: [], subjects });
    expect(rel(result.parameters.r!.estimate, 0.003)).toBeLessThan(0.05);
    expect(rel(result.parameters.q!.estimate, 1.5e-5)).toBeLessThan(0.05);
  });
});

describe("fit: WENDy-style re-weighting", () => {
  it("runs, says so in the notes, and keeps lotka_volterra.csv fixed effects within 5% of the truth", () => {
    const model = lotkaVolterraModel();
    const result = fit(model, load("lotka_volterra", model), { reweight: true, reweightIterations: 2 });
    const t = truth("lotka_volterra");
    for (const name of ["a", "b", "c", "d"]) expect(rel(result.parameters[name]!.estimate, t.theta[name]!)).toBeLessThan(0.05);
    expect(result.notes.join(" ")).toMatch(/re-weighting: [12] round/);
    expect(result.settings.reweightRounds).toBeGreaterThan(0);
  });
});

describe("fit: observed scale", () => {
  it("fits on the observed scale when h is not the identity (log circumference of logistic.csv)", () => {
    // y = log(C): dz/dt = h'(C) (r C - q C^2) = r - q C, with C = exp(z).
    const base = logisticModel();
    const logModel: CompiledModel = {
      ...base,
      meta: {
        ...base.meta,
        observations: [{ name: "circumference", state: 0, transform: "log", error: "constant" }],
      },
      observedDictionary(x, _t, _e, out) {
        out[0] = 1;
        out[1] = -x[0]!;
      },
      observedDrift(_x, _t, _e, out) {
        out[0] = 0;
      },
      observe(x, out) {
        out[0] = Math.log(x[0]!);
      },
      invert(_o, y) {
        return Math.exp(y);
      },
    };
    const data = load("logistic", base);
    for (const s of data.subjects) s.series[0]!.values = s.series[0]!.values.map(Math.log);
    const result = fit(logModel, data);
    const t = truth("logistic");
    expect(rel(result.parameters.r!.estimate, t.theta.r!)).toBeLessThan(0.1);
    expect(rel(result.parameters.q!.estimate, t.theta.q!)).toBeLessThan(0.1);
    // 3% proportional noise is about 0.03 on the log scale.
    expect(result.residual.circumference!.a).toBeGreaterThan(0.02);
    expect(result.residual.circumference!.a).toBeLessThan(0.045);
  });
});

// The report's diagnostics: individual predictions simulated from known
// parameters must reproduce the data up to its noise, and weak-form residuals
// must grow when the parameters are wrong. Data and truth: data/logistic.csv,
// data/lotka_volterra.csv, data/antibody_clairon.csv with their *.truth.json.
import { describe, expect, it } from "vitest";
import { model as logistic } from "../../../generated/logistic.js";
import { model as lotka } from "../../../generated/lotka_volterra.js";
import { model as clairon } from "../../../generated/antibody_clairon.js";
import type { FitResult } from "../../../src/runtime/fit-result.js";
import { computeDiagnostics, type ReportDiagnostics } from "../../../src/runtime/report/diagnostics.js";
import { dataset, truthFit } from "./fixtures.js";

/** Pooled errors of the prediction at the observation times, per output. */
function predictionErrors(diag: ReportDiagnostics, output: number, relative: boolean): number[] {
  const out: number[] = [];
  for (const s of diag.subjects) {
    const o = s.outputs[output]!;
    for (let i = 0; i < o.times.length; i++) {
      const p = o.predictedAtObs![i]!;
      out.push(relative ? (o.values[i]! - p) / p : o.values[i]! - p);
    }
  }
  return out;
}

const rms = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + x * x, 0) / xs.length);

function scaled(fit: FitResult, name: string, factor: number): FitResult {
  const individual = Object.fromEntries(
    Object.entries(fit.individual).map(([id, row]) => [id, { ...row, [name]: row[name]! * factor }]),
  );
  return { ...fit, individual };
}

describe("individual predictions", () => {
  it("logistic: true parameters reproduce the data within its 3% proportional noise", () => {
    const data = dataset(logistic, "logistic.csv");
    const diag = computeDiagnostics(logistic, data, truthFit(logistic, "logistic.truth.json"), { gridPoints: 20 });
    expect(diag.subjects.every((s) => s.fitted && !s.problem)).toBe(true);
    const rel = predictionErrors(diag, 0, true);
    expect(rel.length).toBe(30 * 8);
    // The start value comes from the smooth, so allow a little more than the noise itself.
    expect(rms(rel)).toBeGreaterThan(0.015);
    expect(rms(rel)).toBeLessThan(0.05);
    // Every subject gets a dense curve on [first, last observation].
    const o = diag.subjects[0]!.outputs[0]!;
    expect(o.predicted!.t.length).toBe(20);
    expect(o.predicted!.t[0]).toBe(o.times[0]);
    expect(o.predicted!.t[19]).toBeCloseTo(o.times[o.times.length - 1]!, 9);
  });

  it("lotka-volterra: true parameters fit both outputs within the 5% noise; a wrong rate does not", () => {
    const data = dataset(lotka, "lotka_volterra.csv");
    const fit = truthFit(lotka, "lotka_volterra.truth.json");
    const opts = { gridPoints: 10, simulateSubjects: 3 };
    const good = computeDiagnostics(lotka, data, fit, opts);
    for (const o of [0, 1]) {
      expect(rms(predictionErrors(good, o, true))).toBeLessThan(0.09);
      expect(rms(predictionErrors(good, o, true))).toBeGreaterThan(0.03);
    }
    expect(good.subjects[2]!.outputs[0]!.predicted).toBeDefined();
    expect(good.subjects[3]!.outputs[0]!.predicted).toBeUndefined(); // only the first 3 get dense curves
    const bad = computeDiagnostics(lotka, data, scaled(fit, "a", 1.3), opts);
    expect(rms(predictionErrors(bad, 0, true))).toBeGreaterThan(3 * rms(predictionErrors(good, 0, true)));
  });

  it("antibody (latent S, two doses, declared X(0), log10 scale): residual SD 0.1 on log10 is recovered", () => {
    const data = dataset(clairon, "antibody_clairon.csv");
    const diag = computeDiagnostics(clairon, data, truthFit(clairon, "antibody_clairon.truth.json"), { gridPoints: 30 });
    expect(diag.subjects.every((s) => !s.problem)).toBe(true);
    const err = predictionErrors(diag, 0, false);
    expect(rms(err)).toBeGreaterThan(0.08);
    expect(rms(err)).toBeLessThan(0.12);
    // All states have declared initial values: the simulation starts at time 0 and jumps are drawn at the dose.
    const s = diag.subjects[0]!;
    expect(s.doseTimes).toEqual([0, 21]);
    expect(s.outputs[0]!.predicted!.t[0]).toBe(0);
    // S is latent and unobserved: no weak-form rows can be assembled, and the report says why residuals are raw.
    expect(diag.residuals.every((r) => r.r.length === 0)).toBe(true);
  });

  it("a subject without individual estimates keeps its data and smooth, without a prediction", () => {
    const data = dataset(logistic, "logistic.csv");
    const fit = truthFit(logistic, "logistic.truth.json");
    delete fit.individual["2"];
    const diag = computeDiagnostics(logistic, data, fit, { gridPoints: 10 });
    const s = diag.subjects.find((x) => x.id === "2")!;
    expect(s.fitted).toBe(false);
    expect(s.problem).toBe("no individual estimates");
    expect(s.outputs[0]!.predicted).toBeUndefined();
    expect(s.outputs[0]!.smooth.length).toBe(1);
    expect(diag.notes.join("\n")).toMatch(/1 subject\(s\) have no individual estimates/);
  });
});

describe("weak-form residuals", () => {
  it("are one per assembled row, standardised by sigma when the fit records it, and larger for wrong parameters", () => {
    const data = dataset(lotka, "lotka_volterra.csv");
    const base = truthFit(lotka, "lotka_volterra.truth.json");
    const settings = { rowScale: { x: 1, y: 1 }, sigma2: 4 };
    const fit = { ...base, settings };
    const opts = { gridPoints: 2, simulateSubjects: 0 };
    const good = computeDiagnostics(lotka, data, fit, opts);
    expect(good.residualScale).toBe("sigma");
    const raw = computeDiagnostics(lotka, data, base, opts);
    expect(raw.residualScale).toBe("raw");
    expect(raw.notes.join("\n")).toMatch(/unscaled/);
    for (const k of [0, 1]) {
      const g = good.residuals[k]!;
      const r = raw.residuals[k]!;
      expect(g.r.length).toBeGreaterThan(50 * 10);
      expect(g.r.length).toBe(r.r.length);
      expect(g.r[7]! * 2).toBeCloseTo(r.r[7]!, 12); // divided by sqrt(sigma2) = 2
      expect(Math.min(...g.t)).toBeGreaterThan(0);
      expect(Math.max(...g.t)).toBeLessThan(20);
    }
    const bad = computeDiagnostics(lotka, data, scaled(fit, "b", 1.3), opts);
    // b enters dx/dt only (a x - b x y): the x rows grow, the y rows do not move.
    expect(rms(bad.residuals[0]!.r)).toBeGreaterThan(2 * rms(good.residuals[0]!.r));
    expect(bad.residuals[1]!.r).toEqual(good.residuals[1]!.r);
  });
});

// Issue 13 in the runtime: infusions read from RATE/DUR and simulated as a
// zero-order input, doses scaled by a coefficient (`C += amt / V`) (the fits:
// test/runtime/estimate/pk-forms-fit.test.ts). Exact solutions of the
// one-compartment model are the reference.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { model as iv } from "../../../generated/pk_iv_multidose.js";
import { model as infusion } from "../../../generated/pk_iv_infusion.js";
import { model as twoCmt } from "../../../generated/pk_2cmt_iv.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { simulateSubject } from "../../../src/runtime/simulate/simulate.js";
import { simulateDatasetWithTruth } from "../../../src/runtime/simulate/simulate-data.js";
import { DataError, type Dose } from "../../../src/runtime/data/dataset.js";
import type { ModelMeta } from "../../../src/runtime/model.js";

const load = (path: string, meta: ModelMeta) => loadData(readFileSync(path, "utf8"), path, meta);

const REAL = join(import.meta.dirname, "../../../data/real");
const dir = mkdtempSync(join(tmpdir(), "pk-forms-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("RATE and DUR columns", () => {
  it("give each dose its rate and duration (RATE: AMT/RATE; DUR as given); no RATE is a bolus", () => {
    const path = csv(
      "inf.csv",
      ["ID,TIME,DV,OBSID,AMT,EVID,RATE,DUR", "1,0,.,.,100,1,50,.", "1,1,3,conc,.,0,.,.", "1,3,2,conc,.,0,.,.", "2,0,.,.,60,1,.,4", "2,5,1,conc,.,0,.,.", "3,0,.,.,10,1,0,.", "3,2,1,conc,.,0,.,."].join("\n"),
    );
    const data = load(path, infusion.meta);
    const doses = data.subjects.map((s) => s.doses[0]);
    expect(doses[0]).toEqual({ time: 0, amount: 100, adm: 1, rate: 50, duration: 2 });
    expect(doses[1]).toEqual({ time: 0, amount: 60, adm: 1, rate: 15, duration: 4 });
    expect(doses[2]).toEqual({ time: 0, amount: 10, adm: 1 });
  });

  it("refuse RATE x DUR different from AMT, and modelled rates (RATE = -2), naming the line and column", () => {
    const bad = csv("bad.csv", ["ID,TIME,DV,OBSID,AMT,EVID,RATE,DUR", "1,0,.,.,100,1,50,3", "1,1,3,conc,.,0,.,.", "2,0,.,.,100,1,-2,.", "2,1,3,conc,.,0,.,."].join("\n"));
    let err: unknown;
    try {
      load(bad, infusion.meta);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    const text = String((err as DataError).problems?.map((p) => p.message).join("\n") ?? (err as Error).message);
    expect(text).toMatch(/bad\.csv:2 \(column RATE\): RATE x DUR = 150 differs from AMT = 100/);
    expect(text).toMatch(/bad\.csv:4 \(column RATE\): RATE -2: rates or durations estimated by the model/);
  });

  it("real remifentanil data: one infusion per patient, AMT = RATE x DUR", () => {
    const data = load(join(REAL, "remifentanil.csv"), infusion.meta);
    expect(data.subjects).toHaveLength(65);
    for (const s of data.subjects) {
      expect(s.doses).toHaveLength(1);
      const d = s.doses[0]!;
      expect(d.duration).toBeGreaterThanOrEqual(4);
      expect(d.duration).toBeLessThanOrEqual(20);
      expect(d.rate! * d.duration!).toBeCloseTo(d.amount, 6);
    }
  });

  it("real quinidine data: SS=1 rows are steady-state doses with their interval, no warning about them", () => {
    const data = load(join(REAL, "quinidine.csv"), iv.meta);
    expect(data.subjects).toHaveLength(136);
    expect(data.subjects.flatMap((s) => s.doses.filter((d) => d.steadyState))).toHaveLength(249);
    expect(data.warnings?.join("\n") ?? "").not.toMatch(/SS=1/);
  });
});

describe("simulating the PK forms (theta holds the coefficients: 1/V for a reciprocal V)", () => {
  const V = 20;
  const ke = 0.3;
  const theta = Float64Array.from([1 / V, ke]);

  it("C += amt / V: each bolus raises C by amt / V", () => {
    const doses: Dose[] = [
      { time: 0, amount: 100, adm: 1 },
      { time: 6, amount: 50, adm: 1 },
    ];
    const times = [1, 6, 9];
    const sim = simulateSubject(iv, theta, { doses, times });
    const exact = (t: number) => doses.reduce((c, d) => c + (t >= d.time ? (d.amount / V) * Math.exp(-ke * (t - d.time)) : 0), 0);
    times.forEach((t, i) => expect(sim.states[i]![0]! / exact(t) - 1).toBeCloseTo(0, 6));
  });

  it("an infusion enters at amt / (V DUR) per unit time during DUR, then C decays", () => {
    const D = 2;
    const amt = 100;
    const doses: Dose[] = [{ time: 0, amount: amt, adm: 1, rate: amt / D, duration: D }];
    const times = [0.5, 1, 2, 3, 8];
    const sim = simulateSubject(infusion, theta, { doses, times });
    const r = amt / D / V;
    const exact = (t: number) => (t <= D ? (r / ke) * (1 - Math.exp(-ke * t)) : (r / ke) * (1 - Math.exp(-ke * D)) * Math.exp(-ke * (t - D)));
    times.forEach((t, i) => expect(sim.states[i]![0]! / exact(t) - 1).toBeCloseTo(0, 6));
  });

  it("two-compartment IV bolus: the biexponential of the closed form", () => {
    const [k10, k12, k21] = [0.05, 0.04, 0.03];
    const th = Float64Array.from([1 / V, k10, k12, k21]);
    const amt = 15;
    const times = [10, 60, 240];
    const sim = simulateSubject(twoCmt, th, { doses: [{ time: 0, amount: amt, adm: 1 }], times });
    const s = k10 + k12 + k21;
    const l1 = (s + Math.sqrt(s * s - 4 * k10 * k21)) / 2;
    const l2 = (s - Math.sqrt(s * s - 4 * k10 * k21)) / 2;
    const C0 = amt / V;
    const A = (C0 * (l1 - k21)) / (l1 - l2);
    const B = (C0 * (k21 - l2)) / (l1 - l2);
    times.forEach((t, i) => expect(sim.states[i]![0]! / (A * Math.exp(-l1 * t) + B * Math.exp(-l2 * t)) - 1).toBeCloseTo(0, 6));
  });
});

describe("nlme simulate takes the model's parameters (V), not the coefficients (1/V)", () => {
  it("a noise-free data set of C += amt / V matches amt / V e^{-ke t}, and records V per subject", () => {
    const out = simulateDatasetWithTruth(iv, {
      theta: { V: 20, ke: 0.3 },
      omega: { V: 0.2 },
      re: "lognormal",
      times: [1, 4],
      doses: [{ time: 0, amount: 100 }],
      noise: { conc: {} },
      subjects: 3,
      seed: 7,
      digits: 12,
    });
    const rows = out.csv.trim().split("\n").slice(1).map((l) => l.split(","));
    for (const [i, ind] of out.individual.entries()) {
      expect(ind.V).not.toBe(20);
      const obs = rows.filter((r) => r[0] === String(i + 1) && r[2] === "conc");
      for (const r of obs) expect(Number(r[3]) / ((100 / ind.V!) * Math.exp(-0.3 * Number(r[1]))) - 1).toBeCloseTo(0, 6);
    }
  });
});

describe("simulated infusion data", () => {
  it("carry a DUR column that the loader reads back as the same infusion", () => {
    const out = simulateDatasetWithTruth(infusion, {
      theta: { V: 20, ke: 0.3 },
      times: [1, 2, 5],
      doses: [{ time: 0, amount: 100, duration: 2 }],
      noise: { conc: {} },
      subjects: 1,
      seed: 3,
      digits: 12,
    });
    expect(out.csv.split("\n")[0]).toBe("ID,TIME,OBSID,DV,AMT,EVID,MDV,DUR");
    const data = loadData(out.csv, "sim.csv", infusion.meta);
    expect(data.subjects[0]!.doses).toEqual([{ time: 0, amount: 100, adm: 1, rate: 50, duration: 2 }]);
    const c1 = Number(out.csv.split("\n")[2]!.split(",")[3]);
    expect(c1 / ((50 / 20 / 0.3) * (1 - Math.exp(-0.3))) - 1).toBeCloseTo(0, 6);
  });
});

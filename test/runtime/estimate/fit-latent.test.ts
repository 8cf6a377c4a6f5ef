// Closed-form elimination of latent states (src/runtime/rows/latent.ts), the
// bounded outer search (outer-search.ts), and the latent-state fitter on
// pk_oral.csv against data/pk_oral.truth.json.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expandCoefficients, latentValues, planLatent } from "../../../src/runtime/rows/latent.js";
import { searchLogScale } from "../../../src/runtime/population/outer-search.js";
import { latentDesign } from "../../../src/runtime/rows/latent-design.js";
import { prepareSubject, assembleRows } from "../../../src/runtime/rows/latent-rows.js";
import { newNoise } from "../../../src/runtime/rows/curves.js";
import { fit } from "../../../src/runtime/estimate/fit.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { simulateDatasetWithTruth } from "../../../src/runtime/simulate/simulate-data.js";
import { model as clairon } from "../../../generated/antibody_clairon.js";
import { model as pasin } from "../../../generated/ebola_pasin.js";
import { model as pkOral } from "../../../generated/pk_oral.js";

const dataDir = fileURLToPath(new URL("../../../data/", import.meta.url));
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
};

describe("planLatent", () => {
  it("reads each elimination off the generated rows", () => {
    const c = planLatent(clairon).latent[0]!;
    expect(c.rate).toEqual({ kind: "known", value: 0.01 });
    expect(c.initial).toBe(1);
    expect(c.coefficients).toEqual([{ kind: "param", param: 1 }]); // fM2 weights the second dose's forcing
    const p = planLatent(pasin);
    expect(p.latent.map((l) => [l.name, l.rate, l.initial, l.jumps])).toEqual([
      ["S", { kind: "known", value: 0.231 }, 0, "amt"],
      ["L", { kind: "known", value: 0.000152 }, 0, "amt"],
    ]);
    const k = planLatent(pkOral).latent[0]!;
    expect(k.rate).toEqual({ kind: "param", param: 0, scale: 1, offset: -0 });
  });
});

describe("latentValues", () => {
  it("matches the exact Clairon solution (forcing restarting at each dose)", () => {
    const plan = planLatent(clairon).latent[0]!;
    const times = Float64Array.from([0.5, 1, 5, 20, 22, 30, 100]);
    const v = latentValues(clairon, plan, 0.01, { doseTimes: [0, 21], doseAmounts: [1, 1] }, expandCoefficients(plan, 2), times);
    const dS = 0.01;
    const dV = 2.7;
    times.forEach((t, i) => {
      const up = Math.min(t, 21);
      const known = Math.exp(-dS * t) + (Math.exp(-dS * t) * (Math.exp((dS - dV) * up) - 1)) / (dS - dV);
      const psi = t > 21 ? (Math.exp(-dS * t + dV * 21) * (Math.exp((dS - dV) * t) - Math.exp((dS - dV) * 21))) / (dS - dV) : 0;
      expect(v.known[i]).toBeCloseTo(known, 10);
      expect(v.basis[0]![i]).toBeCloseTo(psi, 10);
    });
  });

  it("sums the dose jumps of a depot (AMT e^{-ka (t - t_d)})", () => {
    const plan = planLatent(pkOral).latent[0]!;
    const v = latentValues(pkOral, plan, 1.5, { doseTimes: [0, 12], doseAmounts: [4, 2] }, [], Float64Array.from([1, 12, 13]));
    expect(v.known[0]).toBeCloseTo(4 * Math.exp(-1.5), 12);
    expect(v.known[1]).toBeCloseTo(4 * Math.exp(-18), 12); // a sample at a dose time is pre-dose
    expect(v.known[2]).toBeCloseTo(4 * Math.exp(-19.5) + 2 * Math.exp(-1.5), 12);
  });
});

describe("searchLogScale", () => {
  it("finds the minimiser of a profile with a decoy local minimum, deterministically", () => {
    const f = (k: number): number => (Math.log(k) - Math.log(2)) ** 2 - 0.3 * Math.exp(-((Math.log(k) + 3) ** 2) * 20);
    const a = searchLogScale(f, 0.01, 100);
    expect(a.value).toBeCloseTo(2, 3);
    expect(a.atBound).toBe(false);
    expect(searchLogScale(f, 0.01, 100)).toEqual(a);
    expect(searchLogScale((k) => k, 0.01, 100).atBound).toBe(true);
  });
});

describe("latent weak form", () => {
  it("noise-free dense pk data: the rows hold at the true parameters", () => {
    const sim = simulateDatasetWithTruth(pkOral, {
      theta: { ka: 1.5, ka_over_V: 3, ke: 0.08 },
      times: Array.from({ length: 60 }, (_, i) => 0.25 + i * 0.4),
      doses: [{ time: 0, amount: 4.5 }],
      x0: { Ad: 0, C: 0 },
      noise: { conc: {} },
      subjects: 1,
      seed: 1,
    });
    const data = loadData(sim.csv, "sim", pkOral.meta);
    const design = latentDesign(pkOral, 1);
    expect(design.coefficients.map((c) => c.name)).toEqual(["ka_over_V", "ke"]);
    const ctx = prepareSubject(pkOral, design, data.subjects[0]!, 0, { undersmooth: 0.1 }, true, {}, newNoise(pkOral), { censored: 0 })!;
    const rows = assembleRows(pkOral, design, ctx, new Float64Array(2).fill(1), 1.5);
    let yy = 0;
    let rr = 0;
    for (let i = 0; i < rows.rows; i++) {
      const r = rows.y[i]! - (rows.g[i * 2]! * 3 + rows.g[i * 2 + 1]! * 0.08);
      yy += rows.y[i]! ** 2;
      rr += r * r;
    }
    expect(Math.sqrt(rr / yy)).toBeLessThan(0.01);
  });

  it("pk_oral.csv: medians of individual ka and ke within 15% of the truth (ka by the outer search)", () => {
    const data = loadData(readFileSync(`${dataDir}pk_oral.csv`, "utf8"), "data/pk_oral.csv", pkOral.meta);
    const truth = JSON.parse(readFileSync(`${dataDir}pk_oral.truth.json`, "utf8"));
    const result = fit(pkOral, data);
    const ind = Object.values(result.individual);
    expect(ind).toHaveLength(24);
    for (const name of ["ka", "ke"]) {
      const m = median(ind.map((r) => r[name]!));
      expect(Math.abs(m / truth.theta[name] - 1)).toBeLessThan(0.15);
    }
    expect(Object.keys(ind[0]!).sort()).toEqual(["ka", "ka_over_V", "ke"]);
    expect(result.notes.some((n) => n.includes("golden-section"))).toBe(true);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});

describe("latent exponential form", () => {
  it("finds the observed state's own decay (delta_Ab) in Clairon and Ebola, and none in pk_oral (its latent rate is searched)", () => {
    const name = (m: typeof clairon, j: number | undefined): string | undefined => (j === undefined ? undefined : m.meta.parameters[j]!.name);
    expect(name(clairon, latentDesign(clairon, 2, "exponential").decay?.param)).toBe("delta_Ab");
    expect(name(pasin, latentDesign(pasin, 3, "exponential").decay?.param)).toBe("delta_Ab");
    expect(latentDesign(pkOral, 1, "exponential").decay).toBeNull();
    expect(latentDesign(clairon, 2).decay).toBeNull();
  });

  it("noise-free Clairon: each sample's row holds at the true parameters (no curve estimate inside)", () => {
    const theta = { theta: 18.7, fM2: 4.5, delta_Ab: 0.03 };
    const sim = simulateDatasetWithTruth(clairon, {
      theta,
      times: [0, 2, 7, 14, 21, 28, 35, 60, 90, 120],
      doses: [0, 21].map((time) => ({ time, amount: 1 })),
      noise: { log10_Ab: {} },
      subjects: 1,
      seed: 1,
    });
    const data = loadData(sim.csv, "sim", clairon.meta);
    const design = latentDesign(clairon, 2, "exponential");
    const ctx = prepareSubject(clairon, design, data.subjects[0]!, 0, { undersmooth: 0.1 }, true, { form: "exponential" }, newNoise(clairon), { censored: 0 })!;
    const rows = assembleRows(clairon, design, ctx, new Float64Array(clairon.nStates).fill(1), Number.NaN, theta.delta_Ab);
    const value: Record<string, number> = { theta: theta.theta, "theta*fM2": theta.theta * theta.fM2, "Ab(t0)": 0.5, delta_Ab: 0 };
    const c = design.coefficients.map((co) => value[co.name]!);
    expect(rows.rows).toBe(10);
    let rr = 0;
    let yy = 0;
    for (let i = 0; i < rows.rows; i++) {
      let gc = 0;
      c.forEach((v, j) => (gc += rows.g[i * c.length + j]! * v));
      rr += (gc - rows.y[i]!) ** 2;
      yy += rows.y[i]! ** 2;
    }
    expect(Math.sqrt(rr / yy)).toBeLessThan(1e-3);
    // and at a wrong decay they do not
    const wrong = assembleRows(clairon, design, ctx, new Float64Array(clairon.nStates).fill(1), Number.NaN, 2 * theta.delta_Ab);
    let rw = 0;
    for (let i = 0; i < wrong.rows; i++) {
      let gc = 0;
      c.forEach((v, j) => (gc += wrong.g[i * c.length + j]! * v));
      rw += (gc - wrong.y[i]!) ** 2;
    }
    expect(Math.sqrt(rw / yy)).toBeGreaterThan(0.05);
  });
});

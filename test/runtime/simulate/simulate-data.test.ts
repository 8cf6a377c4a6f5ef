import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { createRng } from "../../../src/runtime/numeric/random.js";
import {
  formatNumber,
  simulateDataset,
  simulateDatasetWithTruth,
  type DatasetSpec,
} from "../../../src/runtime/simulate/simulate-data.js";
import { SimulationError } from "../../../src/runtime/simulate/simulate.js";
import { clairon, claironExact, oneCompartment } from "./fixtures.js";

const rows = (csv: string): Record<string, string>[] => parse(csv, { columns: true });
const sd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};
const corr = (xs: number[], ys: number[]) => {
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  });
  return sxy / Math.sqrt(sxx * syy);
};

const claironSpec = (over: Partial<DatasetSpec> = {}): DatasetSpec => ({
  theta: { theta: 18.7, fM2: 4.5, delta_Ab: 0.03 },
  omega: { theta: 0.5, fM2: 0.8 },
  re: "lognormal",
  times: [0, 2, 7, 14, 21, 28, 35, 60, 90, 120],
  doses: [
    { time: 0, amount: 1 },
    { time: 21, amount: 1 },
  ],
  noise: { log10_Ab: { a: 0.1 } },
  subjects: 8,
  seed: 11,
  ...over,
});

describe("formatNumber", () => {
  it("prints like C's %g", () => {
    expect(formatNumber(0.5128205128, 6)).toBe("0.512821");
    expect(formatNumber(-0.352061, 6)).toBe("-0.352061");
    expect(formatNumber(100, 6)).toBe("100");
    expect(formatNumber(1234567, 6)).toBe("1.23457e+06");
    expect(formatNumber(999999.7, 6)).toBe("1e+06");
    expect(formatNumber(0.0001234567, 6)).toBe("0.000123457");
    expect(formatNumber(0.00001, 6)).toBe("1e-05");
    expect(formatNumber(-0, 6)).toBe("0");
    expect(formatNumber(21, 10)).toBe("21");
  });
});

describe("random", () => {
  it("repeats a stream for a seed and gives standard normals", () => {
    const a = createRng(5);
    const b = createRng(5);
    const xs = Array.from({ length: 20000 }, () => a.normal());
    expect(Array.from({ length: 20000 }, () => b.normal())).toEqual(xs);
    expect(createRng(6).normal()).not.toBe(xs[0]);
    // Mean and SD of 20000 N(0,1) draws: SE 0.007 and 0.005.
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length)).toBeLessThan(0.03);
    expect(Math.abs(sd(xs) - 1)).toBeLessThan(0.02);
  });
});

describe("simulateDataset", () => {
  it("is byte-identical for a seed and differs for another seed", () => {
    const model = clairon();
    const a = simulateDataset(model, claironSpec());
    expect(simulateDataset(model, claironSpec())).toBe(a);
    expect(simulateDataset(model, claironSpec({ seed: 12 }))).not.toBe(a);
  });

  it("writes the loader's long layout: dose rows first at their time, then one row per output", () => {
    const csv = simulateDataset(clairon(), claironSpec({ subjects: 3 }));
    const lines = csv.trimEnd().split("\n");
    expect(lines[0]).toBe("ID,TIME,OBSID,DV,AMT,EVID,MDV");
    expect(lines.length).toBe(1 + 3 * (2 + 10));
    expect(lines[1]).toBe("1,0,.,.,1,1,1");
    expect(lines[2]).toMatch(/^1,0,log10_Ab,-?[0-9.e+-]+,\.,0,0$/);
    const at21 = lines.findIndex((l) => l.startsWith("1,21,"));
    expect(lines[at21]).toBe("1,21,.,.,1,1,1");
    expect(lines[at21 + 1]).toMatch(/^1,21,log10_Ab,/);
    expect(csv.endsWith("\n")).toBe(true);
    const parsed = rows(csv);
    expect(new Set(parsed.map((r) => r.ID))).toEqual(new Set(["1", "2", "3"]));
  });

  it("loads back through loadData with the same doses and values", () => {
    const model = clairon();
    const csv = simulateDataset(model, claironSpec({ subjects: 4 }));
    const data = loadData(csv, "simulated.csv", model.meta);
    expect(data.subjects.map((s) => s.id)).toEqual(["1", "2", "3", "4"]);
    const obs = rows(csv).filter((r) => r.EVID === "0");
    data.subjects.forEach((s, i) => {
      expect(s.doses.map((d) => [d.time, d.amount])).toEqual([
        [0, 1],
        [21, 1],
      ]);
      expect(Array.from(s.series[0]!.times)).toEqual([0, 2, 7, 14, 21, 28, 35, 60, 90, 120]);
      expect(Array.from(s.series[0]!.values)).toEqual(obs.slice(i * 10, i * 10 + 10).map((r) => Number(r.DV)));
    });
  });

  it("without noise or random effects writes the model's values to 6 significant digits", () => {
    const spec = claironSpec({ omega: {}, noise: { log10_Ab: {} }, subjects: 2 });
    const obs = rows(simulateDataset(clairon(), spec)).filter((r) => r.EVID === "0");
    expect(obs.length).toBe(20);
    for (const r of obs) {
      const [, Ab] = claironExact(18.7, 4.5, 0.03, [0, 21], Number(r.TIME));
      const exact = Math.log10(Ab);
      expect(Number(r.DV)).toBe(Number(formatNumber(exact, 6)));
    }
  });

  it("draws additive random effects with the declared SD", () => {
    const { individual } = simulateDatasetWithTruth(oneCompartment(), {
      theta: { k: 0.3 },
      omega: { k: 0.05 },
      times: [1],
      doses: [{ time: 0, amount: 100 }],
      noise: { amount: {} },
      subjects: 400,
      seed: 1,
    });
    const ks = individual.map((p) => p.k!);
    // SE of an SD from 400 draws is ~3.5%; of the mean 0.0025.
    expect(Math.abs(sd(ks) / 0.05 - 1)).toBeLessThan(0.12);
    expect(Math.abs(ks.reduce((a, b) => a + b, 0) / ks.length - 0.3)).toBeLessThan(0.01);
  });

  it("draws log-normal, correlated random effects", () => {
    const { individual } = simulateDatasetWithTruth(
      clairon(),
      claironSpec({ subjects: 400, correlation: [["theta", "fM2", 0.6]], noise: { log10_Ab: {} }, times: [30] }),
    );
    const lt = individual.map((p) => Math.log(p.theta! / 18.7));
    const lf = individual.map((p) => Math.log(p.fM2! / 4.5));
    expect(Math.abs(sd(lt) / 0.5 - 1)).toBeLessThan(0.12);
    expect(Math.abs(sd(lf) / 0.8 - 1)).toBeLessThan(0.12);
    // SE of a correlation of 0.6 from 400 pairs: (1 - 0.36) / 20 = 0.032.
    expect(Math.abs(corr(lt, lf) - 0.6)).toBeLessThan(0.1);
    expect(new Set(individual.map((p) => p.delta_Ab))).toEqual(new Set([0.03]));
  });

  it("adds constant, proportional and combined noise of the declared size", () => {
    const model = clairon();
    const base = claironSpec({ subjects: 150, seed: 3 });
    const clean = rows(simulateDataset(model, { ...base, noise: { log10_Ab: {} }, digits: 12 })).filter(
      (r) => r.EVID === "0",
    );
    const resid = (noise: DatasetSpec["noise"]) =>
      rows(simulateDataset(model, { ...base, noise, digits: 12 }))
        .filter((r) => r.EVID === "0")
        .map((r, i) => ({ y: Number(clean[i]!.DV), dv: Number(r.DV) }));
    // 1500 residuals: SE of their SD ~1.8%.
    const c = resid({ log10_Ab: { a: 0.1 } }).map(({ y, dv }) => (dv - y) / 0.1);
    expect(Math.abs(sd(c) - 1)).toBeLessThan(0.07);
    const p = resid({ log10_Ab: { b: 0.05 } }).map(({ y, dv }) => (dv / y - 1) / 0.05);
    expect(Math.abs(sd(p) - 1)).toBeLessThan(0.07);
    const cb = resid({ log10_Ab: { a: 0.1, b: 0.05 } }).map(({ y, dv }) => (dv - y) / Math.sqrt(0.01 + 0.0025 * y * y));
    expect(Math.abs(sd(cb) - 1)).toBeLessThan(0.07);
  });

  it("names what is wrong in the spec", () => {
    const model = clairon();
    expect(() => simulateDataset(model, claironSpec({ theta: { theta: 1, fM2: 1 } }))).toThrow(/no value for delta_Ab/);
    expect(() => simulateDataset(model, claironSpec({ theta: { theta: 1, fM2: 1, delta_Ab: 0.1, k: 2 } }))).toThrow(
      /k is not a parameter/,
    );
    expect(() => simulateDataset(model, claironSpec({ noise: {} }))).toThrow(/no entry for output log10_Ab/);
    expect(() => simulateDataset(model, claironSpec({ correlation: [["theta", "delta_Ab", 0.5]] }))).toThrow(
      SimulationError,
    );
    // Additive effects can make theta negative, then Ab and its log10 leave the domain.
    expect(() => simulateDataset(model, claironSpec({ re: "additive", omega: { theta: 100 }, subjects: 50 }))).toThrow(
      /not finite|NaN/,
    );
  });
});

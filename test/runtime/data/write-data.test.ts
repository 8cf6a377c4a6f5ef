import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Dataset, Series, Subject } from "../../../src/runtime/data/dataset.js";
import { loadData, type DataMeta } from "../../../src/runtime/data/load-data.js";
import { writeMonolixData } from "../../../src/runtime/data/write-data.js";

const DATA = join(import.meta.dirname, "../../../data");

function meta(observations: string[], doses: DataMeta["doses"] = [], covariates: string[] = []): DataMeta {
  return {
    observations: observations.map((name, i) => ({ name, state: i, transform: "identity", error: "constant" })),
    covariates,
    doses,
    states: [],
  };
}
const jump: DataMeta["doses"] = [{ kind: "jump", state: 0, amount: "amt" }];

/** Plain arrays, so a mismatch prints readably and NaN compares equal to NaN. */
function plain(d: Dataset) {
  return {
    outputs: d.outputs,
    covariates: d.covariates,
    subjects: d.subjects.map((s) => ({
      id: s.id,
      doses: s.doses,
      covariates: Array.from(s.covariates),
      series: s.series.map((x) => ({
        output: x.output,
        times: Array.from(x.times),
        values: Array.from(x.values),
        censored: x.censored && Array.from(x.censored),
        limit: x.limit && Array.from(x.limit),
      })),
    })),
  };
}

describe("writeMonolixData", () => {
  it("writes pk_oral.csv as ID,TIME,AMT,ADM,EVID,MDV,OBSID,DV with Monolix column types", () => {
    const m = meta(["conc"], jump);
    const d = loadData(readFileSync(join(DATA, "pk_oral.csv"), "utf8"), "pk_oral.csv", m);
    const { csv, columns } = writeMonolixData(d, m);
    const lines = csv.trimEnd().split("\n");
    expect(lines[0]).toBe("ID,TIME,AMT,ADM,EVID,MDV,OBSID,DV");
    expect(columns).toEqual([
      { name: "ID", type: "identifier" },
      { name: "TIME", type: "time" },
      { name: "AMT", type: "amount" },
      { name: "ADM", type: "administration" },
      { name: "EVID", type: "eventidentifier" },
      { name: "MDV", type: "missingdependentvariable" },
      { name: "OBSID", type: "observationtype" },
      { name: "DV", type: "observation" },
    ]);
    const dose = d.subjects[0]!.doses[0]!;
    expect(lines[1]).toBe(`1,${dose.time},${dose.amount},1,1,1,.,.`);
    expect(lines[2]).toMatch(/^1,[0-9.]+,\.,\.,0,0,conc,[0-9.e-]+$/);
    expect(lines.length).toBe(1 + 24 + 240);
  });

  it("writes no dose columns for a model and data without doses, and declares covariates", () => {
    const m = meta(["circumference"], [], ["WT", "SEX"]);
    const d = loadData("ID,TIME,DV,WT,SEX\n1,0,30,70.5,1\n1,10,35,70.5,1\n", "x.csv", m);
    const { csv, columns } = writeMonolixData(d, m, { categorical: ["SEX"] });
    expect(csv).toBe("ID,TIME,OBSID,DV,WT,SEX\n1,0,circumference,30,70.5,1\n1,10,circumference,35,70.5,1\n");
    expect(columns.slice(4)).toEqual([
      { name: "WT", type: "continuous covariate" },
      { name: "SEX", type: "categorical covariate" },
    ]);
  });

  it("puts a dose before an observation at the same time and interleaves outputs by time", () => {
    const m = meta(["a", "b"], jump);
    const d = loadData(
      "ID,TIME,OBSID,DV,AMT,EVID\n1,0,b,2,.,0\n1,0,.,.,5,1\n1,0,a,1,.,0\n1,1,b,3,.,0\n1,2,a,4,.,0\n",
      "x.csv",
      m,
    );
    const rows = writeMonolixData(d, m).csv.trimEnd().split("\n").slice(1);
    expect(rows.map((r) => r.split(",").slice(1, 2).concat(r.split(",").slice(6)).join(" "))).toEqual([
      "0 . .",
      "0 a 1",
      "0 b 2",
      "1 b 3",
      "2 a 4",
    ]);
  });

  const bundled: [string, DataMeta][] = [
    ["orange.csv", meta(["circumference"])],
    ["lotka_volterra.csv", meta(["prey", "predator"])],
    ["antibody_clairon.csv", meta(["log10_Ab"], [{ kind: "vector", name: "strength", length: 2 }])],
    ["ebola_pasin.csv", meta(["log10_titre"], jump)],
  ];
  for (const [file, m] of bundled) {
    it(`round-trips ${file} through write and load`, () => {
      const d = loadData(readFileSync(join(DATA, file), "utf8"), file, m);
      const again = loadData(writeMonolixData(d, m).csv, file, m);
      expect(plain(again)).toEqual(plain(d));
    });
  }
});

describe("round trip property", () => {
  // Ids that need quoting (comma, quote) exercise the csv-parse path of the loader.
  const ID = fc.constantFrom("1", "2", "17", "A", "b-3", "x,y", 'say "hi"', "s 9", "Ω1");
  const value = fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => (Object.is(v, -0) ? 0 : v));
  const times = (max: number) =>
    fc
      .array(fc.double({ min: 0, max: 1000, noNaN: true }), { maxLength: max })
      .map((t) => t.map((v) => (Object.is(v, -0) ? 0 : v)).sort((a, b) => a - b));

  const dataset = fc
    .record({
      nOut: fc.integer({ min: 1, max: 3 }),
      nCov: fc.integer({ min: 0, max: 2 }),
      censoring: fc.boolean(),
      limits: fc.boolean(),
      withDoses: fc.boolean(),
      ids: fc.uniqueArray(ID, { minLength: 1, maxLength: 5 }),
    })
    .chain((p) => {
      const outputs = ["y1", "y2", "y3"].slice(0, p.nOut);
      const covariates = ["WT", "AGE"].slice(0, p.nCov);
      const series = (output: string, atLeastOne: boolean) =>
        times(6)
          .filter((t) => !atLeastOne || t.length > 0)
          .chain((t) =>
            fc
              .record({
                values: fc.array(value, { minLength: t.length, maxLength: t.length }),
                censored: fc.array(fc.integer({ min: 0, max: p.censoring ? 1 : 0 }), {
                  minLength: t.length,
                  maxLength: t.length,
                }),
                limit: fc.array(p.limits ? fc.option(value, { nil: NaN }) : fc.constant(NaN), {
                  minLength: t.length,
                  maxLength: t.length,
                }),
              })
              .map((r): Series => {
                const s: Series = { output, times: Float64Array.from(t), values: Float64Array.from(r.values) };
                if (r.censored.some((c) => c)) s.censored = Uint8Array.from(r.censored);
                if (r.limit.some((l) => !Number.isNaN(l))) s.limit = Float64Array.from(r.limit);
                return s;
              }),
          );
      const subject = (id: string, first: boolean) =>
        fc
          .record({
            series: fc.tuple(...outputs.map((o, i) => series(o, first && i === 0))),
            doseTimes: p.withDoses ? times(3) : fc.constant([] as number[]),
            amounts: fc.array(value, { minLength: 3, maxLength: 3 }),
            adms: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 3, maxLength: 3 }),
            cov: fc.array(value, { minLength: covariates.length, maxLength: covariates.length }),
          })
          .map((r): Subject => ({
            id,
            series: r.series,
            doses: r.doseTimes.map((time, k) => ({ time, amount: r.amounts[k]!, adm: r.adms[k]! })),
            covariates: Float64Array.from(r.cov),
          }));
      // Subjects without rows cannot exist in a file (the loader leaves them out).
      const nonEmpty = (s: Subject) => s.doses.length > 0 || s.series.some((x) => x.times.length > 0);
      return fc
        .tuple(...p.ids.map((id, i) => subject(id, i === 0).filter(nonEmpty)))
        .map((subjects): { data: Dataset; m: DataMeta } => ({
          data: { file: "rt.csv", outputs, covariates, subjects },
          m: meta(outputs, p.withDoses ? jump : [], covariates),
        }));
    });

  it("a dataset written by writeMonolixData and loaded again is the same dataset", () => {
    fc.assert(
      fc.property(dataset, ({ data, m }) => {
        const again = loadData(writeMonolixData(data, m).csv, "rt.csv", m);
        expect(plain(again)).toEqual(plain(data));
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

// Categorical covariates in the data: levels as the data write them (text or numbers), the reference first
// (declared, else the first in sorted order), each subject holding its level's code.
import { describe, expect, it } from "vitest";
import { DataError } from "../../../src/runtime/data/dataset.js";
import { loadData, type DataMeta } from "../../../src/runtime/data/load-data.js";
import { writeMonolixData } from "../../../src/runtime/data/write-data.js";
import { orderLevels, sortLevels } from "../../../src/runtime/data/levels.js";

function meta(reference?: string): DataMeta {
  return {
    observations: [{ name: "weight", state: 0, transform: "identity", error: "constant" }],
    covariates: ["WT", "DIET"],
    covariateTypes: [
      { name: "WT", kind: "continuous" },
      { name: "DIET", kind: "categorical", ...(reference !== undefined ? { reference } : {}) },
    ],
    doses: [],
    states: [{ name: "W", latent: false }],
  };
}

function csv(diets: string[]): string {
  const rows = diets.flatMap((d, i) => [`${i + 1},0,${200 + i},${60 + i},${d}`, `${i + 1},7,${210 + i},${60 + i},${d}`]);
  return ["ID,TIME,DV,WT,DIET", ...rows].join("\n") + "\n";
}

describe("categorical covariates", () => {
  it("text levels sorted, the first the reference; subjects hold codes", () => {
    const d = loadData(csv(["D2", "D1", "D3", "D2"]), "bw.csv", meta());
    expect(d.levels).toEqual({ DIET: ["D1", "D2", "D3"] });
    expect(d.subjects.map((s) => s.covariates[1])).toEqual([1, 0, 2, 1]);
    expect(d.subjects.map((s) => s.covariates[0])).toEqual([60, 61, 62, 63]);
  });

  it("a declared reference comes first; numeric labels sort as numbers and match `2.0` to `2`", () => {
    expect(loadData(csv(["D2", "D1", "D3"]), "bw.csv", meta("D3")).levels).toEqual({ DIET: ["D3", "D1", "D2"] });
    const d = loadData(csv(["10", "2", "1"]), "bw.csv", meta("2.0"));
    expect(d.levels).toEqual({ DIET: ["2", "1", "10"] });
    expect(d.subjects.map((s) => s.covariates[1])).toEqual([2, 0, 1]);
    expect(sortLevels(["10", "2", "1"])).toEqual(["1", "2", "10"]);
    expect(orderLevels(["b", "a", "c"])).toEqual(["a", "b", "c"]);
  });

  it("a declared reference that no subject has is an error naming the column and the levels", () => {
    const err = (() => {
      try {
        loadData(csv(["D2", "D1"]), "bw.csv", meta("D9"));
      } catch (e) {
        return e as DataError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(DataError);
    expect(err!.code).toBe("bad-value");
    expect(err!.message).toMatch(/reference level "D9" of DIET is not in the data \(levels: D1, D2\)/);
    expect(err!.column).toBe("DIET");
  });

  it("a level changing within a subject: the first is used, with a warning", () => {
    const text = "ID,TIME,DV,WT,DIET\n1,0,200,60,D1\n1,7,210,60,D2\n2,0,200,60,D2\n2,7,210,60,D2\n";
    const d = loadData(text, "bw.csv", meta());
    expect(d.subjects[0]!.covariates[1]).toBe(0);
    expect(d.warnings?.join("\n")).toMatch(/DIET changes within subject 1 .*first value is used/);
  });

  it("the Monolix data file writes labels and reads back with the same levels and codes", () => {
    const d = loadData(csv(["D2", "D1", "D3"]), "bw.csv", meta());
    const written = writeMonolixData(d, { doses: [] });
    expect(written.columns.find((c) => c.name === "DIET")!.type).toBe("categorical covariate");
    expect(written.csv).toContain(",D3\n");
    const back = loadData(written.csv, "data.csv", meta());
    expect(back.levels).toEqual(d.levels);
    expect(back.subjects.map((s) => Array.from(s.covariates))).toEqual(d.subjects.map((s) => Array.from(s.covariates)));
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readPlain, readWithCsvParse } from "../../../src/runtime/data/csv-records.js";
import { DataError, type Dataset } from "../../../src/runtime/data/dataset.js";
import { loadData, type DataMeta } from "../../../src/runtime/data/load-data.js";

const DATA = join(import.meta.dirname, "../../../data");
const CASES = join(import.meta.dirname, "cases");

type Doses = DataMeta["doses"];
/** A hand-written stand-in for a compiled spec's meta: only what the loader reads. */
function meta(observations: string[], doses: Doses = [], covariates: string[] = [], states: string[] = []): DataMeta {
  return {
    observations: observations.map((name, i) => ({ name, state: i, transform: "identity", error: "constant" })),
    covariates,
    doses,
    states: states.map((name) => ({ name, latent: false })),
  };
}

const logistic = meta(["circumference"], [], [], ["C"]);
const lotka = meta(["prey", "predator"], [], [], ["x", "y"]);
const clairon = meta(["log10_Ab"], [{ kind: "vector", name: "strength", length: 2 }], [], ["S", "Ab"]);
const pasin = meta(
  ["log10_titre"],
  [
    { kind: "jump", state: 0, amount: "amt" },
    { kind: "jump", state: 1, amount: "amt" },
  ],
  [],
  ["S", "L", "Ab"],
);
const pkOral = meta(["conc"], [{ kind: "jump", state: 0, amount: "amt" }], [], ["Ad", "C"]);
const genes = (n: number) => meta(Array.from({ length: n }, (_, i) => `g${i + 1}`));

/** Counts from the raw text by plain string splitting, independent of the loader. */
function countByHand(text: string) {
  const [head, ...rows] = text
    .trim()
    .split("\n")
    .map((l) => l.split(",").map((f) => f.replace(/"/g, "")));
  const col = (n: string) => head!.indexOf(n);
  const ids = new Set<string>();
  const perOutput = new Map<string, number>();
  let obs = 0;
  let doses = 0;
  for (const r of rows) {
    ids.add(r[col("ID")]!);
    if (col("EVID") >= 0 && r[col("EVID")] === "1") doses++;
    else if (r[col("DV")] !== ".") {
      obs++;
      const o = r[col("OBSID")]!;
      perOutput.set(o, (perOutput.get(o) ?? 0) + 1);
    }
  }
  return { subjects: ids.size, obs, doses, perOutput };
}

const nObs = (d: Dataset) => d.subjects.reduce((n, s) => n + s.series.reduce((k, x) => k + x.values.length, 0), 0);
const nDoses = (d: Dataset) => d.subjects.reduce((n, s) => n + s.doses.length, 0);

describe("bundled data sets", () => {
  const bundled: [string, DataMeta][] = [
    ["orange.csv", logistic],
    ["logistic.csv", logistic],
    ["lotka_volterra.csv", lotka],
    ["antibody_clairon.csv", clairon],
    ["antibody_clairon_hard.csv", clairon],
    ["ebola_pasin.csv", pasin],
    ["pk_oral.csv", pkOral],
    ["gene_network_linear.csv", genes(20)],
    ["gene_network_quadratic.csv", genes(10)],
  ];
  for (const [file, m] of bundled) {
    it(`loads ${file} with the subject, observation and dose counts of the file`, () => {
      const text = readFileSync(join(DATA, file), "utf8");
      const expected = countByHand(text);
      const d = loadData(text, file, m);
      expect(d.subjects.length).toBe(expected.subjects);
      expect(nObs(d)).toBe(expected.obs);
      expect(nDoses(d)).toBe(expected.doses);
      expect(d.warnings).toBeUndefined();
      for (const [o, n] of expected.perOutput) {
        const i = d.outputs.indexOf(o);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(d.subjects.reduce((k, s) => k + s.series[i]!.values.length, 0)).toBe(n);
      }
      const sorted = d.subjects.every((s) =>
        s.series.every((x) => x.times.every((t, j) => j === 0 || t >= x.times[j - 1]!)),
      );
      expect(sorted).toBe(true);
    });
  }

  it("reads orange.csv's quoted fields and column order (tree 1 as in the file)", () => {
    const d = loadData(readFileSync(join(DATA, "orange.csv"), "utf8"), "orange.csv", logistic);
    expect(d.subjects.map((s) => s.id)).toEqual(["1", "2", "3", "4", "5"]);
    expect(Array.from(d.subjects[0]!.series[0]!.times)).toEqual([118, 484, 664, 1004, 1231, 1372, 1582]);
    expect(Array.from(d.subjects[0]!.series[0]!.values)).toEqual([30, 58, 87, 115, 120, 142, 145]);
  });

  it("reads the doses of ebola_pasin.csv at days 0, 56 and 365 with AMT 1", () => {
    const d = loadData(readFileSync(join(DATA, "ebola_pasin.csv"), "utf8"), "ebola_pasin.csv", pasin);
    for (const s of d.subjects) expect(s.doses).toEqual([0, 56, 365].map((time) => ({ time, amount: 1, adm: 1 })));
  });

  it("takes pk_oral.csv's dose amounts from AMT", () => {
    const text = readFileSync(join(DATA, "pk_oral.csv"), "utf8");
    const firstDose = text.split("\n")[1]!.split(",");
    const d = loadData(text, "pk_oral.csv", pkOral);
    expect(d.subjects[0]!.doses).toEqual([{ time: Number(firstDose[1]), amount: Number(firstDose[4]), adm: 1 }]);
  });
});

describe("accepted variants", () => {
  it("matches column names case-insensitively and accepts CRLF, BOM, blank and comma-only lines", () => {
    const text = "\uFEFFid,Time,obsid,Dv\r\n1,0,circumference,30\r\n\r\n,,,\r\n1,10,circumference,35\r\n";
    const d = loadData(text, "x.csv", logistic);
    expect(Array.from(d.subjects[0]!.series[0]!.values)).toEqual([30, 35]);
  });

  it("lets a single-output model omit OBSID, and maps YTYPE/DVID indices to observations in order", () => {
    expect(nObs(loadData("ID,TIME,DV\n1,0,30\n1,5,31\n", "x.csv", logistic))).toBe(2);
    const d = loadData("ID,TIME,YTYPE,DV\n1,0,1,1.5\n1,0,2,0.5\n1,1,2,0.7\n", "x.csv", lotka);
    expect(Array.from(d.subjects[0]!.series[0]!.values)).toEqual([1.5]);
    expect(Array.from(d.subjects[0]!.series[1]!.values)).toEqual([0.5, 0.7]);
    const e = loadData("ID,TIME,DVID,DV\n1,0,Predator,0.5\n", "x.csv", lotka);
    expect(e.subjects[0]!.series[1]!.values.length).toBe(1);
  });

  it("remaps columns with options.columns", () => {
    const d = loadData("subject,t,conc\nA,0,1.5\nA,1,2.5\n", "x.csv", meta(["conc"]), {
      columns: { ID: "subject", TIME: "t", DV: "conc" },
    });
    expect(d.subjects[0]!.id).toBe("A");
    expect(Array.from(d.subjects[0]!.series[0]!.values)).toEqual([1.5, 2.5]);
  });

  it("treats `.`, empty and NA as missing and skips MDV=1 / EVID=2 rows", () => {
    const text =
      "ID,TIME,OBSID,DV,EVID,MDV\n1,0,conc,1,0,0\n1,1,conc,9,0,1\n1,2,conc,NA,2,.\n1,3,conc,,0,\n1,4,conc,2,0,0\n";
    const d = loadData(text, "x.csv", meta(["conc"]));
    expect(Array.from(d.subjects[0]!.series[0]!.times)).toEqual([0, 4]);
    expect(d.warnings?.[0]).toMatch(/x\.csv:3: 3 rows .* skipped/);
  });

  it("without EVID, a row with a non-zero AMT is a dose (and an observation when it has a DV and MDV!=1)", () => {
    const text = "ID,TIME,DV,AMT,MDV\n1,0,.,100,1\n1,1,5,0,0\n1,2,4,50,0\n";
    const d = loadData(text, "x.csv", pkOral);
    expect(d.subjects[0]!.doses).toEqual([
      { time: 0, amount: 100, adm: 1 },
      { time: 2, amount: 50, adm: 1 },
    ]);
    expect(Array.from(d.subjects[0]!.series[0]!.times)).toEqual([1, 2]);
  });

  it("reads ADM/CMT, CENS, LIMIT and per-subject covariates", () => {
    const text =
      "ID,TIME,CMT,OBSID,DV,AMT,EVID,CENS,LIMIT,wt\n" +
      "1,0,2,.,.,10,1,.,.,70\n1,1,.,conc,0.1,.,0,1,0,70\n1,2,.,conc,3,.,0,0,.,70\n2,0,.,conc,4,.,0,0,.,.\n2,1,.,conc,5,.,0,0,.,80\n";
    const d = loadData(text, "x.csv", meta(["conc"], [{ kind: "jump", state: 0, amount: "amt" }], ["WT"]));
    expect(d.subjects[0]!.doses).toEqual([{ time: 0, amount: 10, adm: 2 }]);
    expect(Array.from(d.subjects[0]!.series[0]!.censored!)).toEqual([1, 0]);
    expect(Array.from(d.subjects[0]!.series[0]!.limit!)).toEqual([0, NaN]);
    expect(d.subjects[1]!.series[0]!.censored).toBeUndefined();
    expect(Array.from(d.subjects.map((s) => s.covariates[0]))).toEqual([70, 80]);
  });

  it("leaves out a subject without any observation or dose, with a warning", () => {
    const d = loadData("ID,TIME,DV,MDV\n1,0,1,0\n2,0,5,1\n3,0,2,0\n", "x.csv", logistic);
    expect(d.subjects.map((s) => s.id)).toEqual(["1", "3"]);
    expect(d.warnings).toContain("x.csv:3: 1 subject without any observation or dose left out (2)");
  });

  it("keeps subjects in file order, not sorted", () => {
    const d = loadData("ID,TIME,DV\n10,0,1\n2,0,1\nb,0,1\na,0,1\n", "x.csv", logistic);
    expect(d.subjects.map((s) => s.id)).toEqual(["10", "2", "b", "a"]);
  });

  it("drops dose rows for a model without doses, with a warning naming the first line", () => {
    const d = loadData(readCase("dose-no-doses.csv"), "dose-no-doses.csv", logistic);
    expect(nDoses(d)).toBe(0);
    expect(nObs(d)).toBe(2);
    expect(d.warnings).toEqual(["dose-no-doses.csv:2: 1 dose row ignored: the model declares no doses"]);
  });
});

function readCase(name: string): string {
  return readFileSync(join(CASES, name), "utf8");
}

/** Load a bad file and return its DataError, checking the rendered message names line and column. */
function errorOf(name: string, m: DataMeta, options?: Parameters<typeof loadData>[3]): DataError {
  let caught: unknown;
  try {
    loadData(readCase(name), name, m, options);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DataError);
  const e = caught as DataError;
  expect(e.file).toBe(name);
  expect(e.help).toBeTruthy();
  if (e.line !== undefined) expect(e.message).toContain(`${name}:${e.line}`);
  if (e.column) expect(e.message).toContain(`column ${e.column}`);
  return e;
}

describe("bad input: one DataError naming file, line and column, with help", () => {
  const cases: {
    file: string;
    m: DataMeta;
    code: string;
    line: number;
    column?: string;
    text?: RegExp;
    help?: RegExp;
  }[] = [
    { file: "empty.csv", m: logistic, code: "empty-file", line: 1 },
    { file: "header-only.csv", m: logistic, code: "no-data", line: 1 },
    { file: "no-observations.csv", m: pkOral, code: "no-observations", line: 1, column: "DV" },
    { file: "semicolon.csv", m: logistic, code: "wrong-delimiter", line: 1, text: /semicolons/ },
    { file: "tab.csv", m: logistic, code: "wrong-delimiter", line: 1, text: /tabs/ },
    {
      file: "missing-time.csv",
      m: logistic,
      code: "missing-column",
      line: 1,
      column: "TIME",
      help: /ID, TIM, OBSID, DV.*Did you mean TIM\?.*--columns TIME=TIM/,
    },
    { file: "bad-time.csv", m: logistic, code: "not-a-number", line: 4, column: "TIME", text: /"abc"/ },
    {
      file: "bad-dv.csv",
      m: logistic,
      code: "not-a-number",
      line: 3,
      column: "DV",
      text: /"32,5"/,
      help: /decimal point/,
    },
    { file: "bad-amt.csv", m: pkOral, code: "not-a-number", line: 2, column: "AMT", text: /"ten"/ },
    {
      file: "unknown-obsid.csv",
      m: lotka,
      code: "unknown-obsid",
      line: 5,
      column: "OBSID",
      text: /predatr/,
      help: /nearest first\): predator, prey/,
    },
    {
      file: "time-decreasing.csv",
      m: logistic,
      code: "time-decreasing",
      line: 4,
      column: "TIME",
      text: /from 10 \(line 3\) to 5/,
    },
    {
      file: "subject-split.csv",
      m: logistic,
      code: "subject-split",
      line: 6,
      column: "ID",
      text: /subject 1 .*line 3/,
      help: /contiguous/,
    },
    { file: "ragged.csv", m: logistic, code: "ragged-row", line: 3, text: /5 fields, the header has 4/ },
    { file: "nan.csv", m: logistic, code: "non-finite", line: 3, column: "DV", text: /NaN/ },
    { file: "infinity.csv", m: logistic, code: "non-finite", line: 3, column: "TIME", text: /Inf/ },
    {
      file: "duplicate-header.csv",
      m: logistic,
      code: "duplicate-column",
      line: 1,
      column: "Time",
      text: /fields 2 and 5/,
    },
    { file: "unclosed-quote.csv", m: logistic, code: "csv-syntax", line: 3 },
    { file: "no-obsid-multi.csv", m: lotka, code: "missing-column", line: 1, column: "OBSID", text: /prey, predator/ },
    {
      file: "missing-covariate.csv",
      m: meta(["circumference"], [], ["WT"]),
      code: "missing-column",
      line: 1,
      column: "WT",
      help: /--columns WT=/,
    },
    {
      file: "categorical-covariate.csv",
      m: meta(["circumference"], [], ["WT", "DIET"]),
      code: "not-a-number",
      line: 2,
      column: "DIET",
      help: /DIET categorical/,
    },
    {
      file: "too-many-doses.csv",
      m: clairon,
      code: "too-many-doses",
      line: 6,
      column: "AMT",
      text: /3 doses .* strength has 2/,
    },
    { file: "no-header.csv", m: logistic, code: "missing-header", line: 1 },
    { file: "reset-evid.csv", m: pkOral, code: "unsupported-evid", line: 2, column: "EVID" },
    { file: "upper-censoring.csv", m: meta(["conc"]), code: "unsupported-censoring", line: 3, column: "CENS" },
    { file: "missing-id.csv", m: logistic, code: "missing-id", line: 3, column: "ID" },
    { file: "dose-without-amount.csv", m: pkOral, code: "missing-value", line: 2, column: "AMT", text: /amount/ },
    { file: "ss-without-ii.csv", m: pkOral, code: "missing-value", line: 2, column: "II", text: /SS=1 .*interval II/, help: /II column/ },
    { file: "ss-negative-ii.csv", m: pkOral, code: "bad-value", line: 3, column: "II", text: /II must be a positive interval, not -12/ },
    { file: "ss-on-observation.csv", m: pkOral, code: "bad-value", line: 3, column: "SS", text: /not a dose/, help: /SS to 0/ },
    { file: "ss-two.csv", m: pkOral, code: "unsupported-steady-state", line: 2, column: "SS", text: /SS=2/, help: /SS=1/ },
    { file: "addl-without-ii.csv", m: pkOral, code: "missing-value", line: 2, column: "II", text: /ADDL=3 .*no II column/ },
  ];
  for (const c of cases) {
    it(`${c.file}: ${c.code} at line ${c.line}${c.column ? `, column ${c.column}` : ""}`, () => {
      const e = errorOf(c.file, c.m);
      expect(e.code).toBe(c.code);
      expect(e.line).toBe(c.line);
      expect(e.column).toBe(c.column);
      expect(e.message).toContain(`${c.file}:${c.line}`);
      if (c.column) expect(e.message).toContain(`(column ${c.column})`);
      if (c.text) expect(e.message).toMatch(c.text);
      if (c.help) expect(e.help).toMatch(c.help);
    });
  }

  it("a whitespace-only file is empty too", () => {
    expect(() => loadData(" \n\n", "blank.csv", logistic)).toThrow(/blank\.csv:1: the data file is empty/);
  });

  it("reports the first 10 problems of a file in one error, with the total count", () => {
    const e = errorOf("many-problems.csv", logistic);
    expect(e.problemCount).toBe(12);
    expect(e.problems!.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(e.line).toBe(2);
    expect(e.column).toBe("DV");
    expect(e.message).toMatch(/^12 problems in many-problems\.csv \(the first 10 are shown\)/);
    expect(e.message).toContain('many-problems.csv:11 (column DV): DV is not a number: "x10"');
  });

  it("reports each unknown OBSID value once, however many rows carry it", () => {
    const e = errorOf("unknown-obsid.csv", lotka);
    expect(e.problemCount).toBeUndefined();
  });

  it("names the file's own spelling of a remapped column", () => {
    const text = "ID,TIME,conc\n1,0,1\n1,1,high\n";
    expect(() => loadData(text, "r.csv", meta(["conc"]), { columns: { DV: "conc" } })).toThrow(
      /r\.csv:3 \(column conc\): conc is not a number: "high"/,
    );
  });

  it("suggests the observation-named column for a missing DV", () => {
    try {
      loadData("ID,TIME,conc\n1,0,1\n", "r.csv", meta(["conc"]));
      expect.unreachable();
    } catch (e) {
      expect((e as DataError).help).toMatch(/--columns DV=conc/);
    }
  });

  it("suggests a usual synonym of a missing required column", () => {
    try {
      loadData("Subject,TIME,DV\n1,0,1\n", "r.csv", logistic);
      expect.unreachable();
    } catch (e) {
      expect((e as DataError).help).toMatch(/Did you mean Subject\?.*--columns ID=Subject/);
    }
  });

  it("rejects a remap to a column the file does not have, or of an unknown role", () => {
    expect(() => loadData("ID,TIME,DV\n1,0,1\n", "r.csv", logistic, { columns: { DV: "conc" } })).toThrow(
      /no column conc/,
    );
    expect(() => loadData("ID,TIME,DV\n1,0,1\n", "r.csv", logistic, { columns: { TIMES: "TIME" } })).toThrow(
      /did you mean TIME/,
    );
  });
});

describe("properties", () => {
  const valid =
    "ID,TIME,OBSID,DV,AMT,EVID,MDV,CENS,WT\n" +
    "1,0,.,.,100,1,1,.,70\n1,0.5,prey,1.2,.,0,0,0,70\n1,0.5,predator,0.4,.,0,0,0,70\n1,1,prey,1.5,.,0,0,1,70\n" +
    "2,0,.,.,80,1,1,.,65.5\n2,1,predator,0.3,.,0,0,0,65.5\n2,2,prey,2,.,0,0,0,65.5\n2,3,predator,.,.,0,1,0,65.5\n";
  const m = meta(["prey", "predator"], [{ kind: "jump", state: 0, amount: "amt" }], ["WT"]);
  const edit = fc.oneof(
    fc.record({
      kind: fc.constant("insert" as const),
      at: fc.nat(),
      text: fc.constantFrom(
        ",",
        ";",
        '"',
        "\n",
        "\r",
        ".",
        "a",
        "-",
        "1",
        "e",
        "\t",
        " ",
        "NaN",
        "Inf",
        "1e999",
        "\uFEFF",
      ),
    }),
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant("swapLines" as const), a: fc.nat(), b: fc.nat() }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  );
  type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;
  function apply(text: string, e: Edit): string {
    switch (e.kind) {
      case "insert": {
        const i = e.at % (text.length + 1);
        return text.slice(0, i) + e.text + text.slice(i);
      }
      case "delete": {
        const i = e.at % (text.length + 1);
        return text.slice(0, i) + text.slice(i + e.n);
      }
      case "swapLines": {
        const lines = text.split("\n");
        const a = e.a % lines.length;
        const b = e.b % lines.length;
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
        return lines.join("\n");
      }
      case "truncate":
        return text.slice(0, e.at % (text.length + 1));
    }
  }

  it("the uncorrupted file loads", () => {
    const d = loadData(valid, "v.csv", m);
    expect(nObs(d)).toBe(5);
    expect(nDoses(d)).toBe(2);
  });

  it("random corruption of a valid CSV gives a consistent Dataset or a DataError, never another exception", () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
        const text = edits.reduce(apply, valid);
        const nLines = text.split(/\r\n?|\n/).length;
        let d: Dataset;
        try {
          d = loadData(text, "c.csv", m);
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          expect(e.file).toBe("c.csv");
          if (e.line !== undefined) {
            expect(e.line).toBeGreaterThanOrEqual(1);
            expect(e.line).toBeLessThanOrEqual(nLines);
          }
          return;
        }
        const finite = (a: ArrayLike<number>) => Array.from(a).every(Number.isFinite);
        const ascending = (a: ArrayLike<number>) => Array.from(a).every((t, j) => j === 0 || t >= a[j - 1]!);
        for (const s of d.subjects) {
          expect(s.series.length).toBe(2);
          for (const x of s.series) expect(finite(x.values) && finite(x.times) && ascending(x.times)).toBe(true);
          expect(ascending(s.doses.map((x) => x.time))).toBe(true);
          expect(finite(s.covariates)).toBe(true);
        }
      }),
      { seed: 20240601, numRuns: 600 },
    );
  });

  it("the plain splitter and csv-parse read quote-free text alike", () => {
    const piece = fc.constantFrom("1", "2.5", ".", "", " ", "a", ",", "\n", "\n\n", ", ,", "x y");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const text = parts.join("");
        expect(readPlain(text)).toEqual(readWithCsvParse(text, "p.csv"));
      }),
      { seed: 7, numRuns: 400 },
    );
  });
});

describe("steady-state and additional doses (SS, II, ADDL)", () => {
  it("reads SS=1 with II as a steady-state dose and ADDL as copies every II, in time order", () => {
    const text = "ID,TIME,OBSID,DV,AMT,EVID,SS,II,ADDL\n1,0,.,.,100,1,1,12,2\n1,6,conc,3.2,.,0,.,.,.\n1,30,.,.,50,1,0,.,.\n1,31,conc,2.1,.,0,.,.,.\n";
    const d = loadData(text, "ss.csv", pkOral);
    const doses = d.subjects[0]!.doses;
    expect(doses.map((x) => [x.time, x.amount])).toEqual([[0, 100], [12, 100], [24, 100], [30, 50]]);
    expect(doses[0]!.steadyState).toEqual({ interval: 12 });
    expect(doses.slice(1).every((x) => x.steadyState === undefined)).toBe(true);
    expect(d.warnings ?? []).toEqual([]);
  });

  it("reads quinidine's 249 steady-state doses (SS=1) of 107 patients with their intervals", () => {
    const text = readFileSync(join(DATA, "real/quinidine.csv"), "utf8");
    const d = loadData(text, "quinidine.csv", pkOral);
    const ss = d.subjects.flatMap((s) => s.doses.filter((x) => x.steadyState));
    // Counted by hand from the file: rows with EVID=1 and SS=1.
    const rows = text.split("\n").slice(1).filter((l) => l.split(",")[5] === "1" && l.split(",")[6] === "1");
    expect(ss.length).toBe(rows.length);
    expect(ss.length).toBe(249);
    expect(d.subjects.filter((s) => s.doses.some((x) => x.steadyState)).length).toBe(107);
    expect(new Set(ss.map((x) => x.steadyState!.interval))).toEqual(new Set([4, 6, 8, 12]));
  });
});

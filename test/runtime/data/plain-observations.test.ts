// The one-pass reader of plain observation files against the general reader:
// on clean files it must be the one that reads them (else it is dead code) and
// give the same Dataset; on files with a flaw (a missing or malformed cell,
// white space, quotes, a split subject, a ragged line, ...) the loader must
// give exactly what the general reader gives: the same Dataset or the same
// DataError (code, file:line, column, message).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveColumns } from "../../../src/runtime/data/columns.js";
import { loadData, type DataMeta } from "../../../src/runtime/data/load-data.js";
import { readPlainObservations } from "../../../src/runtime/data/plain-observations.js";

function meta(observations: string[]): DataMeta {
  return {
    observations: observations.map((name, i) => ({ name, state: i, transform: "identity", error: "constant" })),
    covariates: [],
    doses: [],
    states: observations.map((_, i) => ({ name: `s${i}`, latent: false })),
  };
}

const lotka = meta(["prey", "predator"]);

/** Outcome of a load: the Dataset, or the error's stable parts. */
function outcome(text: string, m: DataMeta, onePass: boolean): unknown {
  try {
    return { data: loadData(text, "f.csv", m, { onePass }) };
  } catch (e) {
    const err = e as { code?: string; line?: number; column?: string; message: string; problemCount?: number };
    return { error: { code: err.code, line: err.line, column: err.column, message: err.message, count: err.problemCount } };
  }
}

interface Row {
  id: string;
  time: string;
  obs: string;
  dv: string;
}

const cleanRows = fc
  .array(
    fc.record({
      samples: fc.array(fc.tuple(fc.double({ min: 0, max: 50, noNaN: true }), fc.constantFrom("prey", "predator"), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 6 }),
    }),
    { minLength: 1, maxLength: 5 },
  )
  .map((subjects): Row[] =>
    subjects.flatMap((s, i) =>
      [...s.samples].sort((a, b) => a[0] - b[0]).map(([t, obs, v]) => ({ id: String(i + 1), time: String(t), obs, dv: String(v) })),
    ),
  );

function csv(rows: Row[], extra = false): string {
  const head = extra ? "ID,TIME,OBSID,DV,NOTE" : "ID,TIME,OBSID,DV";
  return [head, ...rows.map((r) => [r.id, r.time, r.obs, r.dv, ...(extra ? ["x y"] : [])].join(","))].join("\n") + "\n";
}

/** A flaw put into one cell or line (the general reader reports, skips or trims it). */
const flaws = [".", "NA", "", " 1", "1 ", "x", "1e500", "0x10", "nan", "Inf", '"1"', "3,5", "PREY", "2", "3", "-1", "1e-3", "prey "] as const;

describe("plain-observations: the one-pass reader", () => {
  it("reads a clean file itself, as the general reader does", () => {
    fc.assert(
      fc.property(cleanRows, fc.boolean(), (rows, extra) => {
        const text = csv(rows, extra);
        const header = text.slice(0, text.indexOf("\n")).split(",");
        const cols = resolveColumns(header, { file: "f.csv", line: 1, observations: ["prey", "predator"], covariates: [] });
        expect(readPlainObservations(text, 1, cols, ["prey", "predator"], () => undefined)).not.toBeNull();
        expect(outcome(text, lotka, true)).toEqual(outcome(text, lotka, false));
      }),
      { seed: 17, numRuns: 200 },
    );
  });

  it("gives way to the general reader on every flaw: the same Dataset or the same DataError", () => {
    fc.assert(
      fc.property(
        cleanRows,
        fc.nat(),
        fc.constantFrom("id", "time", "obs", "dv"),
        fc.constantFrom(...flaws),
        (rows, at, field, flaw) => {
          const flawed = rows.map((r) => ({ ...r }));
          flawed[at % flawed.length]![field] = flaw;
          const text = csv(flawed);
          expect(outcome(text, lotka, true)).toEqual(outcome(text, lotka, false));
        },
      ),
      { seed: 18, numRuns: 400 },
    );
  });

  it("gives way on a file-level flaw: split subjects, time going back, ragged or blank lines, a BOM, CRLF", () => {
    const base = "ID,TIME,OBSID,DV\n1,0,prey,1\n1,1,predator,2\n2,0,prey,3\n2,1,prey,4\n";
    const variants = [
      base,
      base + "1,2,prey,5\n", // subject 1 again after 2
      base.replace("2,1,prey,4", "2,-1,prey,4"), // time goes back
      base.replace("2,0,prey,3", "2,0,prey,3,9"), // ragged
      base.replace("2,0,prey,3", "2,0,prey"), // ragged
      base.replace("1,1,predator,2\n", "1,1,predator,2\n\n\n"), // blank lines
      base.replace("1,1,predator,2\n", "1,1,predator,2\n,,,\n"), // a line of empty fields
      "\uFEFF" + base,
      base.replace(/\n/g, "\r\n"),
      "\n\n" + base, // the header below blank lines
      base.trimEnd(), // no final newline
      "ID,TIME,OBSID,DV\n",
      "ID,TIME,DV\n1,0,1\n",
      "id,time,dv,obsid\n1,0,1,prey\n",
    ];
    for (const text of variants) expect(outcome(text, lotka, true), JSON.stringify(text)).toEqual(outcome(text, lotka, false));
    const single = meta(["conc"]);
    for (const text of ["ID,TIME,DV\n1,0,1\n1,2,3\n", "ID,TIME,DV,OBSID\n1,0,1,.\n", "ID,TIME,DV,OBSID\n1,0,1,conc\n1,1,2,1\n"])
      expect(outcome(text, single, true), text).toEqual(outcome(text, single, false));
  });
});

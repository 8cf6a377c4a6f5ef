// SS, II and ADDL of a row (NONMEM/Monolix conventions). SS=1 on a dose row: the state is reset, just before the
// dose, to the steady state of AMT given every II (earlier doses forgotten); ADDL=n: n more doses every II after
// this one. SS=2 (steady state added to the current state) and SS on a row that is no dose are problems, as are an
// interval that is missing, zero or negative where one is needed, and a steady-state infusion longer than its interval.
import type { ColumnMap, Role } from "./columns.js";
import type { Problems } from "./problems.js";

/** The typed cell readers of the loader's current row (load-data.ts RowReader). */
export interface RowCells {
  integer(role: Role): number | null | undefined;
  number(role: Role): number | null | undefined;
}

export interface Regimen {
  steadyState?: { interval: number };
  /** ADDL: further copies of the dose, every `additionalInterval`. */
  additional: number;
  additionalInterval: number;
}

const NONE: Regimen = { additional: 0, additionalInterval: 0 };

export function readRegimen(
  ctx: RowCells,
  cols: ColumnMap,
  problems: Problems,
  infusion: { duration?: number },
  line: number,
): Regimen {
  if (!cols.roles.SS && !cols.roles.ADDL) return NONE;
  const ss = ctx.integer("SS");
  const addl = ctx.integer("ADDL");
  const ii = ctx.number("II");
  const ssCol = cols.roles.SS?.name ?? "SS";
  const iiCol = cols.roles.II?.name ?? "II";
  const addlCol = cols.roles.ADDL?.name ?? "ADDL";
  const steady = typeof ss === "number" && ss !== 0;
  const more = typeof addl === "number" && addl !== 0;
  if (typeof ss === "number" && ss !== 0 && ss !== 1) {
    if (ss === 2)
      problems.add(
        "unsupported-steady-state",
        "SS=2 (a steady state added to the current state) is not supported",
        line,
        ssCol,
        "use SS=1 (the state is reset to the steady state of this dose every II), or give the earlier regimen as dose rows",
      );
    else problems.add("bad-value", `SS must be 0 (no steady state) or 1 (steady state), not ${ss}`, line, ssCol, "SS=1 resets the state to the steady state of AMT given every II");
    return NONE;
  }
  if (typeof addl === "number" && addl < 0) {
    problems.add("bad-value", `ADDL must be 0 or a positive number of additional doses, not ${addl}`, line, addlCol, "ADDL=n adds n copies of the dose, every II after it");
    return NONE;
  }
  if (!steady && !more) return NONE;
  const why = steady ? "SS=1 (steady state)" : `ADDL=${addl} (additional doses)`;
  if (ii === null || ii === 0) {
    problems.add(
      "missing-value",
      `${why} needs the dosing interval II${cols.roles.II ? "" : ", and the file has no II column"}`,
      line,
      iiCol,
      "give the interval between doses (in the data's time unit) in an II column",
    );
    return NONE;
  }
  if (ii === undefined) return NONE; // malformed: already reported
  if (ii < 0) {
    problems.add("bad-value", `II must be a positive interval, not ${ii}`, line, iiCol, "give the time between two doses of the regimen, e.g. II=12 for every 12 hours");
    return NONE;
  }
  if (steady && infusion.duration !== undefined && infusion.duration > ii) {
    problems.add(
      "bad-value",
      `a steady-state infusion over ${infusion.duration} is longer than its interval II=${ii}: infusions would overlap`,
      line,
      iiCol,
      "give an infusion duration (DUR, or AMT / RATE) no longer than II",
    );
    return NONE;
  }
  return { ...(steady ? { steadyState: { interval: ii } } : {}), additional: more ? addl! : 0, additionalInterval: ii };
}

/** SS=1 on an observation or other row: a steady state is a property of a dose. */
export function notOnObservation(ctx: RowCells, cols: ColumnMap, problems: Problems, line: number): void {
  const ss = ctx.integer("SS");
  if (typeof ss === "number" && ss !== 0)
    problems.add(
      "bad-value",
      `SS=${ss} on a row that is not a dose: a steady state belongs to a dose row (EVID=1)`,
      line,
      cols.roles.SS!.name,
      "set SS to 0 or `.` on observation rows, and SS=1 with II on the dose that the regimen ends with",
    );
}

// Long NLME CSV (Monolix / NONMEM / nlmixr2 layout) -> Dataset.
//
// Decisions (each is tested in test/runtime/data/load-data.test.ts):
// - `.`, empty and `NA` (R's write.csv) are missing; NaN/Inf are errors, never silently missing.
// - A row is a dose when EVID=1; without an EVID column, when AMT is present and non-zero
//   (Monolix's rule: such a row with a DV and MDV!=1 is also an observation).
// - Non-dose rows with MDV=1, EVID=2, or a missing DV (and no MDV column) are skipped.
// - Subjects must be contiguous (Monolix requires it) and TIME must not decrease within one.
// - Dose rows for a model without doses are dropped with a warning in `Dataset.warnings`:
//   the observations are still usable, and refusing them would block simple fits of
//   files exported from a dosing study.
// - Row-level problems are collected and reported together (first `maxProblems`) so a user
//   fixes a file in one pass; file-level problems (delimiter, header) stop at once.
// - Covariates are numeric, one value per subject (the first non-missing); a change within
//   a subject is a warning. A categorical covariate (`covariateTypes`) is read as a label
//   (text or number); its levels come from the data (`Dataset.levels`, the reference first)
//   and a subject holds its level's code, the index in that list. Subjects without any observation or dose are left out (warning).
//
// DataError codes: empty-file, no-data, no-observations, wrong-delimiter, missing-header,
// csv-syntax, duplicate-column, missing-column, bad-remap, ragged-row, missing-id,
// missing-value, not-a-number, not-an-integer, non-finite, bad-value, unknown-obsid,
// time-decreasing, subject-split, unsupported-evid, unsupported-censoring, too-many-doses, unsupported-steady-state.
import { resolveColumns, type ColumnMap, type ColumnRef, type Role } from "./columns.js";
import { DataError, type Dataset, type Dose, type Series, type Subject } from "./dataset.js";
import type { ModelMeta } from "../model.js";
import { iterateRecords, type RawRecord } from "./csv-records.js";
import { dataError, Problems } from "./problems.js";
import { byNearness } from "./near-names.js";
import { findReference, orderLevels } from "./levels.js";
import { MAX_MAGNITUDE, MISSING, plainNumber } from "./cells.js";
import { afterLines, PlainObservationReader, readPlainObservations } from "./plain-observations.js";
import { notOnObservation, readRegimen } from "./steady-state-columns.js";


export type DataMeta = Pick<ModelMeta, "observations" | "covariates" | "doses" | "states"> & Partial<Pick<ModelMeta, "covariateTypes">>;

export interface LoadOptions {
  /** Remap: our name (ID, TIME, DV, OBSID, AMT, ..., or a covariate) -> the file's column name. */
  columns?: Record<string, string>;
  /** Row-level problems listed in one error (default 10). */
  maxProblems?: number;
  /** false: never the one-pass reader of plain observation files (plain-observations.ts), so that tests can compare the two. */
  onePass?: boolean;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

interface SeriesAcc {
  t: number[];
  v: number[];
  c: number[];
  l: number[];
}

interface SubjectAcc {
  id: string;
  firstLine: number;
  lastLine: number;
  lastTime: number;
  lastTimeLine: number;
  series: SeriesAcc[];
  doses: Dose[];
  doseLines: number[];
  cov: (number | null)[];
  /** Labels of categorical covariates (null for continuous ones or not seen yet). */
  label: (string | null)[];
}

export function loadData(text: string, file: string, meta: DataMeta, options: LoadOptions = {}): Dataset {
  // One line-ending convention for csv-parse, which would otherwise fix it from the first line.
  const src = text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
  const { outputs, covNames, cols, head, firstRow, records } = readHeader(src, file, meta, options);

  // The common file (ID, TIME, DV, OBSID, every row a clean observation) in one pass; anything else, and every problem, below.
  const plain = onePass(meta, options) ? readPlainObservations(src, head.line, cols, outputs, observationResolver(outputs)) : null;
  if (plain) return { file, outputs, covariates: covNames, subjects: plain };

  const problems = new Problems(file, options.maxProblems ?? 10);
  const ctx = new RowReader(cols, problems);
  const obsIndex = observationResolver(outputs);
  const amtJumps = meta.doses.flatMap((d) => (d.kind === "jump" && d.amount === "amt" ? [d.state] : []));
  const needsAmt = amtJumps.length > 0;
  const amtTargets = amtJumps.map((k) => meta.states[k]?.name ?? `state ${k + 1}`).join(" and ");
  const modelHasDoses = meta.doses.length > 0;

  const subjects = new Map<string, SubjectAcc>();
  let current: SubjectAcc | undefined;
  let nObs = 0;
  let nDoseRows = 0;
  let ignoredDoses = 0;
  let firstIgnoredDose = 0;
  let skipped = 0;
  let firstSkipped = 0;
  const unknownIds = new Set<string>();
  const covChanges: string[] = [];
  const categorical = covNames.map((_, k) => meta.covariateTypes?.[k]?.kind === "categorical");

  for (let next: IteratorResult<RawRecord> = firstRow; !next.done; next = records.next()) {
    const row = next.value;
    const { line, fields } = row;
    if (fields.length !== cols.header.length) {
      problems.add(
        "ragged-row",
        `line has ${fields.length} field${fields.length === 1 ? "" : "s"}, the header has ${cols.header.length}`,
        line,
        undefined,
        fields.length > cols.header.length
          ? "remove the extra fields (a stray comma?) or quote values that contain commas"
          : "fill every column; write `.` for a missing value",
      );
      continue;
    }
    ctx.begin(fields, line);
    const idRef = cols.roles.ID!;
    const id = fields[idRef.index]!.trim();
    if (MISSING.has(id)) {
      problems.add(
        "missing-id",
        "the subject ID is missing",
        line,
        idRef.name,
        "every row needs the ID of its subject",
      );
      continue;
    }
    if (current?.id !== id) {
      const earlier = subjects.get(id);
      if (earlier) {
        problems.add(
          "subject-split",
          `subject ${id} reappears after other subjects (its earlier rows end at line ${earlier.lastLine})`,
          line,
          idRef.name,
          "the rows of a subject must be contiguous (as Monolix requires): sort the file by ID, keeping each subject's rows in time order",
        );
        // Restart the time check so one misplaced block gives one error.
        earlier.lastTime = -Infinity;
        current = earlier;
      } else {
        current = {
          id,
          firstLine: line,
          lastLine: line,
          lastTime: -Infinity,
          lastTimeLine: line,
          series: outputs.map(() => ({ t: [], v: [], c: [], l: [] })),
          doses: [],
          doseLines: [],
          cov: covNames.map(() => null),
          label: covNames.map(() => null),
        };
        subjects.set(id, current);
      }
    }
    const subj = current;
    subj.lastLine = line;

    // What the row is.
    const evid = ctx.integer("EVID");
    const mdv = ctx.integer("MDV");
    const amt = ctx.number("AMT");
    const dvRaw = ctx.raw("DV");
    let isDose = false;
    let isObs = false;
    if (evid !== undefined && evid !== null) {
      if (evid === 1) isDose = true;
      else if (evid === 0) isObs = true;
      else if (evid === 3 || evid === 4) {
        problems.add(
          "unsupported-evid",
          `EVID=${evid} (reset of the system) is not supported`,
          line,
          cols.roles.EVID!.name,
          "split the subject into separate subjects at each reset, or use EVID=1 for a plain dose",
        );
      } else if (evid !== 2) {
        problems.add(
          "bad-value",
          `EVID must be 0 (observation), 1 (dose) or 2 (other), not ${evid}`,
          line,
          cols.roles.EVID!.name,
          "use 0 for observation rows and 1 for dose rows",
        );
      }
    } else if (evid === null) {
      // No event id on this row: NONMEM/Monolix convention from AMT.
      if (amt !== undefined && amt !== null && amt !== 0) isDose = true;
      isObs = true;
    }
    if (mdv !== undefined && mdv !== null && mdv !== 0 && mdv !== 1) {
      problems.add(
        "bad-value",
        `MDV must be 0 or 1, not ${mdv}`,
        line,
        cols.roles.MDV!.name,
        "MDV=1 marks a row without an observation",
      );
    }
    if (isObs) {
      const dvMissing = MISSING.has(dvRaw);
      if (mdv === 1) isObs = false;
      else if (dvMissing) {
        if (mdv === 0 && !isDose) {
          problems.add(
            "missing-value",
            "DV is missing but MDV=0 says the row is an observation",
            line,
            cols.roles.DV!.name,
            "give the observed value, or set MDV=1 to skip the row",
          );
        }
        isObs = false;
      }
    }

    // Time: checked on every row that has one, so misordered files are caught wherever they are.
    const time = ctx.number("TIME");
    if (time === null && (isDose || isObs)) {
      problems.add(
        "missing-value",
        "TIME is missing",
        line,
        cols.roles.TIME!.name,
        "every observation and dose row needs a time",
      );
    }
    if (typeof time === "number") {
      if (time < subj.lastTime) {
        problems.add(
          "time-decreasing",
          `TIME goes back from ${subj.lastTime} (line ${subj.lastTimeLine}) to ${time} within subject ${id}`,
          line,
          cols.roles.TIME!.name,
          "sort each subject's rows by TIME (equal times are fine)",
        );
      } else {
        subj.lastTime = time;
        subj.lastTimeLine = line;
      }
    }

    // Covariates: one value per subject (the first non-missing one).
    for (let k = 0; k < cols.covariates.length; k++) {
      if (categorical[k]) {
        const text = fields[cols.covariates[k]!.index]!.trim();
        if (MISSING.has(text)) continue;
        const prev = subj.label[k];
        if (prev === null || prev === undefined) subj.label[k] = text;
        else if (prev !== text && covChanges.length < 3)
          covChanges.push(`${covNames[k]} changes within subject ${id} (line ${line})`);
        continue;
      }
      const v = ctx.numberAt(
        cols.covariates[k]!,
        `a continuous covariate is a number: declare a category \`categorical\` in the spec's covariates (\`${covNames[k]} categorical\`), and write \`.\` for a missing value`,
      );
      if (typeof v !== "number") continue;
      const prev = subj.cov[k];
      if (prev === null || prev === undefined) subj.cov[k] = v;
      else if (prev !== v && covChanges.length < 3)
        covChanges.push(`${covNames[k]} changes within subject ${id} (line ${line})`);
    }

    if (isDose) {
      nDoseRows++;
      const adm = ctx.integer("ADM");
      if (typeof adm === "number" && adm < 1) {
        problems.add(
          "bad-value",
          `ADM must be a positive integer, not ${adm}`,
          line,
          cols.roles.ADM!.name,
          "number the administration types 1, 2, ...",
        );
      }
      if (amt === null && needsAmt) {
        problems.add(
          "missing-value",
          `dose row without an amount: the model adds AMT to ${amtTargets} at each dose`,
          line,
          cols.roles.AMT?.name ?? "AMT",
          "give the dose amount in the AMT column",
        );
      }
      const infusion = readInfusion(ctx, cols, problems, amt, line);
      const regimen = readRegimen(ctx, cols, problems, infusion, line);
      if (!modelHasDoses) {
        if (ignoredDoses++ === 0) firstIgnoredDose = line;
      } else if (typeof time === "number") {
        const dose: Dose = { time, amount: typeof amt === "number" ? amt : 1, adm: typeof adm === "number" ? adm : 1, ...infusion };
        if (regimen.steadyState) dose.steadyState = regimen.steadyState;
        subj.doses.push(dose);
        subj.doseLines.push(line);
        // ADDL: copies of this dose every II after it (ordinary doses: a steady state is not re-established).
        for (let k = 1; k <= regimen.additional; k++) {
          subj.doses.push({ time: time + k * regimen.additionalInterval, amount: dose.amount, adm: dose.adm, ...infusion });
          subj.doseLines.push(line);
        }
      }
    } else if (cols.roles.SS) notOnObservation(ctx, cols, problems, line);
    if (isObs) {
      const out = resolveObservation(ctx, cols, obsIndex, outputs, problems, unknownIds, line);
      const dv = ctx.number("DV");
      const cens = ctx.integer("CENS");
      const limit = ctx.number("LIMIT");
      if (typeof cens === "number" && cens !== 0 && cens !== 1) {
        if (cens === -1)
          problems.add(
            "unsupported-censoring",
            "CENS=-1 (above a limit) is not supported",
            line,
            cols.roles.CENS!.name,
            "only CENS=1 (below the limit of quantification, DV = the limit) is handled",
          );
        else
          problems.add(
            "bad-value",
            `CENS must be 0 or 1, not ${cens}`,
            line,
            cols.roles.CENS!.name,
            "CENS=1 marks a value below the limit of quantification",
          );
      }
      if (out !== undefined && typeof dv === "number" && typeof time === "number") {
        const s = subj.series[out]!;
        s.t.push(time);
        s.v.push(dv);
        s.c.push(cens === 1 ? 1 : 0);
        s.l.push(typeof limit === "number" ? limit : NaN);
        nObs++;
      }
    } else if (!isDose) {
      if (skipped++ === 0) firstSkipped = line;
    }
  }

  const levels = categoricalCodes(meta, covNames, categorical, subjects, cols.covariates, problems, head.line);
  // Subject-level checks.
  const vector = meta.doses.find((d) => d.kind === "vector");
  for (const s of subjects.values()) {
    for (let k = 0; k < covNames.length; k++) {
      if (s.cov[k] === null) {
        problems.add(
          "missing-value",
          `subject ${s.id} has no value of covariate ${covNames[k]}`,
          s.firstLine,
          cols.covariates[k]!.name,
          "give the covariate on at least one row of the subject",
        );
      }
    }
    if (vector && vector.kind === "vector" && s.doses.length > vector.length) {
      problems.add(
        "too-many-doses",
        `subject ${s.id} has ${s.doses.length} doses but the model's dose vector ${vector.name} has ${vector.length} entries`,
        s.doseLines[vector.length]!,
        cols.roles.AMT?.name ?? cols.roles.EVID?.name,
        `give ${vector.name} one entry per dose in the model, or remove the extra dose rows`,
      );
    }
  }
  problems.throwIfAny();
  if (nObs === 0) {
    throw dataError(
      "no-observations",
      "no observation rows: every row is a dose, has MDV=1 or a missing DV",
      file,
      head.line,
      cols.roles.DV!.name,
      "observation rows need a numeric DV (and EVID=0 / MDV=0 when those columns exist)",
    );
  }

  const warnings: string[] = [];
  if (ignoredDoses > 0) {
    warnings.push(
      `${file}:${firstIgnoredDose}: ${ignoredDoses} dose row${ignoredDoses === 1 ? "" : "s"} ignored: the model declares no doses`,
    );
  }
  if (modelHasDoses && nDoseRows === 0) {
    warnings.push(
      `${file}: the model declares doses but the file has no dose rows (EVID=1, or AMT without an EVID column)`,
    );
  }
  if (skipped > 0) {
    warnings.push(
      `${file}:${firstSkipped}: ${skipped} row${skipped === 1 ? "" : "s"} without an observation or dose skipped (MDV=1, EVID=2 or missing DV)`,
    );
  }
  for (const c of covChanges) warnings.push(`${file}: covariate ${c}: the subject's first value is used`);

  // A subject whose every row was skipped carries no information (and could not be written back).
  const kept = [...subjects.values()].filter((s) => s.doses.length > 0 || s.series.some((x) => x.t.length > 0));
  if (kept.length < subjects.size) {
    const empty = [...subjects.values()].filter((s) => !kept.includes(s));
    warnings.push(
      `${file}:${empty[0]!.firstLine}: ${empty.length} subject${empty.length === 1 ? "" : "s"} without any observation or dose left out (${empty
        .slice(0, 5)
        .map((s) => s.id)
        .join(", ")}${empty.length > 5 ? ", ..." : ""})`,
    );
  }
  const dataset: Dataset = {
    file,
    outputs,
    covariates: covNames,
    subjects: kept.map((s) => toSubject(s, outputs)),
  };
  if (Object.keys(levels).length > 0) dataset.levels = levels;
  if (warnings.length) dataset.warnings = warnings;
  return dataset;
}

/** Whether the one-pass reader of plain observation files (plain-observations.ts) may read a file for this model. */
function onePass(meta: DataMeta, options: LoadOptions): boolean {
  return options.onePass !== false && meta.doses.length === 0 && meta.covariates.length === 0;
}

interface Header {
  outputs: string[];
  covNames: string[];
  cols: ColumnMap;
  head: RawRecord;
  firstRow: IteratorResult<RawRecord>;
  records: Iterator<RawRecord>;
}

/** The file-level checks and the header of `src` (line endings `\n`), resolved into columns; DataError when they fail. */
function readHeader(src: string, file: string, meta: DataMeta, options: LoadOptions): Header {
  const outputs = meta.observations.map((o) => o.name);
  const covNames = [...meta.covariates];
  if (outputs.length === 0) {
    throw dataError(
      "no-observations",
      "the model declares no observations, so no data row can be used",
      file,
      undefined,
      undefined,
      "add an `observe` block to the model",
    );
  }
  if (/^[\s\uFEFF]*$/.test(src)) {
    throw dataError(
      "empty-file",
      "the data file is empty",
      file,
      1,
      undefined,
      "expected a header line such as ID,TIME,OBSID,DV then one row per observation or dose",
    );
  }
  checkDelimiter(src, file);

  // Records stream from the reader: rows are consumed as they come, never held all at once.
  const records = iterateRecords(src, file)[Symbol.iterator]();
  const head: RawRecord | undefined = records.next().value;
  if (!head)
    throw dataError(
      "empty-file",
      "the data file has no content",
      file,
      1,
      undefined,
      "expected a header line such as ID,TIME,OBSID,DV",
    );
  // Column names are never numbers: a first line made mostly of numbers is data.
  if (head.fields.filter((f) => NUMBER.test(f.trim())).length * 2 > head.fields.length) {
    throw dataError(
      "missing-header",
      `the first line has no column names: ${head.fields.join(",")}`,
      file,
      head.line,
      undefined,
      "add a header line naming the columns, e.g. ID,TIME,OBSID,DV",
    );
  }
  const cols = resolveColumns(head.fields, {
    file,
    line: head.line,
    observations: outputs,
    covariates: covNames,
    ...(options.columns ? { remap: options.columns } : {}),
  });
  const firstRow = records.next();
  if (firstRow.done) {
    throw dataError(
      "no-data",
      "the file has a header but no data rows",
      file,
      head.line,
      undefined,
      "add one row per observation (ID,TIME,DV,...) and per dose",
    );
  }
  if (outputs.length > 1 && !cols.roles.OBSID) {
    throw dataError(
      "missing-column",
      `required column OBSID not found: the model has ${outputs.length} observations (${outputs.join(", ")})`,
      file,
      head.line,
      "OBSID",
      `columns found: ${cols.header.filter((h) => h).join(", ")}. Add a column OBSID (or YTYPE/DVID) telling which observation each row measures, or remap one: --columns OBSID=NAME`,
    );
  }

  return { outputs, covNames, cols, head, firstRow, records };
}

/**
 * For a file read block by block (the CLI's reader of large files): given its first block `head` (whole lines,
 * `\n` endings, the header and at least one row), the one-pass reader of plain observation files positioned after
 * the header, or null when the file may not be read so. Never a DataError: a file whose first block does not pass
 * is read by `loadData`, which says what is wrong with it.
 */
export function plainReaderFor(head: string, file: string, meta: DataMeta, options: LoadOptions = {}): { reader: PlainObservationReader; start: number } | null {
  if (!onePass(meta, options) || head.includes('"')) return null;
  let header: Header;
  try {
    header = readHeader(head, file, meta, options);
  } catch (error) {
    if (error instanceof DataError) return null;
    throw error;
  }
  const reader = PlainObservationReader.for(header.cols, header.outputs, observationResolver(header.outputs));
  const start = afterLines(head, header.head.line);
  return reader && start >= 0 ? { reader, start } : null;
}

function toSubject(s: SubjectAcc, outputs: string[]): Subject {
  const series = s.series.map((acc, o): Series => {
    const out: Series = { output: outputs[o]!, times: Float64Array.from(acc.t), values: Float64Array.from(acc.v) };
    if (acc.c.some((c) => c !== 0)) out.censored = Uint8Array.from(acc.c);
    if (acc.l.some((l) => !Number.isNaN(l))) out.limit = Float64Array.from(acc.l);
    return out;
  });
  // ADDL copies may run past later dose rows: doses are kept in time order (stable, so equal times keep the file's).
  const doses = s.doses.every((d, k) => k === 0 || d.time >= s.doses[k - 1]!.time) ? s.doses : [...s.doses].sort((a, b) => a.time - b.time);
  return { id: s.id, series, doses, covariates: Float64Array.from(s.cov, (v) => v ?? NaN) };
}

/**
 * Levels of each categorical covariate (the reference first) and every subject's code in `cov`. A declared
 * reference that no subject has is a problem: the effects would be relative to nothing.
 */
function categoricalCodes(
  meta: DataMeta,
  covNames: string[],
  categorical: boolean[],
  subjects: Map<string, SubjectAcc>,
  refs: ColumnRef[],
  problems: Problems,
  headerLine: number,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  covNames.forEach((name, k) => {
    if (!categorical[k]) return;
    const labels = [...subjects.values()].flatMap((s) => (s.label[k] != null ? [s.label[k]!] : []));
    const type = meta.covariateTypes?.[k];
    const reference = type?.kind === "categorical" ? type.reference : undefined;
    const levels = orderLevels(labels, reference);
    if (reference !== undefined && labels.length > 0 && findReference(levels, reference) === undefined)
      problems.add(
        "bad-value",
        `the reference level ${JSON.stringify(reference)} of ${name} is not in the data (levels: ${levels.join(", ")})`,
        headerLine,
        refs[k]!.name,
        `name one of the data's levels in \`categorical(reference = ...)\`, or leave it out to take the first sorted level`,
      );
    for (const s of subjects.values()) s.cov[k] = s.label[k] != null ? levels.indexOf(s.label[k]!) : null;
    out[name] = levels;
  });
  return out;
}

/** Exact name, then a unique case-insensitive match, then a 1-based index in observe order. */
function observationResolver(outputs: string[]): (id: string) => number | undefined {
  const exact = new Map(outputs.map((o, i) => [o, i]));
  const lower = new Map<string, number | null>();
  outputs.forEach((o, i) => lower.set(o.toLowerCase(), lower.has(o.toLowerCase()) ? null : i));
  return (id) => {
    const e = exact.get(id);
    if (e !== undefined) return e;
    const l = lower.get(id.toLowerCase());
    if (l !== undefined && l !== null) return l;
    if (NUMBER.test(id)) {
      const k = Number(id);
      if (Number.isInteger(k) && k >= 1 && k <= outputs.length) return k - 1;
    }
    return undefined;
  };
}

function resolveObservation(
  ctx: RowReader,
  cols: ColumnMap,
  obsIndex: (id: string) => number | undefined,
  outputs: string[],
  problems: Problems,
  unknownIds: Set<string>,
  line: number,
): number | undefined {
  const ref = cols.roles.OBSID;
  const raw = ref ? ctx.raw("OBSID") : "";
  if (MISSING.has(raw)) {
    if (outputs.length === 1) return 0;
    problems.add(
      "missing-value",
      `observation row without an OBSID: the model has ${outputs.length} observations`,
      line,
      ref!.name,
      `set ${ref!.name} to one of ${outputs.join(", ")}`,
    );
    return undefined;
  }
  const o = obsIndex(raw);
  if (o !== undefined) return o;
  // One report per unknown id: a file with an extra output would otherwise flood the list.
  if (!unknownIds.has(raw)) {
    unknownIds.add(raw);
    problems.add(
      "unknown-obsid",
      `${ref!.name} ${raw} is not an observation of the model`,
      line,
      ref!.name,
      `declared observations (nearest first): ${byNearness(raw, outputs).join(", ")}; ids may also be 1-based indices in observe order (1..${outputs.length}). Rename the id or remove these rows`,
    );
  }
  return undefined;
}

/** Typed access to the fields of the current row; malformed values are reported once and read as undefined. */
class RowReader {
  private fields: string[] = [];
  private line = 0;
  constructor(
    private readonly cols: ColumnMap,
    private readonly problems: Problems,
  ) {}
  begin(fields: string[], line: number): void {
    this.fields = fields;
    this.line = line;
  }
  raw(role: Role): string {
    const ref = this.cols.roles[role];
    return ref ? this.fields[ref.index]!.trim() : "";
  }
  /** null = missing (or no such column), undefined = malformed (already reported). */
  number(role: Role): number | null | undefined {
    const ref = this.cols.roles[role];
    if (!ref) return null;
    return this.numberAt(ref, `write ${role} as a number, or \`.\` for a missing value`);
  }
  numberAt(ref: ColumnRef, help: string): number | null | undefined {
    const raw = this.fields[ref.index]!.trim();
    const fast = plainNumber(raw);
    if (fast !== undefined) return fast;
    if (MISSING.has(raw)) return null;
    if (NUMBER.test(raw)) {
      const v = Number(raw);
      // Finite but past what sums of squares in double precision survive: as wrong as infinity, so say so.
      if (Math.abs(v) > MAX_MAGNITUDE) {
        this.problems.add("non-finite", `${ref.name} value ${raw} is too large (beyond ±1e100)`, this.line, ref.name, "rescale the column (other units) so values are of moderate size");
        return undefined;
      }
      if (Number.isFinite(v)) return v;
      this.problems.add(
        "non-finite",
        `${ref.name} value ${raw} overflows to infinity`,
        this.line,
        ref.name,
        "rescale the column so values are finite numbers",
      );
      return undefined;
    }
    if (NON_FINITE.test(raw)) {
      this.problems.add(
        "non-finite",
        `${ref.name} is ${raw}: only finite numbers are allowed`,
        this.line,
        ref.name,
        "write `.` for a missing value, or remove the row",
      );
      return undefined;
    }
    const decimalComma = /^[+-]?\d+,\d+$/.test(raw);
    this.problems.add(
      "not-a-number",
      `${ref.name} is not a number: "${raw}"`,
      this.line,
      ref.name,
      decimalComma ? "use a decimal point, not a decimal comma (e.g. 3.5)" : help,
    );
    return undefined;
  }
  integer(role: Role): number | null | undefined {
    const ref = this.cols.roles[role];
    if (!ref) return null;
    const v = this.numberAt(ref, `write ${role} as an integer, or \`.\` for a missing value`);
    if (typeof v === "number" && !Number.isInteger(v)) {
      this.problems.add(
        "not-an-integer",
        `${ref.name} must be an integer, not ${this.fields[ref.index]!.trim()}`,
        this.line,
        ref.name,
        `write ${role} as a whole number`,
      );
      return undefined;
    }
    return v;
  }
}

/** A file saved with `;` or tabs parses as one column per line: say so instead of "no column TIME". */
function checkDelimiter(src: string, file: string): void {
  // The first non-blank line, without splitting the whole file.
  const body = src.charCodeAt(0) === 0xfeff ? src.slice(1) : src;
  let idx = 0;
  let pos = 0;
  let header = "";
  while (pos <= body.length) {
    let end = body.indexOf("\n", pos);
    if (end < 0) end = body.length;
    header = body.slice(pos, end);
    if (header.trim() !== "") break;
    pos = end + 1;
    idx++;
  }
  const unquoted = header.replace(/"[^"]*"/g, "");
  const count = (ch: string) => unquoted.split(ch).length - 1;
  const commas = count(",");
  const found = [
    { ch: ";", name: "semicolons", n: count(";") },
    { ch: "\t", name: "tabs", n: count("\t") },
  ].find((d) => d.n > commas);
  let name = found?.name;
  if (!name && commas === 0 && /\S\s+\S/.test(header.trim())) name = "spaces";
  if (!name) return;
  throw dataError(
    "wrong-delimiter",
    `the file looks separated by ${name}, not commas`,
    file,
    idx + 1,
    undefined,
    'save it as comma-separated CSV (e.g. a spreadsheet\'s "CSV (comma delimited)"), with a decimal point in numbers',
  );
}

/**
 * RATE and DUR of a dose row (NONMEM/Monolix): RATE > 0 gives an infusion over AMT / RATE, DUR > 0 one over
 * DUR; both agree or it is a problem; missing or 0 is a bolus. Modelled rates (RATE = -1, -2) are not supported.
 */
function readInfusion(
  ctx: RowReader,
  cols: ColumnMap,
  problems: Problems,
  amt: number | null | undefined,
  line: number,
): { rate: number; duration: number } | Record<string, never> {
  const rate = ctx.number("RATE");
  const dur = ctx.number("DUR");
  const hasRate = typeof rate === "number" && rate !== 0;
  const hasDur = typeof dur === "number" && dur !== 0;
  if (!hasRate && !hasDur) return {};
  const rateCol = cols.roles.RATE?.name ?? "RATE";
  const durCol = cols.roles.DUR?.name ?? "DUR";
  if ((hasRate && rate! < 0) || (hasDur && dur! < 0)) {
    problems.add(
      "bad-value",
      `${hasRate && rate! < 0 ? `RATE ${rate}` : `DUR ${dur}`}: rates or durations estimated by the model (NONMEM's RATE = -1/-2) are not supported`,
      line,
      hasRate && rate! < 0 ? rateCol : durCol,
      "give the infusion's rate in RATE or its duration in DUR (positive), or leave both empty for a bolus",
    );
    return {};
  }
  if (typeof amt !== "number" || !(amt > 0)) {
    problems.add("missing-value", "infusion row without a positive amount", line, cols.roles.AMT?.name ?? "AMT", "give the infused amount in AMT (= RATE x DUR)");
    return {};
  }
  const duration = hasDur ? dur! : amt / rate!;
  if (hasRate && hasDur && Math.abs(rate! * dur! - amt) > 1e-6 * amt) {
    problems.add(
      "bad-value",
      `RATE x DUR = ${rate! * dur!} differs from AMT = ${amt}`,
      line,
      rateCol,
      "give RATE or DUR (the other follows from AMT), or make AMT = RATE x DUR",
    );
    return {};
  }
  return { rate: amt / duration, duration };
}

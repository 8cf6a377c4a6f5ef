// Dataset -> a CSV Monolix reads, with the column types of its [CONTENT] section.
// Layout (research/monolix-export.md 2.1 and 2.5): one header line, `.` for
// missing, one DV column with an OBSID column naming the observation, dose rows
// with AMT/ADM/EVID=1/MDV=1. Reading the result with `loadData` gives back the
// same Dataset (tested).
//
// Within a subject, rows are in time order with doses before observations at
// the same time (as in the bundled data): Monolix then applies the dose first.
import type { Dataset } from "./dataset.js";
import type { ModelMeta } from "../model.js";

export interface WrittenColumn {
  /** Header name in the CSV. */
  name: string;
  /**
   * Monolix `use=` of the column: identifier, time, amount, administration,
   * eventidentifier, missingdependentvariable, infusiontime, steadystate,
   * interdoseinterval, observationtype, observation, censored, limit, or "continuous covariate" / "categorical covariate".
   */
  type: string;
}

export interface WriteDataOptions {
  /** Covariates to declare categorical (default: all continuous, as the estimator's linear covariate model uses them). */
  categorical?: string[];
}

export function writeMonolixData(
  data: Dataset,
  meta: Pick<ModelMeta, "doses">,
  options: WriteDataOptions = {},
): { csv: string; columns: WrittenColumn[] } {
  const anyDose = data.subjects.some((s) => s.doses.length > 0);
  const withDoses = anyDose || meta.doses.length > 0;
  const anyCensored = data.subjects.some((s) => s.series.some((x) => x.censored?.some((c) => c !== 0)));
  const anyLimit = data.subjects.some((s) => s.series.some((x) => x.limit?.some((l) => !Number.isNaN(l))));
  const categorical = new Set([...(options.categorical ?? []), ...Object.keys(data.levels ?? {})]);
  // Infusions (RATE/DUR when read): written back as their duration, Monolix's `use=infusiontime`.
  const anyInfusion = data.subjects.some((s) => s.doses.some((d) => d.duration !== undefined && d.duration > 0));
  // Steady-state doses: SS=1 and the interval II (Monolix `use=steadystate` and `use=interdoseinterval`).
  const anySteady = data.subjects.some((s) => s.doses.some((d) => d.steadyState !== undefined));

  const columns: WrittenColumn[] = [
    { name: "ID", type: "identifier" },
    { name: "TIME", type: "time" },
  ];
  if (withDoses) {
    columns.push(
      { name: "AMT", type: "amount" },
      { name: "ADM", type: "administration" },
      { name: "EVID", type: "eventidentifier" },
      { name: "MDV", type: "missingdependentvariable" },
    );
    if (anyInfusion) columns.push({ name: "DUR", type: "infusiontime" });
    if (anySteady) columns.push({ name: "SS", type: "steadystate" }, { name: "II", type: "interdoseinterval" });
  }
  columns.push({ name: "OBSID", type: "observationtype" }, { name: "DV", type: "observation" });
  if (anyCensored) columns.push({ name: "CENS", type: "censored" });
  if (anyLimit) columns.push({ name: "LIMIT", type: "limit" });
  for (const c of data.covariates) {
    columns.push({ name: c, type: categorical.has(c) ? "categorical covariate" : "continuous covariate" });
  }

  const lines = [columns.map((c) => csvField(c.name)).join(",")];
  for (const s of data.subjects) {
    const id = csvField(s.id);
    // A categorical covariate is written as its label, so that the file reads back with the same levels.
    const cov = Array.from(s.covariates, (v, k) => {
      const levels = data.levels?.[data.covariates[k]!];
      return levels && levels[v] !== undefined ? csvField(levels[v]!) : num(v);
    });
    const events: { time: number; order: number; cells: string[] }[] = [];
    s.doses.forEach((d, k) => {
      const cells = [id, num(d.time)];
      if (withDoses) cells.push(num(d.amount), String(d.adm), "1", "1");
      if (withDoses && anyInfusion) cells.push(d.duration !== undefined && d.duration > 0 ? num(d.duration) : ".");
      if (withDoses && anySteady) cells.push(d.steadyState ? "1" : "0", d.steadyState ? num(d.steadyState.interval) : ".");
      cells.push(".", ".");
      if (anyCensored) cells.push(".");
      if (anyLimit) cells.push(".");
      events.push({ time: d.time, order: k, cells: [...cells, ...cov] });
    });
    const base = s.doses.length;
    let n = 0;
    s.series.forEach((x) => {
      for (let j = 0; j < x.times.length; j++) {
        const cells = [id, num(x.times[j]!)];
        if (withDoses) cells.push(".", ".", "0", "0");
        if (withDoses && anyInfusion) cells.push(".");
        if (withDoses && anySteady) cells.push(".", ".");
        cells.push(csvField(x.output), num(x.values[j]!));
        if (anyCensored) cells.push(String(x.censored?.[j] ?? 0));
        if (anyLimit) cells.push(num(x.limit?.[j] ?? NaN));
        // Doses first at equal times, then observations in output order.
        events.push({ time: x.times[j]!, order: base + n++, cells: [...cells, ...cov] });
      }
    });
    events.sort((a, b) => a.time - b.time || a.order - b.order);
    for (const e of events) lines.push(e.cells.join(","));
  }
  return { csv: lines.join("\n") + "\n", columns };
}

/** Shortest text that reads back as the same double; `.` for missing. */
function num(x: number): string {
  return Number.isNaN(x) ? "." : String(x);
}

function csvField(s: string): string {
  return /[",\n\r]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

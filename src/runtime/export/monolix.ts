// Writes a ready Monolix project whose initial values are our estimates:
// `monolix/project.mlxtran`, `monolix/model.txt` (structural model) and,
// when data is given, `monolix/data.csv`. Syntax and every choice below:
// /work/shared/research/monolix-export.md (Monolix 2018+ syntax only).
//
// Dose handling:
// - a jump `X += amt` is a bolus `depot(target=X, adm=k)` per administration id k;
// - time since the most recent dose is `t - tDose` (Lixoft "dose-related
//   keywords": tDose is the time of the last dose of any type, 0 before the first);
// - which dose is the most recent one (per-dose values such as Clairon's
//   `strength = [1, fM2]`) is not available as a keyword, so the data gets a
//   DOSE_INDEX column (number of administrations so far) declared
//   `{use=regressor}`: Monolix interpolates regressors by last value carried
//   forward over dose and observation lines (monolixsuite 2024R1 "Using
//   regressors"), which is exactly a piecewise-constant dose index.
import type { Dataset } from "../data/dataset.js";
import type { FitResult } from "../fit-result.js";
import type { ModelMeta } from "../model.js";
import { buildPlan, type ExportOptions, type ExportPlan, type PlanParameter } from "./plan.js";
import { formatEstimate, formatNumber } from "./expr.js";
import { writeMonolixData } from "../data/write-data.js";

export interface MonolixColumn {
  name: string;
  type: string;
}

export interface MonolixExport {
  files: Record<string, string>;
  plan: ExportPlan;
}

export const DOSE_INDEX_COLUMN = "DOSE_INDEX";
export const DOSE_INDEX_VARIABLE = "dose_index";

export function exportMonolix(
  meta: ModelMeta,
  fit: FitResult,
  data?: Dataset,
  options: ExportOptions = {},
): MonolixExport {
  const plan = buildPlan(meta, fit, data, options);
  const files: Record<string, string> = {};
  let table: { header: string[]; columns: MonolixColumn[]; csv: string } | undefined;
  if (data) {
    const written = writeMonolixData(data, meta);
    table = plan.needsDoseIndex
      ? appendDoseIndex(written.csv, written.columns)
      : { ...parseHeader(written.csv), columns: written.columns, csv: written.csv };
    files["monolix/data.csv"] = table.csv;
  }
  files["monolix/model.txt"] = renderModel(plan);
  files["monolix/project.mlxtran"] = renderProject(plan, table);
  return { files, plan };
}

// ---------------------------------------------------------------- model file

export function renderModel(plan: ExportPlan): string {
  const L: string[] = [];
  L.push(
    `DESCRIPTION: ${plan.model}, exported by weakform-nlme; initial values in project.mlxtran are weak-form first guesses.`,
  );
  L.push("[LONGITUDINAL]");
  const inputs = plan.parameters.map((p) => p.name);
  if (plan.needsDoseIndex) inputs.push(DOSE_INDEX_VARIABLE);
  L.push(`input = {${inputs.join(", ")}}`);
  if (plan.needsDoseIndex) L.push(`${DOSE_INDEX_VARIABLE} = {use=regressor}`);
  L.push("");
  if (plan.jumps.length) {
    L.push("PK:");
    L.push("; each administration adds p*AMT to its target at the dose time (bolus)");
    if (plan.jumps.some((j) => j.p !== "1")) L.push("; an infusion (DUR in the data, use=infusiontime) adds it at rate p*AMT/DUR over DUR");
    for (const j of plan.jumps) L.push(`depot(target=${j.target}, adm=${j.adm}${j.p === "1" ? "" : `, p=${j.p}`})`);
    L.push("");
  }
  L.push("EQUATION:");
  L.push("odeType = stiff");
  for (const c of plan.constants) L.push(`${c.name} = ${formatNumber(c.value)}`);
  L.push(...doseDefinitions(plan));
  L.push(`t_0 = ${formatNumber(plan.t0)}`);
  for (const s of plan.states)
    L.push(`${s.name}_0 = ${s.initial.kind === "value" ? formatNumber(s.initial.value) : s.initial.param}`);
  for (const s of plan.states) L.push(`ddt_${s.name} = ${s.rhs}`);
  for (const o of plan.observations) L.push(`${o.pred} = ${o.predExpr}`);
  L.push("");
  L.push("OUTPUT:");
  L.push(`output = {${plan.observations.map((o) => o.pred).join(", ")}}`);
  return L.join("\n") + "\n";
}

/** `since_dose`, dose vectors and dose indicators as piecewise definitions on the dose-index regressor. */
function doseDefinitions(plan: ExportPlan): string[] {
  const L: string[] = [];
  const di = DOSE_INDEX_VARIABLE;
  if (plan.usesSinceDose) {
    L.push("; time since the most recent administration (0 before the first)");
    L.push(`if ${di} < 0.5`, "  since_dose = 0", "else", "  since_dose = t - tDose", "end");
  }
  for (const v of plan.vectors) {
    L.push(`; ${v.name}: value on the interval after administration k (0 outside 1..${v.values.length})`);
    L.push(`if ${di} < 0.5`, `  ${v.name} = 0`);
    v.values.forEach((val, k) => L.push(`elseif ${di} < ${k + 1.5}`, `  ${v.name} = ${val}`));
    L.push("else", `  ${v.name} = 0`, "end");
  }
  for (const d of plan.doseIndicators) {
    L.push(`if ${di} > ${d.k - 0.5} & ${di} < ${d.k + 0.5}`, `  ${d.name} = 1`, "else", `  ${d.name} = 0`, "end");
  }
  return L;
}

// ---------------------------------------------------------------- data file

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function parseHeader(csv: string): { header: string[] } {
  const first = csv.split(/\r?\n/, 1)[0] ?? "";
  return { header: splitCsvLine(first).map((h) => h.trim()) };
}

/** Doses Monolix gives before a steady-state dose (its default, 7, leaves 3% of the steady state unreached when
 * the half-life is 1.4 intervals); 5 half-lives per 25 doses bring a drug with a half-life of 5 intervals within 3%. */
const STEADY_STATE_DOSES = 25;

/** Normalises a column role (`EVENT ID`, `eventidentifier`, `EVID`) to Monolix's `use=` spelling. */
export function monolixUse(type: string): string {
  const t = type.toLowerCase().replace(/[^a-z]/g, "");
  const aliases: Record<string, string> = {
    id: "identifier",
    identifier: "identifier",
    time: "time",
    dv: "observation",
    observation: "observation",
    obsid: "observationtype",
    ytype: "observationtype",
    dvid: "observationtype",
    observationid: "observationtype",
    observationtype: "observationtype",
    amt: "amount",
    amount: "amount",
    evid: "eventidentifier",
    eventid: "eventidentifier",
    eventidentifier: "eventidentifier",
    mdv: "missingdependentvariable",
    missingdependentvariable: "missingdependentvariable",
    adm: "administration",
    administrationid: "administration",
    administration: "administration",
    dur: "infusiontime",
    tinf: "infusiontime",
    infusiontime: "infusiontime",
    infusionduration: "infusiontime",
    rate: "rate",
    infusionrate: "rate",
    ss: "steadystate",
    steadystate: "steadystate",
    ii: "interdoseinterval",
    interdoseinterval: "interdoseinterval",
    addl: "additionaldose",
    additionaldose: "additionaldose",
    cens: "censored",
    censored: "censored",
    limit: "limit",
    regressor: "regressor",
    ignore: "ignore",
    ignoredcolumn: "ignore",
  };
  if (t.startsWith("covariate") || t.startsWith("categorical") || t.startsWith("continuous")) return "covariate";
  return aliases[t] ?? t;
}

/** Adds DOSE_INDEX: the number of administrations at or before each row, per subject. */
export function appendDoseIndex(
  csv: string,
  columns: MonolixColumn[],
): { header: string[]; columns: MonolixColumn[]; csv: string } {
  const lines = csv.split(/\r?\n/).filter((l) => l.length > 0);
  const header = splitCsvLine(lines[0] ?? "").map((h) => h.trim());
  const col = (use: string) => {
    const c = columns.find((x) => monolixUse(x.type) === use);
    return c ? header.indexOf(c.name) : -1;
  };
  const id = col("identifier");
  const time = col("time");
  const amt = col("amount");
  const evid = col("eventidentifier");
  if (id < 0 || time < 0 || amt < 0)
    throw new Error("data file: cannot add DOSE_INDEX without ID, TIME and AMT columns");
  const rows = lines.slice(1).map(splitCsvLine);
  const isDose = (r: string[]) => {
    if (evid >= 0) return ["1", "3", "4"].includes((r[evid] ?? "").trim());
    const a = (r[amt] ?? "").trim();
    return a !== "" && a !== "." && Number(a) !== 0;
  };
  // Count doses per subject in time order, then give each row the count at its time.
  const doseTimes = new Map<string, number[]>();
  for (const r of rows)
    if (isDose(r)) (doseTimes.get(r[id]!) ?? doseTimes.set(r[id]!, []).get(r[id]!)!).push(Number(r[time]));
  const out = [`${lines[0]},${DOSE_INDEX_COLUMN}`];
  rows.forEach((r, i) => {
    const t = Number(r[time]);
    const n = (doseTimes.get(r[id]!) ?? []).filter((d) => d <= t).length;
    out.push(`${lines[i + 1]},${n}`);
  });
  return {
    header: [...header, DOSE_INDEX_COLUMN],
    columns: [...columns, { name: DOSE_INDEX_COLUMN, type: "regressor" }],
    csv: out.join("\n") + "\n",
  };
}

/** Observation-id values as written in the data (names when the data uses them, else 1..n). */
function observationIds(
  plan: ExportPlan,
  table?: { header: string[]; columns: MonolixColumn[]; csv: string },
): string[] {
  const names = plan.observations.map((o) => o.source);
  if (!table) return names;
  const c = table.columns.find((x) => monolixUse(x.type) === "observationtype");
  if (!c) return names;
  const idx = table.header.indexOf(c.name);
  const values = new Set(
    table.csv
      .split(/\r?\n/)
      .slice(1)
      .filter((l) => l)
      .map((l) => (splitCsvLine(l)[idx] ?? "").trim()),
  );
  if (names.every((n) => values.has(n))) return names;
  return names.map((_, i) => String(i + 1));
}

// ---------------------------------------------------------------- project file

const DEFAULT_HEADER = ["ID", "TIME", "OBSID", "DV", "AMT", "EVID", "MDV"];
const DEFAULT_TYPES: Record<string, string> = {
  ID: "identifier",
  TIME: "time",
  OBSID: "observationtype",
  DV: "observation",
  AMT: "amount",
  EVID: "eventidentifier",
  MDV: "missingdependentvariable",
};

export function renderProject(
  plan: ExportPlan,
  table?: { header: string[]; columns: MonolixColumn[]; csv?: string },
): string {
  const L: string[] = [];
  let header: string[];
  let columns: MonolixColumn[];
  if (table) {
    header = table.header;
    columns = table.columns;
  } else {
    header = [...DEFAULT_HEADER, ...(plan.needsDoseIndex ? [DOSE_INDEX_COLUMN] : [])];
    columns = header.map((h) => ({ name: h, type: DEFAULT_TYPES[h] ?? "regressor" }));
    for (const c of plan.covariates) {
      header.push(c.name);
      columns.push({ name: c.name, type: `${c.kind} covariate` });
    }
  }
  const hasObsId = columns.some((c) => monolixUse(c.type) === "observationtype");
  const ids = observationIds(plan, table?.csv !== undefined ? { ...table, csv: table.csv } : undefined);

  L.push(
    "<DATAFILE>",
    "",
    "[FILEINFO]",
    "file = 'data.csv'",
    "delimiter = comma",
    `header = {${header.join(", ")}}`,
    "",
    "[CONTENT]",
  );
  for (const c of columns) {
    const use = monolixUse(c.type);
    if (use === "observation") {
      const obs = plan.observations;
      if (hasObsId)
        L.push(
          `${c.name} = {use=observation, name={${obs.map((o) => o.name).join(", ")}}, yname={${ids.map((i) => `'${i}'`).join(", ")}}, type={${obs.map(() => "continuous").join(", ")}}}`,
        );
      else L.push(`${c.name} = {use=observation, name=${obs[0]!.name}, type=continuous}`);
    } else if (use === "covariate") {
      L.push(`${c.name} = {use=covariate, type=${/categorical/i.test(c.type) ? "categorical" : "continuous"}}`);
    } else if (use === "steadystate") {
      // Monolix reaches a steady state by simulating nbdoses doses before the SS dose (weakform-nlme solves it exactly).
      L.push(`; SS=1: Monolix simulates nbdoses doses every II before the dose; raise nbdoses if the half-life exceeds ${STEADY_STATE_DOSES / 5} intervals`);
      L.push(`${c.name} = {use=steadystate, nbdoses=${STEADY_STATE_DOSES}}`);
    } else L.push(`${c.name} = {use=${use}}`);
  }
  L.push("");

  // [COVARIATE], then [INDIVIDUAL]
  L.push("<MODEL>", "");
  const categoricalLines = plan.covariates
    .filter((c) => c.kind === "categorical")
    .map((c) => `${c.name} = {type=categorical, categories={${(c.categories ?? []).map((l) => `'${l}'`).join(", ")}}}`);
  if (plan.covariates.length > 0) {
    L.push("[COVARIATE]", `input = {${plan.covariates.map((c) => c.name).join(", ")}}`, "");
    if (categoricalLines.length > 0) L.push(...categoricalLines, "");
    if (plan.transformedCovariates.length > 0) L.push("EQUATION:", ...plan.transformedCovariates.map((t) => `${t.name} = ${t.expr}`), "");
  }
  const indInputs: string[] = [];
  const defs: string[] = [];
  const covInputs = new Set<string>();
  for (const p of plan.parameters) {
    indInputs.push(`${p.name}_pop`);
    if (p.omega !== null) indInputs.push(`omega_${p.name}`);
    for (const e of p.effects ?? []) {
      covInputs.add(e.covariate);
      if (e.kind === "continuous") indInputs.push(e.coefficient.name);
      else for (const c of e.coefficients) if (c) indInputs.push(c.name);
    }
    defs.push(`${p.name} = {${individualDefinition(p)}}`);
  }
  for (const c of plan.correlations) indInputs.push(c.name);
  const indCategorical = categoricalLines.filter((l) => covInputs.has(l.slice(0, l.indexOf(" ="))));
  L.push("[INDIVIDUAL]", `input = {${[...indInputs, ...covInputs].join(", ")}}`, "");
  if (indCategorical.length > 0) L.push(...indCategorical, "");
  L.push("DEFINITION:", ...defs);
  const blocks = [...new Set(plan.correlations.map((c) => c.block))];
  for (const b of blocks) {
    const pairs = plan.correlations.filter((c) => c.block === b).map((c) => `r(${c.a}, ${c.b})=${c.name}`);
    L.push(`correlation = {level=id, ${pairs.join(", ")}}`);
  }
  L.push("");

  // [LONGITUDINAL]
  const errInputs = plan.observations.flatMap((o) => [o.a?.name, o.b?.name].filter((x): x is string => !!x));
  L.push("[LONGITUDINAL]", `input = {${errInputs.join(", ")}}`, "file = 'model.txt'", "", "DEFINITION:");
  for (const o of plan.observations)
    L.push(`${o.name} = {distribution=normal, prediction=${o.pred}, errorModel=${errorModel(o)}}`);
  L.push("");

  // <FIT>
  const list = (xs: string[]) => (xs.length === 1 ? xs[0]! : `{${xs.join(", ")}}`);
  L.push(
    "<FIT>",
    `data = ${list(plan.observations.map((o) => o.name))}`,
    `model = ${list(plan.observations.map((o) => o.name))}`,
    "",
  );

  // <PARAMETER>
  L.push("<PARAMETER>");
  for (const p of plan.parameters) {
    L.push(`${p.name}_pop = {value=${formatEstimate(p.typical)}, method=MLE}`);
    if (p.omega !== null) L.push(`omega_${p.name} = {value=${formatEstimate(p.omega)}, method=MLE}`);
    for (const e of p.effects ?? [])
      for (const c of e.kind === "continuous" ? [e.coefficient] : e.coefficients)
        if (c) L.push(`${c.name} = {value=${formatEstimate(c.value)}, method=MLE}`);
  }
  for (const c of plan.correlations) L.push(`${c.name} = {value=${formatEstimate(c.value)}, method=MLE}`);
  for (const o of plan.observations) {
    if (o.a) L.push(`${o.a.name} = {value=${formatEstimate(o.a.value)}, method=MLE}`);
    if (o.b) L.push(`${o.b.name} = {value=${formatEstimate(o.b.value)}, method=MLE}`);
  }
  L.push("");

  L.push(
    "<MONOLIX>",
    "",
    "[TASKS]",
    "populationParameters()",
    "individualParameters(method = {conditionalMean, conditionalMode })",
    "fim(method = StochasticApproximation)",
    "logLikelihood(method = ImportanceSampling)",
    "plotResult(method = {indfits, obspred, vpc, residualsscatter, residualsdistribution, saemresults })",
    "",
    "[SETTINGS]",
    "GLOBAL:",
    "exportpath = 'results'",
  );
  return L.join("\n") + "\n";
}

function individualDefinition(p: PlanParameter): string {
  const parts = [`distribution=${p.distribution}`];
  if (p.distribution === "logitNormal")
    parts.push(`min=${formatNumber(p.bounds!.min)}`, `max=${formatNumber(p.bounds!.max)}`);
  parts.push(`typical=${p.name}_pop`);
  const effects = p.effects ?? [];
  if (effects.length > 0) {
    // Monolix: one coefficient per continuous covariate; per categorical one a list with 0 at the reference.
    const coef = effects.map((e) => (e.kind === "continuous" ? e.coefficient.name : `{${e.coefficients.map((c) => c?.name ?? "0").join(", ")}}`));
    const one = effects.length === 1;
    parts.push(one ? `covariate=${effects[0]!.covariate}` : `covariate={${effects.map((e) => e.covariate).join(", ")}}`);
    parts.push(one ? `coefficient=${coef[0]!}` : `coefficient={${coef.join(", ")}}`);
  }
  parts.push(p.omega === null ? "no-variability" : `sd=omega_${p.name}`);
  return parts.join(", ");
}

/** Our `combined` is sqrt(a^2 + b^2 f^2), Monolix's combined2 (nlmixr2's default add + prop). */
function errorModel(o: ExportPlan["observations"][number]): string {
  switch (o.error) {
    case "constant":
      return `constant(${o.a!.name})`;
    case "proportional":
      return `proportional(${o.b!.name})`;
    case "combined":
      return `combined2(${o.a!.name}, ${o.b!.name})`;
  }
}

// A structural self-check of an exported Monolix project, run on every
// export in the tests (Monolix itself is not available here). It parses the
// subset of Mlxtran the exporter writes and reports, in plain sentences,
// anything Monolix would reject or silently misread: undefined names,
// parameters without a valid initial value, unpaired outputs, data columns
// that do not exist.
import { identifiers } from "./expr.js";

/** Mlxtran reserved names and functions the EQUATION block may use without defining them. */
export const MLXTRAN_BUILTINS = new Set([
  "t",
  "tDose",
  "amtDose",
  "inftDose",
  "pi",
  "abs",
  "sqrt",
  "exp",
  "log",
  "log10",
  "logit",
  "invlogit",
  "probit",
  "norminv",
  "qnorm",
  "normcdf",
  "pnorm",
  "sin",
  "cos",
  "tan",
  "asin",
  "acos",
  "atan",
  "cosh",
  "sinh",
  "tanh",
  "gammaln",
  "lgamma",
  "floor",
  "ceil",
  "factorial",
  "factln",
  "rem",
  "min",
  "max",
  "atan2",
  "delay",
]);

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Splits on `sep` at brace/paren depth 0. */
export function splitTop(text: string, sep = ","): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  let quote = false;
  for (const ch of text) {
    if (ch === "'") quote = !quote;
    if (!quote && (ch === "{" || ch === "(")) depth++;
    if (!quote && (ch === "}" || ch === ")")) depth--;
    if (!quote && depth === 0 && ch === sep) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
}

/** `{a=1, b={x, y}, no-variability}` -> map (flags map to ""). */
export function parseAttributes(text: string): Map<string, string> {
  const inner = text.trim().replace(/^\{/, "").replace(/\}$/, "");
  const m = new Map<string, string>();
  for (const part of splitTop(inner)) {
    const eq = part.indexOf("=");
    if (eq < 0) m.set(part.trim(), "");
    else m.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return m;
}

/** `{a, b}` or `a` -> [a, b]; quotes removed. */
export function parseList(text: string): string[] {
  const t = text.trim();
  const inner = t.startsWith("{") ? t.slice(1, -1) : t;
  return splitTop(inner)
    .map((s) => s.trim().replace(/^'(.*)'$/, "$1"))
    .filter((s) => s !== "");
}

function stripComment(line: string): string {
  const i = line.indexOf(";");
  return (i >= 0 ? line.slice(0, i) : line).trim();
}

/** Sections `<NAME>`, each with subsections `[NAME]` (or "" before the first), each a list of lines. */
export function parseProject(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let sec: Map<string, string[]> | undefined;
  let sub = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = stripComment(raw);
    if (line === "") continue;
    const s = /^<([A-Z]+)>$/.exec(line);
    if (s) {
      sec = new Map();
      sections.set(s[1]!, sec);
      sub = "";
      continue;
    }
    const b = /^\[([A-Z]+)\]$/.exec(line);
    if (b) {
      sub = b[1]!;
      continue;
    }
    if (!sec) continue;
    if (!sec.has(sub)) sec.set(sub, []);
    sec.get(sub)!.push(line);
  }
  return sections;
}

/** `name = value` lines of a block; lines ending with `:` switch blocks (DEFINITION:, GLOBAL:). */
function assignments(lines: string[], block?: string): Map<string, string> {
  const m = new Map<string, string>();
  let cur = "";
  for (const l of lines) {
    if (/^[A-Za-z]+:$/.test(l)) {
      cur = l.slice(0, -1);
      continue;
    }
    if (block !== undefined && cur !== block) continue;
    const eq = l.indexOf("=");
    if (eq > 0) m.set(l.slice(0, eq).trim(), l.slice(eq + 1).trim());
  }
  return m;
}

export interface StructuralModel {
  inputs: string[];
  regressors: string[];
  pk: string[];
  /** EQUATION lines, comments removed. */
  equation: string[];
  outputs: string[];
}

export function parseStructuralModel(text: string): StructuralModel {
  const model: StructuralModel = { inputs: [], regressors: [], pk: [], equation: [], outputs: [] };
  let block = "";
  let seenLongitudinal = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = stripComment(raw);
    if (line === "" || line.startsWith("DESCRIPTION:")) continue;
    if (line === "[LONGITUDINAL]") {
      seenLongitudinal = true;
      continue;
    }
    if (/^(PK|EQUATION|OUTPUT|DEFINITION):$/.test(line)) {
      block = line.slice(0, -1);
      continue;
    }
    if (block === "") {
      const m = /^input\s*=\s*(\{.*\})$/.exec(line);
      if (m) model.inputs = parseList(m[1]!);
      const r = /^([A-Za-z_]\w*)\s*=\s*\{\s*use\s*=\s*regressor\s*\}$/.exec(line);
      if (r) model.regressors.push(r[1]!);
    } else if (block === "PK") model.pk.push(line);
    else if (block === "EQUATION") model.equation.push(line);
    else if (block === "OUTPUT") {
      const m = /^output\s*=\s*(.*)$/.exec(line);
      if (m) model.outputs.push(...parseList(m[1]!));
    }
  }
  if (!seenLongitudinal) model.inputs = [];
  return model;
}

/** Checks the EQUATION/PK/OUTPUT blocks of a structural model; returns problems. */
export function checkStructuralModel(model: StructuralModel): string[] {
  const problems: string[] = [];
  const defined = new Set<string>([...model.inputs, ...MLXTRAN_BUILTINS]);
  const states = new Set<string>();
  const uses: { line: string; ids: string[] }[] = [];
  let depth = 0;
  for (const line of model.equation) {
    if (line === "else" || line === "end") {
      if (line === "end") depth--;
      continue;
    }
    const cond = /^(if|elseif)\s+(.*)$/.exec(line);
    if (cond) {
      if (cond[1] === "if") depth++;
      uses.push({ line, ids: identifiers(cond[2]!) });
      continue;
    }
    const eq = line.indexOf("=");
    if (eq <= 0) {
      problems.push(`EQUATION: cannot read the line '${line}'`);
      continue;
    }
    const lhs = line.slice(0, eq).trim();
    const rhs = line.slice(eq + 1).trim();
    if (!NAME.test(lhs)) {
      problems.push(`EQUATION: '${lhs}' is not a valid name`);
      continue;
    }
    if (lhs === "odeType") {
      if (rhs !== "stiff" && rhs !== "nonStiff")
        problems.push(`EQUATION: odeType must be stiff or nonStiff, not ${rhs}`);
      continue;
    }
    if (lhs.startsWith("ddt_")) {
      if (depth > 0) problems.push(`EQUATION: ${lhs} is defined inside an if block (Mlxtran forbids it)`);
      states.add(lhs.slice(4));
    } else defined.add(lhs);
    uses.push({ line, ids: identifiers(rhs) });
  }
  if (depth !== 0) problems.push("EQUATION: unbalanced if/end");
  for (const s of states) defined.add(s);
  for (const u of uses)
    for (const id of u.ids) if (!defined.has(id)) problems.push(`EQUATION: '${id}' is not defined (in '${u.line}')`);
  if (!defined.has("t_0") && states.size > 0)
    problems.push("EQUATION: no t_0 (always give the start of the ODE system)");
  for (const s of states) if (!defined.has(`${s}_0`)) problems.push(`EQUATION: state ${s} has no initial value ${s}_0`);
  for (const x of defined) {
    const m = /^(.*)_0$/.exec(x);
    if (m && m[1] !== "t" && !states.has(m[1]!))
      problems.push(`EQUATION: ${x} sets the initial value of ${m[1]}, which has no ddt_ line`);
  }
  for (const line of model.pk) {
    const m = /^(depot|empty|reset)\((.*)\)$/.exec(line);
    if (!m) {
      problems.push(`PK: unexpected line '${line}'`);
      continue;
    }
    const args = parseAttributes(m[2]!);
    const target = args.get("target");
    if (!target || !states.has(target)) problems.push(`PK: ${line} targets '${target}', which is not an ODE state`);
    const adm = args.get("adm") ?? args.get("type") ?? "1";
    if (!/^[1-9]\d*$/.test(adm)) problems.push(`PK: ${line}: adm must be a positive integer`);
    const p = args.get("p");
    if (p !== undefined)
      for (const id of identifiers(p)) if (!defined.has(id)) problems.push(`PK: '${id}' in ${line} is not defined`);
  }
  if (model.outputs.length === 0) problems.push("OUTPUT: no output");
  for (const o of model.outputs)
    if (!defined.has(o) || model.inputs.includes(o)) problems.push(`OUTPUT: '${o}' is not defined in EQUATION`);
  for (const r of model.regressors) if (!model.inputs.includes(r)) problems.push(`regressor ${r} is not in input`);
  return problems;
}

const METHODS = new Set(["MLE", "FIXED", "MAP", "BAYES"]);

/** Names [COVARIATE] makes available: `all` (columns and computed terms) and the categories of categorical ones. */
function checkCovariates(lines: string[], problems: string[]): { all: Set<string>; categories: Map<string, string[]> } {
  const all = new Set<string>();
  const categories = new Map<string, string[]>();
  if (lines.length === 0) return { all, categories };
  const input = parseList(assignments(lines).get("input") ?? "{}");
  for (const c of input) all.add(c);
  for (const [name, value] of assignments(lines, "")) {
    if (name === "input") continue;
    const a = parseAttributes(value);
    if (a.get("type") !== "categorical") continue;
    if (!all.has(name)) problems.push(`[COVARIATE]: categorical ${name} is not in input`);
    const cats = parseList(a.get("categories") ?? "{}");
    if (cats.length < 2) problems.push(`[COVARIATE]: categorical ${name} needs at least two categories`);
    categories.set(name, cats);
  }
  for (const [name, rhs] of assignments(lines, "EQUATION")) {
    for (const id of identifiers(rhs))
      if (!all.has(id) && !MLXTRAN_BUILTINS.has(id)) problems.push(`[COVARIATE]: '${id}' in ${name} = ${rhs} is not a covariate`);
    all.add(name);
  }
  return { all, categories };
}

/**
 * `covariate=`/`coefficient=` of an individual parameter: every covariate an input of [INDIVIDUAL] defined in
 * [COVARIATE], every coefficient a population parameter, and per categorical covariate one entry per category with
 * `0` at the reference.
 */
function checkCovariateEffect(name: string, attrs: Map<string, string>, inputs: string[], covariates: string[], categories: Map<string, string[]>): string[] {
  const problems: string[] = [];
  const cov = attrs.get("covariate");
  const coef = attrs.get("coefficient");
  if (cov === undefined && coef === undefined) return problems;
  if (cov === undefined || coef === undefined) return [`[INDIVIDUAL]: ${name} has covariate= without coefficient= or the reverse`];
  const covs = cov.startsWith("{") ? parseList(cov) : [cov];
  const coefs = covs.length > 1 ? splitBraces(coef) : [coef];
  if (coefs.length !== covs.length) return [`[INDIVIDUAL]: ${name} has ${covs.length} covariate(s) but ${coefs.length} coefficient entries`];
  covs.forEach((c, i) => {
    if (!covariates.includes(c)) problems.push(`[INDIVIDUAL]: covariate ${c} of ${name} is not an input defined in [COVARIATE]`);
    const entry = coefs[i]!;
    const cats = categories.get(c);
    if (cats) {
      const list = entry.startsWith("{") ? parseList(entry) : [entry];
      if (list.length !== cats.length) problems.push(`[INDIVIDUAL]: ${name}: ${c} has ${cats.length} categories but ${list.length} coefficients`);
      if (list.filter((x) => x === "0").length !== 1) problems.push(`[INDIVIDUAL]: ${name}: the coefficients of ${c} need one 0 (the reference)`);
      for (const x of list) if (x !== "0" && !inputs.includes(x)) problems.push(`[INDIVIDUAL]: coefficient ${x} of ${name} is not in input`);
    } else if (!inputs.includes(entry)) problems.push(`[INDIVIDUAL]: coefficient ${entry} of ${name} is not in input`);
  });
  return problems;
}

/** `{a, {0, b}}` -> [`a`, `{0, b}`]; a plain name stays one entry. */
function splitBraces(text: string): string[] {
  const t = text.trim();
  return t.startsWith("{") && t.endsWith("}") ? splitTop(t.slice(1, -1)).map((x) => x.trim()) : [t];
}

/**
 * Checks a whole export: `files` maps relative paths to text, as returned by
 * `exportMonolix`. `projectPath` is the project's path in `files`.
 */
export function checkMonolixProject(files: Record<string, string>, projectPath = "monolix/project.mlxtran"): string[] {
  const problems: string[] = [];
  const text = files[projectPath];
  if (text === undefined) return [`no project file ${projectPath}`];
  const dir = projectPath.includes("/") ? projectPath.slice(0, projectPath.lastIndexOf("/") + 1) : "";
  const project = parseProject(text);
  for (const s of ["DATAFILE", "MODEL", "FIT", "PARAMETER", "MONOLIX"])
    if (!project.has(s)) problems.push(`project: no <${s}> section`);
  if (/^\s*(DATA|INDIVIDUAL|STRUCTURAL_MODEL|TASKS)\s*:/m.test(text) || /iiv\s*=\s*yes/.test(text))
    problems.push("project: Monolix 4 syntax");

  // Structural model.
  const modelSec = project.get("MODEL");
  const longLines = modelSec?.get("LONGITUDINAL") ?? [];
  const modelFile = assignments(longLines)
    .get("file")
    ?.replace(/^'(.*)'$/, "$1");
  const modelText = modelFile !== undefined ? files[dir + modelFile] : undefined;
  let model: StructuralModel | undefined;
  if (modelText === undefined) problems.push(`[LONGITUDINAL] file '${modelFile}' is not among the exported files`);
  else {
    model = parseStructuralModel(modelText);
    problems.push(...checkStructuralModel(model).map((p) => `${modelFile}: ${p}`));
  }

  // [COVARIATE]: data columns and the terms computed from them; their names are inputs of [INDIVIDUAL] that take
  // no <PARAMETER> value.
  const covariateNames = checkCovariates(modelSec?.get("COVARIATE") ?? [], problems);
  // [INDIVIDUAL]
  const indLines = modelSec?.get("INDIVIDUAL") ?? [];
  const indInputAll = parseList(assignments(indLines).get("input") ?? "{}");
  const indInput = indInputAll.filter((n) => !covariateNames.categories.has(n) && !covariateNames.all.has(n));
  const indCovariates = indInputAll.filter((n) => covariateNames.all.has(n));
  const indDefs = assignments(indLines, "DEFINITION");
  const individuals = new Map<string, Map<string, string>>();
  for (const [name, value] of indDefs) {
    if (name === "correlation") {
      const attrs = parseAttributes(value);
      for (const [k, v] of attrs) {
        const r = /^r\((\w+),\s*(\w+)\)$/.exec(k);
        if (!r) continue;
        if (!indInput.includes(v)) problems.push(`[INDIVIDUAL]: correlation ${v} is not in input`);
        for (const p of [r[1]!, r[2]!])
          if (!indDefs.has(p)) problems.push(`[INDIVIDUAL]: correlation names ${p}, which is not defined`);
      }
      continue;
    }
    const attrs = parseAttributes(value);
    individuals.set(name, attrs);
    const dist = attrs.get("distribution");
    if (!dist || !["normal", "logNormal", "logitNormal", "probitNormal"].includes(dist))
      problems.push(`[INDIVIDUAL]: ${name} has no valid distribution`);
    const typical = attrs.get("typical") ?? attrs.get("mean");
    if (!typical || !indInput.includes(typical))
      problems.push(`[INDIVIDUAL]: typical value of ${name} ('${typical}') is not in input`);
    const sd = attrs.get("sd") ?? attrs.get("var");
    if (sd !== undefined && !indInput.includes(sd))
      problems.push(`[INDIVIDUAL]: sd of ${name} ('${sd}') is not in input`);
    if (sd === undefined && !attrs.has("no-variability"))
      problems.push(`[INDIVIDUAL]: ${name} has neither sd= nor no-variability`);
    problems.push(...checkCovariateEffect(name, attrs, indInput, indCovariates, covariateNames.categories));
  }
  if (model) {
    for (const i of model.inputs)
      if (!model.regressors.includes(i) && !individuals.has(i))
        problems.push(`model input '${i}' is not defined in [INDIVIDUAL]`);
    for (const p of individuals.keys())
      if (!model.inputs.includes(p)) problems.push(`[INDIVIDUAL] defines ${p}, which the model does not take`);
  }

  // [LONGITUDINAL] observation model
  const longInput = parseList(assignments(longLines).get("input") ?? "{}");
  const obsDefs = assignments(longLines, "DEFINITION");
  for (const [name, value] of obsDefs) {
    const a = parseAttributes(value);
    const pred = a.get("prediction");
    if (!pred || (model && !model.outputs.includes(pred)))
      problems.push(`[LONGITUDINAL]: prediction of ${name} ('${pred}') is not a model output`);
    const em = /^(\w+)\((.*)\)$/.exec(a.get("errorModel") ?? "");
    if (!em) problems.push(`[LONGITUDINAL]: ${name} has no errorModel`);
    else
      for (const p of parseList(em[2]!))
        if (!longInput.includes(p)) problems.push(`[LONGITUDINAL]: error parameter ${p} is not in input`);
  }

  // <PARAMETER>: every population parameter, finite, with a method, inside its domain.
  const params = new Map<string, Map<string, string>>();
  for (const [k, v] of assignments(project.get("PARAMETER")?.get("") ?? [])) params.set(k, parseAttributes(v));
  const value = (name: string): number | undefined => {
    const p = params.get(name);
    if (!p) {
      problems.push(`<PARAMETER>: no initial value for ${name}`);
      return undefined;
    }
    const v = Number(p.get("value"));
    if (!Number.isFinite(v)) problems.push(`<PARAMETER>: ${name} has no finite value`);
    if (!METHODS.has(p.get("method") ?? "")) problems.push(`<PARAMETER>: ${name} has no valid method`);
    return v;
  };
  for (const name of [...indInput, ...longInput]) value(name);
  for (const k of params.keys())
    if (!indInput.includes(k) && !longInput.includes(k))
      problems.push(`<PARAMETER>: ${k} is not a population parameter`);
  for (const [name, a] of individuals) {
    const typical = params.get(a.get("typical") ?? "");
    const v = typical ? Number(typical.get("value")) : NaN;
    const dist = a.get("distribution");
    if (dist === "logNormal" && !(v > 0))
      problems.push(`<PARAMETER>: typical value of logNormal ${name} must be > 0 (is ${v})`);
    if (dist === "logitNormal") {
      const lo = Number(a.get("min") ?? 0);
      const hi = Number(a.get("max") ?? 1);
      if (!(v > lo && v < hi)) problems.push(`<PARAMETER>: typical value of ${name} must lie in (${lo}, ${hi})`);
    }
    const sd = a.get("sd");
    if (sd && !(Number(params.get(sd)?.get("value")) > 0)) problems.push(`<PARAMETER>: ${sd} must be > 0`);
  }
  for (const n of longInput)
    if (!(Number(params.get(n)?.get("value")) > 0)) problems.push(`<PARAMETER>: error parameter ${n} must be > 0`);
  for (const n of indInput)
    if (n.startsWith("corr_")) {
      const r = Number(params.get(n)?.get("value"));
      if (!(r > -1 && r < 1)) problems.push(`<PARAMETER>: correlation ${n} must lie in (-1, 1)`);
    }

  // Data file and <FIT>.
  const fileinfo = assignments(project.get("DATAFILE")?.get("FILEINFO") ?? []);
  const header = parseList(fileinfo.get("header") ?? "{}");
  const content = assignments(project.get("DATAFILE")?.get("CONTENT") ?? []);
  for (const c of content.keys()) if (!header.includes(c)) problems.push(`[CONTENT]: column ${c} is not in the header`);
  const dataFile = (fileinfo.get("file") ?? "").replace(/^'(.*)'$/, "$1");
  const csv = files[dir + dataFile];
  if (csv !== undefined) {
    const first = (csv.split(/\r?\n/, 1)[0] ?? "").split(",").map((h) => h.trim().replace(/^"(.*)"$/, "$1"));
    for (const h of header) if (!first.includes(h)) problems.push(`[FILEINFO]: column ${h} is not in ${dataFile}`);
    if (first.join(",") !== header.join(","))
      problems.push(`[FILEINFO]: header differs from the first line of ${dataFile}`);
  }
  const regressorColumns = [...content].filter(([, v]) => parseAttributes(v).get("use") === "regressor").length;
  if (model && regressorColumns !== model.regressors.length)
    problems.push(`data has ${regressorColumns} regressor columns, the model ${model.regressors.length} regressors`);
  let obsNames: string[] = [];
  for (const [, v] of content) {
    const a = parseAttributes(v);
    if (a.get("use") === "observation") obsNames = parseList(a.get("name") ?? "");
  }
  const fit = assignments(project.get("FIT")?.get("") ?? []);
  const fitData = parseList(fit.get("data") ?? "");
  const fitModel = parseList(fit.get("model") ?? "");
  if (fitData.length === 0 || fitData.length !== fitModel.length)
    problems.push("<FIT>: data and model lists differ in length");
  for (const d of fitData)
    if (!obsNames.includes(d)) problems.push(`<FIT>: data ${d} is not an observation name of the data file`);
  for (const m of fitModel) if (!obsDefs.has(m)) problems.push(`<FIT>: model ${m} is not defined in [LONGITUDINAL]`);
  return problems;
}

// A saved fit.json checked against the shape `nlme fit` writes before
// `nlme export` uses it: a corrupted or hand-edited file becomes a message
// naming the field, never a TypeError in the exporter or a project with a
// negative variance written silently.
import type { FitResult } from "../runtime/fit-result.js";
import { InputError } from "./exit.js";

class Bad extends Error {}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 60)}...` : s;
}

function bad(where: string, wanted: string, got: unknown): never {
  throw new Bad(`${where} must be ${wanted}, not ${show(got)}`);
}

function obj(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad(where, "an object", v);
  return v as Record<string, unknown>;
}

function finite(v: unknown, where: string, min?: number): number {
  if (typeof v !== "number" || !Number.isFinite(v)) bad(where, "a finite number", v);
  if (min !== undefined && v < min) bad(where, `a number >= ${min}`, v);
  return v;
}

function nullable(v: unknown, where: string, min?: number): void {
  if (v !== null) finite(v, where, min);
}

const ERRORS = ["constant", "proportional", "combined"];

function validate(value: unknown): FitResult {
  const fit = obj(value, "the file");
  if (typeof fit.model !== "string" || fit.model === "") bad("model", "the model's name", fit.model);
  const parameters = obj(fit.parameters, "parameters");
  if (Object.keys(parameters).length === 0 && fit.terms === undefined) throw new Bad("parameters is empty: the fit holds no estimates");
  for (const [name, p] of Object.entries(parameters)) {
    const e = obj(p, `parameters.${name}`);
    finite(e.estimate, `parameters.${name}.estimate`);
    if (e.se !== undefined) nullable(e.se, `parameters.${name}.se`, 0);
    if (e.omega !== undefined) nullable(e.omega, `parameters.${name}.omega`, 0);
  }
  for (const [name, r] of Object.entries(obj(fit.residual, "residual"))) {
    const e = obj(r, `residual.${name}`);
    if (!ERRORS.includes(e.error as string)) bad(`residual.${name}.error`, ERRORS.map((x) => `"${x}"`).join(" or "), e.error);
    if (e.a !== undefined && e.a !== null) finite(e.a, `residual.${name}.a`, 0);
    if (e.b !== undefined && e.b !== null) finite(e.b, `residual.${name}.b`, 0);
  }
  if (fit.omegaCorrelation !== undefined) {
    for (const [pair, r] of Object.entries(obj(fit.omegaCorrelation, "omegaCorrelation"))) {
      if (finite(r, `omegaCorrelation.${pair}`) < -1 || (r as number) > 1) bad(`omegaCorrelation.${pair}`, "a correlation in [-1, 1]", r);
    }
  } else fit.omegaCorrelation = {};
  if (fit.omega !== undefined) {
    const omega = obj(fit.omega, "omega");
    if (!Array.isArray(omega.names) || omega.names.some((n) => typeof n !== "string")) bad("omega.names", "a list of names", omega.names);
    const n = omega.names.length;
    if (!Array.isArray(omega.matrix) || omega.matrix.length !== n) bad("omega.matrix", `a ${n} x ${n} matrix`, omega.matrix);
    (omega.matrix as unknown[]).forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== n) bad(`omega.matrix[${i}]`, `a row of ${n} numbers`, row);
      row.forEach((x, j) => (i === j ? nullable(x, `omega.matrix[${i}][${j}]`, 0) : x === null || finite(x, `omega.matrix[${i}][${j}]`)));
    });
  } else fit.omega = { names: [], matrix: [] };
  if (fit.individual !== undefined) {
    for (const [id, values] of Object.entries(obj(fit.individual, "individual"))) {
      for (const [name, x] of Object.entries(obj(values, `individual.${id}`))) if (x !== null) finite(x, `individual.${id}.${name}`);
    }
  } else fit.individual = {};
  if (fit.terms !== undefined) {
    if (!Array.isArray(fit.terms)) bad("terms", "a list", fit.terms);
    fit.terms.forEach((t, i) => {
      const e = obj(t, `terms[${i}]`);
      if (typeof e.equation !== "string") bad(`terms[${i}].equation`, "a string", e.equation);
      if (typeof e.term !== "string") bad(`terms[${i}].term`, "a string", e.term);
      finite(e.estimate, `terms[${i}].estimate`);
      nullable(e.omega ?? null, `terms[${i}].omega`, 0);
    });
  }
  if (fit.quality !== undefined) {
    // Only the findings reach the exports (their warning header): check those.
    const quality = obj(fit.quality, "quality");
    if (!Array.isArray(quality.findings)) bad("quality.findings", "a list", quality.findings);
    (quality.findings as unknown[]).forEach((f, i) => {
      const e = obj(f, `quality.findings[${i}]`);
      for (const key of ["severity", "code", "message", "hint"]) if (typeof e[key] !== "string") bad(`quality.findings[${i}].${key}`, "a string", e[key]);
    });
  }
  if (fit.refined !== undefined) {
    // The exports start from the refined values when present: check what they read.
    const refined = obj(fit.refined, "refined");
    for (const [name, p] of Object.entries(obj(refined.parameters, "refined.parameters"))) {
      const e = obj(p, `refined.parameters.${name}`);
      finite(e.estimate, `refined.parameters.${name}.estimate`);
      nullable(e.omega ?? null, `refined.parameters.${name}.omega`, 0);
    }
    for (const [id, row] of Object.entries(obj(refined.individual, "refined.individual"))) {
      const r = obj(row, `refined.individual.${id}`);
      for (const key of ["mode", "mean"]) for (const [name, x] of Object.entries(obj(r[key], `refined.individual.${id}.${key}`))) finite(x, `refined.individual.${id}.${key}.${name}`);
    }
    for (const [name, r] of Object.entries(obj(refined.residual, "refined.residual"))) {
      const e = obj(r, `refined.residual.${name}`);
      if (typeof e.error !== "string") bad(`refined.residual.${name}.error`, "an error model name", e.error);
    }
    if (refined.omegaCorrelation !== undefined) obj(refined.omegaCorrelation, "refined.omegaCorrelation");
  }
  const settings = fit.settings === undefined ? {} : obj(fit.settings, "settings");
  for (const key of ["spec", "data"]) {
    if (settings[key] !== undefined && (typeof settings[key] !== "string" || settings[key] === "")) bad(`settings.${key}`, "a file path", settings[key]);
  }
  fit.settings = settings;
  if (fit.notes === undefined) fit.notes = [];
  if (fit.derived === undefined) fit.derived = {};
  if (fit.unidentifiable === undefined) fit.unidentifiable = [];
  return fit as unknown as FitResult;
}

/** Parse and check the text of a fit.json; `path` names it in messages. */
export function parseFitJson(text: string, path: string): FitResult {
  const help = "give the fit.json that `nlme fit --out DIR` wrote (or run the fit again)";
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path} is not valid JSON: ${(error as Error).message}`, help);
  }
  try {
    return validate(value);
  } catch (error) {
    if (error instanceof Bad) throw new InputError(`${path}: ${error.message}`, help);
    throw error;
  }
}

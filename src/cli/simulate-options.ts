// `nlme simulate`'s --params, --noise and --times checked against their
// schema before anything runs, so that every malformed value is a message
// naming the field, never a TypeError deep in the simulator or a silently
// different request (a string where a list belongs, noise given as a number).
// Hand-written rather than a schema library: the shapes are few and small,
// and the messages must name the model's own parameters and outputs.
import { existsSync } from "node:fs";
import type { DatasetSpec } from "../runtime/simulate/simulate-data.js";
import { UsageError } from "./exit.js";
import { readTextFile } from "./read-spec.js";

/** Rows of CSV past which the file would not fit in one string (and no fit would read it). */
export const MAX_ROWS = 20_000_000;

/**
 * Subjects per simulated file. Each is an ODE solve (about 36 us for a one-compartment model at one time, so a million
 * take half a minute); ten million ran for minutes with nothing to show for it.
 */
export const MAX_SUBJECTS = 1_000_000;
export const MAX_TIMES = 1_000_000;
/** Parameters, SDs and noise levels past this overflow once squared; no real model needs them. */
const MAX_MAGNITUDE = 1e100;

const PARAM_KEYS = ["theta", "omega", "re", "correlation", "x0", "times", "doses", "doseAmounts", "covariates", "noise", "digits"] as const;

type Json = unknown;

class Fail extends Error {}

function fail(where: string, wanted: string, got: Json): never {
  const shown = JSON.stringify(got) ?? String(got);
  throw new Fail(`${where} must be ${wanted}, not ${shown.length > 80 ? `${shown.slice(0, 80)}...` : shown}`);
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function object(v: Json, where: string): Record<string, Json> {
  if (!isObject(v)) fail(where, "an object", v);
  return v;
}

function number(v: Json, where: string, opts: { min?: number; integer?: boolean } = {}): number {
  if (typeof v !== "number" || !Number.isFinite(v)) fail(where, "a finite number", v);
  if (Math.abs(v) > MAX_MAGNITUDE) fail(where, "a number of moderate size (within ±1e100)", v);
  if (opts.min !== undefined && v < opts.min) fail(where, `a number >= ${opts.min}`, v);
  if (opts.integer && !Number.isInteger(v)) fail(where, "a whole number", v);
  return v;
}

function numbers(v: Json, where: string, opts: { min?: number } = {}): Record<string, number> {
  const o = object(v, where);
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, number(x, `${where}.${k}`, opts)]));
}

function list(v: Json, where: string): Json[] {
  if (!Array.isArray(v)) fail(where, "a list", v);
  return v;
}

function reKind(v: Json, where: string): "additive" | "lognormal" {
  if (v !== "additive" && v !== "lognormal") fail(where, `"additive" or "lognormal"`, v);
  return v;
}

/** A JSON option: inline (starts with `{`) or the name of a file holding it. */
export function readJsonOption(text: string, flag: string, example: string): Json {
  const trimmed = text.trim();
  let source = text;
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) {
    if (existsSync(text)) source = readTextFile(text, `${flag} JSON`, 10_000_000, "give a small JSON object");
    else {
      // `null`, `5`, `"x"`: JSON, but not an object; anything else is a file that is not there.
      try {
        return JSON.parse(text) as Json;
      } catch {
        throw new UsageError(`${flag} '${text.slice(0, 80)}' is neither a JSON object nor a file`, `give a JSON object or a file holding one, e.g. ${flag} '${example}'`);
      }
    }
  }
  try {
    return JSON.parse(source) as Json;
  } catch (error) {
    throw new UsageError(`${flag} is not valid JSON: ${(error as Error).message}`, `give a JSON object or a file holding one, e.g. ${flag} '${example}'`);
  }
}

export type SimulateParams = Omit<DatasetSpec, "times" | "noise" | "subjects" | "seed"> & { times?: number[]; noise?: NoiseSpec };
export type NoiseSpec = Record<string, { a?: number; b?: number }>;

function guard<T>(flag: string, help: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof Fail) throw new UsageError(`${flag}: ${error.message}`, help);
    throw error;
  }
}

const PARAMS_HELP = `the fields are theta {name: value} (required), omega {name: SD >= 0}, re "additive"|"lognormal" (or per name), correlation [[name, name, rho], ...], x0 {state: value}, doses [{"time": t, "amount": a}, or with "ss": 1, "ii": interval for a steady-state dose], doseAmounts {state: [a, ...]}, covariates {name: value or [one per subject]}, times, noise, digits`;

export function parseParams(value: Json): SimulateParams {
  return guard("--params", PARAMS_HELP, () => {
    const o = object(value, "the value");
    const unknown = Object.keys(o).filter((k) => !(PARAM_KEYS as readonly string[]).includes(k));
    if (unknown.length > 0) throw new Fail(`unknown field ${unknown.map((k) => `'${k.slice(0, 40)}'`).join(", ")}`);
    if (o.theta === undefined) throw new Fail("`theta` is missing: give every parameter's population value");
    const out: SimulateParams = { theta: numbers(o.theta, "theta") };
    if (o.omega !== undefined) out.omega = numbers(o.omega, "omega", { min: 0 });
    if (o.re !== undefined) {
      out.re = typeof o.re === "string" ? reKind(o.re, "re") : Object.fromEntries(Object.entries(object(o.re, "re")).map(([k, v]) => [k, reKind(v, `re.${k}`)]));
    }
    if (o.correlation !== undefined) {
      out.correlation = list(o.correlation, "correlation").map((entry, i) => {
        const where = `correlation[${i}]`;
        const e = list(entry, where);
        if (e.length !== 3 || typeof e[0] !== "string" || typeof e[1] !== "string") fail(where, `[name, name, rho]`, entry);
        const rho = number(e[2], `${where}[2]`);
        if (!(Math.abs(rho) < 1)) fail(`${where}[2]`, "a correlation in (-1, 1)", rho);
        return [e[0], e[1], rho] as [string, string, number];
      });
    }
    if (o.x0 !== undefined) out.x0 = numbers(o.x0, "x0");
    if (o.times !== undefined) out.times = list(o.times, "times").map((t, i) => number(t, `times[${i}]`, { min: 0 }));
    if (o.doses !== undefined) {
      out.doses = list(o.doses, "doses").map((d, i) => {
        const e = object(d, `doses[${i}]`);
        const dose = { time: number(e.time, `doses[${i}].time`, { min: 0 }), amount: number(e.amount, `doses[${i}].amount`) };
        // NONMEM's SS = 1 with II: the state before this dose is the steady state of it every II.
        if (e.ss === undefined || e.ss === 0) return dose;
        if (e.ss !== 1) fail(`doses[${i}].ss`, "1 (steady state) or 0", e.ss);
        if (e.ii === undefined) fail(`doses[${i}].ii`, "the dosing interval (a positive number) with ss = 1", e.ii);
        return { ...dose, steadyState: { interval: number(e.ii, `doses[${i}].ii`, { min: Number.MIN_VALUE }) } };
      });
    }
    if (o.doseAmounts !== undefined) {
      out.doseAmounts = Object.fromEntries(Object.entries(object(o.doseAmounts, "doseAmounts")).map(([k, v]) => [k, list(v, `doseAmounts.${k}`).map((x, i) => number(x, `doseAmounts.${k}[${i}]`))]));
    }
    if (o.covariates !== undefined) {
      out.covariates = Object.fromEntries(
        Object.entries(object(o.covariates, "covariates")).map(([k, v]) => [k, Array.isArray(v) ? v.map((x, i) => number(x, `covariates.${k}[${i}]`)) : number(v, `covariates.${k}`)]),
      );
    }
    if (o.noise !== undefined) out.noise = noiseOf(o.noise, "noise");
    if (o.digits !== undefined) {
      const d = number(o.digits, "digits", { min: 1, integer: true });
      if (d > 17) fail("digits", "at most 17 (double precision)", d);
      out.digits = d;
    }
    return out;
  });
}

function noiseOf(value: Json, where: string): NoiseSpec {
  const at = (output: string) => (where === "" ? output : `${where}.${output}`);
  return Object.fromEntries(
    Object.entries(object(value, where || "the value")).map(([output, e]) => {
      const entry = object(e, at(output));
      const extra = Object.keys(entry).filter((k) => k !== "a" && k !== "b");
      if (extra.length > 0) throw new Fail(`${at(output)}: unknown field '${extra[0]!.slice(0, 40)}' (a is the additive SD, b the proportional one)`);
      const out: { a?: number; b?: number } = {};
      if (entry.a !== undefined) out.a = number(entry.a, `${at(output)}.a`, { min: 0 });
      if (entry.b !== undefined) out.b = number(entry.b, `${at(output)}.b`, { min: 0 });
      return [output, out];
    }),
  );
}

export function parseNoise(value: Json): NoiseSpec {
  return guard("--noise", `give {output: {"a": additive SD, "b": proportional SD}}, e.g. --noise '{"prey": {"b": 0.05}}'; {} is noise-free`, () => noiseOf(value, ""));
}

const TIMES_HELP = "give a list (0,1,2.5,10) or a range START:END:STEP (0:20:0.5), times >= 0";

/** `0,1,2.5` or `START:END:STEP`, every time finite and >= 0, at most MAX_TIMES of them. */
export function parseTimes(text: string): number[] {
  const bad = (why: string): never => {
    throw new UsageError(`bad --times '${text.slice(0, 80)}': ${why}`, TIMES_HELP);
  };
  if (text.trim() === "") bad("it is empty");
  const parts = text.split(":");
  let times: number[];
  if (parts.length === 3) {
    const [start, end, step] = parts.map((p) => (p.trim() === "" ? NaN : Number(p)));
    if (![start, end, step].every((x) => Number.isFinite(x))) bad("START, END and STEP must be numbers");
    if (!(step! > 0)) bad("STEP must be positive");
    if (end! < start!) bad("END is before START");
    const count = Math.floor((end! - start!) / step! + 1e-9) + 1;
    if (count > MAX_TIMES) bad(`that is ${count.toExponential(2)} times; at most ${MAX_TIMES} are allowed`);
    times = Array.from({ length: count }, (_, i) => start! + i * step!);
  } else if (parts.length === 1) {
    const items = text.split(",");
    if (items.some((s) => s.trim() === "")) bad("an entry is empty");
    if (items.length > MAX_TIMES) bad(`at most ${MAX_TIMES} times are allowed`);
    times = items.map(Number);
    if (times.some((t) => !Number.isFinite(t))) bad("every entry must be a number");
  } else {
    return bad("a range has three parts, START:END:STEP");
  }
  if (times.some((t) => t < 0)) bad("times must be >= 0 (the simulation starts at 0)");
  if (times.some((t) => t > MAX_MAGNITUDE)) bad("times must be of moderate size (within 1e100)");
  return times;
}

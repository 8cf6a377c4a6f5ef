// The fuzz classes: each is a fast-check arbitrary of recipes and a function
// that turns one recipe into files in a fresh directory and the `nlme`
// arguments to run on them. Paths an option writes to always lie inside that
// directory, so no case can touch the repository.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import fc from "fast-check";
import type { FuzzCase } from "./harness.js";

export const root = resolve(import.meta.dirname, "../..");
const read = (p: string) => readFileSync(join(root, p), "utf8");

export interface FuzzClass<R> {
  name: string;
  arbitrary: fc.Arbitrary<R>;
  build(recipe: R, dir: string): FuzzCase;
}

// ---------------------------------------------------------------- text edits

/** undefined `odds` times out of odds + 1. */
const rarely = <T>(arb: fc.Arbitrary<T>, odds: number) => fc.oneof({ weight: odds, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });

const SNIPPETS = [
  "(", ")", "{", "}", "[", "]", "exp(", "^", "-", "+", "*", "/", "=", "~", ",", ":", ".", "..", "\u0000", "\ufeff", "é", "𝛼", "\u202e",
  '"', "#", "\n", "\t", "\r\n", " ", "model", "model m", "time t", "states {", "parameters {", "observe {", "dynamics {", "derived {",
  "constants {", "doses {", "latent", "~ random", "~ fixed", "~ proportional", "d/dt", "for i in 1..1000000", "for i in 1..3",
  "penalty lasso(W, lambda = cv)", "dictionary Phi = polynomial(g, degree = 9)", "1e309", "1e-400", "NaN", "0/0", "1/0",
  "since_dose", "amt", "+= unknown", "[1, 2]", "g[0]", "g[-1]", "x(0) = 1", "\\", "`", "@", "$", "💥",
];

export type TextEdit =
  | { op: "delete"; at: number; len: number }
  | { op: "insert"; at: number; text: string }
  | { op: "repeat"; at: number; text: string; times: number }
  | { op: "duplicate"; at: number; len: number }
  | { op: "truncate"; at: number };

const snippet = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SNIPPETS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12, unit: "binary" }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12, unit: "grapheme" }) },
);

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text: snippet }),
  fc.record({ op: fc.constant("repeat" as const), at: fc.nat(), text: fc.constantFrom("exp(", "(", "-", " + C", " + q*C", "log(", "C^", "{", "a = 1\n", "#x\n", "é"), times: fc.integer({ min: 2, max: 3000 }) }),
  fc.record({ op: fc.constant("duplicate" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
);

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let s = text;
  for (const e of edits) {
    const at = s.length === 0 ? 0 : e.at % (s.length + 1);
    if (e.op === "delete") s = s.slice(0, at) + s.slice(at + e.len);
    else if (e.op === "insert") s = s.slice(0, at) + e.text + s.slice(at);
    else if (e.op === "repeat") s = s.slice(0, at) + e.text.repeat(e.times) + s.slice(at);
    else if (e.op === "duplicate") s = s.slice(0, at) + s.slice(at, at + e.len) + s.slice(at);
    else s = s.slice(0, at);
  }
  return s;
}

// ---------------------------------------------------------------- spec text

const SPECS = readdirSync(join(root, "specs")).filter((f) => f.endsWith(".nlme")).sort();
/** Data a spec can be fitted to quickly, for the mutated specs that still check. */
const QUICK_DATA: Record<string, string> = { "logistic.nlme": "data/orange.csv", "pk_oral.nlme": "data/pk_oral.csv" };

interface SpecRecipe {
  base: string;
  edits: TextEdit[];
  command: "check" | "check-json" | "fmt" | "compile" | "fit" | "simulate";
}

export const specText: FuzzClass<SpecRecipe> = {
  name: "spec text",
  arbitrary: fc.record({
    base: fc.constantFrom(...SPECS),
    edits: fc.array(textEdit, { minLength: 1, maxLength: 4 }),
    command: fc.constantFrom("check", "check", "check", "check-json", "fmt", "fmt", "compile", "fit", "fit", "simulate"),
  }),
  build(r, dir) {
    const spec = join(dir, "model.nlme");
    writeFileSync(spec, applyEdits(read(`specs/${r.base}`), r.edits));
    const out = join(dir, "out");
    const data = QUICK_DATA[r.base] ?? "data/orange.csv";
    switch (r.command) {
      case "check":
        return { args: ["check", spec] };
      case "check-json":
        return { args: ["check", "--format", "json", spec] };
      case "fmt":
        return { args: ["fmt", spec] };
      case "compile":
        return { args: ["compile", spec, "--out", out], out, limit: 20 };
      case "fit":
        return { args: ["fit", spec, "--data", join(root, data), "--out", out], out, limit: 30 };
      case "simulate":
        return { args: ["simulate", spec, "--params", '{"theta": {"r": 0.003, "q": 0.00001, "ka": 1, "ka_over_V": 0.1, "ke": 0.2}}', "--times", "0:100:10", "--subjects", "2", "--out", join(out, "x.csv")], out, limit: 20 };
    }
  },
};

// ---------------------------------------------------------------- CSV text

const CELLS = ["", ".", "NA", "-1", "-0", "0", "1e300", "-1e300", "1e12", "1e-300", "abc", "1,5", "Infinity", "NaN", "2", "1e99", "118", '"', '"a,b"', "😀", "9".repeat(400), "0x10", " 3 ", "circumference", "conc", "1", "-5"];

type CsvEdit =
  | { op: "cell"; row: number; col: number; value: string }
  | { op: "dropRow"; row: number }
  | { op: "dupRow"; row: number }
  | { op: "swapRows"; a: number; b: number }
  | { op: "dropCol"; col: number }
  | { op: "scaleCol"; col: number; factor: number }
  | { op: "text"; edit: TextEdit };

const csvEdit: fc.Arbitrary<CsvEdit> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("cell" as const), row: fc.nat(), col: fc.nat(), value: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...CELLS) }, { weight: 3, arbitrary: fc.double({ min: -10, max: 1e4, noNaN: true }).map(String) }, { weight: 1, arbitrary: fc.double().map(String) }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("dropRow" as const), row: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("dupRow" as const), row: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("swapRows" as const), a: fc.nat(), b: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("dropCol" as const), col: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("scaleCol" as const), col: fc.nat(), factor: fc.constantFrom(-1, 0, 1e-300, 1e12, 1e300, 1e50, -1e12) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("text" as const), edit: textEdit }) },
);

function applyCsvEdits(text: string, edits: readonly CsvEdit[]): string {
  let rows = text.split("\n").filter((l) => l !== "").map((l) => l.split(","));
  for (const e of edits) {
    const n = rows.length;
    if (n === 0) break;
    if (e.op === "cell") {
      const row = rows[1 + (e.row % Math.max(1, n - 1))] ?? rows[0]!;
      if (row.length > 0) row[e.col % row.length] = e.value;
    } else if (e.op === "dropRow") rows.splice(e.row % n, 1);
    else if (e.op === "dupRow") rows.splice(e.row % n, 0, [...rows[e.row % n]!]);
    else if (e.op === "swapRows") [rows[e.a % n], rows[e.b % n]] = [rows[e.b % n]!, rows[e.a % n]!];
    else if (e.op === "dropCol") rows = rows.map((r) => r.filter((_, i) => i !== e.col % Math.max(1, rows[0]!.length)));
    else if (e.op === "scaleCol") {
      const c = e.col % Math.max(1, rows[0]!.length);
      rows = rows.map((r, i) => (i === 0 || !Number.isFinite(Number(r[c])) || r[c] === "" ? r : r.map((x, j) => (j === c ? String(Number(x) * e.factor) : x))));
    } else rows = applyEdits(rows.map((r) => r.join(",")).join("\n"), [e.edit]).split("\n").map((l) => l.split(","));
  }
  return rows.map((r) => r.join(",")).join("\n") + "\n";
}

const CSV_BASES = [
  { spec: "specs/logistic.nlme", data: "data/orange.csv" },
  { spec: "specs/logistic.nlme", data: "data/logistic.csv" },
  { spec: "specs/pk_oral.nlme", data: "data/pk_oral.csv" },
];

interface CsvRecipe {
  base: number;
  edits: CsvEdit[];
  bom: boolean;
  json: boolean;
  columns?: string;
}

export const csvText: FuzzClass<CsvRecipe> = {
  name: "CSV text",
  arbitrary: fc.record({
    base: fc.nat({ max: CSV_BASES.length - 1 }),
    edits: fc.array(csvEdit, { minLength: 1, maxLength: 2 }),
    bom: fc.boolean(),
    json: fc.boolean(),
    columns: rarely(fc.constantFrom("TIME=time", "DV=TIME", "TIME=TIME,DV=DV", "ID=ID=x", "=", ",", "dv=DV", "OBSID=ID"), 6),
  }),
  build(r, dir) {
    const base = CSV_BASES[r.base]!;
    const csv = join(dir, "data.csv");
    writeFileSync(csv, (r.bom ? "\ufeff" : "") + applyCsvEdits(read(base.data), r.edits));
    const out = join(dir, "out");
    return {
      args: ["fit", join(root, base.spec), "--data", csv, "--out", out, ...(r.json ? ["--json"] : []), ...(r.columns ? ["--columns", r.columns] : [])],
      out,
      limit: 30,
    };
  },
};

// ---------------------------------------------------------------- fit.json

type JsonEdit = { path: number[]; action: "set"; value: unknown } | { path: number[]; action: "delete" };

const JSON_VALUES: unknown[] = [null, "big", -1, 0, 1e308, -1e308, [], {}, true, "", 123, [1, 2], { a: 1 }, "circumference", 0.5, 2];

interface FitJsonRecipe {
  edits: JsonEdit[];
  text: TextEdit[];
  target: "monolix" | "nlmixr2";
  withSpec: boolean;
  bom: boolean;
}

function pick(value: unknown, path: readonly number[]): { parent: Record<string, unknown> | unknown[]; key: string | number } | undefined {
  let parent: unknown = undefined;
  let key: string | number = "";
  let node: unknown = value;
  for (const step of path) {
    if (typeof node !== "object" || node === null) break;
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    parent = node;
    key = Array.isArray(node) ? step % node.length : keys[step % keys.length]!;
    node = (node as Record<string | number, unknown>)[key];
  }
  return parent === undefined ? undefined : { parent: parent as Record<string, unknown>, key };
}

export function fitJsonClass(baseFitJson: string): FuzzClass<FitJsonRecipe> {
  return {
    name: "fit.json",
    arbitrary: fc.record({
      edits: fc.array(
        fc.oneof(
          fc.record({ path: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), action: fc.constant("set" as const), value: fc.oneof(fc.constantFrom(...JSON_VALUES), fc.jsonValue({ maxDepth: 2 })) }),
          fc.record({ path: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), action: fc.constant("delete" as const) }),
        ),
        { maxLength: 3 },
      ),
      text: fc.array(textEdit, { maxLength: 1 }),
      target: fc.constantFrom("monolix" as const, "nlmixr2" as const),
      withSpec: fc.boolean(),
      bom: fc.boolean(),
    }),
    build(r, dir) {
      const fit = JSON.parse(baseFitJson) as Record<string, unknown>;
      for (const e of r.edits) {
        const at = pick(fit, e.path);
        if (!at) continue;
        if (e.action === "delete") {
          if (Array.isArray(at.parent)) at.parent.splice(at.key as number, 1);
          else delete at.parent[at.key as string];
        } else (at.parent as Record<string | number, unknown>)[at.key] = e.value;
      }
      const path = join(dir, "fit.json");
      writeFileSync(path, (r.bom ? "\ufeff" : "") + applyEdits(JSON.stringify(fit, null, 2), r.text));
      const out = join(dir, "out");
      return { args: ["export", r.target, path, "--out", out, ...(r.withSpec ? ["--spec", join(root, "specs/logistic.nlme")] : [])], out, limit: 20 };
    },
  };
}

// ---------------------------------------------------------------- CLI options

interface CliRecipe {
  command: string;
  args: string[];
}

/** Names a case resolves into paths of its own directory: {dir} is replaced when the case is built. */
const PATHS = ["{dir}/model.nlme", "{dir}/missing.nlme", "{dir}", "{dir}/fifo", "/dev/null", "/dev/zero", "{dir}/loop", "{dir}/empty.nlme", "{dir}/file", "{dir}/big.nlme", "{dir}/data.csv"];
const OUTS = ["{dir}/out", "", " ", "{dir}/file", "{dir}/file/sub", "/proc/nlme-x", "/dev/null", "{dir}", "{dir}/" + "n".repeat(300), "{dir}/new/deeper/out"];
const VALUES = ["", "0", "-1", "1e9", "abc", "null", "{}", "{", "[]", "0:10:1", "0:1e9:1", "0,,2", "text", "json", "xml", "TIME=time", "=", "N2001", "n2001", "N9999", "9".repeat(30), "\u0000", "é", "--", "-"];
const FLAGS = ["--out", "--data", "--json", "--report", "--columns", "--format", "--check", "--params", "--times", "--seed", "--subjects", "--noise", "--reweight", "--spec", "--no-color", "--bogus", "-x", "--help", "--version"];

const token = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FLAGS) },
  { weight: 3, arbitrary: fc.constantFrom(...PATHS) },
  { weight: 2, arbitrary: fc.constantFrom(...VALUES) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);

export const cliOptions: FuzzClass<CliRecipe> = {
  name: "CLI options",
  arbitrary: fc.record({
    command: fc.constantFrom("check", "fmt", "compile", "fit", "simulate", "export", "explain", "bogus", "", "--help"),
    args: fc.array(token, { maxLength: 6 }),
  }),
  build(r, dir) {
    writeFileSync(join(dir, "model.nlme"), read("specs/logistic.nlme"));
    writeFileSync(join(dir, "empty.nlme"), "");
    writeFileSync(join(dir, "file"), "not a directory\n");
    writeFileSync(join(dir, "big.nlme"), "# x\n".repeat(100_000));
    writeFileSync(join(dir, "data.csv"), read("data/orange.csv"));
    execFileSync("mkfifo", [join(dir, "fifo")]);
    symlinkSync(join(dir, "loop"), join(dir, "loop"));
    const fill = (s: string) => s.replaceAll("{dir}", dir);
    // Every path a command may write is one of ours: after --out, and compile's default (generated/) is never used.
    const args: string[] = [];
    for (let i = 0; i < r.args.length; i++) {
      const a = fill(r.args[i]!);
      args.push(a);
      if (a === "--out") {
        const next = r.args[i + 1];
        args.push(fill(next !== undefined && OUTS.includes(next) ? next : OUTS[i % OUTS.length]!));
        i++;
      }
    }
    if (r.command === "compile" && !args.includes("--out")) args.push("--out", join(dir, "gen"));
    if (r.command === "fmt") for (let i = 0; i < args.length; i++) if (args[i]!.startsWith("/dev") || !args[i]!.startsWith(dir)) args[i] = join(dir, "model.nlme");
    return { args: r.command === "" ? args : [r.command, ...args], limit: 30 };
  },
};

// ---------------------------------------------------------------- simulate parameters

const bad = fc.constantFrom<unknown>(null, "1", [], {}, true, "x", 1e308, -1e308, 1e-320, 1e100, -1, 0, Number.MAX_SAFE_INTEGER);
/** Mostly what a user would type, sometimes something else. */
const maybe = (good: fc.Arbitrary<unknown>) => fc.oneof({ weight: 40, arbitrary: good }, { weight: 1, arbitrary: bad }, { weight: 1, arbitrary: fc.double() });

const THETA: Record<string, Record<string, number>> = {
  "specs/logistic.nlme": { r: 0.003, q: 0.00001 },
  "specs/pk_oral.nlme": { ka: 1.2, ka_over_V: 0.08, ke: 0.15 },
};
const X0: Record<string, Record<string, number>> = { "specs/logistic.nlme": { C: 30 }, "specs/pk_oral.nlme": {} };

function paramsFor(spec: string): fc.Arbitrary<unknown> {
  const theta = THETA[spec]!;
  const names = Object.keys(theta);
  return fc.record(
    {
      theta: fc.oneof({ weight: 9, arbitrary: fc.record(Object.fromEntries(names.map((n) => [n, maybe(fc.constant(theta[n]!))]))) }, { weight: 1, arbitrary: fc.record(Object.fromEntries(names.map((n) => [n, maybe(fc.constant(theta[n]!))])), { requiredKeys: [] }) }),
      omega: fc.record(Object.fromEntries([...names, "zz"].map((n) => [n, maybe(fc.constantFrom(0, 0.1, 0.3, 2))])), { requiredKeys: [] }),
      re: fc.oneof(fc.constantFrom<unknown>("additive", "lognormal", "other"), fc.record({ [names[0]!]: fc.constantFrom<unknown>("lognormal", "x") })),
      correlation: fc.oneof(fc.constant([[names[0], names[1], 0.5]]), fc.constant([1, 2]), fc.constant([[names[0], names[0], 0.1]]), fc.constant([[names[0], names[1], 2]])),
      x0: fc.oneof({ weight: 9, arbitrary: fc.constant<unknown>(X0[spec]) }, { weight: 1, arbitrary: fc.record({ C: maybe(fc.constant(1)), Ad: maybe(fc.constant(0)), X: fc.constant(1) }, { requiredKeys: [] }) }),
      doses: fc.array(fc.record({ time: maybe(fc.constantFrom(0, 1, 12)), amount: maybe(fc.constantFrom(4, 100)) }), { minLength: 1, maxLength: 3 }),
      times: fc.oneof(fc.constant<unknown>("0,1"), fc.array(maybe(fc.constantFrom(0, 1, 5, 24)), { minLength: 1, maxLength: 4 })),
      digits: maybe(fc.constantFrom(3, 6)),
      extra: fc.constant(1),
    },
    { requiredKeys: ["theta"] },
  ).chain((p) => fc.record({ keep: fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }) }).map(({ keep }) => ({ p, keep }))).map(({ p, keep }) => {
    // Each optional field is left out most of the time (so many cases are valid requests); x0 and doses stay.
    const o = p as Record<string, unknown>;
    ["omega", "re", "correlation", "times", "digits", "extra"].forEach((k, i) => {
      if (keep[i] || keep[i + 1] || keep[i + 2]) delete o[k];
    });
    if (!("x0" in o)) o.x0 = X0[spec];
    if (spec.includes("pk_oral") && !("doses" in o)) o.doses = [{ time: 0, amount: 4 }];
    return o;
  });
}

interface SimRecipe {
  params: unknown;
  raw?: string;
  times?: string;
  noise?: unknown;
  subjects?: string;
  seed?: string;
  spec: string;
}

export const simulateParams: FuzzClass<SimRecipe> = {
  name: "simulate params",
  arbitrary: fc.constantFrom("specs/logistic.nlme", "specs/pk_oral.nlme").chain((spec) =>
    fc.record(
      {
        spec: fc.constant(spec),
        params: fc.oneof({ weight: 8, arbitrary: paramsFor(spec) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) }),
        raw: rarely(fc.constantFrom("null", "{", "[]", "{} x", "", "nofile.json", '{"theta": {"r": 1e999}}'), 15),
        times: fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 6, arbitrary: fc.oneof({ weight: 12, arbitrary: fc.constantFrom("0:10:1", "0,1,2,5,24", "0:100:10") }, { weight: 3, arbitrary: fc.constantFrom("0:10:0", "0:1e9:1", "0,,2", "", "1,2,x", "-1,2", "10:0:1", "0:10:-1", "0:1:1:1", "1e308", "0,5,1e12", "5") }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }) }),
        noise: rarely(
          fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom<unknown>({}, { circumference: { b: 0.05 } }, { conc: { a: 0.1, b: 0.1 } }) },
            { weight: 2, arbitrary: fc.constantFrom<unknown>({ circumference: 5 }, { circumference: { a: 1e308 } }, { circumference: { a: -1 } }, { prey: { b: 1 } }, { conc: { b: 0.1, c: 1 } }, null, "x") },
            { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
          ),
          1,
        ),
        subjects: rarely(fc.constantFrom("1", "3", "0", "-2", "1.5", "abc", "1e3", "10000000", ""), 4),
        seed: rarely(fc.constantFrom("1", "-1", "x", "1.5", "99999999999999999999"), 4),
      },
    ),
  ),
  build(r, dir) {
    const out = join(dir, "sim.csv");
    const args = ["simulate", join(root, r.spec), "--params", r.raw ?? JSON.stringify(r.params) ?? "null", "--out", out];
    if (r.times !== undefined) args.push("--times", r.times);
    if (r.noise !== undefined) args.push("--noise", JSON.stringify(r.noise) ?? "null");
    args.push("--subjects", r.subjects ?? "2");
    if (r.seed !== undefined) args.push("--seed", r.seed);
    mkdirSync(dir, { recursive: true });
    return { args, out, limit: 20 };
  },
};

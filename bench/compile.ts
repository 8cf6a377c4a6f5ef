// Compile time per spec: front end (parse, check, lower), emission (structure
// printing) and prettier, in process after one warm-up pass (module loading
// and JIT are reported separately as `coldMs`), and `nlme compile` end to end
// in a fresh process when the CLI exists. Target: < 1.5 s per spec.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CompiledModel } from "../src/runtime/model.js";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const REPEATS = 5;

interface SpecTiming {
  spec: string;
  states: number;
  parameters: number;
  bytes: number;
  lines: number;
  /** First compile in this process: includes loading the compiler, ts-morph and prettier. */
  coldMs: number;
  /** Medians over the warm repeats. */
  analyseMs: number;
  printMs: number;
  formatMs: number;
  totalMs: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const round = (x: number): number => Math.round(x * 10) / 10;

export async function benchCompile(): Promise<object> {
  const t0 = performance.now();
  const { analyse } = await import("../src/front-end.js");
  const { emitModule, printModule } = await import("../src/codegen/emit-module.js");
  const loadMs = performance.now() - t0;
  const specs = readdirSync(join(REPO, "specs"))
    .filter((f) => f.endsWith(".nlme"))
    .sort();

  const perSpec: SpecTiming[] = [];
  for (const file of specs) {
    const path = `specs/${file}`;
    const text = readFileSync(join(REPO, path), "utf8");
    const compile = async (): Promise<{ analyse: number; print: number; format: number; out: string; ir: NonNullable<ReturnType<typeof analyse>["ir"]> }> => {
      const a = performance.now();
      const ir = analyse(text, path).ir;
      if (!ir) throw new Error(`${path} has errors`);
      const b = performance.now();
      await printModule(ir, { source: path });
      const c = performance.now();
      const out = await emitModule(ir, { source: path });
      const d = performance.now();
      // emitModule prints again before formatting: formatting is its time minus one print.
      return { analyse: b - a, print: c - b, format: d - c - (c - b), out, ir };
    };
    const c0 = performance.now();
    const first = await compile();
    const coldMs = performance.now() - c0;
    const runs = [];
    for (let r = 0; r < REPEATS; r++) runs.push(await compile());
    const analyseMs = median(runs.map((r) => r.analyse));
    const printMs = median(runs.map((r) => r.print));
    const formatMs = median(runs.map((r) => Math.max(0, r.format)));
    perSpec.push({
      spec: path,
      states: first.ir.states.length,
      parameters: first.ir.parameters.length,
      bytes: first.out.length,
      lines: first.out.split("\n").length,
      coldMs: round(coldMs),
      analyseMs: round(analyseMs),
      printMs: round(printMs),
      formatMs: round(formatMs),
      totalMs: round(median(runs.map((r) => r.analyse + r.print + r.format + r.print))),
    });
  }

  const cli = cliEndToEnd(specs.map((f) => `specs/${f}`));
  return {
    targetMsPerSpec: 1500,
    moduleLoadMs: round(loadMs),
    repeats: REPEATS,
    perSpec,
    worstWarmMs: Math.max(...perSpec.map((s) => s.totalMs)),
    generatedCallNs: await callCosts(specs.map((f) => f.replace(/\.nlme$/, ""))),
    ...(cli ? { cli } : {}),
  };
}

/** Nanoseconds per call of the committed generated/ functions the estimator calls per quadrature node. */
async function callCosts(models: string[]): Promise<Record<string, Record<string, number> | { error: string }>> {
  const out: Record<string, Record<string, number> | { error: string }> = {};
  for (const name of models) {
    const path = join(REPO, "generated", `${name}.ts`);
    if (!existsSync(path)) continue;
    let model: CompiledModel;
    try {
      ({ model } = (await import(pathToFileURL(path).href)) as { model: CompiledModel });
    } catch (error) {
      // generated/ imports the runtime; report rather than abort the whole bench when it cannot load.
      out[name] = { error: String((error as Error).message ?? error) };
      continue;
    }
    const d = model.nStates;
    const p = model.nParams;
    const x = Float64Array.from({ length: d }, (_, i) => 0.5 + 0.1 * i);
    const env = { sinceDose: 1.5, dose: 1, cov: new Float64Array(model.meta.covariates.length).fill(1) };
    const theta = new Float64Array(p).fill(0.1);
    const buffers = { Theta: new Float64Array(d * p), c: new Float64Array(d), J: new Float64Array(d * p * d), Jc: new Float64Array(d * d), f: new Float64Array(d) };
    // Time-boxed: ~150 ms of warm-up (so V8 optimises even the long bodies), then ~150 ms measured.
    const time = (call: (t: number) => void): number => {
      const batch = (ms: number): number => {
        let n = 0;
        const t0 = performance.now();
        while (performance.now() - t0 < ms) for (let i = 0; i < 100; i++, n++) call(n * 1e-6);
        return ((performance.now() - t0) * 1e6) / n;
      };
      batch(150);
      return round(batch(150));
    };
    out[name] = {
      dictionary: time((t) => model.dictionary(x, t, env, buffers.Theta)),
      drift: time((t) => model.drift(x, t, env, buffers.c)),
      dictionaryJacobian: time((t) => model.dictionaryJacobian(x, t, env, buffers.J)),
      observedDictionary: time((t) => model.observedDictionary(x, t, env, buffers.Theta)),
      rhs: time((t) => model.rhs(x, theta, t, env, buffers.f)),
    };
  }
  return out;
}

/** `tsx src/cli/main.ts compile SPEC --out TMP`, one fresh process per spec (includes Node and tsx start-up). */
function cliEndToEnd(specs: string[]): object | undefined {
  const main = join(REPO, "src/cli/main.ts");
  const tsx = join(REPO, "node_modules/.bin/tsx");
  if (!existsSync(main) || !existsSync(tsx)) return undefined;
  const out = mkdtempSync(join(tmpdir(), "nlme-bench-compile-"));
  try {
    const perSpec = specs.map((spec) => {
      const t = performance.now();
      const r = spawnSync(tsx, [main, "compile", spec, "--out", out], { cwd: REPO, encoding: "utf8" });
      return { spec, ms: round(performance.now() - t), exitCode: r.status };
    });
    const t = performance.now();
    const all = spawnSync(tsx, [main, "compile", ...specs, "--out", out], { cwd: REPO, encoding: "utf8" });
    return { perSpec, allSpecsMs: round(performance.now() - t), allSpecsExitCode: all.status };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

// `tsx bench/compile.ts` runs this suite alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${JSON.stringify(await benchCompile(), null, 2)}\n`);
}

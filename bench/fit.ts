// Fit-time benchmark. Lotka-Volterra (the generated module) at 100, 1,000 and
// 10,000 subjects, from CSV text to estimates: 100 and 1,000 in this process
// (JIT warm), 10,000 by the built command in a fresh process (the CLI's path,
// worker threads included when they pay), whose peak resident memory is
// the kernel's high-water mark for it. Logistic populations in process as before. Every timing
// is repeated (BENCH_FIT_REPEATS, default 3; the best and the median are
// reported) and set beside two floors measured in the same run: a fixed
// arithmetic loop (`ratio` = seconds / floor) and the wall time of `node -e 0`
// (the start-up any child pays). The machine's load average is recorded, since
// timings on a shared machine mean little without it. The error of every
// estimate against the simulation truth sits beside the timings, so a faster
// change that estimates worse shows up here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fit } from "../src/runtime/estimate/fit.js";
import { loadData } from "../src/runtime/data/load-data.js";
import { checkFit } from "../src/runtime/quality/check-fit.js";
import { writeMonolixData } from "../src/runtime/data/write-data.js";
import type { CompiledModel } from "../src/runtime/model.js";
import type { Dataset } from "../src/runtime/data/dataset.js";
import type { FitResult } from "../src/runtime/fit-result.js";
import { model as lotkaVolterra } from "../generated/lotka_volterra.js";
import { logisticModel } from "../test/runtime/models/logistic.js";
import { runCli, type CliRun } from "./cli-run.js";
import { LOGISTIC_TRUTH, LV_TRUTH, simulateLogistic, simulateLotkaVolterra } from "./simulate.js";

const LV_NOISE = 0.05;
const LOGISTIC_NOISE = 0.03;

interface Timing {
  best: number;
  median: number;
}

function timing(xs: number[]): Timing {
  const s = [...xs].sort((a, b) => a - b);
  return { best: round(s[0]!), median: round(s[Math.floor(s.length / 2)]!) };
}

function round(x: number, digits = 3): number {
  return Number(x.toFixed(digits));
}

/** A fixed arithmetic loop: the speed of this machine, now. */
function arithmeticFloor(): number {
  const t0 = performance.now();
  let s = 0;
  for (let i = 1; i <= 30_000_000; i++) s += Math.sqrt(i) * 1e-9 + (i & 7) * 1e-12;
  const seconds = (performance.now() - t0) / 1000;
  if (s < 0) process.stderr.write("impossible\n");
  return seconds;
}

function nodeStartFloor(): number {
  const t0 = performance.now();
  spawnSync(process.execPath, ["-e", "0"]);
  return (performance.now() - t0) / 1000;
}

function accuracy(model: CompiledModel, result: FitResult, truth: number[], noise: number): { theta: Record<string, number>; residualB: Record<string, number> } {
  const theta: Record<string, number> = {};
  model.meta.parameters.forEach((p, j) => (theta[p.name] = round(result.parameters[p.name]!.estimate / truth[j]! - 1, 4)));
  const residualB: Record<string, number> = {};
  for (const [name, r] of Object.entries(result.residual)) residualB[name] = round(((r as { b?: number }).b ?? Number.NaN) / noise - 1, 4);
  return { theta, residualB };
}

/** CSV text -> Dataset -> fit, in this process, `repeats` times. */
function inProcess(model: CompiledModel, csv: string, truth: number[], noise: number, repeats: number): object {
  const load: number[] = [];
  const fits: number[] = [];
  const cpu: number[] = [];
  let result: FitResult | undefined;
  let data: Dataset | undefined;
  for (let r = 0; r < repeats; r++) {
    (globalThis as { gc?: () => void }).gc?.();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    data = loadData(csv, "simulated.csv", model.meta);
    const t1 = performance.now();
    result = fit(model, data);
    const t2 = performance.now();
    const c = process.cpuUsage(cpu0);
    load.push((t1 - t0) / 1000);
    fits.push((t2 - t1) / 1000);
    cpu.push((c.user + c.system) / 1e6);
  }
  const total = load.map((l, i) => l + fits[i]!);
  // The quality check every fit passes through (one ODE solve per subject), timed apart from the fit.
  const tq = performance.now();
  checkFit(model, data!, result!);
  const qualitySeconds = (performance.now() - tq) / 1000;
  return {
    subjects: data!.subjects.length,
    seconds: timing(total),
    loadSeconds: timing(load),
    fitSeconds: timing(fits),
    cpuSeconds: timing(cpu),
    phases: result!.settings.phaseSeconds,
    heapUsedMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    relativeError: accuracy(model, result!, truth, noise),
    qualitySeconds: round(qualitySeconds),
    withQualityRatio: round((Math.min(...fits) + qualitySeconds) / Math.min(...fits), 2),
  };
}

/** The sparse designs of issue 12 (data/*_sparse.csv through their log-normal specs): fit time and the errors against the truth files. */
async function sparseCases(): Promise<object[]> {
  const { readFileSync } = await import("node:fs");
  const out: object[] = [];
  for (const name of ["growth_sparse", "pk_oral_sparse", "antibody_clairon_sparse"]) {
    const { model } = (await import(`../generated/${name}.js`)) as { model: CompiledModel };
    const url = (f: string) => new URL(`../data/${f}`, import.meta.url);
    const data = loadData(readFileSync(url(`${name}.csv`), "utf8"), `data/${name}.csv`, model.meta);
    const truth = JSON.parse(readFileSync(url(`${name}.truth.json`), "utf8")) as { theta: Record<string, number>; omega_sd: Record<string, number> };
    const t0 = performance.now();
    const result = fit(model, data);
    const seconds = (performance.now() - t0) / 1000;
    const relativeError: Record<string, number> = {};
    for (const [n, v] of Object.entries(truth.theta)) relativeError[n] = Number((result.parameters[n]!.estimate / v - 1).toFixed(4));
    for (const [n, v] of Object.entries(truth.omega_sd))
      if (v > 0 && result.parameters[n]?.omega != null) relativeError[`omega_${n}`] = Number((result.parameters[n]!.omega! / v - 1).toFixed(4));
    out.push({ model: name, subjects: data.subjects.length, seconds: Number(seconds.toFixed(3)), rowForms: result.settings.rowForms, relativeError });
    process.stderr.write(`bench fit: ${name} done\n`);
  }
  return out;
}

/**
 * The CLI's path in a fresh process: the built `nlme fit --json` on the CSV (bench/cli-run.ts), with `--workers
 * auto` (the default: the per-subject stage in worker threads when it pays) and `--workers 1` (this thread), run
 * alternately. Wall time from start-up to the JSON, including the quality check (`qualitySeconds`); CPU seconds
 * of every thread; peak resident memory.
 */
function cliChild(csvFile: string, truth: number[], noise: number, repeats: number): object {
  const modes: Record<string, CliRun[]> = { auto: [], "1": [] };
  for (let r = 0; r < repeats; r++) for (const w of ["auto", "1"]) modes[w]!.push(runCli(["fit", "specs/lotka_volterra.nlme", "--data", csvFile, "--json", "--workers", w]));
  const summary = (runs: CliRun[]) => {
    const fits = runs.map((x) => x.json as unknown as FitResult);
    const last = fits[fits.length - 1]!;
    const theta: Record<string, number> = {};
    lotkaVolterra.meta.parameters.forEach((p, j) => (theta[p.name] = round(last.parameters[p.name]!.estimate / truth[j]! - 1, 4)));
    const residualB: Record<string, number> = {};
    for (const [name, e] of Object.entries(last.residual)) residualB[name] = round(((e as { b?: number }).b ?? Number.NaN) / noise - 1, 4);
    return {
      seconds: timing(runs.map((x) => x.wallSeconds)),
      fitSeconds: timing(fits.map((f) => f.seconds)),
      qualitySeconds: timing(fits.map((f) => f.quality?.seconds ?? Number.NaN)),
      cpuSeconds: runs[0]!.cpuSeconds === null ? null : timing(runs.map((x) => x.cpuSeconds!)),
      peakRssMb: runs[0]!.peakRssMb === null ? null : timing(runs.map((x) => x.peakRssMb!)),
      phases: last.settings.phaseSeconds,
      relativeError: { theta, residualB },
    };
  };
  return { subjects: 10_000, ...summary(modes.auto!), workers1: summary(modes["1"]!) };
}

function lvCsv(subjects: number): string {
  return writeMonolixData(simulateLotkaVolterra({ subjects, seed: 7, noise: LV_NOISE }), lotkaVolterra.meta).csv;
}

export async function benchFit(): Promise<object> {
  const sizes = (process.env.BENCH_FIT_SIZES ?? "100,1000,10000").split(",").map(Number);
  const repeats = Number(process.env.BENCH_FIT_REPEATS ?? 3);
  const loadBefore = loadavg();
  const floors = { arithmeticSeconds: [] as number[], nodeStartSeconds: [] as number[] };
  const floor = (): void => {
    floors.arithmeticSeconds.push(arithmeticFloor());
    floors.nodeStartSeconds.push(nodeStartFloor());
  };
  floor();
  // Warm-up so that the in-process cases do not pay for JIT compilation.
  fit(lotkaVolterra, loadData(lvCsv(50), "warm.csv", lotkaVolterra.meta));
  fit(logisticModel(), simulateLogistic({ subjects: 50, seed: 99, noise: LOGISTIC_NOISE }));
  const cases: Record<string, unknown>[] = [];
  const dir = mkdtempSync(join(tmpdir(), "bench-fit-"));
  try {
    for (const n of sizes) {
      const csv = lvCsv(n);
      if (n >= 10_000) {
        const file = join(dir, `lv${n}.csv`);
        writeFileSync(file, csv);
        cases.push({ model: "lotka_volterra", where: "built CLI (nlme fit --json), --workers auto; workers1: --workers 1", csvMb: round(csv.length / 2 ** 20, 1), ...cliChild(file, LV_TRUTH.theta, LV_NOISE, repeats) });
      } else cases.push({ model: "lotka_volterra", where: "in process", csvMb: round(csv.length / 2 ** 20, 1), ...inProcess(lotkaVolterra, csv, LV_TRUTH.theta, LV_NOISE, repeats) });
      process.stderr.write(`bench fit: lotka_volterra ${n} done\n`);
      const logistic = simulateLogistic({ subjects: n, seed: 7, noise: LOGISTIC_NOISE });
      const logisticCsv = writeMonolixData(logistic, logisticModel().meta).csv;
      cases.push({ model: "logistic", where: "in process", ...inProcess(logisticModel(), logisticCsv, LOGISTIC_TRUTH.theta, LOGISTIC_NOISE, 1) });
      process.stderr.write(`bench fit: logistic ${n} done\n`);
      floor();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const arithmetic = Math.min(...floors.arithmeticSeconds);
  for (const c of cases) {
    const s = c.seconds as Timing;
    c.ratioToFloor = round(s.best / arithmetic, 2);
  }
  const sparse = process.env.BENCH_FIT_SPARSE === "0" ? [] : await sparseCases();
  return {
    sparse,
    data: "simulated with bench/simulate.ts, seed 7 (seeded RK4, 8 steps per sampling interval; LV 40 points on [0, 20] with 5% proportional noise on both outputs, logistic 8 points with 3% proportional noise; additive random effects as in the truth), written as CSV and read back: every time includes reading the CSV text",
    target: "Lotka-Volterra 10,000 subjects under 3 s (CSV to estimates) and under 300 MiB; 1,000 subjects under 0.5 s in process; theta within 1%, residual errors within 10% of the truth",
    relativeError: "estimate / truth - 1: theta per parameter, residualB the proportional residual error b per output",
    loadAverage: { before: loadBefore.map((x) => round(x, 2)), after: loadavg().map((x) => round(x, 2)) },
    floors: { arithmeticSeconds: floors.arithmeticSeconds.map((x) => round(x)), nodeStartSeconds: floors.nodeStartSeconds.map((x) => round(x)) },
    repeats,
    cases,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await benchFit(), null, 2)}\n`);
}

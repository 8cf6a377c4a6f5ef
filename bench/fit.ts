// Fit-time benchmark: Lotka-Volterra and logistic populations of 100, 1,000
// and 10,000 subjects, simulated with a seeded fixed-step RK4 (bench/simulate.ts,
// designs like the bundled data). Reports wall time, CPU time, time per
// subject, per-phase times and peak memory, plus the error of the estimates.
import { fit } from "../src/runtime/estimate/fit.js";
import { checkFit } from "../src/runtime/quality/check-fit.js";
import type { CompiledModel } from "../src/runtime/model.js";
import type { Dataset } from "../src/runtime/data/dataset.js";
import { lotkaVolterraModel } from "../test/runtime/models/lotka-volterra.js";
import { logisticModel } from "../test/runtime/models/logistic.js";
import { LOGISTIC_TRUTH, LV_TRUTH, simulateLogistic, simulateLotkaVolterra } from "./simulate.js";

interface Case {
  model: string;
  subjects: number;
  seconds: number;
  cpuSeconds: number;
  msPerSubject: number;
  phases: unknown;
  peakRssMb: number;
  heapUsedMb: number;
  relativeError: Record<string, number>;
  /** The quality check that every fit passes through (one ODE solve per subject), timed apart from the fit. */
  qualitySeconds: number;
  /** (fit + quality check) / fit. */
  withQualityRatio: number;
}

function run(name: string, model: CompiledModel, data: Dataset, truth: number[]): Case {
  (globalThis as { gc?: () => void }).gc?.();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = fit(model, data);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(timer);
  const mem = process.memoryUsage();
  peak = Math.max(peak, mem.rss);
  const tq = performance.now();
  checkFit(model, data, result);
  const qualitySeconds = (performance.now() - tq) / 1000;
  const relativeError: Record<string, number> = {};
  model.meta.parameters.forEach((p, j) => (relativeError[p.name] = Number((result.parameters[p.name]!.estimate / truth[j]! - 1).toFixed(4))));
  return {
    model: name,
    subjects: data.subjects.length,
    seconds: Number(seconds.toFixed(3)),
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
    msPerSubject: Number(((1000 * seconds) / data.subjects.length).toFixed(3)),
    phases: result.settings.phaseSeconds,
    peakRssMb: Math.round(peak / 2 ** 20),
    heapUsedMb: Math.round(mem.heapUsed / 2 ** 20),
    relativeError,
    qualitySeconds: Number(qualitySeconds.toFixed(3)),
    withQualityRatio: Number(((seconds + qualitySeconds) / seconds).toFixed(2)),
  };
}

/** The sparse designs of issue 12 (data/*_sparse.csv through their log-normal specs): fit time and the errors against the truth files. */
async function sparseCases(): Promise<object[]> {
  const { readFileSync } = await import("node:fs");
  const { loadData } = await import("../src/runtime/data/load-data.js");
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

export async function benchFit(): Promise<object> {
  const sizes = (process.env.BENCH_FIT_SIZES ?? "100,1000,10000").split(",").map(Number);
  const cases: Case[] = [];
  // Warm-up so that the first case does not pay for JIT compilation.
  for (const [model, data] of [
    [lotkaVolterraModel(), simulateLotkaVolterra({ subjects: 50, seed: 99, noise: 0.05 })],
    [logisticModel(), simulateLogistic({ subjects: 50, seed: 99, noise: 0.03 })],
  ] as const)
    checkFit(model, data, fit(model, data));
  for (const n of sizes) {
    cases.push(run("lotka_volterra", lotkaVolterraModel(), simulateLotkaVolterra({ subjects: n, seed: 7, noise: 0.05 }), LV_TRUTH.theta));
    process.stderr.write(`bench fit: lotka_volterra ${n} done\n`);
    cases.push(run("logistic", logisticModel(), simulateLogistic({ subjects: n, seed: 7, noise: 0.03 }), LOGISTIC_TRUTH.theta));
    process.stderr.write(`bench fit: logistic ${n} done\n`);
  }
  const sparse = process.env.BENCH_FIT_SPARSE === "0" ? [] : await sparseCases();
  return {
    sparse,
    data: "simulated with bench/simulate.ts (seeded RK4, 8 steps per sampling interval; LV 40 points on [0, 20] with 5% proportional noise, logistic 8 points with 3% proportional noise; additive random effects as in the truth files)",
    target: "1,000 Lotka-Volterra subjects under 2 s on 2 cores, time per subject flat",
    cases,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await benchFit(), null, 2)}\n`);
}

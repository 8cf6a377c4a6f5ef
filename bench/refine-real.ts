// SAEM on the real sets too slow for the test suite (`npm run bench -- refine-real`): per set, the refined values
// against R nlme's reference (data/real/<name>.reference.json) as the relative difference and whether each is within
// 5% or inside R's 95% interval (the criterion of issue 14), the log-likelihood beside R's, and seconds. The
// compared quantities are the typical subject's ODE-form parameters both fits estimate (see each case's note).
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadModel } from "../src/cli/load-model.js";
import { loadData } from "../src/runtime/data/load-data.js";
import { estimate } from "../src/runtime/model-entry.js";
import type { FitResult, RefinedFit } from "../src/runtime/fit-result.js";
import { refine } from "../src/runtime/refine/refine.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

interface Case {
  name: string;
  /** Key of the result when one data set has several cases. */
  label?: string;
  spec: string;
  model: string;
  /** Which R log-likelihood is on the scale of ours. */
  logLikKey: "logLik" | "logLik_conc_scale";
  note: string;
  /** Start at these typical values instead of the first guess (when the weak-form fit is the slow part). */
  start?: Record<string, number>;
  values: (r: RefinedFit) => Record<string, number>;
}

const est = (r: RefinedFit, n: string) => r.parameters[n]!.estimate;
const beta = (r: RefinedFit, n: string) => r.covariateEffects?.[n]?.estimate ?? 0;

const CASES: Case[] = [
  {
    name: "spruce",
    spec: "test/runtime/refine/real/spruce.nlme",
    model: "M_SSasymp_ozone",
    logLikKey: "logLik",
    note: "dL/dt = a - k L, a by ozone; random a (normal), L at day 152 (normal), log k; R: random Asym, R0 (day 0), log k",
    values: (r) => {
      const k = est(r, "k");
      const a = est(r, "a");
      const aO = a + beta(r, "beta_a_OZONE_ozone");
      return { k, a_control: a, a_ozone: aO, Asym_control: a / k, Asym_ozone: aO / k };
    },
  },
  {
    name: "remifentanil",
    spec: "examples/remifentanil.nlme",
    model: "M0_2cmt_log",
    logLikKey: "logLik_conc_scale",
    note: "random V1, k10, k12, k21 (log-normal), proportional error on conc; R: random Cl, V1, Q, V2 (log-normal), additive error on log(conc)",
    values: (r) => {
      const [V1, k10, k12, k21] = ["V1", "k10", "k12", "k21"].map((n) => est(r, n)) as [number, number, number, number];
      return { V1, k10, k12, k21, Cl: k10 * V1, Q: k12 * V1, V2: (k12 * V1) / k21 };
    },
  },
  {
    name: "quinidine",
    spec: "test/runtime/refine/real/quinidine_m0.nlme",
    model: "M0_base",
    logLikKey: "logLik",
    note: "R's M0 (random log Cl = random log ke with V fixed, constant error), steady-state doses (SS=1, II) as R's model has them; from the first guess",
    values: quinidineValues,
  },
  {
    name: "quinidine",
    label: "quinidine from R's estimates",
    spec: "test/runtime/refine/real/quinidine_m0.nlme",
    model: "M0_base",
    logLikKey: "logLik",
    note: "as above, SAEM started at R's M0 typical values (ka 0.765, V 217, ke 0.0544)",
    start: { ka: 0.765, V: 217, ke: 0.0544 },
    values: quinidineValues,
  },
];

function quinidineValues(r: RefinedFit): Record<string, number> {
  const [ka, V, ke] = ["ka", "V", "ke"].map((n) => est(r, n)) as [number, number, number];
  return { ka, V, ke, Cl: ke * V };
}

async function runCase(c: Case) {
  const model = (await loadModel(join(root, c.spec))).model;
  const path = join(root, "data/real", `${c.name}.csv`);
  const data = loadData(readFileSync(path, "utf8"), path, model.meta);
  const ref = JSON.parse(readFileSync(join(root, "data/real", `${c.name}.reference.json`), "utf8")).models[c.model];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const guess: FitResult | undefined = c.start ? undefined : estimate(model, data);
  const t1 = performance.now();
  const r = refine(model, data, guess, { seed: 1, ...(c.start ? { start: c.start } : {}) });
  const seconds = (performance.now() - t1) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const pop = ref.ode_form.population_parameters as Record<string, { estimate: number; se: number }>;
  const compared: Record<string, object> = {};
  for (const [n, v] of Object.entries(c.values(r))) {
    const p = pop[n];
    if (!p) continue;
    const relative = v / p.estimate - 1;
    compared[n] = { ours: Number(v.toPrecision(4)), R: p.estimate, relative: Number(relative.toFixed(3)), agrees: Math.abs(relative) < 0.05 || Math.abs(v - p.estimate) < 1.96 * p.se };
  }
  const rLogLik = ref[c.logLikKey] as number;
  return {
    data: `data/real/${c.name}.csv`,
    spec: c.spec,
    reference: `data/real/${c.name}.reference.json ${c.model}`,
    note: c.note,
    startedFrom: c.start ? `typical values ${JSON.stringify(c.start)}` : "first guess",
    firstGuessSeconds: Number(((t1 - t0) / 1000).toFixed(2)),
    refineSeconds: Number(seconds.toFixed(2)),
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    iterations: r.trace.iteration.length,
    logLik: Number(r.logLikelihood.value.toFixed(2)),
    logLikMcSe: Number(r.logLikelihood.mcSe.toFixed(2)),
    logLikR: rLogLik,
    logLikMinusR: Number((r.logLikelihood.value - rLogLik).toFixed(2)),
    compared,
    // Both runs of the flip-flop (meta.absorption): SAEM from the start, then from the twin of its estimate.
    ...(r.branches
      ? {
          branches: r.branches.map((b) => ({
            startedFrom: b.startedFrom,
            branch: b.branch,
            kept: b.kept,
            logLik: Number(b.logLikelihood.value.toFixed(2)),
            logLikMcSe: Number(b.logLikelihood.mcSe.toFixed(2)),
            values: Object.fromEntries(Object.entries(b.parameters).map(([n, v]) => [n, Number(v.toPrecision(4))])),
            seconds: Number(b.seconds.toFixed(1)),
          })),
        }
      : {}),
  };
}

export async function benchRefineReal(): Promise<object> {
  const out: Record<string, object> = {};
  // BENCH_REFINE_REAL=quinidine,spruce runs only those data sets.
  const only = process.env.BENCH_REFINE_REAL?.split(",").map((x) => x.trim());
  for (const c of CASES.filter((x) => !only || only.includes(x.name))) {
    try {
      out[c.label ?? c.name] = await runCase(c);
    } catch (error) {
      out[c.label ?? c.name] = { error: (error as Error).message };
    }
    process.stderr.write(`bench refine-real: ${c.label ?? c.name} done\n`);
  }
  return out;
}

// Sparse selection judged over many networks, not one bundled draw: for each
// setting, 10 networks drawn by the product's own simulator with fresh seeds,
// and every selection method run on the same assembled design. Prints, per
// setting and method, the median and worst F1, precision, recall and median
// relative coefficient error over the networks, and the fit time.
// `npm run bench -- sparse-many` (all settings) or
// `tsx bench/sparse-many.ts [setting...] [--networks N] [--methods a,b]`.
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadModel } from "../src/cli/load-model.js";
import type { CompiledModel } from "../src/runtime/model.js";
import { buildSparseDesign } from "../src/runtime/sparse/design.js";
import { fitSparseDesign, type SparseOptions } from "../src/runtime/sparse/fit-sparse.js";
import { scoreTerms } from "../src/runtime/sparse/score.js";
import { simulateNetwork, type NetworkSpec } from "../src/runtime/sparse/simulate-network.js";

export interface Setting {
  name: string;
  network: Omit<NetworkSpec, "seed">;
  /** First seed; network r uses seed + r (none of the bundled or test seeds). */
  seed: number;
}

/** The issue-15 settings: designs of the bundled data sets, 30-50 subjects, with and without subject variability on the non-constant terms. */
export const SETTINGS: Setting[] = [
  { name: "quadratic10", network: { genes: 10, subjects: 40, degree: 2, noise: 0.03, times: grid(40) }, seed: 1000 },
  { name: "quadratic10-termcv", network: { genes: 10, subjects: 40, degree: 2, noise: 0.03, times: grid(40), termCv: 0.2 }, seed: 1100 },
  { name: "linear20", network: { genes: 20, subjects: 30 }, seed: 2000 },
  { name: "linear20-termcv", network: { genes: 20, subjects: 30, termCv: 0.2 }, seed: 2100 },
  { name: "linear50", network: { genes: 50, subjects: 50 }, seed: 3000 },
  { name: "linear50-termcv", network: { genes: 50, subjects: 50, termCv: 0.2 }, seed: 3100 },
];

/** Selection methods compared; the first is the product's default. */
export const METHODS: Record<string, SparseOptions> = {
  // Adaptive LASSO (CV, 1-SE) + stepwise subject-clustered Wald tests + complementary pairs, threshold 0.5.
  default: {},
  "adaptive-cv": { test: "none", pairs: 0 },
  "adaptive-ebic": { lambda: "ebic", test: "none", pairs: 0 },
  "stability-halves": { control: "stability", test: "none", pairs: 0 },
  "adaptive-wald": { pairs: 0 },
  "adaptive-wald-pairs75": { pairThreshold: 0.75 },
  spls: { penalty: "spls", test: "none", pairs: 0 },
  // The baseline the population model must beat: subjects pooled as one trajectory, the earlier selection.
  pooled: { subjectEffects: "pooled", test: "none", pairs: 0 },
};

function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

function grid(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (4 * i) / (n - 1));
}

interface Row {
  f1: number;
  precision: number;
  recall: number;
  error: number;
  seconds: number;
  /** CPU seconds of the design and fit (one thread): the wall time of an unloaded machine, whatever else runs. */
  cpuSeconds: number;
  falsePositives: number;
  falseNegatives: number;
}

const models = new Map<string, CompiledModel>();

async function modelFor(spec: string, key: string): Promise<CompiledModel> {
  const cached = models.get(key);
  if (cached) return cached;
  const dir = join(tmpdir(), "weakform-nlme-bench");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${key}.nlme`);
  writeFileSync(path, spec);
  const { model } = await loadModel(path);
  models.set(key, model);
  return model;
}

function summary(rows: Row[]): object {
  const pick = (k: keyof Row) => rows.map((r) => r[k]).sort((a, b) => a - b);
  const median = (v: number[]) => (v.length % 2 ? v[v.length >> 1]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2);
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  return {
    f1: { median: r3(median(pick("f1"))), worst: r3(pick("f1")[0]!) },
    precision: { median: r3(median(pick("precision"))), worst: r3(pick("precision")[0]!) },
    recall: { median: r3(median(pick("recall"))), worst: r3(pick("recall")[0]!) },
    coefficientError: { median: r3(median(pick("error"))), worst: r3(pick("error").at(-1)!) },
    falsePositives: { median: median(pick("falsePositives")), worst: pick("falsePositives").at(-1)! },
    seconds: { median: r3(median(pick("seconds"))), worst: r3(pick("seconds").at(-1)!) },
    cpuSeconds: { median: r3(median(pick("cpuSeconds"))), worst: r3(pick("cpuSeconds").at(-1)!) },
  };
}

export async function runSettings(
  settings: Setting[],
  methods: Record<string, SparseOptions>,
  networks: number,
  log: (line: string) => void = () => {},
): Promise<Record<string, Record<string, object>>> {
  const out: Record<string, Record<string, object>> = {};
  for (const setting of settings) {
    const rows: Record<string, Row[]> = Object.fromEntries(Object.keys(methods).map((m) => [m, []]));
    for (let r = 0; r < networks; r++) {
      const sim = simulateNetwork({ ...setting.network, seed: setting.seed + r });
      const model = await modelFor(sim.spec, `network_${setting.network.genes}_d${setting.network.degree ?? 1}`);
      const t = performance.now();
      const cpu0 = process.cpuUsage();
      const design = buildSparseDesign(model, sim.data);
      const designSeconds = (performance.now() - t) / 1000;
      const designCpu = cpuSince(cpu0);
      for (const [name, options] of Object.entries(methods)) {
        const cpu1 = process.cpuUsage();
        const fit = fitSparseDesign(model, design, options);
        const fitCpu = cpuSince(cpu1);
        const s = scoreTerms(fit.terms!, sim.theta);
        const tp = s.truePositives;
        const row: Row = {
          f1: s.f1,
          precision: tp / Math.max(tp + s.falsePositives, 1),
          recall: tp / Math.max(tp + s.falseNegatives, 1),
          error: s.medianRelativeError,
          seconds: designSeconds + fit.seconds,
          cpuSeconds: designCpu + fitCpu,
          falsePositives: s.falsePositives,
          falseNegatives: s.falseNegatives,
        };
        rows[name]!.push(row);
        log(`${setting.name} #${r} ${name}: F1 ${row.f1.toFixed(3)} P ${row.precision.toFixed(3)} R ${row.recall.toFixed(3)} FP ${row.falsePositives} FN ${row.falseNegatives} err ${row.error.toFixed(3)} ${row.seconds.toFixed(1)}s (cpu ${row.cpuSeconds.toFixed(1)}s)`);
      }
    }
    out[setting.name] = Object.fromEntries(Object.entries(rows).map(([m, v]) => [m, summary(v)]));
  }
  return out;
}

export async function benchSparseMany(): Promise<object> {
  return { networks: 10, settings: await runSettings(SETTINGS, METHODS, 10, (l) => process.stderr.write(`${l}\n`)) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const networks = Number(flag("--networks") ?? 10);
  const methodNames = flag("--methods")?.split(",");
  const settings = args.length > 0 ? SETTINGS.filter((s) => args.includes(s.name)) : SETTINGS;
  const methods = methodNames ? Object.fromEntries(methodNames.map((m) => [m, METHODS[m]!])) : METHODS;
  const result = await runSettings(settings, methods, networks, (l) => process.stderr.write(`${l}\n`));
  process.stdout.write(`${JSON.stringify({ networks, settings: result }, null, 2)}\n`);
}

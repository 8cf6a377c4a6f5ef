// Sparse-selection benchmark: time and peak memory of the two bundled gene
// network fits (cross-validated adaptive LASSO, the spec's `lambda = cv`) and
// of a simulated 50-gene, 50-subject network. Accuracy against the truth is
// reported beside the timings so a faster change that selects worse shows up.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadModel } from "../src/cli/load-model.js";
import { loadData } from "../src/runtime/data/load-data.js";
import type { Dataset } from "../src/runtime/data/dataset.js";
import type { CompiledModel } from "../src/runtime/model.js";
import { fitSparse, type SparseOptions } from "../src/runtime/sparse/fit-sparse.js";
import { scoreTerms } from "../src/runtime/sparse/score.js";
import { simulateNetwork } from "../src/runtime/sparse/simulate-network.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

interface Measured {
  seconds: number;
  /** Peak resident set size of the process, MB, sampled after each equation of the fit (includes earlier suites). */
  peakRssMb: number;
}

function measure<T>(run: () => T): { value: T; measured: Measured } {
  let peakRss = process.memoryUsage().rss;
  // The fit is synchronous, so sample memory from inside it via a progress hook instead of a timer.
  (globalThis as { __sparseSample?: () => void }).__sparseSample = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  const t = performance.now();
  const value = run();
  const seconds = (performance.now() - t) / 1000;
  (globalThis as { __sparseSample?: () => void }).__sparseSample?.();
  delete (globalThis as { __sparseSample?: () => void }).__sparseSample;
  return {
    value,
    measured: { seconds, peakRssMb: Math.round(peakRss / 1e5) / 10 },
  };
}

function fitAndScore(model: CompiledModel, data: Dataset, truth: Record<string, number>, options: SparseOptions = {}): object {
  const sample = (): void => (globalThis as { __sparseSample?: () => void }).__sparseSample?.();
  const { value: fit, measured } = measure(() => fitSparse(model, data, { ...options, onProgress: sample }));
  const score = scoreTerms(fit.terms!, truth);
  return {
    ...measured,
    selected: fit.terms!.length,
    f1: Math.round(score.f1 * 1000) / 1000,
    medianRelativeError: Math.round(score.medianRelativeError * 1000) / 1000,
    falsePositives: score.falsePositives,
    falseNegatives: score.falseNegatives,
  };
}

async function bundled(name: string, spec: string): Promise<object> {
  const { model } = await loadModel(join(root, spec));
  const file = join(root, `data/${name}.csv`);
  const data = loadData(readFileSync(file, "utf8"), file, model.meta);
  const truth = JSON.parse(readFileSync(join(root, `data/${name}.truth.json`), "utf8")) as { theta: Record<string, number> };
  return { cv: fitAndScore(model, data, truth.theta), ebic: fitAndScore(model, data, truth.theta, { lambda: "ebic" }) };
}

export async function benchSparse(): Promise<object> {
  const linear = await bundled("gene_network_linear", "specs/gene_network.nlme");
  const quadratic = await bundled("gene_network_quadratic", "specs/gene_network_quadratic.nlme");
  const sim = simulateNetwork({ genes: 50, subjects: 50, seed: 50 });
  const dir = join(tmpdir(), "weakform-nlme-bench");
  mkdirSync(dir, { recursive: true });
  const specPath = join(dir, "network_50.nlme");
  writeFileSync(specPath, sim.spec);
  const t = performance.now();
  const { model } = await loadModel(specPath);
  const compileSeconds = (performance.now() - t) / 1000;
  const genes50 = { compileSeconds, ...fitAndScore(model, sim.data, sim.theta) };
  return { linear20: linear, quadratic10: quadratic, genes50subjects50: genes50 };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(await benchSparse(), null, 2)}\n`);
}

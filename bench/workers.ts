// Would worker threads pay for the per-subject work of a fit on this machine?
// (issue 17). The work the dense path does subject by subject (smoothing both
// outputs, weak-form assembly, the per-state Gram sums) on Lotka-Volterra
// subjects, once in this thread and once split over 1 and 2 worker threads
// (`bench/workers-child.ts`, bundled to JavaScript; the time includes starting them, loading their
// modules and copying the subjects to them), with the machine's load average:
// a second core only helps when it is free. Opt-in: `npm run bench -- workers`.
import { Worker } from "node:worker_threads";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { model } from "../generated/lotka_volterra.js";
import { loadData } from "../src/runtime/data/load-data.js";
import { writeMonolixData } from "../src/runtime/data/write-data.js";
import type { Subject } from "../src/runtime/data/dataset.js";
import { simulateLotkaVolterra } from "./simulate.js";
import { perSubjectWork } from "./subject-work.js";

/**
 * The worker as one JavaScript file, bundled by esbuild as `npm run build` bundles the CLI: a built product's
 * worker loads plain JavaScript (under tsx every worker would first compile the sources, seconds on this machine).
 * Written under node_modules/.cache so that its packages resolve.
 */
async function workerScript(): Promise<URL> {
  const { build } = await import("esbuild");
  const out = new URL("../node_modules/.cache/bench-workers/child.mjs", import.meta.url);
  await build({ entryPoints: [fileURLToPath(new URL("./workers-child.ts", import.meta.url))], outfile: fileURLToPath(out), bundle: true, format: "esm", platform: "node", packages: "external", logLevel: "warning" });
  return out;
}

function inWorkers(script: URL, subjects: Subject[], threads: number): Promise<number> {
  const size = Math.ceil(subjects.length / threads);
  return Promise.all(
    Array.from({ length: threads }, (_, w) => {
      const slice = subjects.slice(w * size, (w + 1) * size);
      return new Promise<number>((resolve, reject) => {
        const worker = new Worker(script, { workerData: { subjects: slice, offset: w * size } });
        worker.once("message", (x: number) => {
          resolve(x);
          void worker.terminate();
        });
        worker.once("error", reject);
      });
    }),
  ).then((xs) => xs.reduce((a, b) => a + b, 0));
}

const seconds = (t0: number): number => Number(((performance.now() - t0) / 1000).toFixed(3));

export async function benchWorkers(): Promise<object> {
  const before = loadavg().map((x) => Number(x.toFixed(2)));
  const cases: object[] = [];
  const script = await workerScript();
  for (const n of (process.env.BENCH_WORKER_SIZES ?? "1000,10000").split(",").map(Number)) {
    const csv = writeMonolixData(simulateLotkaVolterra({ subjects: n, seed: 7, noise: 0.05 }), model.meta).csv;
    const subjects = loadData(csv, "simulated.csv", model.meta).subjects;
    perSubjectWork(subjects.slice(0, 200), 0); // JIT warm-up of this thread (workers start cold, as they would in a fit)
    let t0 = performance.now();
    const serial = perSubjectWork(subjects, 0);
    const serialSeconds = seconds(t0);
    const parallel: Record<string, number> = {};
    for (const threads of [1, 2]) {
      t0 = performance.now();
      const sum = await inWorkers(script, subjects, threads);
      parallel[`${threads}`] = seconds(t0);
      // Subjects are independent: the same checksum up to the order of the final sum.
      if (Math.abs(sum - serial) > 1e-9 * Math.abs(serial)) throw new Error(`workers disagree: ${sum} against ${serial}`);
    }
    cases.push({ subjects: n, serialSeconds, workerSeconds: parallel, speedupWith2: Number((serialSeconds / parallel["2"]!).toFixed(2)) });
    process.stderr.write(`bench workers: ${n} done\n`);
  }
  return {
    what: "per-subject work of a dense Lotka-Volterra fit (smoothing, assembly, Gram sums): this thread against 1 and 2 worker threads, wall seconds including worker start-up and copying the subjects",
    loadAverage: { before, after: loadavg().map((x) => Number(x.toFixed(2))) },
    cases,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${JSON.stringify(await benchWorkers(), null, 2)}\n`);

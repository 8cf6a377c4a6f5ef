// Worker threads (piscina) for per-subject work, from the TypeScript sources as from the built package. A worker
// module lives beside the code that uses it (e.g. refine/worker.ts); it is loaded as the built JavaScript
// (dist/runtime/...) when this module is JavaScript, and as TypeScript through tsx's loader when it runs from the
// sources (tests, `npm run nlme`). The CLI bundle (dist/cli) finds the runtime's modules in dist/runtime.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Piscina } from "piscina";

/** `workers` as the user gives it: a count (0 and 1 both mean this thread), or "auto" (when it pays). */
export type WorkersOption = number | "auto";

export interface WorkerPool {
  readonly threads: number;
  /** `transfer`: buffers of the task moved to the worker rather than copied (unusable here afterwards). */
  run<T>(task: unknown, transfer?: ArrayBuffer[]): Promise<T>;
  close(): Promise<void>;
}

/**
 * The threads "auto" may use: the cores that are idle, counting this process's own (the load average of the last
 * minute, which includes it, against the cores). A worker on a busy core only adds its start and the copies:
 * `npm run bench -- workers` at load 3-4 on 2 cores had every command's CPU seconds equal its wall seconds with 2
 * threads as with 1 (no second core to be had), and 2 threads slower by 0.85-0.9x on 1,000 subjects, antibody_clairon
 * and pk_oral_sparse (1.1x on 10,000 subjects). Where the load average is not known (Windows: 0), every core.
 */
export function autoThreads(): number {
  const cores = availableParallelism();
  const idle = cores - Math.max(0, loadavg()[0]! - 1);
  return Math.max(1, Math.min(cores, Math.floor(idle)));
}

/**
 * Starts `threads` workers running `entry` (a path under src/runtime without extension, e.g. "refine/worker"),
 * each given `data` once (piscina's `workerData`), each holding up to `tasksPerWorker` tasks (default 1). The caller
 * closes the pool.
 */
export async function startPool(entry: string, threads: number, data: unknown, options: { tasksPerWorker?: number } = {}): Promise<WorkerPool> {
  const { Piscina } = await import("piscina");
  const here = import.meta.url;
  const sources = here.endsWith(".ts");
  const filename = sources ? new URL(`../${entry}.ts`, here).href : builtEntry(entry, here);
  const pool: Piscina = new Piscina({
    filename,
    minThreads: threads,
    maxThreads: threads,
    workerData: data,
    // From the sources the worker is TypeScript: tsx's loader (a dev dependency) registered in each worker.
    ...(sources ? { execArgv: [...process.execArgv.filter((a) => !a.startsWith("--inspect")), "--import", tsxLoader()] } : {}),
    idleTimeout: 60_000,
    // More than one task at a worker: it starts the next as soon as it ends one, without waiting for this thread
    // (busy with a share of the work itself) to hand it over.
    ...(options.tasksPerWorker ? { concurrentTasksPerWorker: options.tasksPerWorker } : {}),
  });
  return {
    threads,
    run: <T>(task: unknown, transfer?: ArrayBuffer[]) => pool.run(task, transfer ? { transferList: transfer as unknown as NonNullable<Parameters<Piscina["run"]>[1]>["transferList"] } : {}) as Promise<T>,
    close: () => pool.destroy(),
  };
}

/** dist/runtime/<entry>.js, whether this module is dist/runtime/threads/pool.js or a chunk of the CLI bundle in dist/cli. */
function builtEntry(entry: string, here: string): string {
  for (const candidate of [new URL(`../${entry}.js`, here), new URL(`../runtime/${entry}.js`, here)]) if (existsSync(fileURLToPath(candidate))) return candidate.href;
  throw new Error(`internal error: the worker module ${entry}.js is missing beside ${fileURLToPath(here)}`);
}

function tsxLoader(): string {
  const tsx = dirname(createRequire(import.meta.url).resolve("tsx/package.json"));
  return pathToFileURL(join(tsx, "dist/loader.mjs")).href;
}

// Worker threads (piscina) for per-subject work, from the TypeScript sources as from the built package. A worker
// module lives beside the code that uses it (e.g. refine/worker.ts); it is loaded as the built JavaScript
// (dist/runtime/...) when this module is JavaScript, and as TypeScript through tsx's loader when it runs from the
// sources (tests, `npm run nlme`). The CLI bundle (dist/cli) finds the runtime's modules in dist/runtime.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Piscina } from "piscina";

/** `workers` as the user gives it: a count (0 and 1 both mean this thread), or "auto" (when it pays). */
export type WorkersOption = number | "auto";

export interface WorkerPool {
  readonly threads: number;
  run<T>(task: unknown): Promise<T>;
  close(): Promise<void>;
}

/** The threads "auto" may use: every core but none beyond. */
export function autoThreads(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Starts `threads` workers running `entry` (a path under src/runtime without extension, e.g. "refine/worker"),
 * each given `data` once (piscina's `workerData`). The caller closes the pool.
 */
export async function startPool(entry: string, threads: number, data: unknown): Promise<WorkerPool> {
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
  });
  return {
    threads,
    run: <T>(task: unknown) => pool.run(task) as Promise<T>,
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

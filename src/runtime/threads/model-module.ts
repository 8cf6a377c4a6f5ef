// A worker thread's copy of the compiled model: the module the main thread loaded (the CLI's cache, or a
// generated module), imported again in the worker.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { CompiledModel } from "../model.js";

/**
 * Loads the module at `url` (it exports `model`). From the sources a worker reaches tsx's loader only through
 * `require` (Node 20 does not hand the loader's import hooks to worker threads), so a TypeScript module is
 * required; a JavaScript one (the built package's cache) is imported. Worker modules therefore load the model at
 * their first task, never by a top-level await, which `require` cannot load.
 */
export async function importModel(url: string): Promise<CompiledModel> {
  if (url.endsWith(".ts")) return (createRequire(import.meta.url)(fileURLToPath(url)) as { model: CompiledModel }).model;
  return ((await import(url)) as { model: CompiledModel }).model;
}

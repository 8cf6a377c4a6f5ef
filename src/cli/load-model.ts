// Turns a spec path into a loaded `CompiledModel`: front end, code generation
// into a cache directory, then a dynamic import. The CLI fits through the same
// generated code a user would ship, never through an interpreter.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { analyse } from "../front-end.js";
import { hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import { render } from "../diagnostics/render.js";
import type { ModelIr } from "../ir/model.js";
import type { CompiledModel } from "../runtime/model.js";
import { writeFileAtomic } from "../runtime/write-atomic.js";
import { withSignalsHeld } from "./output.js";
import { readSpec } from "./read-spec.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const runtimeEntry = join(repoRoot, "src/runtime/index.ts");
const cacheDir = join(repoRoot, "node_modules/.cache/weakform-nlme");

/** The spec did not check: the diagnostics are already rendered in `message`. */
export class SpecError extends Error {
  constructor(readonly rendered: string, readonly diagnostics: Diagnostic[]) {
    super(rendered);
    this.name = "SpecError";
  }
}

export interface LoadedModel {
  model: CompiledModel;
  ir: ModelIr;
  specPath: string;
  /** Non-error diagnostics (notes, warnings), rendered; empty when none. */
  notes: string;
}

let fingerprint: string | undefined;

/** Cached modules are keyed by the compiler's own sources too, so a changed code generator never serves stale code. */
function compilerFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash("sha256");
  for (const dir of ["src/check", "src/ir", "src/codegen", "src/syntax", "grammar"]) {
    const abs = join(repoRoot, dir);
    for (const name of readdirSync(abs).sort()) {
      if (name.endsWith(".ts")) hash.update(name).update(readFileSync(join(abs, name)));
    }
  }
  fingerprint = hash.digest("hex");
  return fingerprint;
}

export async function loadModel(specPath: string): Promise<LoadedModel> {
  const spec = readSpec(specPath);
  const result = analyse(spec.text, spec.path);
  if (hasErrors(result.diagnostics) || !result.ir) {
    throw new SpecError(render(result.diagnostics, { file: spec.path, text: spec.text }), result.diagnostics);
  }
  const ir = result.ir;
  const hash = createHash("sha256").update(compilerFingerprint()).update(spec.text).digest("hex").slice(0, 16);
  // The name only helps a reader of the cache; a long one must not exceed the file system's limit.
  const target = join(cacheDir, `${ir.name.slice(0, 40)}-${hash}.ts`);
  if (!existsSync(target)) {
    mkdirSync(cacheDir, { recursive: true });
    // Under node_modules no package.json says "module": declare it, or the module would load as CommonJS.
    await withSignalsHeld(() => writeFileAtomic(join(cacheDir, "package.json"), '{ "type": "module" }\n'));
    let runtimeImport = relative(cacheDir, runtimeEntry).replace(/\\/g, "/").replace(/\.ts$/, ".js");
    if (!runtimeImport.startsWith(".")) runtimeImport = `./${runtimeImport}`;
    // ts-morph and prettier are heavy: load the code generator only on a cache miss.
    const { emitModule } = await import("../codegen/emit-module.js");
    const text = await emitModule(ir, { source: spec.path, runtimeImport, prettier: false });
    // Held signals: an interrupted run must not leave a temporary file in the cache.
    await withSignalsHeld(() => writeFileAtomic(target, text));
  }
  const mod = (await import(pathToFileURL(target).href)) as { model: CompiledModel };
  const notes = result.diagnostics.length > 0 ? render(result.diagnostics, { file: spec.path, text: spec.text, footer: false }) : "";
  return { model: mod.model, ir, specPath: spec.path, notes };
}

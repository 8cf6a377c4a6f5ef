// Turns a spec path into a loaded `CompiledModel`: front end, code generation
// into a cache directory, then a dynamic import. The CLI fits through the same
// generated code a user would ship, never through an interpreter. From the
// sources (tsx, vitest) the cache holds TypeScript; the built CLI caches
// JavaScript, so that it runs on plain Node.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { analyse } from "../front-end.js";
import { hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import { render } from "../diagnostics/render.js";
import type { ModelIr } from "../ir/model.js";
import type { CompiledModel } from "../runtime/model.js";
import { writeFileAtomic } from "../runtime/write-atomic.js";
import { BUILT, CODE_ROOT, PACKAGE_ROOT } from "../package-root.js";
import { readSpec } from "./read-spec.js";

const runtimeEntry = join(PACKAGE_ROOT, "src/runtime/index.ts");
const sourceExtension = BUILT ? ".js" : ".ts";

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
    const abs = join(CODE_ROOT, dir);
    for (const name of readdirSync(abs).sort()) {
      if (name.endsWith(sourceExtension) && !name.endsWith(".d.ts")) hash.update(name).update(readFileSync(join(abs, name)));
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
  const target = BUILT ? await cachedJavaScript(ir, spec.path, hash) : await cachedTypeScript(ir, spec.path, hash);
  const mod = (await import(pathToFileURL(target).href)) as { model: CompiledModel };
  const notes = result.diagnostics.length > 0 ? render(result.diagnostics, { file: spec.path, text: spec.text, footer: false }) : "";
  return { model: mod.model, ir, specPath: spec.path, notes };
}

/** The TypeScript cache, for runs from the sources: tsx imports it, and it may import the runtime's sources. */
async function cachedTypeScript(ir: ModelIr, source: string, hash: string): Promise<string> {
  const cacheDir = join(PACKAGE_ROOT, "node_modules/.cache/weakform-nlme");
  const target = join(cacheDir, `${ir.name}-${hash}.ts`);
  if (existsSync(target)) return target;
  mkdirSync(cacheDir, { recursive: true });
  // Under node_modules no package.json says "module": declare it, or the module would load as CommonJS.
  writeFileAtomic(join(cacheDir, "package.json"), '{ "type": "module" }\n');
  let runtimeImport = relative(cacheDir, runtimeEntry).replace(/\\/g, "/").replace(/\.ts$/, ".js");
  if (!runtimeImport.startsWith(".")) runtimeImport = `./${runtimeImport}`;
  // ts-morph and prettier are heavy: load the code generator only on a cache miss.
  const { emitModule } = await import("../codegen/emit-module.js");
  writeFileAtomic(target, await emitModule(ir, { source, runtimeImport, prettier: false }));
  return target;
}

/**
 * The JavaScript cache of the built CLI. The module imports the runtime for
 * types only, so once transpiled it imports nothing and may live anywhere:
 * beside the package when that is writable, else in the temporary directory
 * (a global install is often read-only).
 */
async function cachedJavaScript(ir: ModelIr, source: string, hash: string): Promise<string> {
  const name = `${ir.name}-${hash}.mjs`;
  const dirs = [join(PACKAGE_ROOT, "node_modules/.cache/weakform-nlme"), join(tmpdir(), `weakform-nlme-${process.getuid?.() ?? "cache"}`)];
  for (const dir of dirs) if (existsSync(join(dir, name)) && ours(dir)) return join(dir, name);
  const { emitJavaScript } = await import("../codegen/emit-javascript.js");
  const text = await emitJavaScript(ir, { source });
  for (const dir of dirs) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!ours(dir)) continue;
      writeFileAtomic(join(dir, name), text);
      return join(dir, name);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EACCES" && code !== "EPERM" && code !== "EROFS") throw error;
    }
  }
  throw new Error(`cannot write the compiled model cache in ${dirs.join(" or ")}`);
}

/** Code is imported from the cache: never from a directory another user could have planted in a shared temporary directory. */
function ours(dir: string): boolean {
  return process.getuid === undefined || statSync(dir).uid === process.getuid();
}

// Turns a spec path into a loaded `CompiledModel`: front end, code generation
// into a cache directory, then a dynamic import. The CLI fits through the same
// generated code a user would ship, never through an interpreter. From the
// sources (tsx, vitest) the cache holds TypeScript; the built CLI caches
// JavaScript, so that it runs on plain Node.
//
// Beside each module the cache keeps the spec's IR and diagnostics (JSON), so a
// hit loads neither the parser nor the checker: start-up is most of a small fit.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { ModelIr } from "../ir/model.js";
import type { CompiledModel } from "../runtime/model.js";
import { writeFileAtomic } from "../runtime/data/write-atomic.js";
import { BUILT, CODE_DIR, PACKAGE_ROOT } from "../package-root.js";
import { wantsColor } from "./colors.js";
import { io } from "./io.js";
import { withSignalsHeld } from "./output.js";
import { readSpec, type SpecFile } from "./read-spec.js";

const runtimeEntry = join(PACKAGE_ROOT, "src/runtime/index.ts");

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
  /** URL of the compiled module (worker threads import it). */
  moduleUrl: string;
  /** Non-error diagnostics (notes, warnings), rendered; empty when none. */
  notes: string;
}

/** What the cache keeps beside a module: the front end's output for the spec. */
interface Analysis {
  ir: ModelIr;
  diagnostics: Diagnostic[];
}

let fingerprint: string | undefined;

/** Cached modules are keyed by the compiler's own code too, so a changed code generator never serves stale code. */
function compilerFingerprint(): string {
  if (fingerprint !== undefined) return fingerprint;
  const hash = createHash("sha256");
  // The build bundles the compiler into the CLI's chunks: hash them all. The sources: the stages that make a module.
  const dirs = BUILT ? [CODE_DIR] : ["src/check", "src/ir", "src/codegen", "src/syntax", "grammar"].map((d) => join(PACKAGE_ROOT, d));
  for (const dir of dirs) {
    for (const name of readdirSync(dir).sort()) {
      if (name.endsWith(BUILT ? ".js" : ".ts")) hash.update(name).update(readFileSync(join(dir, name)));
    }
  }
  fingerprint = hash.digest("hex");
  return fingerprint;
}

export async function loadModel(specPath: string): Promise<LoadedModel> {
  const spec = readSpec(specPath);
  const key = createHash("sha256").update(compilerFingerprint()).update(spec.text).digest("hex").slice(0, 16);
  const cache = BUILT ? javaScriptCache : typeScriptCache;
  const dir = cache.dirs().find((d) => existsSync(join(d, `${key}${cache.extension}`)) && existsSync(join(d, `${key}.json`)) && ours(d));
  let module: string;
  let analysis: Analysis;
  if (dir !== undefined) {
    module = join(dir, `${key}${cache.extension}`);
    analysis = JSON.parse(readFileSync(join(dir, `${key}.json`), "utf8")) as Analysis;
  } else {
    analysis = await analyseOrThrow(spec);
    const text = await cache.emit(analysis.ir, spec.path);
    // Held signals: an interrupted run must not leave a temporary file in the cache.
    let written = "";
    await withSignalsHeld(() => {
      written = writeEntry(cache.dirs(), key, cache.extension, text, analysis);
    });
    module = written;
  }
  const moduleUrl = pathToFileURL(module).href;
  const mod = (await import(moduleUrl)) as { model: CompiledModel };
  let notes = "";
  if (analysis.diagnostics.length > 0) {
    const { render } = await import("../diagnostics/render.js");
    notes = render(analysis.diagnostics, { file: spec.path, text: spec.text, footer: false, color: wantsColor(io.stderr) });
  }
  return { model: mod.model, ir: analysis.ir, specPath: spec.path, moduleUrl, notes };
}

async function analyseOrThrow(spec: SpecFile): Promise<Analysis> {
  const { analyse } = await import("../front-end.js");
  const result = analyse(spec.text, spec.path);
  if (hasErrors(result.diagnostics) || !result.ir) {
    const { render } = await import("../diagnostics/render.js");
    throw new SpecError(render(result.diagnostics, { file: spec.path, text: spec.text, color: wantsColor(io.stderr) }), result.diagnostics);
  }
  return { ir: result.ir, diagnostics: result.diagnostics };
}

interface Cache {
  extension: string;
  /** Where entries may be, in order of preference. */
  dirs: () => string[];
  emit: (ir: ModelIr, source: string) => Promise<string>;
}

const ownCacheDir = join(PACKAGE_ROOT, "node_modules/.cache/weakform-nlme");

/** For runs from the sources: tsx imports the TypeScript, which imports the runtime's sources by a path relative to the cache. */
const typeScriptCache: Cache = {
  extension: ".ts",
  dirs: () => [ownCacheDir],
  async emit(ir, source) {
    let runtimeImport = relative(ownCacheDir, runtimeEntry).replace(/\\/g, "/").replace(/\.ts$/, ".js");
    if (!runtimeImport.startsWith(".")) runtimeImport = `./${runtimeImport}`;
    // The code generator (and prettier, were it asked to format) loads only on a cache miss.
    const { emitModule } = await import("../codegen/emit-module.js");
    return emitModule(ir, { source, runtimeImport, prettier: false });
  },
};

/**
 * The built CLI's cache. The module imports the runtime for types only, so once
 * transpiled it imports nothing and may live anywhere: beside the package when
 * that is writable, else in the temporary directory (a global install is often
 * read-only).
 */
const javaScriptCache: Cache = {
  extension: ".mjs",
  dirs: () => [ownCacheDir, join(tmpdir(), `weakform-nlme-${process.getuid?.() ?? "cache"}`)],
  async emit(ir, source) {
    const { emitJavaScript } = await import("../codegen/emit-javascript.js");
    return emitJavaScript(ir, { source });
  },
};

/** Writes the module, then its analysis: an entry is complete once both exist. Returns the module's path. */
function writeEntry(dirs: string[], key: string, extension: string, text: string, analysis: Analysis): string {
  for (const dir of dirs) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!ours(dir)) continue;
      // Under node_modules no package.json says "module": declare it, or a `.ts` module would load as CommonJS.
      if (extension === ".ts") writeFileAtomic(join(dir, "package.json"), '{ "type": "module" }\n');
      writeFileAtomic(join(dir, `${key}${extension}`), text);
      writeFileAtomic(join(dir, `${key}.json`), JSON.stringify(analysis));
      return join(dir, `${key}${extension}`);
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

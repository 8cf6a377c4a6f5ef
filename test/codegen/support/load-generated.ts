// Writes generated module text under test-output/generated/ (gitignored) and
// imports it, so tests exercise the very text the emitter produced.
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CompiledModel } from "../../../src/runtime/model.js";

export const GENERATED_TEST_DIR = fileURLToPath(new URL("../../../test-output/generated", import.meta.url));
/** How a module in GENERATED_TEST_DIR imports the runtime. */
export const RUNTIME_IMPORT_FROM_TEST = "../../src/runtime/index.js";

export function writeGenerated(name: string, text: string): string {
  mkdirSync(GENERATED_TEST_DIR, { recursive: true });
  const hash = createHash("sha256").update(text).digest("hex").slice(0, 12);
  const path = join(GENERATED_TEST_DIR, `${name}-${hash}.ts`);
  writeFileSync(path, text);
  return path;
}

export async function loadGenerated(name: string, text: string): Promise<{ path: string; module: Record<string, unknown> & { model: CompiledModel } }> {
  const path = writeGenerated(name, text);
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown> & { model: CompiledModel };
  return { path, module };
}

// The built CLI's cached models are the emitter's module printed without
// types and imported by plain Node: every spec and fixture must give
// JavaScript that loads without a TypeScript loader, imports nothing, and
// passes the same checks against the IR as the TypeScript module.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { emitJavaScript } from "../../src/codegen/emit-javascript.js";
import type { ModelIr } from "../../src/ir/model.js";
import type { CompiledModel } from "../../src/runtime/model.js";
import { checkModel } from "./support/check-model.js";
import { GENERATED_TEST_DIR } from "./support/load-generated.js";
import { fixtures } from "./fixtures/index.js";
import { SPEC_FILES, specIr } from "./support/specs.js";

async function importJavaScript(ir: ModelIr, text: string): Promise<CompiledModel> {
  mkdirSync(GENERATED_TEST_DIR, { recursive: true });
  // .mjs: vitest and tsx leave it to Node, which would reject any type syntax left in it.
  const path = join(GENERATED_TEST_DIR, `${ir.name}-${process.pid}-${Date.now()}.mjs`);
  writeFileSync(path, text);
  return ((await import(pathToFileURL(path).href)) as { model: CompiledModel }).model;
}

describe("emitJavaScript", () => {
  const cases: [string, ModelIr][] = [...SPEC_FILES.map((f): [string, ModelIr] => [f, specIr(f)]), ...fixtures.map((ir): [string, ModelIr] => [`fixture ${ir.name}`, ir])];
  it.each(cases)("%s: plain JavaScript, no imports, same model as the IR", async (_name, ir) => {
    const text = await emitJavaScript(ir);
    expect(text).not.toMatch(/^\s*import\b/m);
    expect(text).not.toMatch(/: (Float64Array|number|Env|void|ModelMeta|CompiledModel)\b/);
    const model = await importJavaScript(ir, text);
    checkModel(ir, model, 1717, 20);
  });
});

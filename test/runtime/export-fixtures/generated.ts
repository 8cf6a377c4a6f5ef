// The compiled spec from generated/ when the code generator has written it
// (module exporting `model: CompiledModel`); undefined until then.
import { existsSync } from "node:fs";
import type { CompiledModel } from "../../../src/runtime/model.js";

export async function generatedModel(spec: string): Promise<CompiledModel | undefined> {
  for (const file of [spec, spec.replace(/_/g, "-")]) {
    const url = new URL(`../../../generated/${file}.ts`, import.meta.url);
    if (!existsSync(url)) continue;
    const mod = (await import(url.href)) as { model?: CompiledModel };
    if (mod.model) return mod.model;
  }
  return undefined;
}

// IR -> the same module as `emitModule`, as JavaScript: what the built CLI
// imports from its cache of compiled models, so that `nlme fit` runs on plain
// Node without a TypeScript loader, and without loading a TypeScript compiler
// to strip the types: the printer leaves them out. Users' projects still get
// TypeScript from `nlme compile`; this is only the CLI's private copy.
import type { ModelIr } from "../ir/model.js";
import { printModule, type EmitOptions } from "./emit-module.js";

export function emitJavaScript(ir: ModelIr, options: Omit<EmitOptions, "prettier" | "types"> = {}): Promise<string> {
  return printModule(ir, { ...options, types: false });
}

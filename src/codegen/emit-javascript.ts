// IR -> the same module as `emitModule`, as JavaScript: what the built CLI
// imports from its cache of compiled models, so that `nlme fit` runs on plain
// Node without a TypeScript loader. Users' projects still get TypeScript from
// `nlme compile`; this is only the CLI's private copy.
import { createRequire } from "node:module";
import type * as TsMorph from "ts-morph";
import type { ModelIr } from "../ir/model.js";
import { printModule, type EmitOptions } from "./emit-module.js";

export async function emitJavaScript(ir: ModelIr, options: Omit<EmitOptions, "prettier"> = {}): Promise<string> {
  const text = await printModule(ir, options);
  // printModule has loaded ts-morph already, and with it the TypeScript compiler it bundles: transpiling costs no further load.
  const { ts } = createRequire(import.meta.url)("ts-morph") as typeof TsMorph;
  const result = ts.transpileModule(text, {
    fileName: `${ir.name}.ts`,
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
  });
  const problems = result.diagnostics ?? [];
  if (problems.length > 0) {
    throw new Error(`generated module of ${ir.name} does not transpile: ${problems.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")).join("; ")}`);
  }
  return result.outputText;
}

import { emitModule, printModule } from "./src/codegen/emit-module.js";
import { dictionaryModel } from "./test/codegen/fixtures/dictionary.js";
import { writeFileSync } from "node:fs";
for (const ir of [dictionaryModel(20, 1, "gene_network"), dictionaryModel(10, 2, "gene_network_quadratic"), dictionaryModel(20, 1, "gene_network")]) {
  let t0 = performance.now();
  const raw = printModule(ir);
  const t1 = performance.now();
  const text = await emitModule(ir);
  const t2 = performance.now();
  console.log(ir.name, "print", (t1 - t0).toFixed(0), "ms; emit+format", (t2 - t1).toFixed(0), "ms; bytes", text.length, "lines", text.split("\n").length);
  writeFileSync(`/tmp/${ir.name}.ts`, text);
}

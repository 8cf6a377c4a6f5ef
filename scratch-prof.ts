import * as prettier from "prettier";
import { printModule } from "./src/codegen/emit-module.js";
import { specialise } from "./src/codegen/specialise.js";
import { dictionaryModel } from "./test/codegen/fixtures/dictionary.js";
const ir = dictionaryModel(10, 2, "gene_network_quadratic");
for (let rep = 0; rep < 3; rep++) {
  let t0 = performance.now();
  specialise(ir);
  const t1 = performance.now();
  const raw = printModule(ir);
  const t2 = performance.now();
  await prettier.format(raw, { parser: "babel-ts" });
  const t3 = performance.now();
  await prettier.format(raw, { parser: "typescript", filepath: "a.ts" });
  const t4 = performance.now();
  console.log(`specialise ${(t1 - t0).toFixed(0)} printModule ${(t2 - t1).toFixed(0)} babel-ts ${(t3 - t2).toFixed(0)} typescript ${(t4 - t3).toFixed(0)}`);
}

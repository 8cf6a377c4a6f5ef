// A compiled model used on its own: no parser, checker or code generator is
// loaded, only the generated module and the runtime it imports.
// Run: npx tsx examples/fit-orange.ts
import { readFileSync } from "node:fs";
import { estimate, exportMonolix, loadData } from "../generated/logistic.js";

const data = loadData(readFileSync("data/orange.csv", "utf8"), "data/orange.csv");
const fit = estimate(data);
console.log(`r = ${fit.parameters.r!.estimate}, K = ${fit.derived.K}`);
const files = exportMonolix(fit, data); // { "monolix/project.mlxtran": "...", "monolix/model.txt": ..., ... }
console.log(Object.keys(files).join("\n"));

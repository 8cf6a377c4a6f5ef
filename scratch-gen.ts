import { compileSpecs } from "./src/codegen/write-generated.js";
const t0 = performance.now();
const r = await compileSpecs(process.argv.slice(2), "generated");
console.log(r.written, r.failures.map((f) => f.file), (performance.now() - t0).toFixed(0), "ms");

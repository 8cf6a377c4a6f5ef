import { readFileSync, writeFileSync } from "node:fs";
import { analyse } from "./src/front-end.js";
import { emitModule } from "./src/codegen/emit-module.js";
for (const f of ["logistic", "lotka_volterra", "antibody_clairon", "ebola_pasin", "pk_oral", "gene_network", "gene_network_quadratic"]) {
  const t0 = performance.now();
  const r = analyse(readFileSync(`specs/${f}.nlme`, "utf8"), `specs/${f}.nlme`);
  const t1 = performance.now();
  if (!r.ir) { console.log(f, "ERRORS", r.diagnostics.map((d) => d.message)); continue; }
  const text = await emitModule(r.ir);
  const t2 = performance.now();
  console.log(f, `analyse ${(t1 - t0).toFixed(0)} emit ${(t2 - t1).toFixed(0)} ms, ${text.length} bytes`);
  writeFileSync(`/tmp/spec_${f}.ts`, text);
  if (f === "antibody_clairon" || f === "pk_oral") console.log(JSON.stringify(r.ir.dynamics.map(d => ({ ...d, span: undefined })), null, 0).slice(0, 3000));
}

// Every spec in specs/ through the real front end and the emitter: the
// generated functions agree with the checked IR (see support/check-model.ts
// for what is compared and with which tolerance). Emitted without entry
// points, so that these tests load no runtime code and fail only for the
// compiler's own faults.
import { describe, expect, it } from "vitest";
import { emitModule } from "../../src/codegen/emit-module.js";
import { checkModel } from "./support/check-model.js";
import { loadGenerated, RUNTIME_IMPORT_FROM_TEST } from "./support/load-generated.js";
import { SPEC_FILES, specIr } from "./support/specs.js";

describe("generated modules of specs/", () => {
  it("covers every spec", () => {
    expect(SPEC_FILES.length).toBeGreaterThanOrEqual(7);
  });

  for (const [i, file] of SPEC_FILES.entries()) {
    it(`${file}: Theta theta + c, observed scale, Jacobians, h, h^-1 and derived agree with the IR`, async () => {
      const ir = specIr(file);
      const { module } = await loadGenerated(ir.name, await emitModule(ir, { runtimeImport: RUNTIME_IMPORT_FROM_TEST, source: file }));
      // The big dictionary models get fewer points: each one checks d*p*d Jacobian entries.
      checkModel(ir, module.model, 5000 + i, ir.parameters.length > 100 ? 4 : 60);
      expect(module.model.meta.name).toBe(ir.name);
    });
  }
});

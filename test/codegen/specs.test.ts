// Every spec in specs/ through the real front end, against the committed
// generated/ module it compiles to (write-generated.test.ts checks that
// generated/ is exactly what the emitter produces now): the generated
// functions agree with the checked IR (see support/check-model.ts for what is
// compared and with which tolerance).
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import type { CompiledModel } from "../../src/runtime/model.js";
import { checkModel } from "./support/check-model.js";
import { REPO, SPEC_FILES, specIr } from "./support/specs.js";

describe("generated modules of specs/", () => {
  it("covers every spec", () => {
    expect(SPEC_FILES.length).toBeGreaterThanOrEqual(7);
  });

  for (const [i, file] of SPEC_FILES.entries()) {
    it(`${file}: Theta theta + c, observed scale, Jacobians, h, h^-1 and derived agree with the IR`, async () => {
      const ir = specIr(file);
      const module = (await import(pathToFileURL(join(REPO, "generated", `${ir.name}.ts`)).href)) as { model: CompiledModel };
      // The big dictionary models get fewer points: each one checks d*p*d Jacobian entries.
      checkModel(ir, module.model, 5000 + i, ir.parameters.length > 100 ? 4 : 60);
      expect(module.model.meta.name).toBe(ir.name);
    });
  }
});

// Every spec in specs/ through the real front end and the emitter: the
// generated functions agree with the checked IR (see support/check-model.ts
// for what is compared and with which tolerance). Emitted without entry
// points, so that these tests load no runtime code and fail only for the
// compiler's own faults.
import { describe, expect, it } from "vitest";
import { emitModule } from "../../src/codegen/emit-module.js";
import { checkModel } from "./support/check-model.js";
import { loadGenerated, RUNTIME_IMPORT_FROM_TEST } from "./support/load-generated.js";
import { EXTRA_SPEC_FILES, SPEC_FILES, specIr } from "./support/specs.js";

describe("generated modules of specs/", () => {
  it("covers every spec", () => {
    expect(SPEC_FILES.length).toBeGreaterThanOrEqual(7);
  });

  for (const [i, file] of [...SPEC_FILES, ...EXTRA_SPEC_FILES].entries()) {
    it(`${file}: Theta theta + c, observed scale, Jacobians, h, h^-1 and derived agree with the IR`, async () => {
      const ir = specIr(file);
      const { module } = await loadGenerated(ir.name, await emitModule(ir, { runtimeImport: RUNTIME_IMPORT_FROM_TEST, source: file }));
      // The big dictionary models get fewer points: each one checks d*p*d Jacobian entries.
      checkModel(ir, module.model, 5000 + i, ir.parameters.length > 100 ? 4 : 60);
      expect(module.model.meta.name).toBe(ir.name);
    });
  }
});

describe("reciprocal parameters in the generated functions", () => {
  it("x / V and a derived V read the coefficient 1/V", async () => {
    const text = `model recip
states {
  C
}
parameters {
  V ~ random
  k ~ random
}
dynamics {
  d/dt C = 2 / V - k * C
}
observe {
  y = C ~ constant
}
derived {
  Vol = V
  Cl = k * V
}
`;
    const { analyse } = await import("../../src/front-end.js");
    const ir = analyse(text, "recip.nlme").ir!;
    expect(ir.parameters[0]!.estimatedAs).toBe("reciprocal");
    const { module } = await loadGenerated(ir.name, await emitModule(ir, { runtimeImport: RUNTIME_IMPORT_FROM_TEST }));
    const m = module.model;
    const env = { sinceDose: 0, dose: 0, cov: new Float64Array(0) };
    const theta = Float64Array.from([0.25, 0.3]); // 1/V = 0.25: V = 4
    const f = new Float64Array(1);
    m.rhs(Float64Array.from([1.5]), theta, 0, env, f);
    expect(f[0]).toBeCloseTo(2 * 0.25 - 0.3 * 1.5, 14);
    const Theta = new Float64Array(2);
    m.dictionary(Float64Array.from([1.5]), 0, env, Theta);
    expect([...Theta]).toEqual([2, -1.5]);
    const dv = new Float64Array(2);
    m.derived(theta, dv);
    expect(dv[0]).toBeCloseTo(4, 14);
    expect(dv[1]).toBeCloseTo(0.3 * 4, 14);
    expect(m.meta.parameters[0]!.estimatedAs).toBe("reciprocal");
  });
});

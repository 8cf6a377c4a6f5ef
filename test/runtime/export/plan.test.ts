// Name handling shared by both exports: time, code-generator spellings of
// flattened names, reserved words, and the initial-value parameters.
import { describe, expect, it } from "vitest";
import { buildPlan } from "../../../src/runtime/export/plan.js";
import { exportMonolix } from "../../../src/runtime/export/monolix.js";
import { exportNlmixr2 } from "../../../src/runtime/export/nlmixr2.js";
import { checkMonolixProject } from "../../../src/runtime/export/mlxtran-check.js";
import { baseFit, baseMeta, est } from "./fixtures/fixture.js";

const meta = baseMeta({
  name: "names",
  time: { name: "age" },
  states: [
    { name: "g1", latent: false },
    { name: "g10", latent: false },
  ],
  constants: { k: 0.5 },
  parameters: [
    { name: "W[g1, g1*g10]", variability: "random", distribution: "normal" },
    { name: "tDose", variability: "fixed", distribution: "logNormal" },
  ],
  observations: [
    { name: "y1", state: 0, transform: "log", error: "combined" },
    { name: "y10", state: 1, transform: "affine", scale: 2, offset: 1, error: "constant" },
  ],
  equations: ["W_g1_g1_g10 * g1 * g10 - k * exp(-age) * g1", "tDose * g1"],
});
const fit = baseFit(
  "names",
  5,
  { "W[g1, g1*g10]": est(-0.2, 0.05), tDose: est(0.3, null) },
  {
    y1: { a: 0.1, b: 0.05, error: "combined" },
    y10: { a: 0.2, error: "constant" },
  },
);

describe("buildPlan names", () => {
  const plan = buildPlan(meta, fit, undefined, { initialStates: { g1: 1, g10: 2 } });

  it("maps time to t, code-generator names to exported names, and avoids reserved words", () => {
    const w = plan.parameters.find((p) => p.source === "W[g1, g1*g10]")!;
    expect(w.name).toBe("W_g1_g1_g10");
    const td = plan.parameters.find((p) => p.source === "tDose")!;
    expect(td.name).not.toBe("tDose");
    expect(plan.states[0]!.rhs).toBe("W_g1_g1_g10 * g1 * g10 - k * exp(-t) * g1");
    expect(plan.states[1]!.rhs).toBe(`${td.name} * g1`);
  });

  it("names initial values X_init when X0 would read as another state (g1 -> g10)", () => {
    expect(plan.states.map((s) => s.initial)).toEqual([
      { kind: "param", param: "g1_init" },
      { kind: "param", param: "g10_init" },
    ]);
  });

  it("writes the observation transforms and error models, and passes the self-check", () => {
    const { files } = exportMonolix(meta, fit, undefined, { initialStates: { g1: 1, g10: 2 } });
    expect(files["monolix/model.txt"]).toContain("y1_pred = log(max(g1, 1e-300))");
    expect(files["monolix/model.txt"]).toContain("y10_pred = 2 * g10 + 1");
    expect(files["monolix/project.mlxtran"]).toContain("errorModel=combined2(a_y1, b_y1)");
    expect(checkMonolixProject(files)).toEqual([]);
    const r = exportNlmixr2(meta, fit, undefined, { initialStates: { g1: 1, g10: 2 } });
    expect(r).toContain("y1_pred ~ add(add.sd.y1) + prop(prop.sd.y1) + combined2() | g1");
    expect(r).toContain("W_g1_g1_g10 <- tW_g1_g1_g10 + eta.W_g1_g1_g10");
  });
});

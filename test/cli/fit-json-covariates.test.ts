// fit.json's covariate fields are checked when read back (`nlme export`): a corrupted one names the field.
import { describe, expect, it } from "vitest";
import { parseFitJson } from "../../src/cli/fit-json.js";

const base = {
  model: "growth_diet",
  parameters: { r: { estimate: 0.02, se: 0.0002, omega: 0.001 } },
  residual: { weight: { error: "constant", a: 3 } },
  covariateEffects: { beta_r_DIET_D2: { parameter: "r", covariate: "DIET", level: "D2", estimate: 0.006, se: 0.0003, scale: "natural" } },
  covariateLevels: { DIET: ["D1", "D2", "D3"] },
};

describe("fit.json covariate fields", () => {
  it("a well-formed fit reads back with its effects and levels", () => {
    const fit = parseFitJson(JSON.stringify(base), "fit.json");
    expect(fit.covariateEffects!["beta_r_DIET_D2"]!.estimate).toBe(0.006);
    expect(fit.covariateLevels).toEqual({ DIET: ["D1", "D2", "D3"] });
  });

  it("a non-numeric estimate or levels that are not labels name the field", () => {
    const badEstimate = { ...base, covariateEffects: { beta_r_DIET_D2: { ...base.covariateEffects.beta_r_DIET_D2, estimate: "x" } } };
    expect(() => parseFitJson(JSON.stringify(badEstimate), "fit.json")).toThrow(/covariateEffects\.beta_r_DIET_D2\.estimate/);
    expect(() => parseFitJson(JSON.stringify({ ...base, covariateLevels: { DIET: [1, 2] } }), "fit.json")).toThrow(/covariateLevels\.DIET/);
  });
});

// The pharmacokinetic examples (examples/*.nlme) on the real sets of
// data/real, against the R nlme reference fits (*.reference.json, the ODE-form
// population values of the primary model). Target (issue 13): fixed effects
// within 20%. The two-compartment sets are fitted by the log-scale mixed model
// on exact sums of exponentials (estimate/compartment-population.ts); measured
// (this file): cefamandole V -2.5%, k10 -0.8%, k12 -1.4%, k21 +2.5%;
// remifentanil V1 +4.1%, k10 -3.9%, k12 -7.4%, k21 -1.2%, Cl 0.0%, Q -3.6%,
// V2 -2.4% (the medians of per-subject fits they replace: k12 +42% and +49%).
// Their standard errors are asserted within a factor of 2 of R's: the
// parameterisations differ (R's random effects are diagonal in (A1, lambda1,
// A2, lambda2) and in (Cl, V1, Q, V2), ours in (V, k10, k12, k21)), so the SEs
// are not expected to agree closer (remifentanil k10: 0.0118 against 0.0210).
// Quinidine: the steady-state doses (SS=1, II) are now read (107 of 136 patients, 249 doses); the first guess
// writes each out as its regimen and, for this one-compartment model, takes the exact sums of exponentials: R's M0
// (test/runtime/refine/real/quinidine_m0.nlme) in 7-9 CPU s instead of 532, Cl +4.2% against R but ka and ke on
// the flip-flop branch (test/runtime/estimate/steady-state-fit.test.ts). Before (SS read as single doses, latent
// rows): 532 CPU s, ka 0.197, ke 1.01, V 8.1, Cl 8.20 (-31%).
// Quinidine is asserted there, not here.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadModel } from "../../../src/cli/load-model.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { fit } from "../../../src/runtime/estimate/fit.js";
import type { FitResult } from "../../../src/runtime/fit-result.js";

const root = new URL("../../../", import.meta.url);

async function fitExample(name: string, specPath?: string): Promise<FitResult> {
  const { model } = await loadModel(specPath ?? new URL(`examples/${name}.nlme`, root).pathname);
  const path = new URL(`data/real/${name}.csv`, root).pathname;
  return fit(model, loadData(readFileSync(path, "utf8"), path, model.meta));
}

function reference(name: string, primary: string): Record<string, number> {
  const ref = JSON.parse(readFileSync(new URL(`data/real/${name}.reference.json`, root), "utf8"));
  const pop = ref.models[primary].ode_form.population_parameters as Record<string, { estimate: number }>;
  return Object.fromEntries(Object.entries(pop).map(([k, v]) => [k, v.estimate]));
}

function referenceSe(name: string, primary: string): Record<string, number> {
  const ref = JSON.parse(readFileSync(new URL(`data/real/${name}.reference.json`, root), "utf8"));
  const pop = ref.models[primary].ode_form.population_parameters as Record<string, { se: number }>;
  return Object.fromEntries(Object.entries(pop).map(([k, v]) => [k, v.se]));
}

const rel = (a: number, b: number) => Math.abs(a - b) / b;

function withinTwo(se: number | null, ref: number): boolean {
  return se !== null && se > ref / 2 && se < ref * 2;
}

describe("cefamandole (2-compartment IV bolus, 6 subjects), R reference M1_biexp_logscale", () => {
  it("V, k10, k12, k21 and Cl, Q, V2 within 20%; standard errors within a factor of 2", async () => {
    const r = await fitExample("cefamandole");
    const ref = reference("cefamandole", "M1_biexp_logscale");
    const se = referenceSe("cefamandole", "M1_biexp_logscale");
    for (const name of ["V", "k10", "k12", "k21"]) {
      expect(rel(r.parameters[name]!.estimate, ref[name]!), name).toBeLessThan(0.2);
      expect(withinTwo(r.parameters[name]!.se, se[name]!), `se ${name}`).toBe(true);
    }
    for (const name of ["Cl", "Q", "V2"]) expect(rel(r.derived[name]!, ref[name]!), name).toBeLessThan(0.2);
  }, 120_000);
});

describe("remifentanil (2-compartment infusion, 65 patients), R reference M0_2cmt_log", () => {
  it("V1, k10, k12, k21 and Cl, Q, V2 within 20%; standard errors within a factor of 2", async () => {
    const r = await fitExample("remifentanil");
    const ref = reference("remifentanil", "M0_2cmt_log");
    const se = referenceSe("remifentanil", "M0_2cmt_log");
    for (const name of ["V1", "k10", "k12", "k21"]) {
      expect(rel(r.parameters[name]!.estimate, ref[name]!), name).toBeLessThan(0.2);
      expect(withinTwo(r.parameters[name]!.se, se[name]!), `se ${name}`).toBe(true);
    }
    for (const name of ["Cl", "Q", "V2"]) expect(rel(r.derived[name]!, ref[name]!), name).toBeLessThan(0.2);
  }, 120_000);
});

describe("remifentanil with a full omega (random { covariance full (V1, k10, k12, k21) })", () => {
  it("V1, k10, k12, k21 within 20% of R nlme (whose omega is diagonal in Cl, V1, Q, V2); six correlations reported", async () => {
    // Measured: V1 -4.0%, k10 +3.8%, k12 +6.9%, k21 +1.3%.
    const dir = mkdtempSync(join(tmpdir(), "remi-full-"));
    try {
      const text = readFileSync(new URL("examples/remifentanil.nlme", root), "utf8").replace("derived {", "random {\n  covariance full (V1, k10, k12, k21)\n}\n\nderived {");
      const path = join(dir, "remifentanil.nlme");
      writeFileSync(path, text);
      const r = await fitExample("remifentanil", path);
      const ref = reference("remifentanil", "M0_2cmt_log");
      for (const name of ["V1", "k10", "k12", "k21"]) expect(rel(r.parameters[name]!.estimate, ref[name]!), name).toBeLessThan(0.2);
      const corr = Object.values(r.omegaCorrelation);
      expect(corr).toHaveLength(6);
      for (const c of corr) expect(Math.abs(c)).toBeLessThanOrEqual(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("remifentanil with age and lean body mass (examples/remifentanil_age_lbm.nlme), R reference M1_2cmt_log_age_lbm", () => {
  it("V1, k10, k12, k21 within 20% at 40 years and 55 kg; the effects on log V1 and log k10 within 2 SE of R's", async () => {
    // Measured: V1 +4.1%, k10 -3.8%, k12 -9.3%, k21 -1.3%; beta_V1_Age -0.0154 (R -0.0147), beta_V1_LBM 0.0138 (0.0145),
    // beta_k10_Age 0.0088 (R's lCl - lV1 effects: 0.0082), beta_k10_LBM -0.0063 (-0.0076). R ties the effects on k12 to
    // those on V1 (k12 = Q / V1); here they are free: beta_k12_LBM -0.0037 +- 0.0072 against R's -0.0145.
    const { model } = await loadModel(new URL("examples/remifentanil_age_lbm.nlme", root).pathname);
    const path = new URL("data/real/remifentanil.csv", root).pathname;
    const r = fit(model, loadData(readFileSync(path, "utf8"), path, model.meta));
    const ref = reference("remifentanil", "M1_2cmt_log_age_lbm");
    for (const name of ["V1", "k10", "k12", "k21"]) expect(rel(r.parameters[name]!.estimate, ref[name]!), name).toBeLessThan(0.2);
    const fe = JSON.parse(readFileSync(new URL("data/real/remifentanil.reference.json", root), "utf8")).models.M1_2cmt_log_age_lbm.fixed_effects as Record<string, { estimate: number }>;
    const b = (n: string) => fe[n]!.estimate;
    const expected: Record<string, number> = {
      beta_V1_Age: b("lV1.Age40"),
      beta_V1_LBM: b("lV1.LBM55"),
      beta_k10_Age: b("lCl.Age40") - b("lV1.Age40"),
      beta_k10_LBM: b("lCl.LBM55") - b("lV1.LBM55"),
    };
    for (const [name, value] of Object.entries(expected)) {
      const e = r.covariateEffects![name]!;
      expect(e.scale, name).toBe("log");
      expect(Math.abs(e.estimate - value), name).toBeLessThan(2 * e.se!);
    }
  }, 120_000);
});

describe("tetracycline1 (oral, 10 profiles x 4 samples), R reference M0_SSfol_no_covariate", () => {
  it("ka, V, ke within 20%", async () => {
    const r = await fitExample("tetracycline1");
    const ref = reference("tetracycline1", "M0_SSfol_no_covariate");
    for (const name of ["ka", "V", "ke"]) expect(rel(r.parameters[name]!.estimate, ref[name]!), name).toBeLessThan(0.2);
  }, 120_000);
});

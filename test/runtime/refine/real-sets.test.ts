// SAEM on the real data sets against R nlme's maximum-likelihood fits (data/real/<name>.reference.json, made by
// data/real/fit_<name>.R). Criterion of issue 14: each compared value within 5% of R's, or inside R's 95% interval
// (estimate +- 1.96 SE, the SEs the reference gives). Where the spec's model is not R's (error model, the scale the
// random effects act on), the comparison is made on what both models estimate alike: the ODE-form parameters of the
// typical subject that the reference derives. Log-likelihoods are compared in the comments, never asserted: R's is
// the linearised (Lindstrom-Bates) value of its own model.
// The sets that take more than a few seconds (remifentanil 65 x 2 compartments with infusions, quinidine 136
// patients) are in the bench instead: `npm run bench -- refine-real`. Quinidine (R's M0, steady-state
// doses) takes a minute of CPU per SAEM run, two runs (both branches of the flip-flop, meta.absorption): from the
// first guess the first run stays on its flip-flop side (ka -93%, V -72%, ke +292%, Cl +8.5%; -500.29), the run
// from its twin is kept: ka -7.2%, V +5.3%, ke -0.8%, Cl +4.4% (log-likelihood -495.68 against R's -496.63; 124 CPU
// s with the first guess); from R's typical values ka +1.2%, V +11%, ke -6.1%, Cl +4.1% (-495.67), all within 5% or
// inside R's 95% interval. The steady state itself is tested cheaply:
// SAEM's predictions against R's model (steady-state-predict.test.ts), the first guess (estimate/steady-state-fit.test.ts).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadModel } from "../../../src/cli/load-model.js";
import { refinedTable } from "../../../src/cli/refined-table.js";
import { POOLED_START } from "../../../src/runtime/refine/refine.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { estimate } from "../../../src/runtime/model-entry.js";
import { refine, type RefineOptions } from "../../../src/runtime/refine/refine.js";
import type { FitResult, RefinedFit } from "../../../src/runtime/fit-result.js";

const root = resolve(import.meta.dirname, "../../..");

interface Reference {
  models: Record<
    string,
    {
      logLik: number;
      fixed_effects?: Record<string, { estimate: number; se: number }>;
      random_effects?: { sd: Record<string, number> };
      ode_form: { population_parameters: Record<string, { estimate: number; se: number }> };
    }
  >;
}

function reference(name: string, model: string) {
  const ref = JSON.parse(readFileSync(join(root, "data/real", `${name}.reference.json`), "utf8")) as Reference;
  return ref.models[model]!;
}

async function refined(spec: string, name: string, options: RefineOptions & { firstGuess?: boolean } = {}): Promise<{ r: RefinedFit; guess?: FitResult }> {
  const model = (await loadModel(join(root, spec))).model;
  const path = join(root, "data/real", `${name}.csv`);
  const data = loadData(readFileSync(path, "utf8"), path, model.meta);
  const guess = options.firstGuess === false ? undefined : estimate(model, data);
  return { r: refine(model, data, guess, { seed: 1, ...options }), guess };
}

/** Within 5% of R's value, or inside its 95% interval. */
function agrees(ours: number, ref: { estimate: number; se: number }): boolean {
  return Math.abs(ours / ref.estimate - 1) < 0.05 || Math.abs(ours - ref.estimate) < 1.96 * ref.se;
}

const est = (r: RefinedFit, name: string) => r.parameters[name]!.estimate;
const beta = (r: RefinedFit, name: string) => r.covariateEffects![name]!.estimate;

describe("refine on the real sets against R nlme", () => {
  describe("BodyWeight (examples/bodyweight.nlme) against R's M1: the same model, diet effects on r and on log W(0)", () => {
    // Measured (seed 1, per-subject random streams): r_D1 0.001344 (R 0.001363, -1.4%), r_D2 0.002018 (0.002004,
    // +0.7%), r_D3 0.001287 (0.001269, +1.4%); W0_D1 251.81 (R 251.61, +0.08%), beta_W0_Diet_D2 0.5788 (R's
    // lW0.DietD2 0.58027), beta_W0_Diet_D3 0.6920 (0.69342); omega of log W(0) 0.0743 (R 0.0743); log-likelihood
    // -576.11 (Monte Carlo s.e. 0.17) against R's -576.25. (One stream for all subjects gave r_D2 0.001992, r_D3
    // 0.001268, log-likelihood -576.39.) (Before SAEM took the W(0) diet effects, one W(0) varied over all rats:
    // omega 0.33 and log-likelihood -600.0.)
    const model = reference("bodyweight", "M1_exponential_growth");
    const ref = model.ode_form.population_parameters;
    let cached: RefinedFit;
    const run = async () => (cached ??= (await refined("examples/bodyweight.nlme", "bodyweight")).r);

    it("the growth rate of each diet agrees with R's", async () => {
      const r = await run();
      const r1 = est(r, "r");
      expect(agrees(r1, ref["r_D1"]!)).toBe(true);
      expect(agrees(r1 + beta(r, "beta_r_Diet_D2"), ref["r_D2"]!)).toBe(true);
      expect(agrees(r1 + beta(r, "beta_r_Diet_D3"), ref["r_D3"]!)).toBe(true);
      for (const d of ["D1", "D2", "D3"]) expect(Math.abs((r1 + (d === "D1" ? 0 : beta(r, `beta_r_Diet_${d}`))) / ref[`r_${d}`]!.estimate - 1)).toBeLessThan(0.05);
    }, 120_000);

    it("W(0) at the reference diet, its diet effects on log W(0) and their omega agree with R's lW0", async () => {
      const r = await run();
      expect(r.parameters["W0"]!.initialState).toBe("W");
      expect(agrees(est(r, "W0"), ref["W0_D1"]!)).toBe(true);
      expect(r.covariateEffects!["beta_W0_Diet_D2"]!.scale).toBe("log");
      expect(agrees(beta(r, "beta_W0_Diet_D2"), model.fixed_effects!["lW0.DietD2"]!)).toBe(true);
      expect(agrees(beta(r, "beta_W0_Diet_D3"), model.fixed_effects!["lW0.DietD3"]!)).toBe(true);
      expect(Math.abs(r.parameters["W0"]!.omega! / model.random_effects!.sd["lW0.(Intercept)"]! - 1)).toBeLessThan(0.05);
    }, 120_000);
  });

  describe("Cefamandole (examples/cefamandole.nlme, proportional error) against R's M1 (log-scale error)", () => {
    // R puts log-normal random effects on the biexponential's amplitudes and rates (lA1, lrc1, lA2, lrc2), the spec
    // on V, k10, k12, k21; proportional error on conc against R's additive error on log(conc). Measured (seed 1,
    // from the log-scale mixed-model first guess, per-subject random streams): V 0.07949 (R 0.08498, -6.5%), k10
    // 0.02954 (0.02895, +2.0%), k12 0.00702 (0.00615, +14%), k21 0.01522 (0.01385, +9.9%); Cl 0.002348 (-4.5%), Q
    // 0.000558 (+6.7%), V2 0.03666 (-2.9%): every one inside R's 95% interval (6 subjects: the intervals are wide).
    // Log-likelihood -206.69 (Monte Carlo s.e. 0.14) against R's -206.30 on the concentration scale. (One stream
    // for all subjects gave V 0.07452, k12 0.00832 (+35%), -206.34: the likelihood is flat along k12.) (Started from the former
    // first guess, medians of per-subject fits, k12 ended at +47% and k21 at +20%, outside the intervals.)
    const ref = reference("cefamandole", "M1_biexp_logscale").ode_form.population_parameters;
    let r: RefinedFit;
    const run = async () => (r ??= (await refined("examples/cefamandole.nlme", "cefamandole")).r);

    it("V, k10 and the clearances and volumes Cl, Q, V2 are inside R's 95% intervals", async () => {
      const x = await run();
      const V = est(x, "V");
      const [k10, k12, k21] = [est(x, "k10"), est(x, "k12"), est(x, "k21")];
      expect(agrees(V, ref["V"]!)).toBe(true);
      expect(agrees(k10, ref["k10"]!)).toBe(true);
      expect(agrees(k10 * V, ref["Cl"]!)).toBe(true);
      expect(agrees(k12 * V, ref["Q"]!)).toBe(true);
      expect(agrees((k12 * V) / k21, ref["V2"]!)).toBe(true);
    }, 120_000);

    it("k12 and k21 are inside R's 95% intervals", async () => {
      const x = await run();
      expect(agrees(est(x, "k12"), ref["k12"]!)).toBe(true);
      expect(agrees(est(x, "k21"), ref["k21"]!)).toBe(true);
    }, 120_000);
  });

  it("Spruce (test/runtime/refine/real/spruce.nlme) from the weak-form first guess: k, a by ozone and the asymptotes a/k within 5% of R's M_SSasymp_ozone or inside its 95% intervals", async () => {
    // The weak-form first guess does not describe these data (k 0.00037 against R's 0.0095; the quality check flags
    // poor-fit: its test functions weigh the 211-day winter without growth as much as the growing seasons, which an
    // asymptotic model cannot follow, and the rows' own least squares give k < 0 per tree). SAEM started there ended
    // at k 0.0007 (-93%); refine now starts from a pooled ODE fit and iterative two-stage rounds (pooled-start.ts).
    // Measured (seed 1): k 0.009077 (R 0.009471, -4.2%), a control 0.05745 (-3.8%), a ozone 0.05390 (-4.2%), Asym
    // control 6.329 (+0.4%), Asym ozone 5.938 (-0.1%); log-likelihood -247.9 against -241.2 when SAEM starts at R's
    // values (our random effects are on a and L(152), R's on Asym and R0: R's linearised -194.3 is of another model).
    const { r, guess } = await refined("test/runtime/refine/real/spruce.nlme", "spruce");
    // While the weak form gives this poor start, refine must have said that it replaced it.
    if (guess!.parameters["k"]!.estimate < 0.001) {
      expect(r.notes.some((n) => n.includes("pooled ODE fit"))).toBe(true);
      expect(r.startedFrom).toBe(POOLED_START);
      expect(refinedTable(r)).toContain("SAEM itself started from a pooled ODE fit");
    }
    const ref = reference("spruce", "M_SSasymp_ozone").ode_form.population_parameters;
    const k = est(r, "k");
    const a = est(r, "a");
    const aO = a + beta(r, "beta_a_OZONE_ozone");
    const pairs: [number, string][] = [
      [k, "k"],
      [a, "a_control"],
      [aO, "a_ozone"],
      [a / k, "Asym_control"],
      [aO / k, "Asym_ozone"],
    ];
    for (const [ours, name] of pairs) expect(agrees(ours, ref[name]!), `${name}: ${ours} against ${ref[name]!.estimate}`).toBe(true);
  }, 120_000);

  it("Tetracycline1 (R's M1: formulation on ka and Cl, random Cl, constant error) inside R's 95% intervals", async () => {
    // test/runtime/refine/real/tetracycline1_m1.nlme is R's M1 but for a random effect on ka (the language has
    // covariate terms only after a distribution). The weak-form fit of this latent-state model takes about 50 CPU
    // seconds, so SAEM starts at its typical values (ka 0.265, V 0.172, ke 0.595; no covariate effects on that path).
    // Measured (seed 1, per-subject random streams): SAEM's first run ends on the flip-flop side of the ridge ka = ke
    // (ka 0.326, ke 0.554, V 0.203; log-likelihood -19.56), the run from its twin (meta.absorption) on R's side, and
    // is kept: ka 0.566 and 0.376 (R 0.583, 0.411: -2.9%, -8.6%), ke 0.314 (0.293, +7.0%), V 0.354 and 0.294 (0.364,
    // 0.307), Cl 0.1110 and 0.0924 (0.1067, 0.0900: +4.0%, +2.7%), ka/V 1.60 and 1.28 (1.60, 1.34); log-likelihood
    // -19.34 against R's -19.07. R's SEs are as large as the estimates (lKe 1.22, lKa 1.19): every value of both
    // runs is inside R's intervals. With one stream for all subjects a single run ended at ka 0.66, ke 0.29 (-19.33)
    // and, before that, at ka 0.250, ke 0.870 (-20.99): the ridge is flat.
    const { r } = await refined("test/runtime/refine/real/tetracycline1_m1.nlme", "tetracycline1", { firstGuess: false, start: { ka: 0.265, V: 0.172, ke: 0.595 } });
    const ref = reference("tetracycline1", "M1_SSfol_formulation").ode_form.population_parameters;
    expect(r.branches?.map((b) => [b.branch, b.kept])).toEqual([
      ["flip-flop", false],
      ["conventional", true],
    ]);
    const [ka, V, ke] = [est(r, "ka"), est(r, "V"), est(r, "ke")];
    const kaT = ka * Math.exp(beta(r, "beta_ka_FORM_tetracyn"));
    const VT = V * Math.exp(beta(r, "beta_V_FORM_tetracyn"));
    const pairs: [number, string][] = [
      [ka, "ka_tetrachel"],
      [ke, "ke_tetrachel"],
      [V, "V_tetrachel"],
      [ke * V, "Cl_tetrachel"],
      [ka / V, "ka_over_V_tetrachel"],
      [kaT, "ka_tetracyn"],
      [ke, "ke_tetracyn"],
      [VT, "V_tetracyn"],
      [ke * VT, "Cl_tetracyn"],
      [kaT / VT, "ka_over_V_tetracyn"],
    ];
    for (const [ours, name] of pairs) expect(agrees(ours, ref[name]!), `${name}: ${ours} against ${ref[name]!.estimate}`).toBe(true);
  }, 120_000);
});

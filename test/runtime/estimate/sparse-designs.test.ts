// The sparse designs of issue 12 against their truth files (data/*.truth.json:
// population values `theta`, log-scale omegas `omega_sd`), fitted through the
// bundled log-normal specs. Bounds from the issue: population values within
// 15%, omegas within 40%. `it.fails` marks a done-when check the method does
// not meet yet, with the measured figure: it turns red once met.
//
// Measured (population value / omega, signed error vs the truth file):
//   growth_sparse.csv     main: kA 0.373, k -0.0388 (negative)
//                         now:  kA 4.662 (-2.9%), k 0.0780 (-2.5%); omegas 0.083 (-17%), 0.0685 (+37%);
//                               b 0.0286 (truth 0.03; 0.088 before the shared smoother, rows/shared-curves.ts)
//   pk_oral_sparse.csv    main: ka 1.518, ka/V 3.517, ke 0.0871
//                         now:  ka 1.869 (-15.0%), ka/V 3.666 (-8.4%), ke 0.0777 (+11%);
//                               omegas 0.234 (-22%), 0.351 (+17%), 0.131 (-13%)
//                               (the 12 simulated subjects' own ka have a geometric mean of 2.00, -9%)
//   antibody_clairon_sparse.csv (tested below: 12.5 s of CPU since the rows are kept per (rate, decay); 46 s before)
//                         main: theta 20.2, fM2 4.24, delta_Ab 0.0368 (additive omegas)
//                         now:  theta 18.49 (-1.1%), fM2 4.94 (+9.9%), delta_Ab 0.0337 (+12.2%); omegas 0.49 (-2%), 0.60 (-25%)
//                         (Laplace EM without importance sampling: fM2 6.36 (+41%), delta_Ab 0.0369 (+23%))
// Medians over 10 seeded re-simulations of each design (scripts/sparse-simulations.ts, seeds 100-109):
//   growth   kA 0.0%, k -1.6%; omegas -17%, -59% (omega of k at ~0 in 5 of 10). The population step is
//            already a mixed model (Laplace EM, each subject through its posterior), not the spread of
//            per-subject estimates: the design itself says little. With X(0) a free nuisance per subject,
//            the Cramer-Rao SD of one tree's log k from 6 samples at 3% is 0.127 (0.067 with X(0) known),
//            2.5 times the omega of 0.05, so omega_k^2 is 13% of the spread of 14 subjects' estimates,
//            within one standard error of 0. Same with the shared smoother (medians unchanged to 1%).
//   pk       ka -4.5%, ka/V +1.9%, ke +1.1%; omegas -6.5%, -14.6%, -3.1%
//   antibody (Laplace EM only, seeds 100-109) theta -2%, fM2 +65%, delta_Ab +17%, omegas -13%, -29%;
//            with importance sampling and the Monte Carlo step for delta_Ab: theta -0.4%, fM2 +35.3%,
//            delta_Ab +3.5%, omegas -15%, -26%; with that step a Newton step on the marginal likelihood
//            (Louis' missing information, laplace-em.ts fixedStep): theta -0.6%, fM2 +34.8% (target 25%:
//            missed), delta_Ab +2.1%, omegas -15%, -25%. The simulated subjects' own fM2 have a geometric
//            mean of 4.46-5.08 (median 4.9, +9%); the estimates' log error against it has SD 0.27 across
//            seeds, about twice the 0.13 that 50 subjects with a posterior SD of ~0.45 each would give.
// The same 10 seeds refined to the maximum-likelihood estimate by SAEM (`nlme fit SPEC --data SIM.csv --refine`,
// the ODE solved; seeds 100-109 as scripts/sparse-simulations.ts draws them), medians against the truth:
//   growth   kA -1.0%, k -2.8%; omegas -16%, -14% (omega of k 0.035-0.094, SAEM s.e. 0.02-0.07 each)
//   antibody theta -2.2%, fM2 +27.8%, delta_Ab -2.1%; omegas -11%, -8% (fM2 2.65-6.55, SAEM r.s.e. 18-60%):
//            the exact estimator misses fM2's 25% on these seeds too, so the first guess's +35% is mostly the
//            design (fM2 of seed 105: first guess 7.25, SAEM 6.55, the subjects' own 5.08).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fit } from "../../../src/runtime/estimate/fit.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import type { CompiledModel } from "../../../src/runtime/model.js";
import { model as growth } from "../../../generated/growth_sparse.js";
import { model as pkSparse } from "../../../generated/pk_oral_sparse.js";
import { model as antibodySparse } from "../../../generated/antibody_clairon_sparse.js";

const dataDir = fileURLToPath(new URL("../../../data/", import.meta.url));
const fitFile = (model: CompiledModel, name: string) => {
  const data = loadData(readFileSync(`${dataDir}${name}.csv`, "utf8"), `data/${name}.csv`, model.meta);
  const truth = JSON.parse(readFileSync(`${dataDir}${name}.truth.json`, "utf8")) as { theta: Record<string, number>; omega_sd: Record<string, number> };
  return { result: fit(model, data), truth };
};
const rel = (a: number, b: number): number => Math.abs(a / b - 1);

describe("growth_sparse.csv (14 subjects x 6 samples, truth file)", () => {
  const { result, truth } = fitFile(growth, "growth_sparse");

  it("kA and k within 15% of the truth, both positive, on the log scale", () => {
    for (const name of ["kA", "k"]) {
      const p = result.parameters[name]!;
      expect(p.estimate).toBeGreaterThan(0);
      expect(p.scale).toBe("log");
      expect(rel(p.estimate, truth.theta[name]!)).toBeLessThan(0.15);
    }
    for (const row of Object.values(result.individual)) expect(row.k).toBeGreaterThan(0);
  });

  it("omegas (SD of the log) within 40% of the truth", () => {
    for (const name of ["kA", "k"]) expect(rel(result.parameters[name]!.omega!, truth.omega_sd[name]!)).toBeLessThan(0.4);
  });

  it("uses integral rows for every subject and says so", () => {
    expect(result.settings.rowForms).toEqual({ integral: 14, weak: 0 });
    expect(result.notes.join(" ")).toMatch(/integral rows .* for 14 subject/);
  });

  it("estimates H(0) per subject and as a population value (simulated at about 1)", () => {
    const h = result.initialStates?.H;
    expect(h).toBeDefined();
    expect(Object.keys(h!.individual)).toHaveLength(14);
    expect(h!.estimate).toBeGreaterThan(0.5);
    expect(h!.estimate).toBeLessThan(2);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});

describe("pk_oral_sparse.csv (12 subjects x 10 samples, truth file)", () => {
  const { result, truth } = fitFile(pkSparse, "pk_oral_sparse");

  it("ka/V and ke within 15% of the truth", () => {
    for (const name of ["ka_over_V", "ke"]) expect(rel(result.parameters[name]!.estimate, truth.theta[name]!)).toBeLessThan(0.15);
  });

  // Measured -15.0% (1.869 against 2.2); the simulated subjects' own ka average 2.00.
  it.fails("ka within 15% of the truth", () => {
    expect(rel(result.parameters.ka!.estimate, truth.theta.ka!)).toBeLessThan(0.15);
  });

  it("omegas (SD of the log) within 40% of the truth; ka's from the population step, not the SD of per-subject searches", () => {
    for (const name of ["ka", "ka_over_V", "ke"]) expect(rel(result.parameters[name]!.omega!, truth.omega_sd[name]!)).toBeLessThan(0.4);
    expect(result.parameters.ka!.fromIndividuals).toBeUndefined();
    expect(result.notes.join(" ")).toMatch(/ka, a latent rate, is a component like the others/);
  });
});

describe("antibody_clairon_sparse.csv (50 subjects x 7 samples, SD 0.23 on log10, truth file)", () => {
  const { result, truth } = fitFile(antibodySparse, "antibody_clairon_sparse");

  it("theta, fM2 and delta_Ab within 25% of the truth (the design at its published noise)", () => {
    for (const name of ["theta", "fM2", "delta_Ab"]) expect(rel(result.parameters[name]!.estimate, truth.theta[name]!)).toBeLessThan(0.25);
  });

  it("omegas of theta and fM2 (SD of the log) within 40% of the truth", () => {
    for (const name of ["theta", "fM2"]) expect(rel(result.parameters[name]!.omega!, truth.omega_sd[name]!)).toBeLessThan(0.4);
  });
});

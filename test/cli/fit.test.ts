import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nlme } from "./run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "nlme-fit-"));

describe("nlme fit", () => {
  it("--json prints one object with the documented fields for every declared parameter", () => {
    const run = nlme(["fit", "specs/logistic.nlme", "--data", "data/orange.csv", "--json"]);
    expect(run.status, run.stderr).toBe(0);
    const fit = JSON.parse(run.stdout);
    expect(fit.model).toBe("logistic");
    expect(fit.subjects).toBe(5);
    expect(typeof fit.seconds).toBe("number");
    for (const name of ["r", "q"]) {
      expect(Number.isFinite(fit.parameters[name].estimate)).toBe(true);
      expect(fit.parameters[name]).toHaveProperty("se");
      expect(fit.parameters[name]).toHaveProperty("omega");
    }
    expect(fit).toHaveProperty("omegaCorrelation");
    expect(fit).toHaveProperty("residual");
    expect(Object.keys(fit.individual)).toHaveLength(5);
    for (const values of Object.values(fit.individual) as Record<string, number>[]) {
      expect(Object.keys(values).sort()).toEqual(["K", "q", "r"]);
    }
  });

  it("--out writes fit.json and the exports, and `export` rewrites them from the saved fit", () => {
    const out = join(tmp, "orange");
    const run = nlme(["fit", "specs/logistic.nlme", "--data", "data/orange.csv", "--out", out]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/r\s+0\.00\d+/);
    for (const f of ["fit.json", "monolix/project.mlxtran", "monolix/model.txt", "monolix/data.csv", "nlmixr2/model.R"]) expect(existsSync(join(out, f)), f).toBe(true);
    const again = join(tmp, "again");
    const exp = nlme(["export", "monolix", join(out, "fit.json"), "--out", again]);
    expect(exp.status, exp.stderr).toBe(0);
    expect(readFileSync(join(again, "monolix/project.mlxtran"), "utf8")).toBe(readFileSync(join(out, "monolix/project.mlxtran"), "utf8"));
  });

  it("bad data: exit 1, the file, line and column named, and nothing written", () => {
    const csv = join(tmp, "bad.csv");
    writeFileSync(csv, "ID,TIME,DV,OBSID\n1,118,30,circumference\n1,abc,58,circumference\n");
    const out = join(tmp, "never");
    const run = nlme(["fit", "specs/logistic.nlme", "--data", csv, "--out", out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${csv}:3`);
    expect(run.stderr).toContain("TIME");
    expect(existsSync(out)).toBe(false);
  });

  it("a spec with errors: exit 1 with its diagnostics, nothing written", () => {
    const spec = join(tmp, "broken.nlme");
    writeFileSync(spec, readFileSync("specs/logistic.nlme", "utf8").replace("r * C", "r * q * C"));
    const out = join(tmp, "never2");
    const run = nlme(["fit", spec, "--data", "data/orange.csv", "--out", out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/error\[N2\d{3}\]/);
    expect(existsSync(out)).toBe(false);
  });
});

describe("nlme simulate", () => {
  it("the same seed gives the same file, another seed another file, and fit reads it back", () => {
    const params = JSON.stringify({ theta: { a: 0.7, b: 0.3, c: 0.25, d: 0.6 }, omega: { a: 0.1, b: 0.04, c: 0.04, d: 0.09 }, x0: { x: 2, y: 1 } });
    const noise = JSON.stringify({ prey: { b: 0.05 }, predator: { b: 0.05 } });
    const args = (seed: string, out: string) => ["simulate", "specs/lotka_volterra.nlme", "--params", params, "--noise", noise, "--subjects", "5", "--times", "0:20:1", "--seed", seed, "--out", out];
    const [a, b, c] = ["a.csv", "b.csv", "c.csv"].map((f) => join(tmp, f));
    expect(nlme(args("7", a!)).status).toBe(0);
    expect(nlme(args("7", b!)).status).toBe(0);
    expect(nlme(args("8", c!)).status).toBe(0);
    expect(readFileSync(a!, "utf8")).toBe(readFileSync(b!, "utf8"));
    expect(readFileSync(a!, "utf8")).not.toBe(readFileSync(c!, "utf8"));
    const fit = nlme(["fit", "specs/lotka_volterra.nlme", "--data", a!, "--json"]);
    expect(fit.status, fit.stderr).toBe(0);
    expect(JSON.parse(fit.stdout).subjects).toBe(5);
  });
});

describe("nlme fit with covariate effects", () => {
  it("prints the covariate effects and levels, saves them in fit.json, and `export` rewrites the same covariate model", () => {
    const out = join(tmp, "growth_diet");
    const run = nlme(["fit", "specs/growth_diet.nlme", "--data", "data/growth_diet.csv", "--out", out]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/covariate effect\s+estimate\s+s\.e\.\s+on/);
    expect(run.stdout).toMatch(/beta_r_DIET_D2\s+0\.006\d+\s+2\.\d+e-4\s+r/);
    expect(run.stdout).toContain("DIET: levels D1, D2, D3 (reference D1)");
    const fit = JSON.parse(readFileSync(join(out, "fit.json"), "utf8"));
    expect(fit.covariateLevels).toEqual({ DIET: ["D1", "D2", "D3"] });
    expect(Object.keys(fit.covariateEffects)).toEqual(["beta_r_DIET_D2", "beta_r_DIET_D3"]);
    const again = join(tmp, "growth_diet_again");
    const exp = nlme(["export", "monolix", join(out, "fit.json"), "--out", again]);
    expect(exp.status, exp.stderr).toBe(0);
    const model = (dir: string) => /<MODEL>[\s\S]*<FIT>/.exec(readFileSync(join(dir, "monolix/project.mlxtran"), "utf8"))![0];
    expect(model(again)).toBe(model(out));
  });
});

describe("pharmacokinetic forms the estimator does not fit yet (issue 13)", () => {
  it("fit says so and exits 1, as a user-facing error (not an internal one), writing nothing", () => {
    const out = join(tmp, "pk");
    // A dose scaled by a number only (`C += 0.5 * amt`) is not fitted yet (the scaled-by-a-coefficient forms are).
    const spec = join(tmp, "half_dose.nlme");
    writeFileSync(spec, readFileSync("specs/pk_iv_multidose.nlme", "utf8").replace("model pk_iv_multidose", "model half_dose").replace("C += amt / V", "C += 0.5 * amt").replace(/^  V  ~ random.*$/m, ""));
    const run = nlme(["fit", spec, "--data", "data/pk_iv_multidose.csv", "--out", out]);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^error: model half_dose checks and compiles, but the estimator does not fit/);
    expect(run.stderr).toMatch(/doses scaled by a number \(into C\)/);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(existsSync(join(out, "fit.json"))).toBe(false);
  });

  it("simulate without --noise writes noise-free values and says so (issue 16), never an internal error", () => {
    const params = join(tmp, "pk-params.json");
    writeFileSync(params, JSON.stringify({ theta: { V: 0.08, k10: 0.03, k12: 0.006, k21: 0.014 }, doses: [{ time: 0, amount: 15 }] }));
    const run = nlme(["simulate", "specs/pk_2cmt_iv.nlme", "--params", params, "--subjects", "2", "--times", "10:360:50", "--seed", "1"]);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^note: no --noise: the values are noise-free/);
    expect(run.stderr).not.toMatch(/internal error/);
  });
});

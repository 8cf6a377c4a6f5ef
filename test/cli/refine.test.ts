import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nlme } from "./run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "nlme-refine-"));

describe("nlme fit --refine and nlme refine", () => {
  it("fit --refine keeps the first guess, adds a `refined` section, and the exports start from it and say so", () => {
    const out = join(tmp, "orange");
    const run = nlme(["fit", "specs/logistic.nlme", "--data", "data/orange.csv", "--refine", "--seed", "2", "--out", out, "--report"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/refined by SAEM \(seed 2/);
    expect(run.stdout).toMatch(/start\s+refined/);
    const fit = JSON.parse(readFileSync(join(out, "fit.json"), "utf8"));
    expect(fit.parameters.r.estimate).toBeGreaterThan(0); // the first guess stays
    expect(fit.refined.method).toBe("SAEM");
    expect(fit.refined.seed).toBe(2);
    expect(Object.keys(fit.refined.parameters).sort()).toEqual(["C0", "q", "r"]);
    expect(Number.isFinite(fit.refined.logLikelihood.value)).toBe(true);
    const project = readFileSync(join(out, "monolix/project.mlxtran"), "utf8");
    expect(project.split("\n")[0]).toMatch(/^; initial values are SAEM maximum-likelihood estimates/);
    expect(readFileSync(join(out, "nlmixr2/model.R"), "utf8").split("\n")[0]).toMatch(/^# initial values are SAEM/);
    // The exported typical value of r is the refined one.
    const r = /r_pop = \{value=([0-9.eE+-]+)/.exec(project);
    expect(r).not.toBeNull();
    expect(Number(r![1]) / fit.refined.parameters.r.estimate).toBeCloseTo(1, 4);
    // The report gains the SAEM section: the table and one trace plot per population value.
    const report = readFileSync(join(out, "report.html"), "utf8");
    expect(report).toContain('<section id="refined"><h2>SAEM refinement</h2>');
    expect(report).toContain("complete log-likelihood");
  }, 120_000);

  it("refine FIT.json gives the same refinement as fit --refine with the same seed", () => {
    const first = join(tmp, "plain");
    expect(nlme(["fit", "specs/logistic.nlme", "--data", "data/orange.csv", "--out", first]).status).toBe(0);
    const run = nlme(["refine", join(first, "fit.json"), "--seed", "2", "--json"]);
    expect(run.status, run.stderr).toBe(0);
    const refined = JSON.parse(run.stdout).refined;
    const viaFit = JSON.parse(readFileSync(join(tmp, "orange", "fit.json"), "utf8")).refined;
    expect(existsSync(join(tmp, "orange", "fit.json"))).toBe(true);
    expect(refined.parameters).toEqual(viaFit.parameters);
    expect(refined.logLikelihood).toEqual(viaFit.logLikelihood);
  }, 120_000);
});

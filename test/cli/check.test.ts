import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nlme } from "./run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "nlme-cli-"));

describe("nlme check", () => {
  it("exits 0 on the bundled specs", () => {
    const run = nlme(["check", "specs/logistic.nlme", "specs/lotka_volterra.nlme"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("specs/logistic.nlme: ok");
  });

  it("exits 1 and renders every error of a bad spec, with the near name", () => {
    const bad = join(tmp, "bad.nlme");
    writeFileSync(bad, readFileSync("specs/logistic.nlme", "utf8").replace("r * C", "rr * C").replace("q * C^2", "q * r * C^2"));
    const run = nlme(["check", bad]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/error\[N1\d{3}\]: unknown .*`rr`/);
    expect(run.stderr).toContain("`r`");
    const json = nlme(["check", bad, "--format", "json"]);
    expect(json.status).toBe(1);
    const parsed = JSON.parse(json.stdout) as { file: string; diagnostics: { code: string; range: unknown }[] }[];
    expect(parsed[0]!.diagnostics.length).toBeGreaterThan(0);
    expect(parsed[0]!.diagnostics[0]!.code).toMatch(/^N\d{4}$/);
  });

  it("exits 2 on misuse: a missing file, an unknown option, an unknown format", () => {
    expect(nlme(["check", join(tmp, "nope.nlme")]).status).toBe(2);
    expect(nlme(["check", "--frobnicate", "specs/logistic.nlme"]).status).toBe(2);
    expect(nlme(["check", "--format", "yaml", "specs/logistic.nlme"]).status).toBe(2);
    expect(nlme(["no-such-command"]).status).toBe(2);
  });
});

describe("nlme fmt", () => {
  it("the bundled specs are in canonical layout", () => {
    const run = nlme(["fmt", "--check", "specs/antibody_clairon.nlme", "specs/ebola_pasin.nlme", "specs/gene_network.nlme", "specs/gene_network_quadratic.nlme", "specs/logistic.nlme", "specs/lotka_volterra.nlme", "specs/pk_oral.nlme"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("--check exits 1 on an unformatted file and leaves it untouched; without --check it rewrites it", () => {
    const file = join(tmp, "messy.nlme");
    const messy = "model m time t in days states{X} parameters{k ~ random} dynamics{d/dt X=-k*X} observe{y=X~constant}";
    writeFileSync(file, messy);
    expect(nlme(["fmt", "--check", file]).status).toBe(1);
    expect(readFileSync(file, "utf8")).toBe(messy);
    expect(nlme(["fmt", file]).status).toBe(0);
    const formatted = readFileSync(file, "utf8");
    expect(formatted).toContain("d/dt X = -k * X");
    expect(nlme(["fmt", "--check", file]).status).toBe(0);
  });
});

// The structural self-check must catch what it claims to: each case breaks
// one thing in a real export (fixtures/ebola-pasin.ts and
// antibody-clairon.ts, data from data/) and expects a problem naming it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { exportMonolix } from "../../../src/runtime/export/monolix.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { checkMonolixProject } from "../../../src/runtime/export/mlxtran-check.js";
import { FIXTURES } from "./fixtures/index.js";

function exported(name: string): Record<string, string> {
  const f = FIXTURES[name]!;
  const data = loadData(readFileSync(new URL(`../../../data/${f.dataFile}`, import.meta.url), "utf8"), f.dataFile, f.meta);
  return { ...exportMonolix(f.meta, f.fit, data).files };
}

function edit(files: Record<string, string>, path: string, from: string | RegExp, to: string): Record<string, string> {
  const text = files[path]!;
  const next = text.replace(from, to);
  if (next === text) throw new Error(`edit did not apply: ${from}`);
  return { ...files, [path]: next };
}

const P = "monolix/project.mlxtran";
const M = "monolix/model.txt";

describe("checkMonolixProject", () => {
  const pasin = exported("ebola_pasin");
  const clairon = exported("antibody_clairon");

  it("accepts the exports as written", () => {
    expect(checkMonolixProject(pasin)).toEqual([]);
    expect(checkMonolixProject(clairon)).toEqual([]);
  });

  it("finds an undefined identifier in EQUATION", () => {
    const bad = edit(pasin, M, "ddt_Ab = theta_S * S", "ddt_Ab = theta_X * S");
    expect(checkMonolixProject(bad).join("\n")).toMatch(/'theta_X' is not defined/);
  });

  it("finds a model input missing from [INDIVIDUAL]", () => {
    const bad = edit(pasin, P, /^delta_Ab = \{.*\}\n/m, "");
    expect(checkMonolixProject(bad).join("\n")).toMatch(/model input 'delta_Ab' is not defined in \[INDIVIDUAL\]/);
  });

  it("finds a population parameter without a valid initial value", () => {
    const missing = edit(pasin, P, /^omega_theta_L = .*\n/m, "");
    expect(checkMonolixProject(missing).join("\n")).toMatch(/no initial value for omega_theta_L/);
    const nan = edit(pasin, P, /^theta_S_pop = \{value=[^,]+/m, "theta_S_pop = {value=NaN");
    expect(checkMonolixProject(nan).join("\n")).toMatch(/theta_S_pop has no finite value/);
    const noMethod = edit(pasin, P, /^(a_log10_titre = \{value=[^,]+), method=MLE\}/m, "$1}");
    expect(checkMonolixProject(noMethod).join("\n")).toMatch(/a_log10_titre has no valid method/);
    const negative = edit(pasin, P, /^theta_L_pop = \{value=[^,]+/m, "theta_L_pop = {value=-3");
    expect(checkMonolixProject(negative).join("\n")).toMatch(/logNormal theta_L must be > 0/);
  });

  it("finds unpaired <FIT> lists and unknown outputs", () => {
    const bad = edit(pasin, P, "model = log10_titre", "model = {log10_titre, other}");
    expect(checkMonolixProject(bad).join("\n")).toMatch(/differ in length/);
    const bad2 = edit(pasin, P, "data = log10_titre", "data = titre");
    expect(checkMonolixProject(bad2).join("\n")).toMatch(/data titre is not an observation name/);
  });

  it("finds declared data columns the data file lacks", () => {
    const bad = edit(clairon, "monolix/data.csv", /^([^\n]*),DOSE_INDEX\n/, "$1,DOSE_NUMBER\n");
    const problems = checkMonolixProject(bad).join("\n");
    expect(problems).toMatch(/column DOSE_INDEX is not in data.csv/);
  });

  it("finds a regressor the data does not provide and a state without ddt_", () => {
    const bad = edit(clairon, P, "DOSE_INDEX = {use=regressor}", "DOSE_INDEX = {use=ignore}");
    expect(checkMonolixProject(bad).join("\n")).toMatch(/0 regressor columns, the model 1/);
    const bad2 = edit(pasin, M, "depot(target=L, adm=1)", "depot(target=Q, adm=1)");
    expect(checkMonolixProject(bad2).join("\n")).toMatch(/targets 'Q', which is not an ODE state/);
  });

  it("rejects Monolix 4 syntax", () => {
    const bad = { ...pasin, [P]: pasin[P]! + "\nTASKS: foo\n" };
    expect(checkMonolixProject(bad).join("\n")).toMatch(/Monolix 4 syntax/);
  });
});

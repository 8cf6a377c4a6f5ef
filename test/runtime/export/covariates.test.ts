// Covariate effects in the exports: the Monolix project declares the covariates ([COVARIATE], categories with the
// reference first, transformed terms), each individual parameter reads them (covariate=, coefficient=) and
// <PARAMETER> starts the betas at the fit's estimates; the Mlxtran check accepts it and rejects broken forms.
// Round trip: the exported [COVARIATE] equations and [INDIVIDUAL] definitions, evaluated per subject from the
// exported data file, give the subject's typical parameters; simulated through model.txt they must reproduce the
// product's simulator at the same parameters (covariate effects as src/runtime/simulate/covariate-draws.ts applies them).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { model as growthDiet } from "../../../generated/growth_diet.js";
import { model as decayWeight } from "../../../generated/decay_weight.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import type { Dataset } from "../../../src/runtime/data/dataset.js";
import { estimate } from "../../../src/runtime/model-entry.js";
import { exportMonolix } from "../../../src/runtime/export/monolix.js";
import { renderNlmixr2 } from "../../../src/runtime/export/nlmixr2.js";
import { checkMonolixProject, parseAttributes, parseList, parseProject, parseStructuralModel } from "../../../src/runtime/export/mlxtran-check.js";
import { simulateSubject } from "../../../src/runtime/simulate/simulate.js";
import { individualWithCovariates } from "../../../src/runtime/simulate/covariate-draws.js";
import type { CompiledModel } from "../../../src/runtime/model.js";
import { parseEquation, parseExpression, run, simulateMlxtran } from "./fixtures/mlxtran-eval.js";

function fitted(model: CompiledModel, name: string): { data: Dataset; files: Record<string, string>; plan: ReturnType<typeof exportMonolix>["plan"]; fit: ReturnType<typeof estimate> } {
  const data = loadData(readFileSync(new URL(`../../../data/${name}.csv`, import.meta.url), "utf8"), `${name}.csv`, model.meta);
  const fit = estimate(model, data);
  const { files, plan } = exportMonolix(model.meta, fit, data);
  return { data, files, plan, fit };
}

function block(lines: string[], name: string): Map<string, string> {
  const m = new Map<string, string>();
  let cur = "";
  for (const l of lines) {
    if (/^[A-Za-z]+:$/.test(l)) cur = l.slice(0, -1);
    else if (cur === name) {
      const eq = l.indexOf("=");
      if (eq > 0) m.set(l.slice(0, eq).trim(), l.slice(eq + 1).trim());
    }
  }
  return m;
}

const growth = fitted(growthDiet, "growth_diet");
const decay = fitted(decayWeight, "decay_weight");

describe("Monolix export of covariate effects", () => {
  it("growth_diet: DIET categorical with its categories (reference first), a 0 coefficient at the reference", () => {
    const project = growth.files["monolix/project.mlxtran"]!;
    expect(project).toContain("DIET = {use=covariate, type=categorical}");
    expect(project).toContain("[COVARIATE]\ninput = {DIET}");
    expect(project).toContain("DIET = {type=categorical, categories={'D1', 'D2', 'D3'}}");
    expect(project).toMatch(/r = \{distribution=normal, typical=r_pop, covariate=DIET, coefficient=\{0, beta_r_DIET_D2, beta_r_DIET_D3\}, sd=omega_r\}/);
    const beta = growth.fit.covariateEffects!["beta_r_DIET_D2"]!.estimate;
    expect(project).toMatch(new RegExp(`beta_r_DIET_D2 = \\{value=${beta.toPrecision(6).replace(/0+$/, "").replace(".", "\\.")}`));
    expect(checkMonolixProject(growth.files)).toEqual([]);
  });

  it("decay_weight: log(WT / 70) as a transformed covariate, the coefficient on log k", () => {
    const project = decay.files["monolix/project.mlxtran"]!;
    expect(project).toContain("EQUATION:\ntWT = log(WT / 70)");
    expect(project).toMatch(/k = \{distribution=logNormal, typical=k_pop, covariate=tWT, coefficient=beta_k_WT, sd=omega_k\}/);
    expect(decay.files["monolix/data.csv"]!.split("\n")[0]).toContain("WT");
    expect(checkMonolixProject(decay.files)).toEqual([]);
  });

  it("the Mlxtran check rejects a categorical coefficient list without its reference 0 and an undeclared covariate", () => {
    const noZero = growth.files["monolix/project.mlxtran"]!.replace("coefficient={0, ", "coefficient={");
    expect(checkMonolixProject({ ...growth.files, "monolix/project.mlxtran": noZero }).join("\n")).toMatch(/3 categories but 2 coefficients/);
    const undeclared = decay.files["monolix/project.mlxtran"]!.replace("tWT = log(WT / 70)", "");
    expect(checkMonolixProject({ ...decay.files, "monolix/project.mlxtran": undeclared }).join("\n")).toMatch(/covariate tWT of k is not an input defined in \[COVARIATE\]/);
  });

  for (const [name, model, run_] of [["growth_diet", growthDiet, growth], ["decay_weight", decayWeight, decay]] as const)
    it(`${name}: the exported equations give back each subject's typical prediction (covariates from the exported data)`, () => {
      const { files, plan, data } = run_;
      const project = parseProject(files["monolix/project.mlxtran"]!);
      const params = block(["X:", ...project.get("PARAMETER")!.get("")!], "X");
      const value = (n: string): number => Number(parseAttributes(params.get(n)!).get("value"));
      const covLines = project.get("MODEL")!.get("COVARIATE")!;
      const categories = new Map<string, string[]>();
      for (const [n, v] of block(["X:", ...covLines], "X")) if (n !== "input") categories.set(n, parseList(parseAttributes(v).get("categories")!));
      const covEquation = [...block(covLines, "EQUATION")].map(([n, v]) => ({ n, e: parseExpression(v) }));
      const defs = block(project.get("MODEL")!.get("INDIVIDUAL")!, "DEFINITION");
      const model_ = parseStructuralModel(files["monolix/model.txt"]!);
      const program = parseEquation(model_.equation);
      const csv = files["monolix/data.csv"]!.trim().split("\n");
      const header = csv[0]!.split(",");
      // The Mlxtran side, per subject: covariates from the exported data, individual parameters from the definitions.
      const typicalOf = (id: string): Map<string, number> => {
        const row = csv.find((l) => l.split(",")[header.indexOf("ID")] === id)!.split(",");
        const scope = new Map<string, number>();
        const labels = new Map<string, string>();
        for (const c of plan.covariates) {
          const text = row[header.indexOf(c.name)]!;
          if (c.kind === "categorical") labels.set(c.name, text);
          else scope.set(c.name, Number(text));
        }
        for (const { n, e } of covEquation) scope.set(n, e(scope));
        const inputs = new Map<string, number>();
        for (const [pname, def] of defs) {
          const a = parseAttributes(def);
          const covs = a.has("covariate") ? (a.get("covariate")!.startsWith("{") ? parseList(a.get("covariate")!) : [a.get("covariate")!]) : [];
          const coefText = a.get("coefficient") ?? "";
          const coefs = covs.length > 1 ? parseList(coefText) : [coefText];
          const typical = value(a.get("typical")!);
          const logScale = a.get("distribution") === "logNormal";
          let h = logScale ? Math.log(typical) : typical;
          covs.forEach((c, i) => {
            const cats = categories.get(c);
            if (cats) {
              const list = parseList(coefs[i]!);
              const entry = list[cats.indexOf(labels.get(c)!)]!;
              h += entry === "0" ? 0 : value(entry);
            } else h += value(coefs[i]!) * scope.get(c)!;
          });
          inputs.set(pname, logScale ? Math.exp(h) : h);
        }
        return inputs;
      };
      let compared = 0;
      let worst = 0;
      for (const subject of data.subjects.slice(0, 6)) {
        const inputs = typicalOf(subject.id);
        const times = Array.from(subject.series[0]!.times);
        const outputs = plan.observations.map((o) => o.pred);
        const got = simulateMlxtran(program, [], inputs, [], { rows: times.map((t) => ({ time: t, regressors: [] })) }, times, outputs, 0.01);
        // The product's side: population values and betas as exported, applied by the simulator's covariate rule.
        const theta = Float64Array.from(model.meta.parameters, (p) => value(`${plan.parameters.find((q) => q.source === p.name)!.name}_pop`));
        const beta: Record<string, number> = {};
        for (const p of plan.parameters)
          for (const e of p.effects ?? []) for (const c of e.kind === "continuous" ? [e.coefficient] : e.coefficients) if (c) beta[c.name] = value(c.name);
        const th = individualWithCovariates(model.meta, theta, beta, { codes: [subject.covariates], text: [], levels: data.levels ?? {} }, 0);
        const x0 = plan.states.map((s) => (s.initial.kind === "value" ? s.initial.value : value(`${s.initial.param}_pop`)));
        const ref = simulateSubject(model, th, { t0: plan.t0, x0, times, ode: { method: "dopri5", rtol: 1e-12, atol: 1e-14 } });
        times.forEach((_, i) => {
          worst = Math.max(worst, Math.abs(got[i]![0]! - ref.outputs[i]![0]!) / Math.abs(ref.outputs[i]![0]!));
          compared++;
        });
      }
      expect(compared).toBeGreaterThan(20);
      expect(worst).toBeLessThan(1e-6);
      void run;
    });
});

describe("nlmixr2 export of covariate effects", () => {
  it("betas in ini and covariate terms in the model, on the transformed scale", () => {
    const g = renderNlmixr2(growth.plan);
    expect(g).toMatch(/ {4}beta_r_DIET_D2 <- -?[0-9.e-]+\n/);
    expect(g).toContain('r <- tr + beta_r_DIET_D2 * (DIET == "D2") + beta_r_DIET_D3 * (DIET == "D3") + eta.r');
    const d = renderNlmixr2(decay.plan);
    expect(d).toContain("k <- exp(tk + beta_k_WT * (log(WT / 70)) + eta.k)");
  });
});

describe("covariate effects on an initial value (examples/bodyweight.nlme: W(0) ~ lognormal + Diet)", () => {
  let loaded: Promise<{ model: CompiledModel; data: Dataset; fit: ReturnType<typeof estimate> }> | undefined;
  const bodyweight = () =>
    (loaded ??= (async () => {
      const { loadModel } = await import("../../../src/cli/load-model.js");
      const { model } = await loadModel(new URL("../../../examples/bodyweight.nlme", import.meta.url).pathname);
      const data = loadData(readFileSync(new URL("../../../data/real/bodyweight.csv", import.meta.url), "utf8"), "bodyweight.csv", model.meta);
      return { model, data, fit: estimate(model, data) };
    })());

  it("Monolix: W0 reads Diet with the fit's coefficients; nlmixr2: the same terms in W0's line; the project checks clean", async () => {
    const { model, data, fit } = await bodyweight();
    const { files, plan } = exportMonolix(model.meta, fit, data);
    const project = files["monolix/project.mlxtran"]!;
    expect(project).toMatch(/W0 = \{distribution=logNormal, typical=W0_pop, covariate=Diet, coefficient=\{0, beta_W0_Diet_D2, beta_W0_Diet_D3\}, sd=omega_W0\}/);
    const beta = fit.covariateEffects!["beta_W0_Diet_D3"]!.estimate;
    expect(project).toMatch(new RegExp(`beta_W0_Diet_D3 = \\{value=${beta.toPrecision(6).replace(/0+$/, "").replace(".", "\\.")}`));
    expect(checkMonolixProject(files)).toEqual([]);
    // The data start on day 1 but the fit holds W(0) and its Diet effects at time 0: the exports start there too,
    // with the fitted typical value (a first-sample guess at t_0 = 1 gave W0_pop = 333.7 against these coefficients).
    expect(plan.t0).toBe(0);
    expect(files["monolix/model.txt"]).toContain("t_0 = 0");
    const w0 = plan.parameters.find((p) => p.source === "W(0)")!;
    expect(w0.typical).toBe(fit.initialStates!["W"]!.estimate);
    expect(project).toContain(`W0_pop = {value=${Number(fit.initialStates!["W"]!.estimate.toPrecision(6))}`);
    expect(plan.notes.some((n) => n.startsWith("t_0 = 0, before the data's first time 1"))).toBe(true);
    const r = renderNlmixr2(plan);
    expect(r).toContain(`tW0 <- log(${Number(fit.initialStates!["W"]!.estimate.toPrecision(6))})`);
    expect(r).toMatch(/W0 <- exp\(tW0 \+ beta_W0_Diet_D2 \* \(Diet == "D2"\) \+ beta_W0_Diet_D3 \* \(Diet == "D3"\) \+ eta\.W0\)/);
  });

  it("t_0 set at the first sample (day 1): W0_pop and the Diet coefficients both come from the first weights, per diet", async () => {
    const { model, data, fit } = await bodyweight();
    const { plan, files } = exportMonolix(model.meta, fit, data, { t0: 1 });
    expect(plan.t0).toBe(1);
    // Every rat is first weighed on day 1, so the guesses are the first weights: the regression on Diet alone gives
    // the reference diet's geometric mean and each diet's difference of mean logs (not the fit's time-0 betas).
    const levels = data.levels!["Diet"]!;
    const meanLog = levels.map((_, code) => {
      const logs = data.subjects.filter((s) => s.covariates[0] === code).map((s) => Math.log(s.series[0]!.values[0]!));
      return logs.reduce((a, b) => a + b, 0) / logs.length;
    });
    const w0 = plan.parameters.find((p) => p.source === "W(0)")!;
    expect(w0.typical).toBeCloseTo(Math.exp(meanLog[0]!), 6);
    const coefficients = w0.effects!.flatMap((e) => (e.kind === "categorical" ? e.coefficients : [])).filter((c) => c !== null);
    expect(coefficients.map((c) => c.name)).toEqual(["beta_W0_Diet_D2", "beta_W0_Diet_D3"]);
    coefficients.forEach((c, i) => expect(c.value).toBeCloseTo(meanLog[i + 1]! - meanLog[0]!, 6));
    expect(plan.notes.some((n) => n.startsWith("W(0): the fit's value is at time 0, not at t_0 = 1"))).toBe(true);
    expect(checkMonolixProject(files)).toEqual([]);
  });

  it("a refined fit: W0_pop, its Diet coefficients and t_0 are SAEM's (initial values held at time 0)", async () => {
    const { model, data, fit } = await bodyweight();
    const { refine } = await import("../../../src/runtime/refine/refine.js");
    const { exportFiles } = await import("../../../src/runtime/export/project.js");
    const refined = refine(model, data, fit, { seed: 1 });
    expect(refined.t0).toBe(0);
    const files = exportFiles(model.meta, { ...fit, refined }, data);
    expect(files["monolix/model.txt"]).toContain("t_0 = 0");
    const project = files["monolix/project.mlxtran"]!;
    expect(project).toContain(`W0_pop = {value=${Number(refined.parameters["W0"]!.estimate.toPrecision(6))}`);
    expect(project).toContain(`beta_W0_Diet_D2 = {value=${Number(refined.covariateEffects!["beta_W0_Diet_D2"]!.estimate.toPrecision(6))}`);
    expect(files["nlmixr2/model.R"]).toContain("give each one a row at TIME = 0");
  }, 60_000);
});

// The flip-flop of one-compartment models with first-order absorption: the compiler's recognition of the structure
// (meta.absorption, ir/absorption.ts), the twin (flip-flop.ts) and SAEM's start on the other branch
// (refine/flip-flop-start.ts), which must predict what the first run's estimate predicts wherever the random effects
// allow it.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadModel } from "../../../src/cli/load-model.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import type { Dataset } from "../../../src/runtime/data/dataset.js";
import type { RefinedFit } from "../../../src/runtime/fit-result.js";
import { flipFlopTwin } from "../../../src/runtime/flip-flop.js";
import type { CompiledModel } from "../../../src/runtime/model.js";
import { flipFlopStart } from "../../../src/runtime/refine/flip-flop-start.js";
import { branchesSentence } from "../../../src/runtime/refine/branches-text.js";
import { buildLayout, toNatural, toTransformed, type Layout } from "../../../src/runtime/refine/layout.js";
import type { Population } from "../../../src/runtime/refine/population.js";
import { SubjectPredictor } from "../../../src/runtime/refine/predict.js";
import { createRng } from "../../../src/runtime/numeric/random.js";
import { refine } from "../../../src/runtime/refine/refine.js";
import { refinedTable } from "../../../src/cli/refined-table.js";
import { refinedSection } from "../../../src/runtime/report/refined-section.js";
import { STEADY_STATE_ORAL_TRUTH, steadyStateOralPopulation } from "../models/steady-state-oral.js";

const root = resolve(import.meta.dirname, "../../..");
const model = async (spec: string) => (await loadModel(join(root, spec))).model;

const ORAL = (dynamics: string, extra = "", dose = "Ad += amt", observe = "conc = Ac / V") => `model oral_variant
time t in hours
states {
  Ad latent
  Ac
}
constants {
  Ad(0) = 0
  ${extra}
}
parameters {
  ka ~ lognormal
  V  ~ lognormal
  ke ~ lognormal
}
doses {
  ${dose}
}
dynamics {
${dynamics}
}
observe {
  ${observe}  ~ proportional
}
`;

async function compiled(text: string): Promise<CompiledModel> {
  const dir = mkdtempSync(join(tmpdir(), "flip-flop-"));
  const path = join(dir, "variant.nlme");
  writeFileSync(path, text);
  return (await loadModel(path)).model;
}

describe("meta.absorption: a depot emptying by first order into one compartment with first-order elimination", () => {
  it("is found with the volume that scales the curve (conc = Ac / V) or with an inflow parameter of its own (ka_over_V)", async () => {
    expect((await model("test/runtime/refine/real/quinidine_m0.nlme")).meta.absorption).toEqual({ depot: 0, central: 1, ka: 0, ke: 2, volume: { param: 1, reciprocal: true } });
    expect((await model("specs/pk_oral_sparse.nlme")).meta.absorption).toEqual({ depot: 0, central: 1, ka: 0, ke: 2, inflow: 1 });
  }, 60_000);

  it("is absent where no twin predicts the same curve: two compartments, another elimination, a C(0), no oral depot", async () => {
    expect((await model("specs/pk_2cmt_oral.nlme")).meta.absorption).toBeUndefined();
    expect((await model("specs/logistic.nlme")).meta.absorption).toBeUndefined();
    expect((await compiled(ORAL("  d/dt Ad = -ka * Ad\n  d/dt Ac = ka * Ad - ke * Ac^2", "Ac(0) = 0", "Ad += amt / V", "conc = Ac"))).meta.absorption).toBeUndefined();
    // The same structure written with the volume on the dose is found.
    expect((await compiled(ORAL("  d/dt Ad = -ka * Ad\n  d/dt Ac = ka * Ad - ke * Ac", "Ac(0) = 0", "Ad += amt / V", "conc = Ac"))).meta.absorption).toEqual({ depot: 0, central: 1, ka: 0, ke: 2, volume: { param: 1, reciprocal: true } });
    expect((await compiled(ORAL("  d/dt Ad = -ka * Ad\n  d/dt Ac = ka * Ad - ke * Ac * t", "Ac(0) = 0"))).meta.absorption).toBeUndefined();
    expect((await compiled(ORAL("  d/dt Ad = -ka * Ad\n  d/dt Ac = ka * Ad - ke * Ac", "Ac(0) = 1", "Ad += amt / V", "conc = Ac"))).meta.absorption).toBeUndefined();
    expect((await compiled(ORAL("  d/dt Ad = -ka * Ad\n  d/dt Ac = ka * Ad - ke * Ac", "Ac(0) = 0"))).meta.absorption).toEqual({ depot: 0, central: 1, ka: 0, ke: 2, volume: { param: 1, reciprocal: true } });
  }, 60_000);
});

/** The natural components of `layout` from a subject's random states and the population's typical values. */
function psiOf(layout: Layout, mu: Float64Array, phi: Float64Array): Float64Array {
  return Float64Array.from(layout.components, (c, ci) => toNatural(c.scale, layout.randomOf[ci]! >= 0 ? phi[layout.randomOf[ci]!]! : mu[ci]!));
}

/** Every subject's predictions at `psi(subject)`. */
function predictions(m: CompiledModel, layout: Layout, data: Dataset, psi: (id: string) => Float64Array): number[] {
  return data.subjects.flatMap((s) => {
    const p = new SubjectPredictor(m, layout, s);
    const out = new Float64Array(p.obs.n);
    expect(p.predict(psi(s.id), out, true)).toBe(true);
    return Array.from(out);
  });
}

function maxRelative(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!) / Math.max(Math.abs(v), 1e-12)));
}

describe("the flip-flop twin", () => {
  it("SAEM's twin start gives every subject the individual predictions of the first run's conditional means (ka, V, ke all random; V with a weight effect)", async () => {
    const m = await model("specs/pk_oral_wt.nlme");
    const path = join(root, "data/pk_oral_wt.csv");
    const data = loadData(readFileSync(path, "utf8"), path, m.meta);
    const layout = buildLayout(m, data);
    expect(layout.components.map((c) => c.name)).toEqual(["ka", "V", "ke"]);
    const mu = Float64Array.from([Math.log(1.3), Math.log(20), Math.log(0.1)]);
    const pop: Population = { mu, beta: Float64Array.from([0.9]), omega: Float64Array.from([0.09, 0, 0, 0, 0.04, 0, 0, 0, 0.0625]), residual: { kind: ["proportional"], a: new Float64Array(1), b: Float64Array.from([0.1]) } };
    // A first run's conditional means: each subject somewhere around the typical values.
    const rng = createRng(7);
    const individual: RefinedFit["individual"] = {};
    for (const s of data.subjects) {
      const mean = { ka: 1.3 * Math.exp(0.3 * (rng.uniform() - 0.5)), V: 20 * Math.exp(0.4 * (rng.uniform() - 0.5)), ke: 0.1 * Math.exp(0.5 * (rng.uniform() - 0.5)) };
      individual[s.id] = { mean, mode: mean };
    }
    const twin = flipFlopStart(m.meta, layout, pop, { individual } as unknown as RefinedFit)!;
    expect(twin).not.toBeNull();
    expect(twin.label).toMatch(/flip-flop branch/);
    // The typical values are the twin's: ka and ke swapped, V scaled by ke/ka.
    expect(Math.exp(twin.start.mu[0]!)).toBeCloseTo(0.1, 12);
    expect(Math.exp(twin.start.mu[2]!)).toBeCloseTo(1.3, 12);
    expect(Math.exp(twin.start.mu[1]!)).toBeCloseTo((20 * 0.1) / 1.3, 10);
    const original = predictions(m, layout, data, (id) => Float64Array.from(["ka", "V", "ke"], (n) => individual[id]!.mean[n]!));
    const swapped = predictions(m, layout, data, (id) => psiOf(layout, twin.start.mu, twin.phi.get(id)!));
    // Individually different: the twin is the other branch, not the same point.
    expect(twin.phi.get(data.subjects[0]!.id)![0]).not.toBeCloseTo(Math.log(individual[data.subjects[0]!.id]!.mean["ka"]!), 1);
    expect(maxRelative(original, swapped)).toBeLessThan(1e-5);
  }, 60_000);

  it("with steady-state doses (quinidine), the typical curve of the twin is the curve itself at every observation of the 136 patients", async () => {
    const m = await model("test/runtime/refine/real/quinidine_m0.nlme");
    const path = join(root, "data/real/quinidine.csv");
    const data = loadData(readFileSync(path, "utf8"), path, m.meta);
    const layout = buildLayout(m, data);
    const typical = Float64Array.from([0.048, 52.5, 0.235]); // the first guess's flip-flop side
    const twin = flipFlopTwin(m.meta.absorption!, typical, "natural");
    expect([twin[0], twin[2]]).toEqual([0.235, 0.048]);
    expect(twin[1]).toBeCloseTo((52.5 * 0.235) / 0.048, 10);
    const a = predictions(m, layout, data, () => typical);
    const b = predictions(m, layout, data, () => twin);
    expect(a.length).toBe(361);
    expect(maxRelative(a, b)).toBeLessThan(1e-5);
  }, 60_000);

  it("in the compiled functions' coefficients (1/V in V's slot) the dose factor takes ka/ke", async () => {
    const a = (await model("test/runtime/refine/real/quinidine_m0.nlme")).meta.absorption!;
    const coefficients = flipFlopTwin(a, [0.048, 1 / 52.5, 0.235], "coefficients");
    expect(1 / coefficients[1]!).toBeCloseTo((52.5 * 0.235) / 0.048, 10);
    // With an inflow of its own, only the rates swap.
    const b = (await model("specs/pk_oral_sparse.nlme")).meta.absorption!;
    expect(Array.from(flipFlopTwin(b, [2, 4, 0.07], "natural"))).toEqual([0.07, 4, 2]);
  }, 60_000);
});

// Guards the helper above against a silently empty comparison.
it("psiOf reads random components from phi and the rest from mu", () => {
  const layout = { components: [{ scale: "logNormal" }, { scale: "normal" }], randomOf: Int32Array.from([0, -1]) } as unknown as Layout;
  expect(Array.from(psiOf(layout, Float64Array.from([0, 3]), Float64Array.from([toTransformed("logNormal", 2)])))).toEqual([2, 3]);
});

describe("the refined legend", () => {
  const branch = (kept: boolean, ka: number, ke: number, value: number) => ({
    startedFrom: kept ? "first guess" : "flip-flop twin",
    ka: "ka",
    ke: "ke",
    branch: ka < ke ? ("flip-flop" as const) : ("conventional" as const),
    kept,
    logLikelihood: { value, mcSe: 0.2 },
    parameters: { ka, V: 200, ke },
    omega: { ke: 0.3 },
    iterations: 300,
    seconds: 30,
  });
  it("says what the other branch reached, and when the two cannot be told apart", () => {
    const far = branchesSentence({ branches: [branch(false, 0.048, 0.235, -500.28), branch(true, 0.82, 0.05, -496.6)] } as unknown as RefinedFit);
    expect(far).toBe("flip-flop: the flip-flop twin (ka < ke; ka 0.0480, ke 0.235) reached log-likelihood -500.28, this conventional run (ka > ke) -496.60: kept as the higher");
    const near = branchesSentence({ branches: [branch(true, 1.9, 0.076, -136.56), branch(false, 0.077, 1.88, -136.67)] } as unknown as RefinedFit);
    expect(near).toMatch(/within twice its Monte Carlo error \(0\.28\): the data do not tell the branches apart, the conventional one \(ka > ke\) is kept$/);
    expect(branchesSentence({} as RefinedFit)).toBeNull();
  });
});

describe("SAEM from the flip-flop side of a seeded oral population at steady state", () => {
  // The population of estimate/steady-state-fit.test.ts (60 subjects, an SS dose then two more every 8 h, random log
  // ke, truth ka 1.2, V 150, ke 0.08), SAEM started at the truth's flip-flop twin (ka 0.08, V 10, ke 1.2) with short
  // phases. Measured (seed 1): the first run stays on that side (ka 0.0550, V 3.73, ke 3.39; log-likelihood 11.20),
  // the run from its twin reaches ka 1.267 (+5.5%), V 159.4 (+6.3%), ke 0.0788 (-1.5%) at 186.68, and is kept.
  it("runs again from the twin of its estimate and keeps the conventional branch, which the likelihood prefers", async () => {
    const m = await model("test/runtime/refine/real/quinidine_m0.nlme");
    const truth = STEADY_STATE_ORAL_TRUTH;
    const data = steadyStateOralPopulation(m);
    const short = { exploration: 60, maxExploration: 60, smoothing: 60, maxSmoothing: 60, posteriorIterations: 20, importanceSamples: 100 };
    const r = refine(m, data, undefined, { seed: 1, start: { ka: 0.08, V: (150 * 0.08) / 1.2, ke: 1.2 }, ...short });
    const [first, second] = r.branches!;
    expect(first!.branch).toBe("flip-flop");
    expect(first!.startedFrom).toBe("given");
    expect(second!.branch).toBe("conventional");
    expect(second!.startedFrom).toMatch(/^flip-flop twin of the first run's estimate/);
    expect(second!.kept).toBe(true);
    expect(second!.logLikelihood.value - first!.logLikelihood.value).toBeGreaterThan(10);
    expect(r.logLikelihood.value).toBe(second!.logLikelihood.value);
    for (const [name, value] of Object.entries(truth)) expect(Math.abs(r.parameters[name]!.estimate / value - 1), name).toBeLessThan(0.15);
    const table = refinedTable(r);
    expect(table).toContain("flip-flop: the flip-flop twin (ka < ke;");
    expect(table).toContain("start: SAEM's second run, from the flip-flop twin of the first run's estimate");
    // The report says it too.
    let clip = 0;
    expect(refinedSection(r, () => `c${clip++}`)).toContain("<p>flip-flop: the flip-flop twin (ka &lt; ke;");
  }, 120_000);
});

it("the legend says when both runs ended on the same branch", () => {
  const run = (kept: boolean, value: number) => ({ startedFrom: kept ? "first guess" : "flip-flop twin of the first run's estimate", ka: "ka", ke: "ke", branch: "conventional" as const, kept, logLikelihood: { value, mcSe: 0.1 }, parameters: { ka: 1, ke: 0.1 }, omega: {}, iterations: 300, seconds: 1 });
  expect(branchesSentence({ branches: [run(true, -10), run(false, -12)] } as unknown as RefinedFit)).toBe(
    "flip-flop: the other SAEM run (from the flip-flop twin of the first run's estimate) ended on the same conventional branch (ka > ke; ka 1.00, ke 0.100) at log-likelihood -12.00, this one -10.00",
  );
});

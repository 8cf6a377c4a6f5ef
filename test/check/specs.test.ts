// Every shipped spec and every example of the language draft checks without
// errors or warnings (notes allowed) and lowers; a few decompositions are
// asserted term by term.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyse } from "../../src/front-end.js";
import { render } from "../../src/diagnostics/render.js";
import type { IrExpr, ModelIr } from "../../src/ir/model.js";
import { evaluateExpr } from "../../src/ir/evaluate.js";

const here = dirname(fileURLToPath(import.meta.url));
const specsDir = join(here, "../../specs");
const draftDir = join(here, "draft-examples");
const examplesDir = join(here, "../../examples");
const pkDir = join(here, "pk-models");
const files = [specsDir, draftDir, examplesDir, pkDir].flatMap((dir) =>
  readdirSync(dir).filter((f) => f.endsWith(".nlme")).map((f) => join(dir, f)),
);

function load(path: string): ModelIr {
  const text = readFileSync(path, "utf8");
  const r = analyse(text, path);
  const bad = r.diagnostics.filter((d) => d.severity !== "note");
  if (bad.length) throw new Error(render(bad, { file: path, text, color: false }));
  return r.ir!;
}

/** Value of an expression at a point, so decompositions are compared as functions, not as trees. */
function at(e: IrExpr, x: number[], t = 0.7): number {
  return evaluateExpr(e, { x, theta: [], t });
}

describe("shipped specs, examples, draft examples and pharmacokinetic models", () => {
  for (const path of files) {
    it(`${path.split("/").slice(-2).join("/")} checks clean and lowers`, () => {
      const ir = load(path);
      expect(ir.dynamics.length).toBe(ir.states.length);
      const blocksOf = new Map<number, number>();
      for (const b of ir.covariance) for (const p of b.params) blocksOf.set(p, (blocksOf.get(p) ?? 0) + 1);
      const random = ir.parameters.filter((q) => q.variability !== "fixed").map((q) => q.index);
      expect(random.every((p) => blocksOf.get(p) === 1)).toBe(true);
      expect(blocksOf.size).toBe(random.length);
    });
  }
});

describe("linear decompositions", () => {
  it("logistic: dC/dt = r C - q C^2", () => {
    const ir = load(join(specsDir, "logistic.nlme"));
    const [r, q] = ["r", "q"].map((n) => ir.parameters.find((p) => p.name === n)!.index);
    const dyn = ir.dynamics[0]!;
    expect(dyn.terms.map((t) => t.param)).toEqual([r, q]);
    for (const C of [0.5, 3, 120]) {
      expect(at(dyn.terms[0]!.coef, [C])).toBeCloseTo(C, 12);
      expect(at(dyn.terms[1]!.coef, [C])).toBeCloseTo(-C * C, 9);
      expect(at(dyn.drift, [C])).toBe(0);
    }
    expect(ir.derived[0]!.name).toBe("K");
    expect(evaluateExpr(ir.derived[0]!.expr, { x: [], theta: [0.003, 1.5e-5], t: 0 })).toBeCloseTo(200, 9);
  });

  it("Lotka-Volterra: x' = a x - b x y, y' = c x y - d y", () => {
    const ir = load(join(specsDir, "lotka_volterra.nlme"));
    const idx = (n: string) => ir.parameters.find((p) => p.name === n)!.index;
    const [x, y] = [1.3, 0.4];
    const coef = (state: number, param: string) => ir.dynamics[state]!.terms.find((t) => t.param === idx(param));
    expect(ir.dynamics[0]!.terms.map((t) => t.param)).toEqual([idx("a"), idx("b")]);
    expect(ir.dynamics[1]!.terms.map((t) => t.param)).toEqual([idx("c"), idx("d")]);
    expect(at(coef(0, "a")!.coef, [x, y])).toBeCloseTo(x, 12);
    expect(at(coef(0, "b")!.coef, [x, y])).toBeCloseTo(-x * y, 12);
    expect(at(coef(1, "c")!.coef, [x, y])).toBeCloseTo(x * y, 12);
    expect(at(coef(1, "d")!.coef, [x, y])).toBeCloseTo(-y, 12);
  });

  it("gene_network: 420 parameters, 21 terms per equation, named like the truth file", () => {
    const ir = load(join(specsDir, "gene_network.nlme"));
    expect(ir.states).toHaveLength(20);
    expect(ir.parameters).toHaveLength(420);
    expect(ir.dictionaries[0]!.terms.map((t) => t.name)).toEqual(["1", ...Array.from({ length: 20 }, (_, i) => `g${i + 1}`)]);
    for (const d of ir.dynamics) {
      expect(d.terms).toHaveLength(21);
      for (const t of d.terms) expect(ir.parameters[t.param]!.dictionaryTerm!.state).toBe(d.state);
    }
    // Equation of g3: the coefficient of W[g3, g7] is the state g7.
    const x = Array.from({ length: 20 }, (_, i) => 0.1 * (i + 1));
    const term = ir.dynamics[2]!.terms.find((t) => ir.parameters[t.param]!.name === "W[g3, g7]")!;
    expect(at(term.coef, x)).toBeCloseTo(0.7, 12);
    expect(ir.parameters.every((p) => p.variability === "selected" && p.distribution === "normal")).toBe(true);
    expect(ir.penalty).toEqual({ kind: "lasso", param: "W", lambda: "cv" });
  });

  it("gene_network_quadratic: 66 terms per equation, squares as gJ*gJ", () => {
    const ir = load(join(specsDir, "gene_network_quadratic.nlme"));
    const names = ir.dictionaries[0]!.terms.map((t) => t.name);
    expect(names).toHaveLength(66);
    expect(names).toContain("g1*g7");
    expect(names).toContain("g3*g3");
    expect(names).not.toContain("g7*g1");
  });

  it("antibody_clairon: the dose vector expands to doseIs indicators", () => {
    const ir = load(join(specsDir, "antibody_clairon.nlme"));
    const fM2 = ir.parameters.find((p) => p.name === "fM2")!.index;
    const sDyn = ir.dynamics[0]!;
    expect(sDyn.terms.map((t) => t.param)).toEqual([fM2]);
    const env = (dose: number) => ({ x: [2, 1], theta: [], t: 30, sinceDose: 3, dose });
    // fM2 acts only after the second administration, the constant 1 only after the first.
    expect(evaluateExpr(sDyn.terms[0]!.coef, env(1))).toBe(0);
    expect(evaluateExpr(sDyn.terms[0]!.coef, env(2))).toBeCloseTo(Math.exp(-2.7 * 3), 12);
    expect(evaluateExpr(sDyn.drift, env(1))).toBeCloseTo(Math.exp(-2.7 * 3) - 0.01 * 2, 12);
    expect(ir.states[0]!.initial).toBe(1);
    expect(ir.states[0]!.elimination).toEqual({ rate: { kind: "known", value: 0.01 }, dependsOn: [], carriers: [fM2], unknownDoses: false });
    expect(ir.observations[0]!.transform).toEqual({ kind: "log10" });
  });

  it("pk_oral: the depot rate is searched in an outer loop", () => {
    const ir = load(join(specsDir, "pk_oral.nlme"));
    const ka = ir.parameters.find((p) => p.name === "ka")!.index;
    expect(ir.states[0]!.elimination?.rate).toEqual({ kind: "param", param: ka, scale: 1, offset: 0 });
    expect(ir.doses).toEqual([{ kind: "jump", state: 0, amount: "amt" }]);
  });

  it("ebola_pasin: declared covariance block and Monolix distributions", () => {
    const ir = load(join(specsDir, "ebola_pasin.nlme"));
    const idx = (n: string) => ir.parameters.find((p) => p.name === n)!.index;
    expect(ir.covariance).toEqual([{ structure: "full", params: [idx("theta_S"), idx("theta_L")] }]);
    expect(ir.parameters.find((p) => p.name === "delta_Ab")!.distribution).toBe("normal");
    expect(ir.parameters.find((p) => p.name === "theta_S")!.distribution).toBe("logNormal");
  });
});

describe("pharmacokinetic forms (issue 13)", () => {
  const idx = (ir: ModelIr, n: string) => ir.parameters.find((p) => p.name === n)!.index;

  it("C += amt / V: V is estimated as its reciprocal and the dose carries it as a coefficient", () => {
    const ir = load(join(specsDir, "pk_iv_multidose.nlme"));
    const V = idx(ir, "V");
    expect(ir.parameters[V]!.estimatedAs).toBe("reciprocal");
    expect(ir.parameters[idx(ir, "ke")]!.estimatedAs).toBeUndefined();
    expect(ir.doses).toEqual([{ kind: "jump", state: 0, amount: "amt", coefficient: { scale: 1, param: V } }]);
    expect(ir.concentration).toBeUndefined();
  });

  it("amt * F_over_V: a coefficient that is not a reciprocal", () => {
    const ir = load(join(pkDir, "pk_oral_bioavailability.nlme"));
    const F = idx(ir, "F_over_V");
    expect(ir.parameters[F]!.estimatedAs).toBeUndefined();
    expect(ir.doses).toEqual([{ kind: "jump", state: 0, amount: "amt", coefficient: { scale: 1, param: F } }]);
    // The dose weights the depot's solution.
    expect(ir.states[0]!.elimination!.carriers).toEqual([F]);
  });

  it("conc = A1 / V in a linear model: rewritten in concentrations, doses scaled by 1/V", () => {
    const ir = load(join(examplesDir, "cefamandole.nlme"));
    const V = idx(ir, "V");
    expect(ir.concentration).toEqual({ param: V, divides: true });
    expect(ir.observations[0]!.transform).toEqual({ kind: "identity" });
    expect(ir.observations[0]!.state).toBe(0);
    expect(ir.doses).toEqual([{ kind: "jump", state: 0, amount: "amt", coefficient: { scale: 1, param: V } }]);
    expect(ir.parameters[V]!.estimatedAs).toBe("reciprocal");
    // The equations keep their form: d/dt A1 = -(k10 + k12) A1 + k21 A2.
    const a1 = ir.dynamics[0]!;
    expect(a1.terms.map((t) => t.param)).toEqual([idx(ir, "k10"), idx(ir, "k12"), idx(ir, "k21")]);
    expect(at(a1.terms[0]!.coef, [2, 5])).toBeCloseTo(-2, 12);
    expect(at(a1.terms[2]!.coef, [2, 5])).toBeCloseTo(5, 12);
  });

  it("a peripheral compartment is a convolution latent state with its searched rate and inputs", () => {
    const ir = load(join(specsDir, "pk_2cmt_iv.nlme"));
    const P = ir.states.find((s) => s.name === "P")!;
    expect(P.elimination).toEqual({
      rate: { kind: "param", param: idx(ir, "k21"), scale: 1, offset: 0 },
      dependsOn: [],
      carriers: [idx(ir, "k12")],
      unknownDoses: false,
      convolution: [{ state: 0, param: idx(ir, "k12"), scale: 1 }],
    });
  });

  it("three compartments: two convolution states, each with its own rate", () => {
    const ir = load(join(pkDir, "pk_3cmt_iv.nlme"));
    const conv = ir.states.filter((s) => s.elimination?.convolution).map((s) => [s.name, s.elimination!.rate]);
    expect(conv).toEqual([
      ["P2", { kind: "param", param: idx(ir, "k21"), scale: 1, offset: 0 }],
      ["P3", { kind: "param", param: idx(ir, "k31"), scale: 1, offset: 0 }],
    ]);
  });

  it("a known decay and a known input factor: d/dt P = 0.5 * C - 0.2 * P", () => {
    const text = `model m
states {
  C
  P latent
}
constants {
  kp = 0.2
}
parameters {
  k ~ random
  q
}
dynamics {
  d/dt C = -k * C + q * P
  d/dt P = 0.5 * C - kp * P
}
observe {
  y = C ~ constant
}
`;
    const r = analyse(text, "inline.nlme");
    expect(r.diagnostics.filter((d) => d.severity !== "note")).toEqual([]);
    expect(r.ir!.states[1]!.elimination).toMatchObject({ rate: { kind: "known", value: 0.2 }, convolution: [{ state: 0, scale: 0.5 }] });
  });
});

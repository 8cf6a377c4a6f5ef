import { describe, expect, it } from "vitest";
import { parse } from "../../src/syntax/parse.js";
import type { Expr } from "../../src/syntax/ast.js";
import { drafts, specs, stripLocations } from "./helpers.js";

describe("parse: the bundled models", () => {
  it("finds the spec and draft files", () => {
    expect(specs.length).toBeGreaterThanOrEqual(7);
    expect(drafts.map((d) => d.name)).toEqual(["antibody_clairon.nlme", "ebola_pasin.nlme", "gene_modules.nlme", "orange_logistic.nlme"]);
  });
  for (const { name, text } of [...specs, ...drafts]) {
    it(`${name} parses with no diagnostics`, () => {
      const { ast, diagnostics } = parse(text);
      expect(diagnostics).toEqual([]);
      expect(ast.recovered).toBeUndefined();
      expect(ast.name?.text).toBeTruthy();
      expect(ast.dynamics?.items.length).toBeGreaterThan(0);
    });
  }
  it("keeps comments in source order with their text", () => {
    const text = drafts.find((d) => d.name === "ebola_pasin.nlme")!.text;
    const { ast } = parse(text);
    expect(ast.comments.length).toBe(5);
    for (const c of ast.comments) expect(text.slice(c.span.start, c.span.end)).toBe(c.text);
    expect(ast.comments[0]!.text).toBe("# known decay rates, 1/day");
  });
});

function rhsOf(body: string): Expr {
  const { ast, diagnostics } = parse(`model m\nderived {\n  y = ${body}\n}\n`);
  expect(diagnostics).toEqual([]);
  return stripLocations(ast.derived!.items[0]!.expr) as Expr;
}

const ref = (text: string) => ({ kind: "ref", name: { text } });
const num = (raw: string) => ({ kind: "number", value: Number(raw), raw });

describe("parse: expression shapes", () => {
  it("-x^2 is -(x^2)", () => {
    expect(rhsOf("-x^2")).toEqual({ kind: "unary", op: "-", arg: { kind: "binary", op: "^", left: ref("x"), right: num("2") } });
  });
  it("a - b - c is left-associative", () => {
    expect(rhsOf("a - b - c")).toEqual({
      kind: "binary", op: "-",
      left: { kind: "binary", op: "-", left: ref("a"), right: ref("b") },
      right: ref("c"),
    });
  });
  it("^ is right-associative and takes a signed exponent", () => {
    expect(rhsOf("a^b^-c")).toEqual({
      kind: "binary", op: "^", left: ref("a"),
      right: { kind: "binary", op: "^", left: ref("b"), right: { kind: "unary", op: "-", arg: ref("c") } },
    });
  });
  it("* binds tighter than +, and . tighter than *", () => {
    expect(rhsOf("a + b * W . P")).toEqual({
      kind: "binary", op: "+", left: ref("a"),
      right: { kind: "binary", op: "*", left: ref("b"), right: { kind: "dot", left: ref("W"), right: ref("P") } },
    });
  });
  it("W[i, :] . Phi is a dot of an indexed row with a slice", () => {
    expect(rhsOf("W[i, :] . Phi")).toEqual({
      kind: "dot",
      left: { kind: "index", name: { text: "W" }, indices: [ref("i"), { kind: "slice" }] },
      right: ref("Phi"),
    });
  });
  it("calls, builtins and number forms keep their raw text", () => {
    expect(rhsOf("exp(-k * since_dose) + 1e-3 + .5 + 2.7E+2")).toMatchObject({
      right: num("2.7E+2"),
      left: { right: num(".5"), left: { right: num("1e-3"), left: { kind: "call", callee: { text: "exp" } } } },
    });
  });
  it("parentheses override precedence and spans cover them", () => {
    const { ast } = parse("model m\nderived {\n  y = (a + b) * c\n}\n");
    const e = ast.derived!.items[0]!.expr;
    expect(e).toMatchObject({ kind: "binary", op: "*", left: { kind: "binary", op: "+" } });
    expect(e.span).toEqual({ start: 24, end: 35 });
  });
});

describe("parse: declarations", () => {
  it("S(0) = 1 is an initial value", () => {
    const { ast } = parse("model m\nconstants {\n  S(0) = 1\n  k = 0.5  \"rate\"\n}\n");
    expect(stripLocations(ast.constants!.items)).toEqual([
      { name: { text: "S" }, initialOf: true, value: num("1") },
      { name: { text: "k" }, value: num("0.5"), doc: { text: "rate" } },
    ]);
  });
  it("strength = [1, fM2] is a per-dose vector; S += amt and += unknown are jumps", () => {
    const { ast } = parse("model m\ndoses {\n  strength = [1, fM2]\n  S += amt\n  L += unknown\n  A += 2 * amt\n}\n");
    expect(stripLocations(ast.doses!.items)).toEqual([
      { kind: "vector", name: { text: "strength" }, values: { kind: "vector", items: [num("1"), ref("fM2")] } },
      { kind: "jump", target: { text: "S" }, amount: "amt" },
      { kind: "jump", target: { text: "L" }, amount: "unknown" },
      { kind: "jump", target: { text: "A" }, amount: { kind: "binary", op: "*", left: num("2"), right: ref("amt") } },
    ]);
  });
  it("for i in 1..40 is a loop on an indexed equation", () => {
    const { ast } = parse("model m\ndynamics {\n  d/dt g[i] = -g[i]  for i in 1..40\n}\n");
    const eq = ast.dynamics!.items[0]!;
    expect(stripLocations(eq.loop)).toEqual({ index: { text: "i" }, from: num("1"), to: num("40") });
    expect(stripLocations(eq.target)).toEqual({ name: { text: "g" }, index: ref("i") });
  });
  it("~ random(selected) and indexed parameters", () => {
    const text = "model m\nparameters {\n  W[g, Phi] ~ random(selected)\n  k ~ random \"a rate\"\n  c\n}\n";
    const { ast } = parse(text);
    const [w, k, c] = ast.parameters!.items;
    expect(w).toMatchObject({ name: { text: "W" }, dims: [{ text: "g" }, { text: "Phi" }], variability: "selected" });
    expect(text.slice(w!.variabilitySpan!.start, w!.variabilitySpan!.end)).toBe("random(selected)");
    expect(k).toMatchObject({ variability: "random", doc: { text: "a rate" } });
    expect(c).toMatchObject({ variability: "fixed" });
    expect(c!.variabilitySpan).toBeUndefined();
  });
  it("distributions, positive parameters and covariate terms", () => {
    const text = 'model m\nparameters {\n  V ~ lognormal + log(WT / 70) + SEX "volume"\n  r ~ normal + (AGE - 40)\n  c positive\n}\n';
    const { ast, diagnostics } = parse(text);
    expect(diagnostics).toEqual([]);
    const [v, r, c] = ast.parameters!.items;
    expect(v).toMatchObject({ variability: "random", distribution: { text: "lognormal" }, doc: { text: "volume" } });
    expect(v!.covariateTerms.map((t) => text.slice(t.expr.span.start, t.expr.span.end))).toEqual(["log(WT / 70)", "SEX"]);
    expect(r!.covariateTerms.map((t) => t.expr.kind)).toEqual(["binary"]);
    expect(c).toMatchObject({ variability: "fixed", distribution: { text: "positive" }, covariateTerms: [] });
    expect(text.slice(c!.variabilitySpan!.start, c!.variabilitySpan!.end)).toBe("positive");
  });
  it("categorical covariates, with a reference level and a doc", () => {
    const { ast, diagnostics } = parse('model m\ncovariates {\n  WT "kg"\n  DIET categorical\n  SEX categorical(reference = "F") "sex"\n  ARM categorical(reference = 2)\n}\n');
    expect(diagnostics).toEqual([]);
    expect(stripLocations(ast.covariates!.items)).toEqual([
      { name: { text: "WT" }, doc: { text: "kg" } },
      { name: { text: "DIET" }, categorical: {} },
      { name: { text: "SEX" }, categorical: { argName: { text: "reference" }, reference: { text: "F", quoted: true } }, doc: { text: "sex" } },
      { name: { text: "ARM" }, categorical: { argName: { text: "reference" }, reference: { text: "2", quoted: false } } },
    ]);
  });
  it("states with ranges, latent flags and escaped docs", () => {
    const { ast, diagnostics } = parse('model m\nstates {\n  g[1..20] latent "say \\"hi\\" \\\\ ok"\n}\n');
    expect(diagnostics).toEqual([]);
    expect(stripLocations(ast.states!.items[0])).toEqual({
      name: { text: "g" }, latent: true, range: { from: num("1"), to: num("20") }, doc: { text: 'say "hi" \\ ok' },
    });
  });
  it("sections in any order; dictionary and penalty named arguments may be keywords", () => {
    const { ast, diagnostics } = parse(
      "model m\npenalty spls(W, eta = 0.5, K = 3)\nobserve { y = log10(C) ~ combined }\n" +
        "dictionary Phi = polynomial(g, degree = 2, constant = false)\nstates { C }\n",
    );
    expect(diagnostics).toEqual([]);
    expect(ast.penalties[0]).toMatchObject({ kind: { text: "spls" }, param: { text: "W" }, args: [{ name: { text: "eta" } }, { name: { text: "K" } }] });
    expect(ast.dictionaries[0]).toMatchObject({ family: { text: "polynomial" }, over: [{ text: "g" }], args: [{ name: { text: "degree" } }, { name: { text: "constant" } }] });
    expect(ast.observe!.items[0]).toMatchObject({ error: "combined" });
    expect(ast.states!.items).toHaveLength(1);
  });
  it("time declaration with and without a unit", () => {
    expect(stripLocations(parse("model m\ntime age in days\n").ast.time)).toEqual({ name: { text: "age" }, unit: { text: "days" } });
    expect(stripLocations(parse("model m\ntime t\n").ast.time)).toEqual({ name: { text: "t" } });
  });
  it("a duplicated section is kept out and reported (N0004)", () => {
    const { ast, diagnostics } = parse("model m\nstates { A }\nstates { B }\n");
    expect(ast.states!.items.map((s) => s.name.text)).toEqual(["A"]);
    expect(ast.duplicateBlocks.map((b) => b.text)).toEqual(["states"]);
    expect(diagnostics.map((d) => d.code)).toEqual(["N0004"]);
    expect(diagnostics[0]!.labels?.[0]?.message).toBe("first declared here");
  });
});

describe("parse: recovery leaves parts undefined rather than inventing them", () => {
  it("drops a broken equation, marks its block, keeps the good one", () => {
    const { ast, diagnostics } = parse("model m\ndynamics {\n  d/dt A = k * \n  d/dt B = -k * B\n}\n");
    expect(diagnostics.map((d) => d.code)).toEqual(["N0002"]);
    expect(ast.dynamics!.recovered).toBe(true);
    expect(ast.dynamics!.items.map((e) => e.target.name.text)).toEqual(["B"]);
  });
  it("a state whose range is not a whole number keeps its name but loses the range", () => {
    const { ast, diagnostics } = parse("model m\nstates { g[1.5..3] }\n");
    expect(diagnostics.map((d) => d.code)).toEqual(["N0007"]);
    expect(ast.states!.items[0]).toMatchObject({ name: { text: "g" }, recovered: true });
    expect(ast.states!.items[0]!.range).toBeUndefined();
  });
  it("an unclosed section still yields the sections after it", () => {
    const { ast, diagnostics } = parse("model m\nstates { C\nparameters { r }\ndynamics { d/dt C = r * C }\n");
    expect(diagnostics.map((d) => d.code)).toEqual(["N0002"]);
    expect(ast.states!.recovered).toBe(true);
    expect(ast.parameters!.items).toHaveLength(1);
    expect(ast.dynamics!.items).toHaveLength(1);
  });
});

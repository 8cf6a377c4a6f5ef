import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as A from "../../src/syntax/ast.js";
import { parse } from "../../src/syntax/parse.js";
import { format, printModel } from "../../src/syntax/print.js";
import { reservedWords } from "../../grammar/tokens.js";
import { drafts, specs, stripLocations } from "./helpers.js";

describe("format: bundled models", () => {
  for (const { name, text } of [...specs, ...drafts]) {
    it(`${name}: idempotent, same AST, every comment kept`, () => {
      const once = format(text);
      expect(once.diagnostics).toEqual([]);
      expect(format(once.text).text).toBe(once.text);
      const before = parse(text).ast;
      const after = parse(once.text).ast;
      expect(stripLocations(after)).toEqual(stripLocations(before));
      expect(after.comments.map((c) => c.text.trimEnd())).toEqual(before.comments.map((c) => c.text.trimEnd()));
    });
  }
});

describe("format: layout", () => {
  it("puts sections in canonical order, indents by two, keeps comments with their declarations", () => {
    const input = [
      "# file comment",
      "model   m",
      "observe { y=C~constant }",
      "# about the states",
      "states {",
      "  # the only state",
      "  C   latent",
      "  D \"doc\"   # trailing",
      "}",
      "dynamics {d/dt C=-k*C^2",
      "d/dt D = (a-b)-(c-d)",
      "  # closing remark",
      "}",
      "parameters{k~random}",
      "# end of file",
    ].join("\n");
    const out = format(input);
    expect(out.diagnostics).toEqual([]);
    expect(out.text).toBe(
      [
        "# file comment",
        "model m",
        "",
        "# about the states",
        "states {",
        "  # the only state",
        "  C  latent",
        '  D          "doc"  # trailing',
        "}",
        "",
        "parameters {",
        "  k ~ random",
        "}",
        "",
        "dynamics {",
        "  d/dt C = -k * C^2",
        "  d/dt D = a - b - (c - d)",
        "  # closing remark",
        "}",
        "",
        "observe {",
        "  y = C  ~ constant",
        "}",
        "",
        "# end of file",
        "",
      ].join("\n"),
    );
  });
  it("keeps numbers as written and one blank line between groups", () => {
    const out = format("model m\nconstants {\n  a = 1e-3\n\n\n  b = .5\n}\n");
    expect(out.text).toBe("model m\n\nconstants {\n  a = 1e-3\n\n  b = .5\n}\n");
  });
  it("refuses a file with syntax errors and returns them", () => {
    const input = "model m\nstates { C\n";
    const out = format(input);
    expect(out.text).toBe(input);
    expect(out.diagnostics.map((d) => d.code)).toEqual(["N0002"]);
  });
});

// ---------------------------------------------------------------- generated models

const span: A.Span = { start: 0, end: 0 };
const nm = (text: string): A.Name => ({ text, span });
const reserved = new Set(reservedWords);
const identArb = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,5}$/)
  .filter((s) => !reserved.has(s));
const numberArb = fc.constantFrom("0", "1", "2", "40", "0.5", ".5", "1e-3", "2.7E+2", "3.25").map(
  (raw): A.Expr => ({ kind: "number", raw, value: Number(raw), span }),
);

const exprArb: fc.Arbitrary<A.Expr> = fc.letrec<{ expr: A.Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    numberArb,
    identArb.map((t): A.Expr => ({ kind: "ref", name: nm(t), span })),
    fc.tuple(fc.constantFrom("-", "+"), tie("expr")).map(([op, arg]): A.Expr => ({ kind: "unary", op: op as "-" | "+", arg, span })),
    fc
      .tuple(fc.constantFrom("+", "-", "*", "/", "^"), tie("expr"), tie("expr"))
      .map(([op, left, right]): A.Expr => ({ kind: "binary", op: op as A.BinaryOp, left, right, span })),
    fc.tuple(tie("expr"), tie("expr")).map(([left, right]): A.Expr => ({ kind: "dot", left, right, span })),
    fc
      .tuple(fc.constantFrom("exp", "log", "log10", "sqrt", "abs", "sin", "cos", "f"), fc.array(tie("expr"), { minLength: 1, maxLength: 2 }))
      .map(([callee, args]): A.Expr => ({ kind: "call", callee: nm(callee), args, span })),
    fc
      .tuple(identArb, fc.array(fc.oneof(tie("expr"), fc.constant<A.Slice>({ kind: "slice", span })), { minLength: 1, maxLength: 2 }))
      .map(([n, indices]): A.Expr => ({ kind: "index", name: nm(n), indices, span })),
  ),
})).expr;

const docArb = fc.option(
  fc.string({ maxLength: 12 }).filter((s) => !/[\r\u2028\u2029]/.test(s)).map((text): A.Doc => ({ text, span })),
  { nil: undefined },
);

const block = <T,>(keyword: string, items: T[]): A.Block<T> => ({ keyword: nm(keyword), items, span });

const modelArb: fc.Arbitrary<A.ModelFile> = fc
  .record({
    name: identArb,
    states: fc.array(fc.record({ n: identArb, latent: fc.boolean(), doc: docArb }), { minLength: 1, maxLength: 3 }),
    constants: fc.array(fc.record({ n: identArb, init: fc.boolean(), value: exprArb, doc: docArb }), { maxLength: 2 }),
    params: fc.array(
      fc.record({
        n: identArb,
        v: fc.constantFrom("fixed", "random", "selected", "lognormal", "normal", "positive"),
        terms: fc.array(exprArb, { maxLength: 2 }),
        init: fc.boolean(),
        doc: docArb,
      }),
      { maxLength: 3 },
    ),
    covariates: fc.array(
      fc.record({ n: identArb, cat: fc.constantFrom("no", "bare", "string", "number"), ref: identArb, doc: docArb }),
      { maxLength: 3 },
    ),
    equations: fc.array(fc.record({ n: identArb, rhs: exprArb }), { minLength: 1, maxLength: 3 }),
    observations: fc.array(fc.record({ n: identArb, e: exprArb, err: fc.constantFrom("constant", "proportional", "combined") }), { maxLength: 2 }),
  })
  .map((r): A.ModelFile => {
    const file: A.ModelFile = { span, name: nm(r.name), dictionaries: [], penalties: [], duplicateBlocks: [], comments: [] };
    file.states = block("states", r.states.map((s) => ({ span, name: nm(s.n), latent: s.latent, ...(s.doc ? { doc: s.doc } : {}) })));
    if (r.constants.length > 0) {
      file.constants = block("constants", r.constants.map((c) => ({ span, name: nm(c.n), value: c.value, ...(c.init ? { initialOf: true } : {}), ...(c.doc ? { doc: c.doc } : {}) })));
    }
    if (r.params.length > 0) {
      file.parameters = block(
        "parameters",
        r.params.map((p): A.ParameterDecl => {
          const variability = p.v === "fixed" || p.v === "positive" ? "fixed" : p.v === "selected" ? "selected" : "random";
          // Covariate terms follow a `~` distribution other than `random(selected)`, as the grammar allows.
          const terms = p.v === "fixed" || p.v === "positive" || p.v === "selected" ? [] : p.terms.map((expr) => ({ span, expr }));
          return {
            span,
            name: nm(p.n),
            ...(p.init ? { initialOf: true } : {}),
            variability,
            ...(p.v === "fixed" ? {} : { distribution: nm(p.v) }),
            covariateTerms: terms,
            ...(p.doc ? { doc: p.doc } : {}),
          };
        }),
      );
    }
    if (r.covariates.length > 0) {
      file.covariates = block(
        "covariates",
        r.covariates.map((c): A.CovariateDecl => {
          const categorical: A.CovariateDecl["categorical"] =
            c.cat === "no"
              ? undefined
              : c.cat === "bare"
                ? { span }
                : { span, argName: nm("reference"), reference: { text: c.cat === "number" ? "2" : c.ref, span, quoted: c.cat === "string" } };
          return { span, name: nm(c.n), ...(categorical ? { categorical } : {}), ...(c.doc ? { doc: c.doc } : {}) };
        }),
      );
    }
    file.dynamics = block("dynamics", r.equations.map((e) => ({ span, target: { span, name: nm(e.n) }, rhs: e.rhs })));
    if (r.observations.length > 0) {
      file.observe = block("observe", r.observations.map((o) => ({ span, target: { span, name: nm(o.n) }, expr: o.e, error: o.err as A.ErrorModelName, errorSpan: span })));
    }
    return file;
  });

describe("format: generated valid models", () => {
  it("print -> parse gives back the same AST, and printing is a fixpoint", () => {
    fc.assert(
      fc.property(modelArb, (model) => {
        const text = printModel(model);
        const { ast, diagnostics } = parse(text);
        expect(diagnostics).toEqual([]);
        expect(stripLocations(ast)).toEqual(stripLocations(model));
        expect(format(text).text).toBe(text);
      }),
      { seed: 20240611, numRuns: 80 },
    );
  });
});

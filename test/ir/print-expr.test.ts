// The printer must keep the tree: text printed in either syntax, read back as
// JavaScript, computes bit-for-bit what the tree computes. Random trees cover
// every pairing of operator precedences, signs and negative literals.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IrExpr } from "../../src/ir/model.js";
import { formatNumber, printExpr } from "../../src/ir/print-expr.js";
import { evaluateExpr } from "../../src/ir/evaluate.js";

const leaf: fc.Arbitrary<IrExpr> = fc.oneof(
  fc.constantFrom(-2, -0.5, 0, 0.5, 1, 2, 3, 1e-7, -1.5e21).map((value): IrExpr => ({ kind: "num", value })),
  fc.integer({ min: 0, max: 2 }).map((index): IrExpr => ({ kind: "state", index })),
  fc.integer({ min: 0, max: 1 }).map((index): IrExpr => ({ kind: "param", index })),
  fc.constant<IrExpr>({ kind: "const", name: "k", value: 0.7 }),
  fc.constant<IrExpr>({ kind: "time" }),
  fc.constant<IrExpr>({ kind: "sinceDose" }),
  fc.integer({ min: 1, max: 2 }).map((k): IrExpr => ({ kind: "doseIs", k })),
  fc.constant<IrExpr>({ kind: "covariate", name: "WT" }),
);

const { expr } = fc.letrec<{ expr: IrExpr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    tie("expr").map((arg): IrExpr => ({ kind: "neg", arg })),
    fc
      .record({ kind: fc.constantFrom("add", "sub", "mul", "div", "pow"), left: tie("expr"), right: tie("expr") })
      .map((r) => r as IrExpr),
    fc.record({ fn: fc.constantFrom("exp", "log", "log10", "sqrt", "abs", "sin", "cos"), arg: tie("expr") }).map((r): IrExpr => ({ kind: "call", ...r }) as IrExpr),
  ),
}));

const ctx = { x: [0.3, 1.7, 2.5], theta: [-0.4, 1.3], t: 2.25, sinceDose: 0.75, dose: 2, cov: { WT: 71 } };

function sameNumber(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

/** JavaScript from the TypeScript syntax (it has no types to strip). */
function runTs(text: string): number {
  const f = new Function("x", "theta", "t", "env", "k", "WT", `return ${text};`) as (...a: unknown[]) => number;
  return f(ctx.x, ctx.theta, ctx.t, { sinceDose: ctx.sinceDose, dose: ctx.dose }, 0.7, ctx.cov.WT);
}

/** JavaScript from the math syntax by token substitution only (no re-parenthesising). */
function runMath(text: string): number {
  const js = text
    .replace(/\^/g, "**")
    .replace(/\b(exp|log10|log|sqrt|abs|sin|cos)\(/g, "Math.$1(")
    .replace(/\(dose == (\d+)\)/g, "(dose === $1 ? 1 : 0)");
  const f = new Function("x0", "x1", "x2", "theta0", "theta1", "t", "since_dose", "dose", "k", "WT", `return ${js};`) as (...a: unknown[]) => number;
  return f(...ctx.x, ...ctx.theta, ctx.t, ctx.sinceDose, ctx.dose, 0.7, ctx.cov.WT);
}

describe("printExpr", () => {
  it("TypeScript text evaluates exactly like the tree", () => {
    fc.assert(
      fc.property(expr, (e) => {
        const text = printExpr(e);
        expect(sameNumber(runTs(text), evaluateExpr(e, ctx)), text).toBe(true);
      }),
      { seed: 20260601, numRuns: 2000 },
    );
  });

  it("math (Mlxtran/R) text evaluates exactly like the tree", () => {
    fc.assert(
      fc.property(expr, (e) => {
        const text = printExpr(e, { syntax: "math" });
        expect(text).not.toMatch(/\*\*|Math\./);
        expect(sameNumber(runMath(text), evaluateExpr(e, ctx)), text).toBe(true);
      }),
      { seed: 20260602, numRuns: 2000 },
    );
  });

  it("uses minimal parentheses for left-associative chains and keeps those the tree needs", () => {
    const x = (index: number): IrExpr => ({ kind: "state", index });
    const bin = (kind: "add" | "sub" | "mul" | "div" | "pow", left: IrExpr, right: IrExpr): IrExpr => ({ kind, left, right }) as IrExpr;
    expect(printExpr(bin("sub", bin("sub", x(0), x(1)), x(2)), { syntax: "math" })).toBe("x0 - x1 - x2");
    expect(printExpr(bin("sub", x(0), bin("sub", x(1), x(2))), { syntax: "math" })).toBe("x0 - (x1 - x2)");
    expect(printExpr(bin("add", bin("mul", x(0), x(1)), bin("div", x(2), x(0))), { syntax: "math" })).toBe("x0 * x1 + x2 / x0");
    expect(printExpr(bin("pow", x(0), bin("pow", x(1), x(2))), { syntax: "math" })).toBe("x0^x1^x2");
    expect(printExpr(bin("pow", bin("pow", x(0), x(1)), x(2)))).toBe("(x[0] ** x[1]) ** x[2]");
    expect(printExpr(bin("pow", { kind: "neg", arg: x(0) }, { kind: "num", value: 2 }))).toBe("(-x[0]) ** 2");
    expect(printExpr({ kind: "neg", arg: bin("pow", x(0), { kind: "num", value: 2 }) })).toBe("-(x[0] ** 2)");
    expect(printExpr(bin("pow", x(0), { kind: "num", value: -1 }), { syntax: "math" })).toBe("x0^(-1)");
    expect(printExpr({ kind: "call", fn: "log10", arg: x(1) }, { syntax: "math" })).toBe("log10(x1)");
    expect(printExpr({ kind: "call", fn: "log", arg: x(1) })).toBe("Math.log(x[1])");
  });

  it("prints numbers so they read back as the same double", () => {
    for (const v of [0.1, 1 / 3, 1e-300, 5e-324, 1.7976931348623157e308, -2.5e-8, 123456789012345680000]) {
      expect(Number(formatNumber(v, "math"))).toBe(v);
    }
    expect(formatNumber(-0)).toBe("-0");
    expect(() => formatNumber(Number.NaN, "math")).toThrow(/non-finite/);
  });
});

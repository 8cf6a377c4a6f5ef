// Symbolic derivatives: correct (against central differences on random
// points) and simplified (no 0 or 1 factors left for generated code to
// multiply through).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { differentiate } from "../../src/codegen/differentiate.js";
import { evaluateExpr } from "../../src/ir/evaluate.js";
import type { IrExpr } from "../../src/ir/model.js";
import { printExpr } from "../../src/ir/print-expr.js";
import { add, div, fn, k, mul, n, neg, p, pow, sub, t, x } from "./fixtures/build.js";

const show = (e: IrExpr): string => printExpr(e, { syntax: "math" });

describe("differentiate", () => {
  it("leaves no 0 or 1 factors behind", () => {
    expect(show(differentiate(mul(p(0), x(0)), 0))).toBe("theta0");
    expect(show(differentiate(mul(x(0), x(1)), 0))).toBe("x1");
    expect(show(differentiate(pow(x(0), n(2)), 0))).toBe("2 * x0");
    expect(show(differentiate(pow(x(0), n(3)), 0))).toBe("3 * x0^2");
    expect(show(differentiate(neg(mul(k("d", 0.2), x(1))), 1))).toBe("-d");
    expect(show(differentiate(div(x(0), add(n(1), x(0))), 1))).toBe("0");
    expect(show(differentiate(fn("exp", mul(neg(k("d", 0.2)), t)), 0))).toBe("0");
    expect(show(differentiate(fn("log10", x(2)), 2))).toBe("1 / (x2 * log(10))");
  });

  // Every operator and function, with states kept positive where logs and roots need it.
  const expressions: IrExpr[] = [
    sub(mul(p(0), x(0)), mul(mul(p(1), x(0)), x(1))),
    div(mul(x(0), x(1)), add(n(1), pow(x(0), n(2)))),
    pow(x(0), x(1)),
    pow(n(2), mul(x(0), x(1))),
    fn("sqrt", add(x(0), mul(x(1), x(1)))),
    fn("log", mul(x(0), x(1))),
    fn("log10", add(x(0), n(3))),
    fn("abs", sub(x(0), x(1))),
    mul(fn("sin", x(0)), fn("cos", mul(x(1), t))),
    neg(div(fn("exp", neg(x(0))), sub(n(5), x(1)))),
    pow(add(x(0), x(1)), n(-1.5)),
  ];

  it("matches central differences (relative 1e-6, the accuracy of a 1e-6 step)", () => {
    const real = (min: number, max: number) => fc.double({ min, max, noNaN: true });
    fc.assert(
      fc.property(real(0.3, 2.5), real(0.3, 2.5), real(-1, 1), real(-1, 1), real(0, 3), (x0, x1, p0, p1, time) => {
        // |x0 - x1| has a kink at x0 = x1: its derivative is NaN there (as in
        // the function's own definition) and no difference quotient straddling it means anything.
        fc.pre(Math.abs(x0 - x1) > 1e-3);
        for (const e of expressions) {
          for (const l of [0, 1]) {
            const at = (v: number): number => {
              const xs = [x0, x1];
              xs[l] = v;
              return evaluateExpr(e, { x: xs, theta: [p0, p1], t: time });
            };
            const h = 1e-6 * Math.max(1, Math.abs([x0, x1][l]!));
            const base = [x0, x1][l]!;
            const fd = (at(base + h) - at(base - h)) / (2 * h);
            const exact = evaluateExpr(differentiate(e, l), { x: [x0, x1], theta: [p0, p1], t: time });
            const scale = Math.abs(fd) + Math.abs(at(base)) + 1e-3;
            expect(Math.abs(exact - fd), `${show(e)} by x${l}`).toBeLessThanOrEqual(1e-6 * scale);
          }
        }
      }),
      { seed: 31337, numRuns: 200 },
    );
  });
});

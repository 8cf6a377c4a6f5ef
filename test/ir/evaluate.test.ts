import { describe, expect, it } from "vitest";
import { evaluateExpr } from "../../src/ir/evaluate.js";
import type { IrExpr } from "../../src/ir/model.js";

describe("evaluateExpr", () => {
  const env = { x: [2, 5], theta: [0.5, 3], t: 1.5, sinceDose: 0.25, dose: 2, cov: { age: 40 } };
  it("evaluates every node kind", () => {
    const e: IrExpr = {
      kind: "add",
      left: { kind: "mul", left: { kind: "param", index: 0 }, right: { kind: "state", index: 1 } },
      right: {
        kind: "sub",
        left: { kind: "div", left: { kind: "covariate", name: "age" }, right: { kind: "const", name: "c", value: 8 } },
        right: { kind: "pow", left: { kind: "neg", arg: { kind: "time" } }, right: { kind: "num", value: 2 } },
      },
    };
    expect(evaluateExpr(e, env)).toBeCloseTo(0.5 * 5 + 40 / 8 - 1.5 ** 2, 14);
    expect(evaluateExpr({ kind: "call", fn: "log10", arg: { kind: "num", value: 1000 } }, env)).toBeCloseTo(3, 14);
    expect(evaluateExpr({ kind: "sinceDose" }, env)).toBe(0.25);
    expect(evaluateExpr({ kind: "doseIs", k: 2 }, env)).toBe(1);
    expect(evaluateExpr({ kind: "doseIs", k: 1 }, env)).toBe(0);
    expect(evaluateExpr({ kind: "doseIs", k: 1 }, { x: [], theta: [], t: 0 })).toBe(0);
  });
  it("refuses a missing value instead of returning NaN", () => {
    expect(() => evaluateExpr({ kind: "state", index: 7 }, env)).toThrow(RangeError);
    expect(() => evaluateExpr({ kind: "covariate", name: "wt" }, env)).toThrow(RangeError);
  });
});

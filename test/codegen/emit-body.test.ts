// Statement emission: inputs read once into locals, repeated subtrees
// hoisted once (and only those), zeros by one fill.
import { describe, expect, it } from "vitest";
import { emitBody } from "../../src/codegen/emit-body.js";
import { add, fn, k, mul, n, neg, since, x } from "./fixtures/build.js";

const options = { constantName: (name: string) => `k_${name}`, covariateIndex: () => 0 };

describe("emitBody", () => {
  it("hoists a subtree used twice into one const and reads each state once", () => {
    const decay = fn("exp", mul(neg(k("d", 0.5)), since));
    const body = emitBody(
      [
        { index: 0, expr: mul(x(0), decay) },
        { index: 2, expr: add(decay, x(0)) },
      ],
      { ...options, size: 3 },
    );
    expect(body.statements).toEqual([
      "const x0 = x[0];",
      "const sinceDose = env.sinceDose;",
      "const s0 = Math.exp(-k_d * sinceDose);",
      "out.fill(0);",
      "out[0] = x0 * s0;",
      "out[2] = s0 + x0;",
    ]);
    expect(body.uses).toEqual({ x: true, theta: false, t: false, env: true, out: true });
  });

  it("does not hoist what is used once, nor the inside of a hoisted subtree", () => {
    const inner = mul(x(0), x(1));
    const outer = fn("exp", inner);
    const body = emitBody(
      [
        { index: 0, expr: outer },
        { index: 1, expr: mul(n(2), outer) },
      ],
      { ...options, size: 2 },
    );
    expect(body.statements.filter((s) => s.startsWith("const s"))).toEqual(["const s0 = Math.exp(x0 * x1);"]);
    expect(body.statements).not.toContain("out.fill(0);");
  });

  it("squares and cubes of a state become products", () => {
    const body = emitBody([{ index: 0, expr: { kind: "pow", left: x(1), right: n(3) } }], { ...options, size: 1 });
    expect(body.statements.at(-1)).toBe("out[0] = x1 * x1 * x1;");
  });
});

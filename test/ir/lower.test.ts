// Lowering agrees with the model as written: for random points, rhs equals
// sum_j theta_j * coef_j + drift (the decomposition is exact).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyse } from "../../src/front-end.js";
import { evaluateExpr } from "../../src/ir/evaluate.js";
import { lower, LowerError } from "../../src/ir/lower.js";
import { parse } from "../../src/syntax/parse.js";

const specs = join(dirname(fileURLToPath(import.meta.url)), "../../specs");

/** Small seeded PRNG (mulberry32) so the sample points are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("lower", () => {
  for (const name of ["logistic", "lotka_volterra", "antibody_clairon", "ebola_pasin", "pk_oral", "gene_network_quadratic"]) {
    it(`${name}: rhs = Theta(x, t) theta + c(x, t) at random points`, () => {
      const text = readFileSync(join(specs, `${name}.nlme`), "utf8");
      const ir = analyse(text, name).ir!;
      const rand = rng(42);
      for (let k = 0; k < 20; k++) {
        const env = {
          x: ir.states.map(() => 0.1 + 3 * rand()),
          theta: ir.parameters.map(() => -1 + 2 * rand()),
          t: 10 * rand(),
          sinceDose: 2 * rand(),
          dose: 1 + Math.floor(3 * rand()),
        };
        for (const d of ir.dynamics) {
          const direct = evaluateExpr(d.rhs, env);
          const split = d.terms.reduce((s, t) => s + env.theta[t.param]! * evaluateExpr(t.coef, env), evaluateExpr(d.drift, env));
          expect(split).toBeCloseTo(direct, 10);
        }
      }
    });
  }

  it("refuses a model with errors", () => {
    const { ast } = parse("model m\nstates {\n  x\n}\n");
    expect(() => lower(ast)).toThrow(LowerError);
  });
});

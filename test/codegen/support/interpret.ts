// A reference evaluator of IrExpr for the tests, written independently of the
// code generator (a plain recursive walk, no hoisting, no simplification).
// Used until `src/ir/evaluate.ts` exists; same call shape.
import type { IrExpr } from "../../../src/ir/model.js";

export interface EvalContext {
  x: ArrayLike<number>;
  theta: ArrayLike<number>;
  t: number;
  sinceDose: number;
  dose: number;
  /** Covariate values by name. */
  cov: Record<string, number>;
}

export function evaluateExpr(e: IrExpr, c: EvalContext): number {
  switch (e.kind) {
    case "num":
      return e.value;
    case "state":
      return c.x[e.index]!;
    case "param":
      return c.theta[e.index]!;
    case "const":
      return e.value;
    case "time":
      return c.t;
    case "sinceDose":
      return c.sinceDose;
    case "doseIs":
      return c.dose === e.k ? 1 : 0;
    case "covariate": {
      const v = c.cov[e.name];
      if (v === undefined) throw new Error(`no covariate ${e.name}`);
      return v;
    }
    case "neg":
      return -evaluateExpr(e.arg, c);
    case "add":
      return evaluateExpr(e.left, c) + evaluateExpr(e.right, c);
    case "sub":
      return evaluateExpr(e.left, c) - evaluateExpr(e.right, c);
    case "mul":
      return evaluateExpr(e.left, c) * evaluateExpr(e.right, c);
    case "div":
      return evaluateExpr(e.left, c) / evaluateExpr(e.right, c);
    case "pow":
      return Math.pow(evaluateExpr(e.left, c), evaluateExpr(e.right, c));
    case "call": {
      const a = evaluateExpr(e.arg, c);
      switch (e.fn) {
        case "exp":
          return Math.exp(a);
        case "log":
          return Math.log(a);
        case "log10":
          return Math.log10(a);
        case "sqrt":
          return Math.sqrt(a);
        case "abs":
          return Math.abs(a);
        case "sin":
          return Math.sin(a);
        case "cos":
          return Math.cos(a);
      }
    }
  }
}

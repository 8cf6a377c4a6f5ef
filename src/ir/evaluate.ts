// A direct interpreter of IR expressions: the slow, obviously-correct
// reference that tests (and the code generator's tests) compare against.
import type { IrExpr, IrFunction } from "./model.js";

export interface EvalEnv {
  /** State values by flat index. */
  x: ArrayLike<number>;
  /** Parameter values by flat index. */
  theta: ArrayLike<number>;
  t: number;
  /** Time since the most recent administration (default 0). */
  sinceDose?: number;
  /** 1-based index of the most recent administration; 0 (default) before the first. */
  dose?: number;
  /** Covariate values by name. */
  cov?: Record<string, number>;
}

const functions: Record<IrFunction, (v: number) => number> = {
  exp: Math.exp,
  log: Math.log,
  log10: Math.log10,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sin: Math.sin,
  cos: Math.cos,
};

function must(v: number | undefined, what: string): number {
  if (v === undefined) throw new RangeError(`evaluateExpr: no value for ${what}`);
  return v;
}

export function evaluateExpr(e: IrExpr, env: EvalEnv): number {
  switch (e.kind) {
    case "num":
      return e.value;
    case "state":
      return must(env.x[e.index], `state ${e.index}`);
    case "param":
      return must(env.theta[e.index], `parameter ${e.index}`);
    case "const":
      return e.value;
    case "time":
      return env.t;
    case "sinceDose":
      return env.sinceDose ?? 0;
    case "doseIs":
      return (env.dose ?? 0) === e.k ? 1 : 0;
    case "covariate":
      return must(env.cov?.[e.name], `covariate ${e.name}`);
    case "neg":
      return -evaluateExpr(e.arg, env);
    case "add":
      return evaluateExpr(e.left, env) + evaluateExpr(e.right, env);
    case "sub":
      return evaluateExpr(e.left, env) - evaluateExpr(e.right, env);
    case "mul":
      return evaluateExpr(e.left, env) * evaluateExpr(e.right, env);
    case "div":
      return evaluateExpr(e.left, env) / evaluateExpr(e.right, env);
    case "pow":
      return evaluateExpr(e.left, env) ** evaluateExpr(e.right, env);
    case "call":
      return functions[e.fn](evaluateExpr(e.arg, env));
  }
}

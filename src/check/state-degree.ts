// The degree of an IR expression in the states, read as a polynomial whose
// coefficients may be anything that does not read a state (parameters, time,
// doses, functions of those). Homogeneous degree 1 (`-k * A + q * B`) is what
// lets every state be rescaled by one factor without changing an equation.
import type { IrExpr } from "../ir/model.js";

/** 0 (no state), 1 (every term linear in exactly one state), or -1 (mixed degrees or nonlinear in the states). */
export function stateDegree(e: IrExpr): 0 | 1 | -1 {
  switch (e.kind) {
    case "state":
      return 1;
    case "neg":
      return stateDegree(e.arg);
    case "add":
    case "sub": {
      const a = stateDegree(e.left);
      const b = stateDegree(e.right);
      if (a < 0 || b < 0) return -1;
      if (a === b) return a;
      // `0 + k * A`: a literal zero has every degree.
      if (a === 0 && e.left.kind === "num" && e.left.value === 0) return b;
      if (b === 0 && e.right.kind === "num" && e.right.value === 0) return a;
      return -1;
    }
    case "mul": {
      const a = stateDegree(e.left);
      const b = stateDegree(e.right);
      if (a < 0 || b < 0 || a + b > 1) return -1;
      return (a + b) as 0 | 1;
    }
    case "div": {
      const b = stateDegree(e.right);
      return b === 0 ? stateDegree(e.left) : -1;
    }
    case "pow": {
      if (e.right.kind === "num" && e.right.value === 1) return stateDegree(e.left);
      return stateDegree(e.left) === 0 && stateDegree(e.right) === 0 ? 0 : -1;
    }
    case "call":
      return stateDegree(e.arg) === 0 ? 0 : -1;
    default:
      return 0;
  }
}

/** `e = sum_s coef_s * X_s` with known numeric coefficients, or undefined (a term without a state, or a non-numeric coefficient). */
export function numericLinearCombination(e: IrExpr, value: (x: IrExpr) => number | undefined): Map<number, number> | undefined {
  const out = new Map<number, number>();
  const go = (x: IrExpr, sign: number): boolean => {
    switch (x.kind) {
      case "state":
        out.set(x.index, (out.get(x.index) ?? 0) + sign);
        return true;
      case "neg":
        return go(x.arg, -sign);
      case "add":
        return go(x.left, sign) && go(x.right, sign);
      case "sub":
        return go(x.left, sign) && go(x.right, -sign);
      case "mul": {
        const l = value(x.left);
        if (l !== undefined) return go(x.right, sign * l);
        const r = value(x.right);
        return r !== undefined && go(x.left, sign * r);
      }
      case "div": {
        const r = value(x.right);
        return r !== undefined && r !== 0 && go(x.left, sign / r);
      }
      case "num":
        return x.value === 0;
      default:
        return false;
    }
  };
  return go(e, 1) ? out : undefined;
}

// Symbolic derivatives of IrExpr in one state, done once at compile time so
// that generated Jacobians are straight-line code. Results go through
// `simplify`, which removes the 0 and 1 factors the product and chain rules
// leave behind; it never re-associates, so what is left computes exactly the
// operations the rules produced.
import type { IrExpr } from "../ir/model.js";

export const ZERO: IrExpr = { kind: "num", value: 0 };
export const ONE: IrExpr = { kind: "num", value: 1 };

export function num(value: number): IrExpr {
  return { kind: "num", value };
}

export function isNum(e: IrExpr, value: number): boolean {
  return e.kind === "num" && e.value === value;
}

/** Whether the expression reads any state (or, with `index`, that state). */
export function dependsOnState(e: IrExpr, index?: number): boolean {
  switch (e.kind) {
    case "state":
      return index === undefined || e.index === index;
    case "neg":
    case "call":
      return dependsOnState(e.arg, index);
    case "add":
    case "sub":
    case "mul":
    case "div":
    case "pow":
      return dependsOnState(e.left, index) || dependsOnState(e.right, index);
    default:
      return false;
  }
}

/** d e / d x_index, simplified. */
export function differentiate(e: IrExpr, index: number): IrExpr {
  if (!dependsOnState(e, index)) return ZERO;
  switch (e.kind) {
    case "state":
      return ONE;
    case "neg":
      return neg(differentiate(e.arg, index));
    case "add":
      return add(differentiate(e.left, index), differentiate(e.right, index));
    case "sub":
      return sub(differentiate(e.left, index), differentiate(e.right, index));
    case "mul":
      return add(mul(differentiate(e.left, index), e.right), mul(e.left, differentiate(e.right, index)));
    case "div": {
      const da = differentiate(e.left, index);
      const db = differentiate(e.right, index);
      if (isNum(db, 0)) return div(da, e.right);
      // (a/b)' = a'/b - a b' / b^2
      return sub(div(da, e.right), div(mul(e.left, db), mul(e.right, e.right)));
    }
    case "pow": {
      const a = e.left;
      const b = e.right;
      const da = differentiate(a, index);
      const db = differentiate(b, index);
      if (isNum(db, 0)) {
        // b a^(b-1) a'
        const lower = b.kind === "num" ? num(b.value - 1) : sub(b, ONE);
        return mul(mul(b, pow(a, lower)), da);
      }
      // a^b (b' log a + b a'/a)
      const inner = add(mul(db, call("log", a)), div(mul(b, da), a));
      return mul(pow(a, b), inner);
    }
    case "call": {
      const a = e.arg;
      const da = differentiate(a, index);
      switch (e.fn) {
        case "exp":
          return mul(e, da);
        case "log":
          return div(da, a);
        case "log10":
          return div(da, mul(a, num(Math.LN10)));
        case "sqrt":
          return div(da, mul(num(2), e));
        case "abs":
          // sign(a) a', undefined at 0 like the function's own kink
          return mul(div(a, e), da);
        case "sin":
          return mul(call("cos", a), da);
        case "cos":
          return neg(mul(call("sin", a), da));
      }
    }
    // Leaves other than states do not depend on x (caught above).
    default:
      return ZERO;
  }
}

// ---------------------------------------------------------------- smart constructors

export function neg(a: IrExpr): IrExpr {
  if (a.kind === "num") return num(-a.value);
  if (a.kind === "neg") return a.arg;
  return { kind: "neg", arg: a };
}

export function add(a: IrExpr, b: IrExpr): IrExpr {
  if (isNum(a, 0)) return b;
  if (isNum(b, 0)) return a;
  if (b.kind === "neg") return sub(a, b.arg);
  return { kind: "add", left: a, right: b };
}

export function sub(a: IrExpr, b: IrExpr): IrExpr {
  if (isNum(b, 0)) return a;
  if (isNum(a, 0)) return neg(b);
  if (b.kind === "neg") return add(a, b.arg);
  return { kind: "sub", left: a, right: b };
}

export function mul(a: IrExpr, b: IrExpr): IrExpr {
  if (isNum(a, 0) || isNum(b, 0)) return ZERO;
  if (isNum(a, 1)) return b;
  if (isNum(b, 1)) return a;
  if (isNum(a, -1)) return neg(b);
  if (isNum(b, -1)) return neg(a);
  if (a.kind === "num" && b.kind === "num") return num(a.value * b.value);
  // Pull signs out so that products of negated factors stay readable.
  if (a.kind === "neg" && b.kind === "neg") return mul(a.arg, b.arg);
  if (a.kind === "neg") return neg(mul(a.arg, b));
  if (b.kind === "neg") return neg(mul(a, b.arg));
  return { kind: "mul", left: a, right: b };
}

export function div(a: IrExpr, b: IrExpr): IrExpr {
  if (isNum(a, 0)) return ZERO;
  if (isNum(b, 1)) return a;
  if (a.kind === "neg") return neg(div(a.arg, b));
  return { kind: "div", left: a, right: b };
}

export function pow(a: IrExpr, b: IrExpr): IrExpr {
  if (isNum(b, 0)) return ONE;
  if (isNum(b, 1)) return a;
  return { kind: "pow", left: a, right: b };
}

export function call(fn: "exp" | "log" | "log10" | "sqrt" | "abs" | "sin" | "cos", arg: IrExpr): IrExpr {
  return { kind: "call", fn, arg };
}

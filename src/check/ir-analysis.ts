// Structural questions about IR expressions asked by the structure rules:
// which states an expression reads, whether it varies in time, and its split
// into (a * X + b) when it is affine in one state.
import type { IrExpr } from "../ir/model.js";
import { add, div, mul, neg, num, sub } from "./polynomial.js";

export function forEachLeaf(e: IrExpr, visit: (leaf: IrExpr) => void): void {
  switch (e.kind) {
    case "neg":
    case "call":
      forEachLeaf(e.arg, visit);
      return;
    case "add":
    case "sub":
    case "mul":
    case "div":
    case "pow":
      forEachLeaf(e.left, visit);
      forEachLeaf(e.right, visit);
      return;
    default:
      visit(e);
  }
}

export function statesIn(e: IrExpr): Set<number> {
  const out = new Set<number>();
  forEachLeaf(e, (l) => {
    if (l.kind === "state") out.add(l.index);
  });
  return out;
}

export function paramsIn(e: IrExpr): Set<number> {
  const out = new Set<number>();
  forEachLeaf(e, (l) => {
    if (l.kind === "param") out.add(l.index);
  });
  return out;
}

/** Numbers, constants and covariates only: one known value per subject. */
export function isKnownConstant(e: IrExpr): boolean {
  let ok = true;
  forEachLeaf(e, (l) => {
    if (l.kind !== "num" && l.kind !== "const" && l.kind !== "covariate") ok = false;
  });
  return ok;
}

/** The value of an expression of numbers and constants. */
export function constantValue(e: IrExpr): number | undefined {
  switch (e.kind) {
    case "num":
      return e.value;
    case "const":
      return e.value;
    case "neg": {
      const v = constantValue(e.arg);
      return v === undefined ? undefined : -v;
    }
    case "add":
    case "sub":
    case "mul":
    case "div":
    case "pow": {
      const l = constantValue(e.left);
      const r = constantValue(e.right);
      if (l === undefined || r === undefined) return undefined;
      return e.kind === "add" ? l + r : e.kind === "sub" ? l - r : e.kind === "mul" ? l * r : e.kind === "div" ? l / r : l ** r;
    }
    default:
      return undefined;
  }
}

export const isZero = (e: IrExpr): boolean => e.kind === "num" && e.value === 0;

/** `e = lin * X_s + rest` with neither part reading X_s, or undefined when e is not affine in X_s. */
export function splitAffine(e: IrExpr, s: number): { lin: IrExpr; rest: IrExpr } | undefined {
  if (!statesIn(e).has(s)) return { lin: num(0), rest: e };
  switch (e.kind) {
    case "state":
      return { lin: num(1), rest: num(0) };
    case "neg": {
      const a = splitAffine(e.arg, s);
      return a && { lin: neg(a.lin), rest: neg(a.rest) };
    }
    case "add":
    case "sub": {
      const a = splitAffine(e.left, s);
      const b = splitAffine(e.right, s);
      if (!a || !b) return undefined;
      return e.kind === "add" ? { lin: add(a.lin, b.lin), rest: add(a.rest, b.rest) } : { lin: sub(a.lin, b.lin), rest: sub(a.rest, b.rest) };
    }
    case "mul": {
      const a = splitAffine(e.left, s);
      const b = splitAffine(e.right, s);
      if (!a || !b) return undefined;
      if (!isZero(a.lin) && !isZero(b.lin)) return undefined;
      if (isZero(a.lin)) return { lin: mul(a.rest, b.lin), rest: mul(a.rest, b.rest) };
      return { lin: mul(a.lin, b.rest), rest: mul(a.rest, b.rest) };
    }
    case "div": {
      const a = splitAffine(e.left, s);
      if (!a || statesIn(e.right).has(s)) return undefined;
      return { lin: div(a.lin, e.right), rest: div(a.rest, e.right) };
    }
    case "pow":
      if (e.right.kind === "num" && e.right.value === 1) return splitAffine(e.left, s);
      return undefined;
    default:
      return undefined;
  }
}

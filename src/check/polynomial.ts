// Right-hand sides as polynomials in the estimated parameters whose
// coefficients are parameter-free expressions: sum_m theta^m * c_m(x, t).
// The linearity rule wants every monomial to have degree <= 1; latent-state
// elimination multiplies these forms and may create degree 2 on purpose.
// Coefficients are IR expressions (the contract in ir/model.ts), built with
// light folding so that the IR stays readable.
import type { IrExpr, IrFunction, LinearTerm } from "../ir/model.js";

export const num = (value: number): IrExpr => ({ kind: "num", value });
const isNum = (e: IrExpr, v?: number): e is { kind: "num"; value: number } =>
  e.kind === "num" && (v === undefined || e.value === v);

export function add(a: IrExpr, b: IrExpr): IrExpr {
  if (isNum(a) && isNum(b)) return num(a.value + b.value);
  if (isNum(a, 0)) return b;
  if (isNum(b, 0)) return a;
  if (b.kind === "neg") return sub(a, b.arg);
  return { kind: "add", left: a, right: b };
}

export function sub(a: IrExpr, b: IrExpr): IrExpr {
  if (isNum(a) && isNum(b)) return num(a.value - b.value);
  if (isNum(b, 0)) return a;
  if (isNum(a, 0)) return neg(b);
  return { kind: "sub", left: a, right: b };
}

export function neg(a: IrExpr): IrExpr {
  if (isNum(a)) return num(-a.value);
  if (a.kind === "neg") return a.arg;
  return { kind: "neg", arg: a };
}

export function mul(a: IrExpr, b: IrExpr): IrExpr {
  if (isNum(a) && isNum(b)) return num(a.value * b.value);
  if (isNum(a, 0) || isNum(b, 0)) return num(0);
  if (isNum(a, 1)) return b;
  if (isNum(b, 1)) return a;
  if (isNum(a, -1)) return neg(b);
  if (isNum(b, -1)) return neg(a);
  if (a.kind === "neg") return neg(mul(a.arg, b));
  if (b.kind === "neg") return neg(mul(a, b.arg));
  return { kind: "mul", left: a, right: b };
}

export function div(a: IrExpr, b: IrExpr): IrExpr {
  if (isNum(a) && isNum(b) && b.value !== 0) return num(a.value / b.value);
  if (isNum(b, 1)) return a;
  if (isNum(a, 0)) return num(0);
  if (a.kind === "neg") return neg(div(a.arg, b));
  return { kind: "div", left: a, right: b };
}

export function pow(a: IrExpr, b: IrExpr): IrExpr {
  if (isNum(a) && isNum(b)) return num(a.value ** b.value);
  if (isNum(b, 1)) return a;
  return { kind: "pow", left: a, right: b };
}

export function call(fn: IrFunction, arg: IrExpr): IrExpr {
  return { kind: "call", fn, arg };
}

export function sum(items: IrExpr[]): IrExpr {
  return items.reduce((acc, x) => add(acc, x), num(0));
}

export function product(items: IrExpr[]): IrExpr {
  return items.reduce((acc, x) => mul(acc, x), num(1));
}

// ---------------------------------------------------------------- polynomials in the parameters

export interface Monomial {
  /** Parameter indices, sorted, with repetition (theta^2 = [j, j]); empty for the parameter-free part. */
  params: number[];
  coef: IrExpr;
}

export type Poly = Map<string, Monomial>;

const keyOf = (params: number[]): string => params.join(",");

export function constantPoly(coef: IrExpr): Poly {
  return isNum(coef, 0) ? new Map() : new Map([["", { params: [], coef }]]);
}

export function paramPoly(param: number): Poly {
  return new Map([[String(param), { params: [param], coef: num(1) }]]);
}

export function addPoly(a: Poly, b: Poly, sign = 1): Poly {
  return addInto(new Map([...a].map(([k, m]) => [k, { ...m }])), b, sign);
}

/** `out += sign * b`, in place (accumulating term by term without copying). */
export function addInto(out: Poly, b: Poly, sign = 1): Poly {
  for (const [k, m] of b) {
    const coef = sign < 0 ? neg(m.coef) : m.coef;
    const prev = out.get(k);
    out.set(k, prev ? { params: m.params, coef: add(prev.coef, coef) } : { params: m.params, coef });
  }
  return out;
}

export function negPoly(a: Poly): Poly {
  return new Map([...a].map(([k, m]) => [k, { params: m.params, coef: neg(m.coef) }]));
}

export function mulPoly(a: Poly, b: Poly): Poly {
  const out: Poly = new Map();
  for (const x of a.values()) {
    for (const y of b.values()) {
      const params = [...x.params, ...y.params].sort((p, q) => p - q);
      addInto(out, new Map([[keyOf(params), { params, coef: mul(x.coef, y.coef) }]]));
    }
  }
  return out;
}

/** Multiply every coefficient by a parameter-free factor (on the right, as written). */
export function scalePoly(a: Poly, f: (coef: IrExpr) => IrExpr): Poly {
  return new Map([...a].map(([k, m]) => [k, { params: m.params, coef: f(m.coef) }]));
}

export function degree(a: Poly): number {
  return Math.max(0, ...[...a.values()].map((m) => m.params.length));
}

export function paramsOf(a: Poly): number[] {
  return [...new Set([...a.values()].flatMap((m) => m.params))].sort((p, q) => p - q);
}

/** The parameter-free part (0 when absent). */
export function freePart(a: Poly): IrExpr {
  return a.get("")?.coef ?? num(0);
}

export interface LinearForm {
  /** One entry per parameter with a nonzero coefficient, by parameter index. */
  terms: LinearTerm[];
  drift: IrExpr;
}

/** Only for polynomials of degree <= 1 (checked before lowering). */
export function toLinearForm(a: Poly): LinearForm {
  const terms: LinearTerm[] = [];
  for (const m of a.values()) {
    if (m.params.length === 1) terms.push({ param: m.params[0]!, coef: m.coef });
    else if (m.params.length > 1) throw new Error("toLinearForm: polynomial of degree > 1");
  }
  terms.sort((x, y) => x.param - y.param);
  return { terms, drift: freePart(a) };
}

// The model's functions as lists of output entries `out[index] = expr`, still
// as IrExpr: Theta and c, their Jacobians, the observed-scale rows (chain
// rule through h), the full right-hand side, h and the derived quantities.
// Only nonzero entries are listed; the emitter writes zeros with one fill.
import type { IrExpr, ModelIr, Transform } from "../ir/model.js";
import { add, call, dependsOnState, differentiate, div, isNum, mul, neg, num, ONE, pow, sub, ZERO } from "./differentiate.js";

export interface Entry {
  index: number;
  expr: IrExpr;
  /** A heading written before the entry (e.g. the equation a block of entries belongs to). */
  heading?: string;
}

export interface Specialised {
  nStates: number;
  nParams: number;
  dictionary: Entry[];
  drift: Entry[];
  dictionaryJacobian: Entry[];
  driftJacobian: Entry[];
  /** Undefined when h' = 1 for every observed state: the rows are then those of `dictionary`/`drift`. */
  observedDictionary?: Entry[];
  observedDrift?: Entry[];
  rhs: Entry[];
  observe: Entry[];
  derived: Entry[];
}

export function specialise(ir: ModelIr): Specialised {
  const reciprocal = new Set(ir.parameters.filter((q) => q.estimatedAs === "reciprocal").map((q) => q.index));
  // The generated functions take the linear coefficients: theta[j] = 1/V for a reciprocal V (see ParameterIr).
  const onCoefficients = (e: IrExpr): IrExpr => (reciprocal.size ? inverseParams(e, reciprocal) : e);
  const d = ir.states.length;
  const p = ir.parameters.length;
  const rows = collectRows(ir);
  const scales = observedScales(ir);

  const dictionary: Entry[] = [];
  const drift: Entry[] = [];
  const dictionaryJacobian: Entry[] = [];
  const driftJacobian: Entry[] = [];
  const observedDictionary: Entry[] = [];
  const observedDrift: Entry[] = [];
  const rhs: Entry[] = [];

  for (let k = 0; k < d; k++) {
    const row = rows[k];
    const heading = `d/dt ${ir.states[k]!.name}`;
    const mark = (entries: Entry[]): ((e: Entry) => Entry) => {
      const before = entries.length;
      return (e) => (entries.length === before ? { ...e, heading } : e);
    };
    const toDictionary = mark(dictionary);
    const toObservedDictionary = mark(observedDictionary);
    const toDictionaryJacobian = mark(dictionaryJacobian);
    const toDriftJacobian = mark(driftJacobian);
    const scale = scales[k];
    if (row) {
      for (const [j, coef] of row.coefs) {
        if (isNum(coef, 0)) continue;
        dictionary.push(toDictionary({ index: k * p + j, expr: coef }));
        observedDictionary.push(toObservedDictionary({ index: k * p + j, expr: onObservedScale(coef, scale, k) }));
        for (const l of statesOf(coef, d)) {
          const dl = differentiate(coef, l);
          if (!isNum(dl, 0)) dictionaryJacobian.push(toDictionaryJacobian({ index: (k * p + j) * d + l, expr: dl }));
        }
      }
      if (!isNum(row.drift, 0)) {
        drift.push({ index: k, expr: row.drift, heading });
        observedDrift.push({ index: k, expr: onObservedScale(row.drift, scale, k), heading });
        for (const l of statesOf(row.drift, d)) {
          const dl = differentiate(row.drift, l);
          if (!isNum(dl, 0)) driftJacobian.push(toDriftJacobian({ index: k * d + l, expr: dl }));
        }
      }
    }
    rhs.push({ index: k, expr: row ? onCoefficients(row.rhs) : ZERO, heading });
  }

  const identityScale = scales.every((s) => s === undefined);
  return {
    nStates: d,
    nParams: p,
    dictionary,
    drift,
    dictionaryJacobian,
    driftJacobian,
    ...(identityScale ? {} : { observedDictionary, observedDrift }),
    rhs,
    observe: ir.observations.map((o, i) => ({ index: i, expr: o.expr, heading: o.name })),
    derived: ir.derived.map((x, i) => ({ index: i, expr: onCoefficients(x.expr), heading: x.name })),
  };
}

interface Row {
  /** Parameter index -> coefficient, in increasing parameter order. */
  coefs: [number, IrExpr][];
  drift: IrExpr;
  rhs: IrExpr;
}

function collectRows(ir: ModelIr): (Row | undefined)[] {
  const rows: (Row | undefined)[] = ir.states.map(() => undefined);
  for (const dyn of ir.dynamics) {
    if (rows[dyn.state]) throw new Error(`state ${ir.states[dyn.state]?.name} has two equations in the IR`);
    // A parameter may appear in several terms of one equation: sum them.
    const byParam = new Map<number, IrExpr>();
    for (const term of dyn.terms) {
      const before = byParam.get(term.param);
      byParam.set(term.param, before === undefined ? term.coef : add(before, term.coef));
    }
    const coefs = [...byParam.entries()].sort((a, b) => a[0] - b[0]);
    rows[dyn.state] = { coefs, drift: dyn.drift, rhs: dyn.rhs };
  }
  return rows;
}

/** Per state, the transform of its first observation when h' is not identically 1. */
function observedScales(ir: ModelIr): (Transform | undefined)[] {
  const scales: (Transform | undefined)[] = ir.states.map(() => undefined);
  const seen = new Set<number>();
  for (const o of ir.observations) {
    if (seen.has(o.state)) continue;
    seen.add(o.state);
    const t = o.transform;
    if (t.kind === "identity" || (t.kind === "affine" && t.scale === 1)) continue;
    scales[o.state] = t;
  }
  return scales;
}

/** h'(x_k) * e for the state's observation transform. */
export function onObservedScale(e: IrExpr, t: Transform | undefined, k: number): IrExpr {
  const x: IrExpr = { kind: "state", index: k };
  if (t === undefined) return e;
  switch (t.kind) {
    case "identity":
      return e;
    case "affine":
      return mul(e, num(t.scale));
    case "log": {
      // (log x)' = 1/x: cancel a factor x_k where the term has one (r C / C = r).
      const cancelled = cancelState(e, k);
      return cancelled ?? div(e, x);
    }
    case "log10": {
      const cancelled = cancelState(e, k);
      return cancelled ? div(cancelled, num(Math.LN10)) : div(e, mul(x, num(Math.LN10)));
    }
    case "exp":
      return mul(e, call("exp", x));
  }
}

/** e / x_k when x_k is a factor of e (through signs, products, numerators and integer powers), else undefined. */
export function cancelState(e: IrExpr, k: number): IrExpr | undefined {
  switch (e.kind) {
    case "state":
      return e.index === k ? ONE : undefined;
    case "neg": {
      const a = cancelState(e.arg, k);
      return a && neg(a);
    }
    case "mul": {
      const l = cancelState(e.left, k);
      if (l) return mul(l, e.right);
      const r = cancelState(e.right, k);
      return r && mul(e.left, r);
    }
    case "div": {
      const l = cancelState(e.left, k);
      return l && div(l, e.right);
    }
    case "pow": {
      const { left, right } = e;
      if (left.kind === "state" && left.index === k && right.kind === "num" && Number.isInteger(right.value) && right.value >= 2) {
        return pow(left, num(right.value - 1));
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** `e` with each reciprocal parameter V read from its coefficient 1/V: `x / V` becomes `x * theta`, a bare `V` becomes `1 / theta`. */
export function inverseParams(e: IrExpr, reciprocal: Set<number>): IrExpr {
  const go = (x: IrExpr): IrExpr => {
    switch (x.kind) {
      case "param":
        return reciprocal.has(x.index) ? div(ONE, x) : x;
      case "neg":
        return neg(go(x.arg));
      case "call":
        return call(x.fn, go(x.arg));
      case "div":
        if (x.right.kind === "param" && reciprocal.has(x.right.index)) return mul(go(x.left), x.right);
        return div(go(x.left), go(x.right));
      case "add":
        return add(go(x.left), go(x.right));
      case "sub":
        return sub(go(x.left), go(x.right));
      case "mul":
        return mul(go(x.left), go(x.right));
      case "pow":
        return pow(go(x.left), go(x.right));
      default:
        return x;
    }
  };
  return go(e);
}

/** The states an expression reads, in increasing order. */
function statesOf(e: IrExpr, d: number): number[] {
  const out: number[] = [];
  for (let l = 0; l < d; l++) if (dependsOnState(e, l)) out.push(l);
  return out;
}

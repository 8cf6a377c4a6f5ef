// Resolution of names to model entities and the two readings of an
// expression that later stages need: as IR (`toIr`, the right-hand side as
// written) and as a polynomial in the parameters (`linearise`, which also
// reports where linearity breaks). Both expand `W[i, :] . Phi` into the
// dictionary's terms and a dose vector into sum_k value_k * doseIs(k).
// They run on loop-expanded, name-checked expressions.
import type { IrExpr, IrFunction } from "../ir/model.js";
import type { Dot, Expr, IndexRef, ModelFile, Ref, Span } from "../syntax/ast.js";
import { evaluateConstant, isSlice } from "./expressions.js";
import { arrayParam, stateIndex, type Layout } from "./layout.js";
import {
  addInto, addPoly, call, constantPoly, degree, div, freePart, mul, mulPoly, negPoly, num, paramPoly, paramsOf, pow, product, scalePoly,
  sum, neg, add, sub, type Poly,
} from "./polynomial.js";
import { BUILTIN_FUNCTIONS, SINCE_DOSE, type Scope } from "./scope.js";

export interface Env {
  scope: Scope;
  layout: Layout;
  /** Values of the named constants. */
  constants: Map<string, number>;
  /** Parameters used only as divisors: `x / V` is linear in the coefficient 1/V (see find-reciprocals.ts). */
  reciprocals?: Set<number>;
}

export class ResolveError extends Error {}

/** Evaluate the `constants` block in order (a constant may use earlier ones). */
export function constantValues(ast: ModelFile): Map<string, number> {
  const values = new Map<string, number>();
  for (const c of ast.constants?.items ?? []) {
    if (!c?.name?.text || c.initialOf || values.has(c.name.text)) continue;
    const v = evaluateConstant(c.value, (n) => values.get(n));
    if (v !== undefined) values.set(c.name.text, v);
  }
  return values;
}

export function makeEnv(ast: ModelFile, scope: Scope, layout: Layout): Env {
  return { scope, layout, constants: constantValues(ast) };
}

export type Resolved =
  | { kind: "leaf"; ir: IrExpr }
  | { kind: "param"; index: number }
  | { kind: "inline"; expr: Expr }
  | { kind: "doseVector"; values: Expr[] };

function indexValue(e: IndexRef, position: number): number | undefined {
  const arg = e.indices?.[position];
  return arg && !isSlice(arg) ? evaluateConstant(arg) : undefined;
}

export function resolve(e: Ref | IndexRef, env: Env): Resolved {
  const name = e.name.text;
  if (e.kind === "ref") {
    if (name === env.scope.timeName) return { kind: "leaf", ir: { kind: "time" } };
    if (name === SINCE_DOSE) return { kind: "leaf", ir: { kind: "sinceDose" } };
  }
  const entity = env.scope.names.get(name);
  switch (entity?.kind) {
    case "state": {
      const index = stateIndex(env.layout, name, e.kind === "index" ? indexValue(e, 0) : undefined);
      if (index !== undefined) return { kind: "leaf", ir: { kind: "state", index } };
      break;
    }
    case "constant": {
      const value = env.constants.get(name);
      if (value !== undefined) return { kind: "leaf", ir: { kind: "const", name, value } };
      break;
    }
    case "covariate":
      return { kind: "leaf", ir: { kind: "covariate", name } };
    case "parameter": {
      const index = env.layout.scalarParams.get(name);
      if (index !== undefined && e.kind === "ref") return { kind: "param", index };
      break;
    }
    case "derived":
      return { kind: "inline", expr: entity.decl.expr };
    case "doseVector":
      return { kind: "doseVector", values: entity.decl.values?.items ?? [] };
  }
  throw new ResolveError(`cannot resolve \`${name}\``);
}

/** `W[i, :] . Phi` as (parameter, monomial) pairs. */
export function expandDot(e: Dot, env: Env): { param: number; term: IrExpr }[] {
  const left = e.left;
  const right = e.right;
  if (left?.kind !== "index" || right?.kind !== "ref") throw new ResolveError("malformed dot product");
  const arr = env.layout.arrays.get(left.name.text);
  if (!arr || arr.dictionary.name !== right.name.text) throw new ResolveError("dot product of an unknown array");
  const rowGroup = arr.rows.length ? env.layout.states[arr.rows[0]!]!.group : "";
  const rowState = stateIndex(env.layout, rowGroup, indexValue(left, 0));
  if (rowState === undefined) throw new ResolveError("dot product row out of range");
  return arr.dictionary.terms.map((term, k) => ({
    param: arrayParam(arr, rowState, k)!,
    term: product(term.factors.map((i) => ({ kind: "state", index: i }) as IrExpr)),
  }));
}

const binaryIr = { "+": "add", "-": "sub", "*": "mul", "/": "div", "^": "pow" } as const;

/** The expression as written, in IR (derived quantities inlined, dot products and dose vectors expanded). */
export function toIr(e: Expr, env: Env): IrExpr {
  switch (e.kind) {
    case "number":
      return num(e.value);
    case "ref":
    case "index": {
      const r = resolve(e, env);
      if (r.kind === "leaf") return r.ir;
      if (r.kind === "param") return { kind: "param", index: r.index };
      if (r.kind === "inline") return toIr(r.expr, env);
      return sum(r.values.map((v, k) => mul(toIr(v, env), { kind: "doseIs", k: k + 1 })));
    }
    case "unary":
      return e.op === "-" ? neg(toIr(e.arg, env)) : toIr(e.arg, env);
    case "binary": {
      const l = toIr(e.left, env);
      const r = toIr(e.right, env);
      const op = binaryIr[e.op];
      return op === "add" ? add(l, r) : op === "sub" ? sub(l, r) : op === "mul" ? mul(l, r) : op === "div" ? div(l, r) : pow(l, r);
    }
    case "call": {
      const fn = e.callee.text;
      if (!(fn in BUILTIN_FUNCTIONS) || e.args.length !== 1) throw new ResolveError(`unknown function \`${fn}\``);
      return call(fn as IrFunction, toIr(e.args[0]!, env));
    }
    case "dot":
      return sum(expandDot(e, env).map(({ param, term }) => mul({ kind: "param", index: param }, term)));
    case "vector":
      throw new ResolveError("a vector is only allowed in `doses`");
  }
}

// ---------------------------------------------------------------- linearisation

export type NonlinearReason =
  | { kind: "product" }
  | { kind: "power" }
  | { kind: "exponent" }
  | { kind: "denominator" }
  | { kind: "function"; fn: string };

export interface NonlinearProblem {
  /** The smallest node whose value stops being linear. */
  span: Span;
  /** The estimated parameters that make it so. */
  params: number[];
  reason: NonlinearReason;
}

/** `c * V` with V a reciprocal parameter and c parameter-free: dividing by it multiplies by the coefficient 1/V. */
function reciprocalOf(r: Poly, env: Env): { param: number; coef: IrExpr } | undefined {
  if (r.size !== 1) return undefined;
  const m = [...r.values()][0]!;
  if (m.params.length !== 1 || !env.reciprocals?.has(m.params[0]!)) return undefined;
  return { param: m.params[0]!, coef: m.coef };
}

/**
 * The expression as a polynomial in the parameters. Every place where the
 * degree would exceed one, or a parameter would sit inside a function, a
 * denominator or an exponent, goes to `onProblem` once; the subtree is then
 * dropped (undefined) so that one cause gives one report.
 */
export function linearise(e: Expr, env: Env, onProblem: (p: NonlinearProblem) => void = () => {}): Poly | undefined {
  const go = (x: Expr): Poly | undefined => {
    switch (x.kind) {
      case "number":
        return constantPoly(num(x.value));
      case "ref":
      case "index": {
        const r = resolve(x, env);
        if (r.kind === "leaf") return constantPoly(r.ir);
        if (r.kind === "param") return paramPoly(r.index);
        if (r.kind === "inline") return go(r.expr);
        let acc: Poly = new Map();
        for (const [k, v] of r.values.entries()) {
          const value = go(v);
          if (!value) return undefined;
          acc = addPoly(acc, scalePoly(value, (c) => mul(c, { kind: "doseIs", k: k + 1 })));
        }
        return acc;
      }
      case "unary": {
        const a = go(x.arg);
        return a && (x.op === "-" ? negPoly(a) : a);
      }
      case "binary": {
        const l = go(x.left);
        const r = go(x.right);
        if (!l || !r) return undefined;
        switch (x.op) {
          case "+":
            return addPoly(l, r);
          case "-":
            return addPoly(l, r, -1);
          case "*": {
            const p = mulPoly(l, r);
            if (degree(p) > 1 && degree(l) + degree(r) > 1) {
              onProblem({ span: x.span, params: [...new Set([...paramsOf(l), ...paramsOf(r)])], reason: { kind: "product" } });
              return undefined;
            }
            return p;
          }
          case "/": {
            const inverse = reciprocalOf(r, env);
            if (inverse) {
              const p = mulPoly(scalePoly(l, (c) => div(c, inverse.coef)), paramPoly(inverse.param));
              if (degree(p) > 1) {
                onProblem({ span: x.span, params: [...new Set([...paramsOf(l), inverse.param])], reason: { kind: "product" } });
                return undefined;
              }
              return p;
            }
            if (degree(r) > 0) {
              onProblem({ span: x.span, params: paramsOf(r), reason: { kind: "denominator" } });
              return undefined;
            }
            const d = freePart(r);
            return scalePoly(l, (c) => div(c, d));
          }
          case "^": {
            if (degree(r) > 0) {
              onProblem({ span: x.span, params: paramsOf(r), reason: { kind: "exponent" } });
              return undefined;
            }
            if (degree(l) === 0) return constantPoly(pow(freePart(l), freePart(r)));
            const n = evaluateConstant(x.right, (name) => env.constants.get(name));
            if (n === 1) return l;
            if (n === 0) return constantPoly(num(1));
            onProblem({ span: x.span, params: paramsOf(l), reason: { kind: "power" } });
            return undefined;
          }
        }
        return undefined;
      }
      case "call": {
        const args = x.args.map(go);
        if (args.some((a) => !a)) return undefined;
        const bad = args.flatMap((a) => paramsOf(a!));
        if (bad.length) {
          onProblem({ span: x.span, params: [...new Set(bad)], reason: { kind: "function", fn: x.callee.text } });
          return undefined;
        }
        return constantPoly(toIr(x, env));
      }
      case "dot": {
        const acc: Poly = new Map();
        for (const { param, term } of expandDot(x, env)) addInto(acc, scalePoly(paramPoly(param), () => term));
        return acc;
      }
      case "vector":
        return undefined;
    }
  };
  return go(e);
}

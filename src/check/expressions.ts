// Small tree utilities over AST expressions. Recovery can leave holes in the
// tree, so every walker tolerates missing children.
import type { Expr, IndexArg, Slice, Span, NumberLit } from "../syntax/ast.js";

export function isSlice(arg: IndexArg | undefined): arg is Slice {
  return arg !== undefined && (arg as Slice).kind === "slice";
}

/** Children of an expression, in source order. */
export function childrenOf(e: Expr): Expr[] {
  switch (e.kind) {
    case "unary":
      return [e.arg].filter(Boolean);
    case "binary":
    case "dot":
      return [e.left, e.right].filter(Boolean);
    case "call":
      return (e.args ?? []).filter(Boolean);
    case "vector":
      return (e.items ?? []).filter(Boolean);
    case "index":
      return (e.indices ?? []).filter((a): a is Expr => a !== undefined && !isSlice(a));
    default:
      return [];
  }
}

/** Pre-order walk; return false from `visit` to skip a subtree. */
export function walkExpr(e: Expr | undefined, visit: (e: Expr) => void | boolean): void {
  if (!e || !(e as { kind?: string }).kind) return;
  if (visit(e) === false) return;
  for (const child of childrenOf(e)) walkExpr(child, visit);
}

/** The name a reference uses (`g` for both `g` and `g[i]`), if it is one. */
export function refName(e: Expr): { text: string; span: Span } | undefined {
  if ((e.kind === "ref" || e.kind === "index") && e.name?.text) return e.name;
  return undefined;
}

function numberNode(value: number, span: Span): NumberLit {
  return { kind: "number", value, raw: String(value), span };
}

/** Replace a loop index by its value, keeping every span so diagnostics still point at the source. */
export function substitute(e: Expr, name: string, value: number): Expr {
  switch (e.kind) {
    case "ref":
      return e.name?.text === name ? numberNode(value, e.span) : e;
    case "index":
      return { ...e, indices: (e.indices ?? []).map((a) => (a === undefined || isSlice(a) ? a : substitute(a, name, value))) };
    case "unary":
      return e.arg ? { ...e, arg: substitute(e.arg, name, value) } : e;
    case "binary":
      return { ...e, left: e.left && substitute(e.left, name, value), right: e.right && substitute(e.right, name, value) };
    case "dot":
      return { ...e, left: e.left && substitute(e.left, name, value), right: e.right && substitute(e.right, name, value) };
    case "call":
      return { ...e, args: (e.args ?? []).map((a) => a && substitute(a, name, value)) };
    case "vector":
      return { ...e, items: (e.items ?? []).map((a) => a && substitute(a, name, value)) };
    default:
      return e;
  }
}

/**
 * Value of an expression made of numbers and names `lookup` knows (loop
 * indices, constants); undefined for anything else.
 */
export function evaluateConstant(e: Expr | undefined, lookup: (name: string) => number | undefined = () => undefined): number | undefined {
  if (!e) return undefined;
  switch (e.kind) {
    case "number":
      return e.value;
    case "ref":
      return e.name ? lookup(e.name.text) : undefined;
    case "unary": {
      const v = evaluateConstant(e.arg, lookup);
      return v === undefined ? undefined : e.op === "-" ? -v : v;
    }
    case "binary": {
      const l = evaluateConstant(e.left, lookup);
      const r = evaluateConstant(e.right, lookup);
      if (l === undefined || r === undefined) return undefined;
      switch (e.op) {
        case "+":
          return l + r;
        case "-":
          return l - r;
        case "*":
          return l * r;
        case "/":
          return l / r;
        case "^":
          return l ** r;
      }
      return undefined;
    }
    case "call": {
      if (e.args?.length !== 1) return undefined;
      const v = evaluateConstant(e.args[0], lookup);
      if (v === undefined) return undefined;
      const fns: Record<string, (x: number) => number> = {
        exp: Math.exp, log: Math.log, log10: Math.log10, sqrt: Math.sqrt, abs: Math.abs, sin: Math.sin, cos: Math.cos,
      };
      const f = fns[e.callee?.text ?? ""];
      return f ? f(v) : undefined;
    }
    default:
      return undefined;
  }
}

export function spanOf(...spans: (Span | undefined)[]): Span {
  const real = spans.filter((s): s is Span => s !== undefined);
  return { start: Math.min(...real.map((s) => s.start)), end: Math.max(...real.map((s) => s.end)) };
}

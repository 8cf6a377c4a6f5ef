// Expressions back to text with the fewest parentheses that keep the same
// tree: spaces around binary operators except `^`, numbers as written.
import type { Expr, IndexArg } from "./ast.js";

const ADD = 1;
const MUL = 2;
const DOT = 3;
const UNARY = 4;
const POWER = 5;
const PRIMARY = 6;

function precedence(e: Expr): number {
  switch (e.kind) {
    case "binary":
      return e.op === "+" || e.op === "-" ? ADD : e.op === "^" ? POWER : MUL;
    case "dot":
      return DOT;
    case "unary":
      return UNARY;
    default:
      return PRIMARY;
  }
}

function wrap(e: Expr, min: number): string {
  const text = printExpr(e);
  return precedence(e) >= min ? text : `(${text})`;
}

function printIndex(a: IndexArg): string {
  return a.kind === "slice" ? ":" : printExpr(a);
}

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case "number":
      return e.raw;
    case "ref":
      return e.name.text;
    case "index":
      return `${e.name.text}[${e.indices.map(printIndex).join(", ")}]`;
    case "call":
      return `${e.callee.text}(${e.args.map(printExpr).join(", ")})`;
    case "vector":
      return `[${e.items.map(printExpr).join(", ")}]`;
    case "unary":
      return `${e.op}${wrap(e.arg, UNARY)}`;
    case "dot":
      return `${wrap(e.left, DOT)} . ${wrap(e.right, UNARY)}`;
    case "binary": {
      if (e.op === "^") return `${wrap(e.left, PRIMARY)}^${wrap(e.right, UNARY)}`;
      const level = precedence(e);
      // Left-associative: the right operand needs parentheses at the same level.
      const rightMin = level === ADD ? MUL : DOT;
      return `${wrap(e.left, level)} ${e.op} ${wrap(e.right, rightMin)}`;
    }
  }
}

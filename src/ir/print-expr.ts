// Prints an IrExpr as source text, in TypeScript (for generated modules) or in
// the math syntax that Mlxtran and R share (`^` for power, `log` natural,
// `log10`). Parentheses are minimal for the tree as built: an operand of equal
// precedence on the right of a left-associative operator keeps its parentheses,
// because floating-point `a - (b - c)` and `a * (b * c)` are not the same
// numbers as their re-associated forms, and generated code must compute exactly
// what the tree says.
import type { IrExpr, IrFunction } from "./model.js";

export type ExprSyntax = "ts" | "math";

/** How leaves are spelled; every hook is optional and has a default per syntax. */
export interface LeafNames {
  state?: (index: number) => string;
  param?: (index: number) => string;
  /** Constants print by name by default; return the value's text to inline it. */
  constant?: (name: string, value: number) => string;
  time?: string;
  sinceDose?: string;
  /** The indicator of the interval after administration `k`; must print as an atom. */
  doseIs?: (k: number) => string;
  covariate?: (name: string) => string;
}

export interface PrintOptions extends LeafNames {
  syntax?: ExprSyntax;
  /** Text for a whole subtree (e.g. a hoisted common subexpression), printed as an atom; undefined to print it. */
  substitute?: (e: IrExpr) => string | undefined;
}

// Binding strength; higher binds tighter.
const ADD = 1;
const MUL = 2;
const UNARY = 3;
const POW = 4;
const ATOM = 5;

const TS_FUNCTIONS: Record<IrFunction, string> = {
  exp: "Math.exp",
  log: "Math.log",
  log10: "Math.log10",
  sqrt: "Math.sqrt",
  abs: "Math.abs",
  sin: "Math.sin",
  cos: "Math.cos",
};

/** Shortest text that reads back as the same double (keeps the sign of -0). */
export function formatNumber(value: number, syntax: ExprSyntax = "ts"): string {
  if (Number.isNaN(value) || !Number.isFinite(value)) {
    if (syntax === "ts") return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
    throw new Error(`cannot print the non-finite number ${value} in math syntax`);
  }
  if (Object.is(value, -0)) return "-0";
  return String(value);
}

export function printExpr(expr: IrExpr, options: PrintOptions = {}): string {
  const syntax = options.syntax ?? "ts";
  const names = resolveNames(options, syntax);
  return print(expr, syntax, names, options.substitute).text;
}

interface Printed {
  text: string;
  prec: number;
}

type Names = Required<LeafNames>;

function resolveNames(options: LeafNames, syntax: ExprSyntax): Names {
  const ts = syntax === "ts";
  return {
    state: options.state ?? ((i) => (ts ? `x[${i}]` : `x${i}`)),
    param: options.param ?? ((i) => (ts ? `theta[${i}]` : `theta${i}`)),
    constant: options.constant ?? ((name) => name),
    time: options.time ?? "t",
    sinceDose: options.sinceDose ?? (ts ? "env.sinceDose" : "since_dose"),
    doseIs: options.doseIs ?? ((k) => (ts ? `(env.dose === ${k} ? 1 : 0)` : `(dose == ${k})`)),
    covariate: options.covariate ?? ((name) => name),
  };
}

type Substitute = PrintOptions["substitute"];

/** The leftmost factor of a product or quotient chain. */
function firstFactor(e: IrExpr): IrExpr {
  return e.kind === "mul" || e.kind === "div" ? firstFactor(e.left) : e;
}

function print(e: IrExpr, syntax: ExprSyntax, names: Names, substitute: Substitute): Printed {
  const replaced = substitute?.(e);
  if (replaced !== undefined) return leaf(replaced);
  const sub = (child: IrExpr): Printed => print(child, syntax, names, substitute);
  switch (e.kind) {
    case "num": {
      // ln 10 comes from derivatives of log10; spelled out it reads as noise.
      if (e.value === Math.LN10) return leaf(syntax === "ts" ? "Math.LN10" : "log(10)");
      const text = formatNumber(e.value, syntax);
      return { text, prec: text.startsWith("-") ? UNARY : ATOM };
    }
    case "state":
      return leaf(names.state(e.index));
    case "param":
      return leaf(names.param(e.index));
    case "const":
      return leaf(names.constant(e.name, e.value));
    case "time":
      return leaf(names.time);
    case "sinceDose":
      return leaf(names.sinceDose);
    case "doseIs":
      return leaf(names.doseIs(e.k));
    case "covariate":
      return leaf(names.covariate(e.name));
    case "neg": {
      const arg = sub(e.arg);
      // Exports read `-delta_S * S`, not `-(delta_S * S)`: in Mlxtran and R unary minus binds
      // tighter than `*` and `^` tighter than unary minus, and negation commutes exactly with
      // rounding, so moving it onto the first factor changes no bit of the value.
      if (syntax === "math" && (e.arg.kind === "mul" || e.arg.kind === "div") && arg.prec === MUL && !arg.text.startsWith("-") && firstFactor(e.arg).kind !== "pow") {
        return { text: `-${arg.text}`, prec: MUL };
      }
      // `-(-a)`, and `-(a ** b)`: TypeScript forbids `-a ** b`; in math syntax
      // the parentheses only say what `-a^b` would mean anyway.
      const text = arg.prec <= POW ? `-(${arg.text})` : `-${arg.text}`;
      return { text, prec: UNARY };
    }
    case "add":
    case "sub":
      return binary(e.kind === "add" ? "+" : "-", ADD, sub(e.left), sub(e.right));
    case "mul":
    case "div":
      return binary(e.kind === "mul" ? "*" : "/", MUL, sub(e.left), sub(e.right));
    case "pow": {
      const base = sub(e.left);
      const exponent = sub(e.right);
      // Right-associative; the base may not be a unary expression in TypeScript.
      const b = base.prec <= POW ? `(${base.text})` : base.text;
      const x = exponent.prec < POW || (syntax === "math" && exponent.prec === UNARY) ? `(${exponent.text})` : exponent.text;
      return { text: syntax === "ts" ? `${b} ** ${x}` : `${b}^${x}`, prec: POW };
    }
    case "call": {
      const arg = sub(e.arg);
      const fn = syntax === "ts" ? TS_FUNCTIONS[e.fn] : e.fn;
      return leaf(`${fn}(${arg.text})`);
    }
  }
}

function leaf(text: string): Printed {
  return { text, prec: ATOM };
}

function binary(op: string, prec: number, left: Printed, right: Printed): Printed {
  const l = left.prec < prec ? `(${left.text})` : left.text;
  const r = right.prec <= prec ? `(${right.text})` : right.text;
  return { text: `${l} ${op} ${r}`, prec };
}

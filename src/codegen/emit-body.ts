// Turns a list of output entries into the statements of one generated
// function: states, covariates and the time since dose read once into locals,
// repeated subexpressions hoisted into `const`s (common subexpression
// elimination on the structure of the tree), zeros written by one fill, then
// one assignment per nonzero entry. No allocation, no branches beyond the
// dose indicator.
import type { IrExpr } from "../ir/model.js";
import { printExpr } from "../ir/print-expr.js";
import { mul } from "./differentiate.js";
import type { Entry } from "./specialise.js";

export interface BodyOptions {
  /** Total number of outputs; entries not listed are zero. */
  size: number;
  /** Module-level identifier of a named constant. */
  constantName: (name: string, value: number) => string;
  /** Covariate name -> position in `env.cov`. */
  covariateIndex: (name: string) => number;
  /** Name of the output array. */
  out?: string;
}

export interface Body {
  statements: string[];
  /** Which inputs the statements read (unused parameters get a leading underscore). */
  uses: { x: boolean; theta: boolean; t: boolean; env: boolean; out: boolean };
}

export function emitBody(entries: Entry[], options: BodyOptions): Body {
  const out = options.out ?? "out";
  const exprs = entries.map((e) => lowerPowers(e.expr));
  const uses = { x: false, theta: false, t: false, env: false, out: options.size > 0 };
  const states = new Set<number>();
  const covariates = new Set<number>();
  let sinceDose = false;

  const interner = new Interner();
  const roots = exprs.map((e) => interner.intern(e));
  for (const node of interner.nodes) {
    switch (node.kind) {
      case "state":
        states.add(node.index);
        uses.x = true;
        break;
      case "param":
        uses.theta = true;
        break;
      case "time":
        uses.t = true;
        break;
      case "sinceDose":
        sinceDose = true;
        uses.env = true;
        break;
      case "doseIs":
        uses.env = true;
        break;
      case "covariate":
        covariates.add(options.covariateIndex(node.name));
        uses.env = true;
        break;
      default:
        break;
    }
  }

  const hoisted = interner.repeated(roots);
  const names = new Map<number, string>();
  const statements: string[] = [];
  for (const i of [...states].sort((a, b) => a - b)) statements.push(`const x${i} = x[${i}];`);
  for (const i of [...covariates].sort((a, b) => a - b)) statements.push(`const cov${i} = env.cov[${i}];`);
  if (sinceDose) statements.push("const sinceDose = env.sinceDose;");

  const print = (e: IrExpr, defining?: IrExpr): string =>
    printExpr(e, {
      syntax: "ts",
      state: (i) => `x${i}`,
      param: (j) => `theta[${j}]`,
      constant: options.constantName,
      time: "t",
      sinceDose: "sinceDose",
      doseIs: (k) => `(env.dose === ${k} ? 1 : 0)`,
      covariate: (name) => `cov${options.covariateIndex(name)}`,
      substitute: (node) => {
        if (node === defining) return undefined;
        const id = interner.idOf(node);
        return id === undefined ? undefined : names.get(id);
      },
    });

  // Definitions in dependency order: a temporary's own temporaries come first.
  const emitted = new Set<number>();
  const define = (id: number): void => {
    if (emitted.has(id)) return;
    emitted.add(id);
    for (const child of interner.children[id]!) define(child);
    if (hoisted.has(id)) {
      const name = `s${names.size}`;
      statements.push(`const ${name} = ${print(interner.nodes[id]!, interner.nodes[id])};`);
      names.set(id, name);
    }
  };
  for (const r of roots) define(r);

  const dense = entries.length === options.size && entries.every((e, i) => e.index === i);
  if (!dense && options.size > 0) statements.push(`${out}.fill(0);`);
  entries.forEach((entry, i) => {
    if (entry.heading !== undefined) statements.push(`// ${commentText(entry.heading)}`);
    statements.push(`${out}[${entry.index}] = ${print(exprs[i]!)};`);
  });
  return { statements, uses };
}

/** Text that is safe inside a `//` comment. */
export function commentText(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, " ");
}

/** `x^2` and `x^3` of a leaf become products: cheaper than `**` and exact enough. */
function lowerPowers(e: IrExpr): IrExpr {
  switch (e.kind) {
    case "neg":
      return { kind: "neg", arg: lowerPowers(e.arg) };
    case "call":
      return { kind: "call", fn: e.fn, arg: lowerPowers(e.arg) };
    case "add":
    case "sub":
    case "mul":
    case "div":
      return { kind: e.kind, left: lowerPowers(e.left), right: lowerPowers(e.right) };
    case "pow": {
      const base = lowerPowers(e.left);
      const leafBase = base.kind === "state" || base.kind === "param" || base.kind === "const" || base.kind === "time";
      if (leafBase && e.right.kind === "num" && (e.right.value === 2 || e.right.value === 3)) {
        const square = mul(base, base);
        return e.right.value === 2 ? square : mul(square, base);
      }
      return { kind: "pow", left: base, right: lowerPowers(e.right) };
    }
    default:
      return e;
  }
}

/** Hash-consing of expression trees: structurally equal subtrees share one id. */
class Interner {
  readonly nodes: IrExpr[] = [];
  readonly children: number[][] = [];
  private readonly byKey = new Map<string, number>();
  private readonly byNode = new Map<IrExpr, number>();

  idOf(e: IrExpr): number | undefined {
    return this.byNode.get(e);
  }

  intern(e: IrExpr): number {
    const known = this.byNode.get(e);
    if (known !== undefined) return known;
    let key: string;
    let kids: number[] = [];
    switch (e.kind) {
      case "num":
        key = `n${Object.is(e.value, -0) ? "-0" : String(e.value)}`;
        break;
      case "state":
        key = `x${e.index}`;
        break;
      case "param":
        key = `p${e.index}`;
        break;
      case "const":
        key = `c${e.name}`;
        break;
      case "time":
        key = "t";
        break;
      case "sinceDose":
        key = "s";
        break;
      case "doseIs":
        key = `d${e.k}`;
        break;
      case "covariate":
        key = `v${e.name}`;
        break;
      case "neg":
        kids = [this.intern(e.arg)];
        key = `-${kids[0]}`;
        break;
      case "call":
        kids = [this.intern(e.arg)];
        key = `${e.fn}(${kids[0]})`;
        break;
      default:
        kids = [this.intern(e.left), this.intern(e.right)];
        key = `${e.kind}(${kids[0]},${kids[1]})`;
        break;
    }
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.nodes.length;
      this.nodes.push(e);
      this.children.push(kids);
      this.byKey.set(key, id);
    }
    this.byNode.set(e, id);
    return id;
  }

  /**
   * Compound subtrees that the roots use more than once. A subtree is counted
   * once per occurrence, but the inside of a repeated subtree only once: it
   * is computed once, inside the temporary.
   */
  repeated(roots: number[]): Set<number> {
    const count = new Int32Array(this.nodes.length);
    const visit = (id: number): void => {
      count[id]! += 1;
      if (count[id] === 1) for (const c of this.children[id]!) visit(c);
    };
    for (const r of roots) visit(r);
    const out = new Set<number>();
    for (let id = 0; id < this.nodes.length; id++) {
      const kind = this.nodes[id]!.kind;
      const compound = kind !== "num" && kind !== "state" && kind !== "param" && kind !== "const" && kind !== "time" && kind !== "sinceDose" && kind !== "covariate" && kind !== "neg";
      if (compound && count[id]! > 1) out.add(id);
    }
    return out;
  }
}

// Test-only interpreter of the Mlxtran the exporter writes: parses the
// EQUATION block (assignments, if/elseif/else/end, ddt_ lines, `^`, exp, log,
// log10, max, ...) and the PK depot macros, and simulates one subject with a
// fixed-step RK4 of its own, stopping at every data row so that dose keywords
// (tDose, amtDose) and regressors (last value carried forward) only change
// between steps, as in Monolix.
import { tokenize, type Token } from "../../../src/runtime/export-expr.js";
import { parseAttributes } from "../../../src/runtime/mlxtran-check.js";

type Scope = Map<string, number>;
type Expr = (s: Scope) => number;

const FUNCTIONS: Record<string, (...a: number[]) => number> = {
  exp: Math.exp,
  log: Math.log,
  log10: Math.log10,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sin: Math.sin,
  cos: Math.cos,
  max: Math.max,
  min: Math.min,
};

export function parseExpression(text: string): Expr {
  const toks = tokenize(text).filter((t) => t.kind !== "ws");
  let i = 0;
  const peek = (): Token | undefined => toks[i];
  const eat = (op?: string): Token => {
    const t = toks[i++];
    if (!t || (op !== undefined && t.text !== op)) throw new Error(`expected '${op}' in ${text}`);
    return t;
  };
  const isOp = (...ops: string[]) => peek()?.kind === "op" && ops.includes(peek()!.text);
  const or = (): Expr => {
    let l = and();
    while (isOp("|", "||")) {
      eat();
      const a = l,
        b = and();
      l = (s) => (a(s) !== 0 || b(s) !== 0 ? 1 : 0);
    }
    return l;
  };
  const and = (): Expr => {
    let l = cmp();
    while (isOp("&", "&&")) {
      eat();
      const a = l,
        b = cmp();
      l = (s) => (a(s) !== 0 && b(s) !== 0 ? 1 : 0);
    }
    return l;
  };
  const cmp = (): Expr => {
    const l = add();
    if (isOp("<", ">", "<=", ">=", "==", "!=", "~=")) {
      const op = eat().text;
      const r = add();
      const f: Record<string, (a: number, b: number) => boolean> = {
        "<": (a, b) => a < b,
        ">": (a, b) => a > b,
        "<=": (a, b) => a <= b,
        ">=": (a, b) => a >= b,
        "==": (a, b) => a === b,
        "!=": (a, b) => a !== b,
        "~=": (a, b) => a !== b,
      };
      return (s) => (f[op]!(l(s), r(s)) ? 1 : 0);
    }
    return l;
  };
  const add = (): Expr => {
    let l = mul();
    while (isOp("+", "-")) {
      const op = eat().text;
      const a = l,
        b = mul();
      l = op === "+" ? (s) => a(s) + b(s) : (s) => a(s) - b(s);
    }
    return l;
  };
  const mul = (): Expr => {
    let l = unary();
    while (isOp("*", "/")) {
      const op = eat().text;
      const a = l,
        b = unary();
      l = op === "*" ? (s) => a(s) * b(s) : (s) => a(s) / b(s);
    }
    return l;
  };
  const unary = (): Expr => {
    if (isOp("-")) {
      eat();
      const a = unary();
      return (s) => -a(s);
    }
    if (isOp("+")) {
      eat();
      return unary();
    }
    return pow();
  };
  const pow = (): Expr => {
    const base = atom();
    if (isOp("^")) {
      eat();
      const e = unary();
      return (s) => base(s) ** e(s);
    }
    return base;
  };
  const atom = (): Expr => {
    const t = eat();
    if (t.kind === "num") {
      const v = Number(t.text);
      return () => v;
    }
    if (t.kind === "op" && t.text === "(") {
      const e = or();
      eat(")");
      return e;
    }
    if (t.kind === "id") {
      if (isOp("(")) {
        eat("(");
        const args: Expr[] = [];
        if (!isOp(")")) {
          args.push(or());
          while (isOp(",")) {
            eat();
            args.push(or());
          }
        }
        eat(")");
        const fn = FUNCTIONS[t.text];
        if (!fn) throw new Error(`unknown function ${t.text}`);
        return (s) => fn(...args.map((a) => a(s)));
      }
      const name = t.text;
      return (s) => {
        const v = s.get(name);
        if (v === undefined) throw new Error(`'${name}' is not defined`);
        return v;
      };
    }
    throw new Error(`unexpected '${t.text}' in ${text}`);
  };
  const e = or();
  if (i !== toks.length) throw new Error(`trailing tokens in ${text}`);
  return e;
}

type Stmt =
  | { kind: "assign"; name: string; expr: Expr }
  | { kind: "if"; branches: { cond: Expr; body: Stmt[] }[]; otherwise: Stmt[] };

export interface Program {
  body: Stmt[];
  states: string[];
}

export function parseEquation(lines: string[]): Program {
  let i = 0;
  const states: string[] = [];
  const block = (stop: string[]): Stmt[] => {
    const out: Stmt[] = [];
    while (i < lines.length && !stop.some((s) => lines[i] === s || lines[i]!.startsWith(s + " "))) {
      const line = lines[i++]!;
      const m = /^if\s+(.*)$/.exec(line);
      if (m) {
        const branches = [{ cond: parseExpression(m[1]!), body: block(["elseif", "else", "end"]) }];
        let otherwise: Stmt[] = [];
        for (;;) {
          const l = lines[i++]!;
          const e = /^elseif\s+(.*)$/.exec(l);
          if (e) branches.push({ cond: parseExpression(e[1]!), body: block(["elseif", "else", "end"]) });
          else if (l === "else") otherwise = block(["end"]);
          else if (l === "end") break;
          else throw new Error(`unexpected ${l}`);
        }
        out.push({ kind: "if", branches, otherwise });
        continue;
      }
      const eq = line.indexOf("=");
      const name = line.slice(0, eq).trim();
      const rhs = line.slice(eq + 1).trim();
      if (name === "odeType") continue;
      if (name.startsWith("ddt_")) states.push(name.slice(4));
      out.push({ kind: "assign", name, expr: parseExpression(rhs) });
    }
    return out;
  };
  const body = block([]);
  return { body, states };
}

export function run(stmts: Stmt[], s: Scope): void {
  for (const st of stmts) {
    if (st.kind === "assign") s.set(st.name, st.expr(s));
    else {
      const b = st.branches.find((br) => br.cond(s) !== 0);
      run(b ? b.body : st.otherwise, s);
    }
  }
}

export interface Depot {
  target: string;
  adm: number;
  p: Expr;
}

export function parseDepots(pk: string[]): Depot[] {
  return pk.map((line) => {
    const m = /^depot\((.*)\)$/.exec(line);
    if (!m) throw new Error(`unsupported PK line ${line}`);
    const a = parseAttributes(m[1]!);
    return { target: a.get("target")!, adm: Number(a.get("adm") ?? 1), p: parseExpression(a.get("p") ?? "1") };
  });
}

export interface SubjectRows {
  /** Every data row of the subject, in file order. */
  rows: { time: number; dose?: { amount: number; adm: number }; regressors: number[] }[];
}

/**
 * Simulates one subject; returns the value of `outputs` at `times` (each must be a row time).
 * Regressors are matched to `regressorNames` by order, as Monolix does.
 */
export function simulateMlxtran(
  program: Program,
  depots: Depot[],
  inputs: Scope,
  regressorNames: string[],
  subject: SubjectRows,
  times: number[],
  outputs: string[],
  step: number,
): number[][] {
  const scope: Scope = new Map(inputs);
  const nStates = program.states.length;
  scope.set("t", NaN);
  scope.set("tDose", 0);
  scope.set("amtDose", 0);
  regressorNames.forEach((r) => scope.set(r, subject.rows[0]?.regressors[regressorNames.indexOf(r)] ?? 0));
  for (const s of program.states) scope.set(s, NaN);
  // Initial values do not depend on states or time.
  run(program.body, scope);
  const t0 = scope.get("t_0")!;
  const x = Float64Array.from(program.states, (s) => scope.get(`${s}_0`) ?? 0);

  const deriv = (t: number, y: Float64Array, out: Float64Array) => {
    scope.set("t", t);
    program.states.forEach((s, k) => scope.set(s, y[k]!));
    run(program.body, scope);
    program.states.forEach((s, k) => (out[k] = scope.get(`ddt_${s}`)!));
  };
  const k1 = new Float64Array(nStates),
    k2 = new Float64Array(nStates),
    k3 = new Float64Array(nStates),
    k4 = new Float64Array(nStates);
  const tmp = new Float64Array(nStates);
  const rk4 = (ta: number, tb: number) => {
    if (tb <= ta) return;
    const n = Math.max(1, Math.ceil((tb - ta) / step));
    const h = (tb - ta) / n;
    for (let i = 0; i < n; i++) {
      const t = ta + i * h;
      deriv(t, x, k1);
      for (let k = 0; k < nStates; k++) tmp[k] = x[k]! + 0.5 * h * k1[k]!;
      deriv(t + 0.5 * h, tmp, k2);
      for (let k = 0; k < nStates; k++) tmp[k] = x[k]! + 0.5 * h * k2[k]!;
      deriv(t + 0.5 * h, tmp, k3);
      for (let k = 0; k < nStates; k++) tmp[k] = x[k]! + h * k3[k]!;
      deriv(t + h, tmp, k4);
      for (let k = 0; k < nStates; k++) x[k] = x[k]! + (h / 6) * (k1[k]! + 2 * k2[k]! + 2 * k3[k]! + k4[k]!);
    }
  };

  const results = new Map<number, number[]>();
  let tCur = t0;
  const rows = [...subject.rows].sort((a, b) => a.time - b.time || (a.dose ? -1 : 1) - (b.dose ? -1 : 1));
  for (const row of rows) {
    // Keywords and regressors keep the values of the previous rows up to this row's time.
    rk4(tCur, row.time);
    tCur = Math.max(tCur, row.time);
    regressorNames.forEach((r, j) => scope.set(r, row.regressors[j]!));
    if (row.dose) {
      scope.set("tDose", row.time);
      scope.set("amtDose", row.dose.amount);
      scope.set("t", row.time);
      program.states.forEach((s, k) => scope.set(s, x[k]!));
      run(program.body, scope);
      for (const d of depots)
        if (d.adm === row.dose.adm) {
          const k = program.states.indexOf(d.target);
          x[k] = x[k]! + d.p(scope) * row.dose.amount;
        }
    }
    scope.set("t", row.time);
    program.states.forEach((s, k) => scope.set(s, x[k]!));
    run(program.body, scope);
    results.set(
      row.time,
      outputs.map((o) => scope.get(o)!),
    );
  }
  return times.map((t) => {
    const r = results.get(t);
    if (!r) throw new Error(`no row at time ${t}`);
    return r;
  });
}

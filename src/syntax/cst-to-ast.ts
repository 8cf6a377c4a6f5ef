// Turns the Chevrotain CST into the typed AST of ast.ts. Recovery may leave
// any child missing: a missing optional part stays undefined and marks its
// node `recovered`; a declaration missing a required part is dropped and its
// block is marked `recovered`. Nothing is invented.
import type { CstElement, CstNode, IToken } from "../../grammar/chevrotain.js";
import { isRealToken } from "../../grammar/is-real-token.js";
import type * as A from "./ast.js";
import { StringLit as T_STRING } from "../../grammar/tokens.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";

type Children = Record<string, CstElement[] | undefined>;

function isCstNode(e: CstElement): e is CstNode {
  return (e as CstNode).children !== undefined;
}

function token(node: CstNode, name: string, index = 0): IToken | undefined {
  const t = (node.children as Children)[name]?.[index];
  return t !== undefined && !isCstNode(t) && isRealToken(t) ? t : undefined;
}

function tokens(node: CstNode, name: string): IToken[] {
  const list = (node.children as Children)[name] ?? [];
  return list.filter((t): t is IToken => !isCstNode(t) && isRealToken(t));
}

function child(node: CstNode, name: string, index = 0): CstNode | undefined {
  const c = (node.children as Children)[name]?.[index];
  return c !== undefined && isCstNode(c) ? c : undefined;
}

function children(node: CstNode, name: string): CstNode[] {
  return ((node.children as Children)[name] ?? []).filter(isCstNode);
}

export function tokenSpan(t: IToken): A.Span {
  return { start: t.startOffset, end: t.endOffset! + 1 };
}

const spanCache = new WeakMap<CstNode, A.Span | null>();

/** The span of the real tokens under a CST node, or undefined when it holds none. */
export function cstSpan(node: CstNode): A.Span | undefined {
  const cached = spanCache.get(node);
  if (cached !== undefined) return cached ?? undefined;
  let start = Infinity;
  let end = -Infinity;
  for (const list of Object.values(node.children as Children)) {
    for (const e of list ?? []) {
      const s = isCstNode(e) ? cstSpan(e) : isRealToken(e) ? tokenSpan(e) : undefined;
      if (s === undefined) continue;
      if (s.start < start) start = s.start;
      if (s.end > end) end = s.end;
    }
  }
  const span = Number.isFinite(start) ? { start, end } : undefined;
  spanCache.set(node, span ?? null);
  return span;
}

function join(a: A.Span, b: A.Span): A.Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

function name(t: IToken): A.Name {
  return { text: t.image, span: tokenSpan(t) };
}

function byOffset(a: IToken, b: IToken): number {
  return a.startOffset - b.startOffset;
}

type SectionKey = "states" | "constants" | "covariates" | "parameters" | "random" | "doses" | "dynamics" | "observe" | "derived" | "monolix";

export interface FileParts {
  header?: CstNode;
  time?: CstNode;
  sections: CstNode[];
}

export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly text: string) {}

  buildFile(parts: FileParts, comments: A.Comment[]): A.ModelFile {
    const file: A.ModelFile = {
      span: { start: 0, end: this.text.length },
      dictionaries: [],
      penalties: [],
      duplicateBlocks: [],
      comments,
    };
    if (parts.header !== undefined) {
      const id = token(parts.header, "Identifier");
      if (id !== undefined) file.name = name(id);
      else file.recovered = true;
    }
    if (parts.time !== undefined) {
      const time = this.timeDecl(parts.time);
      if (time !== undefined) file.time = time;
      else file.recovered = true;
    }
    for (const section of parts.sections) this.section(file, section);
    return file;
  }

  private timeDecl(node: CstNode): A.TimeDecl | undefined {
    const id = token(node, "Identifier");
    const span = cstSpan(node);
    if (id === undefined || span === undefined) return undefined;
    const decl: A.TimeDecl = { span, name: name(id) };
    const unit = token(node, "Identifier", 1);
    if (unit !== undefined) decl.unit = name(unit);
    else if (token(node, "Kw_in") !== undefined) decl.recovered = true;
    if (node.recoveredNode) decl.recovered = true;
    return decl;
  }

  private section(file: A.ModelFile, section: CstNode): void {
    const [ruleName, list] = Object.entries(section.children as Children)[0] ?? [];
    const node = list?.[0];
    if (ruleName === undefined || node === undefined || !isCstNode(node)) {
      file.recovered = true;
      return;
    }
    switch (ruleName) {
      case "statesBlock":
        return this.block(file, "states", node, "stateDecl", (n) => this.stateDecl(n));
      case "constantsBlock":
        return this.block(file, "constants", node, "constantDecl", (n) => this.constantDecl(n));
      case "covariatesBlock":
        return this.block(file, "covariates", node, "covariateDecl", (n) => this.covariateDecl(n));
      case "parametersBlock":
        return this.block(file, "parameters", node, "parameterDecl", (n) => this.parameterDecl(n));
      case "randomBlock":
        return this.block(file, "random", node, "covarianceDecl", (n) => this.covarianceDecl(n));
      case "dosesBlock":
        return this.block(file, "doses", node, "doseDecl", (n) => this.doseDecl(n));
      case "dynamicsBlock":
        return this.block(file, "dynamics", node, "equation", (n) => this.equation(n));
      case "observeBlock":
        return this.block(file, "observe", node, "observation", (n) => this.observation(n));
      case "derivedBlock":
        return this.block(file, "derived", node, "derivedDecl", (n) => this.derivedDecl(n));
      case "monolixBlock":
        return this.block(file, "monolix", node, "monolixDecl", (n) => this.monolixDecl(n));
      case "dictionaryDecl": {
        const d = this.dictionaryDecl(node);
        if (d !== undefined) file.dictionaries.push(d);
        else file.recovered = true;
        return;
      }
      case "penaltyDecl": {
        const p = this.penaltyDecl(node);
        if (p !== undefined) file.penalties.push(p);
        else file.recovered = true;
        return;
      }
    }
  }

  private block<T extends A.Node>(
    file: A.ModelFile,
    key: SectionKey,
    node: CstNode,
    itemRule: string,
    build: (n: CstNode) => T | undefined,
  ): void {
    const kw = Object.values(node.children as Children)
      .flat()
      .find((e): e is IToken => e !== undefined && !isCstNode(e) && isRealToken(e) && e.image === key);
    const span = cstSpan(node);
    if (kw === undefined || span === undefined) {
      file.recovered = true;
      return;
    }
    const block: A.Block<T> = { span, keyword: name(kw), items: [] };
    if (node.recoveredNode || token(node, "LCurly") === undefined || token(node, "RCurly") === undefined) {
      block.recovered = true;
    }
    for (const itemNode of children(node, itemRule)) {
      const item = build(itemNode);
      if (item === undefined) block.recovered = true;
      else {
        if (itemNode.recoveredNode) item.recovered = true;
        block.items.push(item);
      }
    }
    const existing = file[key] as A.Block<A.Node> | undefined;
    if (existing !== undefined) {
      file.duplicateBlocks.push(block.keyword);
      this.diagnostics.push({
        severity: "error",
        code: "N0004",
        message: `section \`${key}\` is declared twice`,
        span: block.keyword.span,
        label: "second declaration",
        labels: [{ span: existing.keyword.span, message: "first declared here" }],
        help: `merge the two \`${key}\` sections into one`,
      });
      return;
    }
    (file as unknown as Record<string, A.Block<T>>)[key] = block;
  }

  // ------------------------------------------------------------ declarations

  private doc(node: CstNode): A.Doc | undefined {
    const t = token(node, "StringLit");
    return t === undefined ? undefined : { span: tokenSpan(t), text: this.unescape(t) };
  }

  /** Strips the quotes and resolves `\"`, `\\`, `\n`, `\t`; any other escape is reported (N0009). */
  private unescape(t: IToken): string {
    const body = t.image.slice(1, -1);
    return body.replace(/\\(.)/g, (whole, c: string, at: number) => {
      const mapped = ({ '"': '"', "\\": "\\", n: "\n", t: "\t" } as Record<string, string>)[c];
      if (mapped !== undefined) return mapped;
      const start = t.startOffset + 1 + at;
      this.diagnostics.push({
        severity: "error",
        code: "N0009",
        message: `unknown escape \`${whole}\` in a doc string`,
        span: { start, end: start + 2 },
        label: "not a known escape",
        help: 'the escapes are `\\"`, `\\\\`, `\\n` and `\\t`; write `\\\\` for a backslash',
      });
      return c;
    });
  }

  private withDoc<T extends A.Node & { doc?: A.Doc }>(decl: T, node: CstNode): T {
    const doc = this.doc(node);
    if (doc !== undefined) decl.doc = doc;
    return decl;
  }

  private integer(t: IToken | undefined): A.NumberLit | undefined {
    if (t === undefined) return undefined;
    const lit = this.number(t);
    if (!Number.isInteger(lit.value) || !/^\d+$/.test(lit.raw)) {
      this.diagnostics.push({
        severity: "error",
        code: "N0007",
        message: `expected a whole number, found \`${lit.raw}\``,
        span: lit.span,
        label: "ranges count states and loop indices",
        help: "write the bound as digits only, e.g. `1..40`",
      });
      return undefined;
    }
    return lit;
  }

  private range(node: CstNode | undefined): A.Range | undefined {
    if (node === undefined) return undefined;
    const from = this.integer(token(node, "NumberLit", 0));
    const to = this.integer(token(node, "NumberLit", 1));
    const span = cstSpan(node);
    if (from === undefined || to === undefined || span === undefined) return undefined;
    return { span, from, to };
  }

  private stateDecl(node: CstNode): A.StateDecl | undefined {
    const id = token(node, "Identifier");
    const span = cstSpan(node);
    if (id === undefined || span === undefined) return undefined;
    const decl: A.StateDecl = { span, name: name(id), latent: token(node, "Kw_latent") !== undefined };
    if (token(node, "LBracket") !== undefined || child(node, "range") !== undefined) {
      const range = this.range(child(node, "range"));
      if (range !== undefined) decl.range = range;
      else decl.recovered = true;
    }
    return this.withDoc(decl, node);
  }

  private constantDecl(node: CstNode): A.ConstantDecl | undefined {
    const id = token(node, "Identifier");
    const value = this.expr(child(node, "expr"));
    const span = cstSpan(node);
    if (id === undefined || value === undefined || span === undefined) return undefined;
    const decl: A.ConstantDecl = { span, name: name(id), value };
    if (token(node, "LParen") !== undefined) {
      decl.initialOf = true;
      this.reportNotAtZero(id, token(node, "NumberLit"), "= ...");
    }
    return this.withDoc(decl, node);
  }

  /** N0008: `X(1) = v` or `X(1) ~ lognormal`; only time 0 can be given. */
  private reportNotAtZero(id: IToken, zero: IToken | undefined, rest: string): void {
    if (zero === undefined || Number(zero.image) === 0) return;
    this.diagnostics.push({
      severity: "error",
      code: "N0008",
      message: `an initial value is written \`${id.image}(0)\`, found \`${id.image}(${zero.image})\``,
      span: tokenSpan(zero),
      label: "only time 0 can be given",
      help: `write \`${id.image}(0) ${rest}\``,
    });
  }

  private covariateDecl(node: CstNode): A.CovariateDecl | undefined {
    const id = token(node, "Identifier");
    const span = cstSpan(node);
    if (id === undefined || span === undefined) return undefined;
    const decl: A.CovariateDecl = { span, name: name(id) };
    const kw = token(node, "Kw_categorical");
    // Two strings: the reference level then the doc; one string inside parentheses is the reference.
    const strings = tokens(node, "StringLit");
    const open = token(node, "LParen");
    let docToken: IToken | undefined = strings[strings.length - 1];
    if (kw !== undefined) {
      const close = token(node, "RParen");
      decl.categorical = { span: join(tokenSpan(kw), tokenSpan(close ?? kw)) };
      if (open !== undefined) {
        const arg = token(node, "Identifier", 1);
        if (arg !== undefined) decl.categorical.argName = name(arg);
        const inside = (t: IToken) => t.startOffset > open!.startOffset && (close === undefined || t.startOffset < close.startOffset);
        const value = strings.find(inside) ?? tokens(node, "NumberLit").find(inside);
        if (value !== undefined) {
          const quoted = value.tokenType === T_STRING;
          decl.categorical.reference = { text: quoted ? this.unescape(value) : value.image, span: tokenSpan(value), quoted };
          if (docToken === value) docToken = undefined;
        }
        if (close === undefined || arg === undefined || value === undefined) decl.recovered = true;
      }
    }
    if (docToken !== undefined) decl.doc = { span: tokenSpan(docToken), text: this.unescape(docToken) };
    return decl;
  }

  private parameterDecl(node: CstNode): A.ParameterDecl | undefined {
    const ids = tokens(node, "Identifier");
    const id = token(node, "Identifier");
    const span = cstSpan(node);
    if (id === undefined || span === undefined) return undefined;
    const decl: A.ParameterDecl = { span, name: name(id), variability: "fixed", covariateTerms: [] };
    if (token(node, "LParen") !== undefined) {
      decl.initialOf = true;
      this.reportNotAtZero(id, token(node, "NumberLit"), "~ lognormal");
    }
    if (token(node, "LBracket") !== undefined) {
      const dims = ids.slice(1).map(name);
      if (dims.length === 2) decl.dims = dims;
      else decl.recovered = true;
    }
    const positive = token(node, "Kw_positive");
    const dist = child(node, "distribution");
    const tilde = token(node, "Tilde");
    if (positive !== undefined) {
      decl.distribution = name(positive);
      decl.variabilitySpan = tokenSpan(positive);
    } else if (dist !== undefined && tilde !== undefined) {
      const random = token(dist, "Kw_random");
      const word = random ?? token(dist, "Identifier");
      const distSpan = cstSpan(dist);
      if (word !== undefined && distSpan !== undefined) {
        const selected = random !== undefined ? token(dist, "Kw_selected") : undefined;
        decl.variability = selected !== undefined ? "selected" : "random";
        decl.distribution = { text: selected !== undefined ? "selected" : word.image, span: distSpan };
        decl.variabilitySpan = distSpan;
        if (dist.recoveredNode) decl.recovered = true;
      } else decl.recovered = true;
      for (const termNode of children(node, "covariateTerm")) {
        const mult = child(termNode, "multiplicative");
        const expr = mult === undefined ? undefined : this.multiplicative(mult);
        const termSpan = cstSpan(termNode);
        if (expr === undefined || termSpan === undefined) {
          decl.recovered = true;
          continue;
        }
        decl.covariateTerms.push({ span: termSpan, expr });
      }
    } else if (tilde !== undefined) {
      decl.recovered = true;
    }
    return this.withDoc(decl, node);
  }

  private covarianceDecl(node: CstNode): A.CovarianceDecl | undefined {
    const structure = token(node, "Kw_full") !== undefined ? "full" : token(node, "Kw_diagonal") !== undefined ? "diagonal" : undefined;
    const span = cstSpan(node);
    if (structure === undefined || span === undefined) return undefined;
    const params = tokens(node, "Identifier").map(name);
    if (params.length === 0) return undefined;
    return { span, structure, params };
  }

  private doseDecl(node: CstNode): A.DoseDecl | undefined {
    const id = token(node, "Identifier");
    const span = cstSpan(node);
    if (id === undefined || span === undefined) return undefined;
    if (token(node, "PlusEquals") !== undefined) {
      const unknown = token(node, "Kw_unknown");
      if (unknown !== undefined) return { kind: "jump", span, target: name(id), amount: "unknown", amountSpan: tokenSpan(unknown) };
      const amount = this.expr(child(node, "expr"));
      if (amount === undefined) return undefined;
      if (amount.kind === "ref" && amount.name.text === "amt") {
        return { kind: "jump", span, target: name(id), amount: "amt", amountSpan: amount.span };
      }
      return { kind: "jump", span, target: name(id), amount, amountSpan: amount.span };
    }
    const values = this.vectorLit(child(node, "vectorLit"));
    if (values === undefined) return undefined;
    return { kind: "vector", span, name: name(id), values };
  }

  private target(node: CstNode | undefined): A.Target | undefined {
    if (node === undefined) return undefined;
    const id = token(node, "Identifier");
    const span = cstSpan(node);
    if (id === undefined || span === undefined) return undefined;
    const target: A.Target = { span, name: name(id) };
    if (token(node, "LBracket") !== undefined) {
      const index = this.expr(child(node, "expr"));
      if (index === undefined) return undefined;
      target.index = index;
    }
    return target;
  }

  private forClause(node: CstNode | undefined): A.ForClause | undefined {
    if (node === undefined) return undefined;
    const id = token(node, "Identifier");
    const range = this.range(child(node, "range"));
    const span = cstSpan(node);
    if (id === undefined || range === undefined || span === undefined) return undefined;
    return { span, index: name(id), from: range.from, to: range.to };
  }

  /** A trailing `for` clause that failed to parse drops its declaration: unrolling it wrongly would cascade. */
  private loopOf(node: CstNode): { ok: boolean; loop?: A.ForClause } {
    const clause = child(node, "forClause");
    if (clause === undefined) return { ok: true };
    const loop = this.forClause(clause);
    return loop === undefined ? { ok: false } : { ok: true, loop };
  }

  private equation(node: CstNode): A.Equation | undefined {
    const target = this.target(child(node, "target"));
    const rhs = this.expr(child(node, "expr"));
    const span = cstSpan(node);
    const { ok, loop } = this.loopOf(node);
    if (target === undefined || rhs === undefined || span === undefined || !ok) return undefined;
    const eq: A.Equation = { span, target, rhs };
    if (loop !== undefined) eq.loop = loop;
    return eq;
  }

  private observation(node: CstNode): A.Observation | undefined {
    const target = this.target(child(node, "target"));
    const expr = this.expr(child(node, "expr"));
    const err = token(node, "ErrorModelKeyword");
    const span = cstSpan(node);
    const { ok, loop } = this.loopOf(node);
    if (target === undefined || expr === undefined || err === undefined || span === undefined || !ok) return undefined;
    const obs: A.Observation = {
      span,
      target,
      expr,
      error: err.image as A.ErrorModelName,
      errorSpan: tokenSpan(err),
    };
    if (loop !== undefined) obs.loop = loop;
    return obs;
  }

  private derivedDecl(node: CstNode): A.DerivedDecl | undefined {
    const id = token(node, "Identifier");
    const expr = this.expr(child(node, "expr"));
    const span = cstSpan(node);
    if (id === undefined || expr === undefined || span === undefined) return undefined;
    return this.withDoc({ span, name: name(id), expr }, node);
  }

  private monolixDecl(node: CstNode): A.MonolixDecl | undefined {
    const param = token(node, "Identifier", 0);
    const dist = token(node, "Identifier", 1);
    const span = cstSpan(node);
    if (param === undefined || dist === undefined || span === undefined) return undefined;
    return { span, param: name(param), distribution: name(dist) };
  }

  private namedArgs(node: CstNode): A.NamedArg[] | undefined {
    const out: A.NamedArg[] = [];
    for (const argNode of children(node, "namedArg")) {
      const id = token(argNode, "Identifier") ?? token(argNode, "Keyword");
      const value = this.expr(child(argNode, "expr"));
      const span = cstSpan(argNode);
      if (id === undefined || value === undefined || span === undefined) return undefined;
      out.push({ span, name: name(id), value });
    }
    return out;
  }

  private dictionaryDecl(node: CstNode): A.DictionaryDecl | undefined {
    const id = token(node, "Identifier", 0);
    const over = token(node, "Identifier", 1);
    const family = token(node, "Kw_polynomial");
    const args = this.namedArgs(node);
    const span = cstSpan(node);
    if (id === undefined || over === undefined || family === undefined || args === undefined || span === undefined) return undefined;
    const decl: A.DictionaryDecl = { span, name: name(id), family: name(family), over: [name(over)], args };
    if (node.recoveredNode || token(node, "RParen") === undefined) decl.recovered = true;
    return decl;
  }

  private penaltyDecl(node: CstNode): A.PenaltyDecl | undefined {
    const kind = token(node, "Identifier", 0);
    const param = token(node, "Identifier", 1);
    const args = this.namedArgs(node);
    const span = cstSpan(node);
    if (kind === undefined || param === undefined || args === undefined || span === undefined) return undefined;
    const decl: A.PenaltyDecl = { span, kind: name(kind), param: name(param), args };
    if (node.recoveredNode || token(node, "RParen") === undefined) decl.recovered = true;
    return decl;
  }

  // ------------------------------------------------------------ expressions

  expr(node: CstNode | undefined): A.Expr | undefined {
    if (node === undefined) return undefined;
    const additive = child(node, "additive");
    return additive === undefined ? undefined : this.chain(additive, "multiplicative", ["Plus", "Minus"], (n) => this.multiplicative(n));
  }

  private multiplicative(node: CstNode): A.Expr | undefined {
    return this.chain(node, "dotProduct", ["Star", "Slash"], (n) => this.dotProduct(n));
  }

  /** Left-associative fold of `operand (op operand)*`; spans include the operands' parentheses. */
  private chain(node: CstNode, operandRule: string, opNames: string[], build: (n: CstNode) => A.Expr | undefined): A.Expr | undefined {
    const operands = children(node, operandRule);
    const ops = opNames.flatMap((n) => tokens(node, n)).sort(byOffset);
    if (operands.length !== ops.length + 1) return undefined;
    let acc = build(operands[0]!);
    let accSpan = cstSpan(operands[0]!);
    for (let k = 0; k < ops.length; k++) {
      const right = build(operands[k + 1]!);
      const rightSpan = cstSpan(operands[k + 1]!);
      if (acc === undefined || right === undefined || accSpan === undefined || rightSpan === undefined) return undefined;
      accSpan = join(accSpan, rightSpan);
      acc = { kind: "binary", op: ops[k]!.image as A.BinaryOp, left: acc, right, span: accSpan };
    }
    return acc;
  }

  private dotProduct(node: CstNode): A.Expr | undefined {
    const operands = children(node, "unary");
    const dots = tokens(node, "Dot");
    if (operands.length !== dots.length + 1) return undefined;
    let acc = this.unary(operands[0]!);
    let accSpan = cstSpan(operands[0]!);
    for (let k = 1; k < operands.length; k++) {
      const right = this.unary(operands[k]!);
      const rightSpan = cstSpan(operands[k]!);
      if (acc === undefined || right === undefined || accSpan === undefined || rightSpan === undefined) return undefined;
      accSpan = join(accSpan, rightSpan);
      acc = { kind: "dot", left: acc, right, span: accSpan };
    }
    return acc;
  }

  private unary(node: CstNode): A.Expr | undefined {
    const op = token(node, "Minus") ?? token(node, "Plus");
    if (op !== undefined) {
      const argNode = child(node, "unary");
      const arg = argNode === undefined ? undefined : this.unary(argNode);
      const span = cstSpan(node);
      if (arg === undefined || span === undefined) return undefined;
      return { kind: "unary", op: op.image as "-" | "+", arg, span };
    }
    const power = child(node, "power");
    return power === undefined ? undefined : this.power(power);
  }

  private power(node: CstNode): A.Expr | undefined {
    const baseNode = child(node, "primary");
    const base = baseNode === undefined ? undefined : this.primary(baseNode);
    if (token(node, "Caret") === undefined) return base;
    const expNode = child(node, "unary");
    const exponent = expNode === undefined ? undefined : this.unary(expNode);
    const span = cstSpan(node);
    if (base === undefined || exponent === undefined || span === undefined) return undefined;
    return { kind: "binary", op: "^", left: base, right: exponent, span };
  }

  private primary(node: CstNode): A.Expr | undefined {
    const num = token(node, "NumberLit");
    if (num !== undefined) return this.number(num);
    const nameNode = child(node, "nameExpr");
    if (nameNode !== undefined) return this.nameExpr(nameNode);
    const vector = child(node, "vectorLit");
    if (vector !== undefined) return this.vectorLit(vector);
    if (token(node, "RParen") === undefined) return undefined;
    return this.expr(child(node, "expr"));
  }

  private number(t: IToken): A.NumberLit {
    return { kind: "number", value: Number(t.image), raw: t.image, span: tokenSpan(t) };
  }

  private nameExpr(node: CstNode): A.Expr | undefined {
    const id = token(node, "Identifier") ?? token(node, "FunctionName") ?? token(node, "Kw_since_dose") ?? token(node, "Kw_amt");
    const span = cstSpan(node);
    if (id === undefined || span === undefined) return undefined;
    if ((node.children as Children)["LParen"] !== undefined) {
      if (token(node, "RParen") === undefined) return undefined;
      const args: A.Expr[] = [];
      for (const argNode of children(node, "expr")) {
        const arg = this.expr(argNode);
        if (arg === undefined) return undefined;
        args.push(arg);
      }
      return { kind: "call", callee: name(id), args, span };
    }
    if ((node.children as Children)["LBracket"] !== undefined) {
      if (token(node, "RBracket") === undefined) return undefined;
      const indices: A.IndexArg[] = [];
      for (const argNode of children(node, "indexArg")) {
        const colon = token(argNode, "Colon");
        if (colon !== undefined) {
          indices.push({ kind: "slice", span: tokenSpan(colon) });
          continue;
        }
        const arg = this.expr(child(argNode, "expr"));
        if (arg === undefined) return undefined;
        indices.push(arg);
      }
      return { kind: "index", name: name(id), indices, span };
    }
    return { kind: "ref", name: name(id), span };
  }

  private vectorLit(node: CstNode | undefined): A.VectorLit | undefined {
    if (node === undefined || token(node, "RBracket") === undefined) return undefined;
    const span = cstSpan(node);
    if (span === undefined) return undefined;
    const items: A.Expr[] = [];
    for (const itemNode of children(node, "expr")) {
      const item = this.expr(itemNode);
      if (item === undefined) return undefined;
      items.push(item);
    }
    return { kind: "vector", items, span };
  }
}

// The syntax stage's entry point: text in, AST and diagnostics out, never a
// throw. The parser recovers inside sections by itself; text it cannot place
// at the top level is skipped here up to the next section keyword and
// parsing resumes, so errors in every section are reported in one run.
import { tokenMatcher, type CstNode, type IRecognitionException, type IToken } from "../../grammar/chevrotain.js";
import { isRealToken } from "../../grammar/is-real-token.js";
import { nlmeParser } from "../../grammar/parser.js";
import * as T from "../../grammar/tokens.js";
import type { Comment, ModelFile } from "./ast.js";
import { AstBuilder, tokenSpan, type FileParts } from "./cst-to-ast.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { lexErrorDiagnostic, parserErrorDiagnostic, strayDiagnostic, unterminatedStringDiagnostic } from "./parse-errors.js";

export interface ParseResult {
  ast: ModelFile;
  diagnostics: Diagnostic[];
}

/**
 * A sum of n terms is an expression tree n deep (binary operators nest to the
 * left). The checker, the linearity analysis and the code generator (with
 * prettier) walk trees recursively: past this depth they are refused here,
 * with a location, rather than overflowing the stack later.
 */
const MAX_EXPRESSION_DEPTH = 250;

const EXPRESSION_KINDS = new Set(["number", "ref", "index", "slice", "unary", "binary", "call", "dot", "vector"]);

/** The first expression nested deeper than MAX_EXPRESSION_DEPTH, found without recursion. */
function deepestExpression(ast: ModelFile): { span: { start: number; end: number }; depth: number } | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: ast, depth: 0 }];
  let worst: { span: { start: number; end: number }; depth: number } | undefined;
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    const o = node as Record<string, unknown>;
    const isExpr = typeof o.kind === "string" && EXPRESSION_KINDS.has(o.kind) && typeof o.span === "object";
    const here = isExpr ? depth + 1 : depth;
    if (here > MAX_EXPRESSION_DEPTH && (!worst || here > worst.depth)) worst = { span: o.span as { start: number; end: number }, depth: here };
    for (const value of Object.values(o)) if (typeof value === "object" && value !== null) stack.push({ node: value, depth: here });
  }
  if (!worst) return undefined;
  // Report the whole expression (its outermost node), not the innermost term.
  return worst;
}

/** Parentheses and prefix signs nest the recursive-descent parser; beyond this the stack is at risk. */
const MAX_NESTING = 64;

export function parse(text: string): ParseResult {
  try {
    try {
      return parseOrThrow(text, true);
    } catch (err) {
      // Recovery exhausted the stack on some other shape of garbage: one more try without it.
      if (!(err instanceof RangeError)) throw err;
      return parseOrThrow(text, false);
    }
  } catch (err) {
    return {
      ast: emptyFile(text),
      diagnostics: [
        {
          severity: "error",
          code: "N0099",
          message: "internal parser error",
          span: { start: 0, end: 0 },
          notes: [String(err instanceof Error ? err.message : err)],
          help: "this is a bug in weakform-nlme: please report it with this file",
        },
      ],
    };
  }
}

function emptyFile(text: string): ModelFile {
  return { span: { start: 0, end: text.length }, dictionaries: [], penalties: [], duplicateBlocks: [], comments: [], recovered: true };
}

/**
 * Chevrotain's in-repetition recovery calls itself once per recovery within a
 * loop, so a long run of errors on one line overflows the stack (in time
 * quadratic in their number). Past this many tokens on one line, or in the
 * file (real specs have a few hundred to two thousand), it is turned off: a
 * section then reports its first error and parsing resumes at the next one.
 */
const MAX_RECOVERED_LINE_TOKENS = 1500;
const MAX_RECOVERED_TOKENS = 8000;

function withoutRepetitionRecovery<T>(run: () => T): T {
  const parser = nlmeParser as unknown as { attemptInRepetitionRecovery: (...args: unknown[]) => void };
  const saved = parser.attemptInRepetitionRecovery;
  parser.attemptInRepetitionRecovery = () => {};
  try {
    return run();
  } finally {
    parser.attemptInRepetitionRecovery = saved;
  }
}

function longestLineInTokens(tokens: readonly IToken[]): number {
  let longest = 0;
  let line = -1;
  let count = 0;
  for (const t of tokens) {
    if (t.startLine !== line) {
      line = t.startLine ?? -1;
      count = 0;
    }
    longest = Math.max(longest, ++count);
  }
  return longest;
}

function parseOrThrow(text: string, recovery: boolean): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lex = T.nlmeLexer.tokenize(text);
  for (const e of lex.errors) diagnostics.push(lexErrorDiagnostic(text, e));
  for (const t of (lex.groups["invalid"] ?? []) as IToken[]) diagnostics.push(unterminatedStringDiagnostic(t));
  const comments: Comment[] = ((lex.groups["comments"] ?? []) as IToken[]).map((t) => ({ span: tokenSpan(t), text: t.image }));

  let tokens = lex.tokens;
  const cut = tooDeep(tokens);
  if (cut !== undefined) {
    const t = tokens[cut]!;
    diagnostics.push({
      severity: "error",
      code: "N0012",
      message: "nesting too deep",
      span: tokenSpan(t),
      label: `more than ${MAX_NESTING} levels of brackets or signs`,
      help: "simplify the expression; the rest of the file is ignored",
    });
    tokens = tokens.slice(0, cut);
  }
  const cutOffset = cut === undefined ? Infinity : lex.tokens[cut]!.startOffset;

  if (recovery && (longestLineInTokens(tokens) > MAX_RECOVERED_LINE_TOKENS || tokens.length > MAX_RECOVERED_TOKENS)) recovery = false;
  return recovery ? parseTokens(text, tokens, diagnostics, comments, cutOffset) : withoutRepetitionRecovery(() => parseTokens(text, tokens, diagnostics, comments, cutOffset));
}

function parseTokens(text: string, tokens: IToken[], diagnostics: Diagnostic[], comments: Comment[], cutOffset: number): ParseResult {
  const parts: FileParts = { sections: [] };
  let rest = tokens;
  let first = true;
  const parserErrors: IRecognitionException[] = [];
  while (rest.length > 0 || first) {
    nlmeParser.input = rest;
    const cst = first ? nlmeParser.file() : nlmeParser.sections();
    collect(cst, parts, first);
    let stray: IToken | undefined;
    for (const e of [...nlmeParser.errors].sort(byTokenOffset)) {
      if (e.name === "NotAllInputParsedException") stray = e.token;
      else parserErrors.push(e);
    }
    if (first && parts.header === undefined) diagnostics.push(missingHeader(text, tokens));
    const wasFirst = first;
    first = false;
    if (stray === undefined) break;
    const at = rest.indexOf(stray);
    if (at < 0) break;
    // The missing-header error already covers a file that starts with unreadable text.
    if (!(wasFirst && parts.header === undefined && at === 0)) diagnostics.push(strayDiagnostic(stray, rest[at + 1]));
    rest = rest.slice(skipToSection(rest, at, text));
  }
  const indexOf = new Map(tokens.map((t, i) => [t, i]));
  const previousOf = (t: IToken | undefined): IToken | undefined => {
    const i = t === undefined ? tokens.length : indexOf.get(t);
    return i === undefined || i === 0 ? undefined : tokens[i - 1];
  };
  let lastErrorLine = -1;
  for (const e of parserErrors) {
    const d = parserErrorDiagnostic(e, previousOf);
    // Errors at a deliberate cut are an artefact of the cut, not of the user's text.
    if (d.span.start >= cutOffset) continue;
    // Declarations are one per line, so an error that follows the line of
    // the previous error with nothing read in between is its echo: skip it.
    const prev = previousOf(isRealToken(e.token) ? e.token : undefined);
    const readSince = prev === undefined ? 0 : lineOf(text, prev.startOffset);
    if (lastErrorLine >= 0 && readSince <= lastErrorLine) continue;
    lastErrorLine = lineOf(text, d.span.start);
    diagnostics.push(d);
  }

  const builder = new AstBuilder(text);
  const ast = builder.buildFile(parts, comments);
  diagnostics.push(...builder.diagnostics);
  const deep = deepestExpression(ast);
  if (deep) {
    diagnostics.push({
      severity: "error",
      code: "N0012",
      message: "expression too long",
      span: deep.span,
      label: `${deep.depth} operations deep: at most ${MAX_EXPRESSION_DEPTH}`,
      help: "split the sum into `derived` quantities, or use a dictionary for many terms",
    });
  }
  if (diagnostics.some((d) => d.severity === "error")) ast.recovered = true;
  return { ast, diagnostics: tidy(diagnostics) };
}

function collect(cst: CstNode, parts: FileParts, isFile: boolean): void {
  const kids = cst.children as Record<string, CstNode[] | undefined>;
  if (isFile) {
    const header = kids["header"]?.[0];
    const time = kids["timeDecl"]?.[0];
    if (header !== undefined) parts.header = header;
    if (time !== undefined) parts.time = time;
  }
  const list = kids["sectionList"]?.[0];
  const sections = (list?.children as Record<string, CstNode[] | undefined> | undefined)?.["section"];
  parts.sections.push(...(sections ?? []));
}

function missingHeader(text: string, tokens: IToken[]): Diagnostic {
  const firstTok = tokens[0];
  const span = firstTok !== undefined ? tokenSpan(firstTok) : { start: 0, end: Math.min(text.length, 0) };
  const d: Diagnostic = {
    severity: "error",
    code: "N0005",
    message: "missing `model` header",
    span,
    label: "expected `model NAME` before this",
    help: "start the file with `model my_model` (then optionally `time t in days`)",
  };
  if (firstTok !== undefined && tokenMatcher(firstTok, T.Identifier) && /^mod/i.test(firstTok.image)) {
    d.label = "did you mean `model`?";
  }
  return d;
}

/**
 * Index of the first token after `at` where a section may start: a section
 * keyword outside braces, or one that begins a line and opens a brace (so an
 * unclosed unknown section does not swallow the rest of the file).
 */
function skipToSection(tokens: IToken[], at: number, text: string): number {
  let depth = 0;
  for (let j = at; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (j > at && tokenMatcher(t, T.SectionKeyword)) {
      if (depth === 0) return j;
      const next = tokens[j + 1];
      if (startsLine(text, t.startOffset) && next !== undefined && tokenMatcher(next, T.LCurly)) return j;
    }
    if (tokenMatcher(t, T.LCurly)) depth++;
    else if (tokenMatcher(t, T.RCurly)) depth = Math.max(0, depth - 1);
  }
  return tokens.length;
}

function byTokenOffset(a: IRecognitionException, b: IRecognitionException): number {
  const offset = (e: IRecognitionException) => (isRealToken(e.token) ? e.token.startOffset : Infinity);
  return offset(a) - offset(b);
}

function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

function startsLine(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const c = text[i];
    if (c === "\n") return true;
    if (c !== " " && c !== "\t" && c !== "\r") return false;
  }
  return true;
}

const operandEnds = [T.Identifier, T.NumberLit, T.RParen, T.RBracket, T.FunctionName, T.SinceDose, T.Amt];
const chainBreaks = [T.Star, T.Slash, T.Dot, T.Comma, T.Equals, T.PlusEquals, T.Tilde, T.LCurly, T.RCurly, T.Keyword];

/**
 * Index of the first token at which the parser's recursion would exceed
 * MAX_NESTING, if any: open brackets, plus a chain of prefix signs and `^`
 * (both recurse: `--x`, `a^b^c`). A binary `+`/`-` or `*` ends a chain.
 */
function tooDeep(tokens: IToken[]): number | undefined {
  let depth = 0;
  const opened: number[] = [];
  let chain = 0;
  let prev: IToken | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    // A call's argument list recurses through about twice the parser's rules a bracket does: it counts double.
    if (tokenMatcher(t, T.LParen) || tokenMatcher(t, T.LBracket) || tokenMatcher(t, T.LCurly)) {
      const weight = tokenMatcher(t, T.LParen) && prev !== undefined && tokenMatcher(prev, T.FunctionName) ? 2 : 1;
      opened.push(weight);
      depth += weight;
    } else if (tokenMatcher(t, T.RParen) || tokenMatcher(t, T.RBracket) || tokenMatcher(t, T.RCurly)) depth -= opened.pop() ?? 0;
    const afterOperand = prev !== undefined && operandEnds.some((k) => tokenMatcher(prev!, k));
    if (tokenMatcher(t, T.Caret) || ((tokenMatcher(t, T.Minus) || tokenMatcher(t, T.Plus)) && !afterOperand)) chain++;
    else if (tokenMatcher(t, T.Minus) || tokenMatcher(t, T.Plus) || chainBreaks.some((k) => tokenMatcher(t, k))) chain = 0;
    if (depth + chain > MAX_NESTING) return i;
    prev = t;
  }
  return undefined;
}

/** Source order, one diagnostic per code and place (recovery can report the same spot twice). */
function tidy(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics
    .filter((d) => {
      const key = `${d.code}:${d.span.start}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}

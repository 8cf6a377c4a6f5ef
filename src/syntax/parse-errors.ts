// Lexer and parser failures as diagnostics in domain words. The parser hands
// over structured payloads (grammar/parser.ts); the wording lives only here.
import { tokenMatcher, type ILexingError, type IRecognitionException, type IToken } from "../../grammar/chevrotain.js";
import { suggest } from "../diagnostics/suggest.js";
import { isRealToken } from "../../grammar/is-real-token.js";
import type { ParserErrorPayload } from "../../grammar/parser.js";
import * as T from "../../grammar/tokens.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Span } from "./ast.js";
import { tokenSpan } from "./cst-to-ast.js";

const sectionWords = ["states", "constants", "covariates", "parameters", "random", "doses", "dynamics", "observe", "derived", "monolix", "dictionary", "penalty"];

const blockOfRule: Record<string, string> = {
  statesBlock: "states", stateDecl: "states", constantsBlock: "constants", constantDecl: "constants",
  covariatesBlock: "covariates", covariateDecl: "covariates", parametersBlock: "parameters", parameterDecl: "parameters",
  distribution: "parameters", covariateTerm: "parameters",
  randomBlock: "random", covarianceDecl: "random", dosesBlock: "doses", doseDecl: "doses",
  dynamicsBlock: "dynamics", equation: "dynamics", observeBlock: "observe", observation: "observe",
  derivedBlock: "derived", derivedDecl: "derived", monolixBlock: "monolix", monolixDecl: "monolix",
};

const expressionStarts = new Set(["NumberLit", "Identifier", "LParen", "Minus", "Plus", "LBracket", "FunctionName", "Kw_since_dose", "Kw_amt"]);

function describeExpected(names: string[]): string {
  if (names.some((n) => n === "NumberLit") && names.some((n) => n === "LParen" || n === "Minus")) {
    const rest = names.filter((n) => !expressionStarts.has(n));
    return rest.length === 0 ? "an expression" : `an expression or ${list(rest.map(describeType))}`;
  }
  if (names.length > 5 && names.some((n) => sectionWords.includes(n.replace(/^Kw_/, "")))) return "a section";
  return list([...new Set(names.map(describeType))]);
}

function describeType(name: string): string {
  if (name.startsWith("Kw_")) return `\`${name.slice(3)}\``;
  switch (name) {
    case "Identifier":
    case "Keyword":
      return "a name";
    case "NumberLit":
      return "a number";
    case "StringLit":
      return "a doc string";
    case "DDt":
      return "`d/dt`";
    case "ErrorModelKeyword":
      return "an error model";
    case "FunctionName":
      return "a function";
    case "SectionKeyword":
      return "a section";
    case "EOF":
      return "the end of the file";
  }
  const token = T.allTokens.find((t) => t.name === name);
  const label = token?.LABEL;
  return label !== undefined && label.startsWith("'") ? `\`${label.slice(1, -1)}\`` : "something else";
}

function list(items: string[]): string {
  if (items.length <= 1) return items[0] ?? "something else";
  return `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** How a found token reads in a message: its own text in backticks, or a description. */
export function describeFound(token: IToken | undefined): string {
  if (!isRealToken(token)) return "the end of the file";
  if (tokenMatcher(token, T.StringLit)) return "a doc string";
  const image = token.image.length > 24 ? `${token.image.slice(0, 21)}...` : token.image;
  return `\`${image}\``;
}

function isKeyword(token: IToken | undefined): boolean {
  return isRealToken(token) && tokenMatcher(token, T.Keyword);
}

function decode(message: string): ParserErrorPayload | undefined {
  try {
    return JSON.parse(message) as ParserErrorPayload;
  } catch {
    return undefined;
  }
}

/**
 * The real token before the one an error is about (Chevrotain's own
 * `previousToken` can point at a token skipped by recovery). The caller
 * knows the token list; `undefined` means the start of the file.
 */
export type PreviousToken = (token: IToken | undefined) => IToken | undefined;

/** The found token, or for the end of the file the point just after the last real token. */
function anchor(e: IRecognitionException, prev: IToken | undefined, midDeclaration: boolean): Span {
  // Something missing at the end of a line is shown there, not on the next line.
  const onLaterLine = midDeclaration && isRealToken(e.token) && prev !== undefined && !sameLine(prev, e.token);
  if (isRealToken(e.token) && !onLaterLine) return tokenSpan(e.token);
  if (prev !== undefined) return { start: prev.endOffset! + 1, end: prev.endOffset! + 1 };
  return { start: 0, end: 0 };
}

/** Whether no line break separates two tokens (the lexer drops whitespace, so compare lines). */
function sameLine(a: IToken, b: IToken): boolean {
  return a.endLine !== undefined && b.startLine !== undefined && a.endLine === b.startLine;
}

function helpFor(p: ParserErrorPayload, found: IToken | undefined, block: string | undefined): string | undefined {
  const expects = (n: string) => p.expected.includes(n);
  if (expects("RCurly") && !isRealToken(found)) return `close the \`${block ?? "section"}\` section with \`}\``;
  if (p.ruleName === "dynamicsBlock" && expects("RCurly") && isRealToken(found) && tokenMatcher(found, T.Identifier)) {
    return `an equation starts with \`d/dt\`: \`d/dt ${found.image} = ...\``;
  }
  if (p.ruleName === "observation" && expects("Tilde")) return "end the observation with its error model, e.g. `~ constant`";
  if (expects("ErrorModelKeyword")) return "the error models are `constant`, `proportional` and `combined`";
  if ((p.ruleName === "constantDecl" || p.ruleName === "derivedDecl") && expects("Equals")) return "write `NAME = expression`";
  if (p.ruleName === "equation" && expects("Equals")) return "write `d/dt STATE = expression`";
  if (p.ruleName === "header" && expects("Identifier")) return "name the model: `model my_model`";
  if ((p.ruleName === "parameterDecl" || p.ruleName === "distribution") && (expects("Kw_random") || expects("Identifier"))) {
    return "write `~ lognormal`, `~ normal`, `~ random(selected)` or `positive`, or nothing for a fixed effect";
  }
  if (p.ruleName === "covarianceDecl" && (expects("Kw_full") || expects("Kw_diagonal"))) return "write `covariance full (a, b)` or `covariance diagonal (a, b)`";
  if (p.ruleName === "vectorLit" && block === "doses" && expects("LBracket")) {
    return "a dose adds to a state with `+=` (`S += amt`); `=` takes one value per dose (`f = [1, f2]`)";
  }
  if (p.ruleName === "doseDecl") return "write `STATE += amt`, `STATE += unknown` or `NAME = [v1, v2, ...]`";
  return undefined;
}

/** One parser exception as a diagnostic (NotAllInputParsed is handled by the caller's resynchronisation). */
export function parserErrorDiagnostic(e: IRecognitionException, previousOf: PreviousToken): Diagnostic {
  const p = decode(e.message) ?? { kind: "noViableAlt", expected: [], ruleName: "" };
  const found = isRealToken(e.token) ? e.token : undefined;
  const prevTok = previousOf(isRealToken(e.token) ? e.token : undefined);
  const block = blockOfRule[p.ruleName] ?? [...(e.context?.ruleStack ?? [])].reverse().map((r) => blockOfRule[r]).find((b) => b);
  const inBlockLoop = p.ruleName.endsWith("Block") && p.expected.includes("RCurly");
  const span = anchor(e, prevTok, !inBlockLoop && !(isKeyword(found) && p.expected.includes("Identifier")));
  if (inBlockLoop && isRealToken(found) && tokenMatcher(found, T.SectionKeyword)) {
    // The section was never closed: point just after its last declaration.
    const prev = prevTok;
    return {
      severity: "error",
      code: "N0002",
      message: `expected \`}\` to close \`${block ?? "the section"}\`, found ${describeFound(found)}`,
      span: prev !== undefined ? { start: prev.endOffset! + 1, end: prev.endOffset! + 1 } : span,
      label: `\`${block ?? "section"}\` is still open here`,
      help: `add \`}\` before \`${found.image}\``,
    };
  }
  if (inBlockLoop && isRealToken(found) && prevTok !== undefined && !isKeyword(found) && sameLine(prevTok, found)) {
    const expressions = ["constants", "doses", "dynamics", "observe", "derived"].includes(block ?? "");
    if (block === "parameters" && (tokenMatcher(found, T.Plus) || tokenMatcher(found, T.Minus))) {
      const positive = tokenMatcher(prevTok, T.Positive);
      return {
        severity: "error",
        code: "N0002",
        message: `unexpected ${describeFound(found)} after ${describeFound(prevTok)}`,
        span,
        label: positive ? "a `positive` parameter has no covariate terms" : "a covariate term is a product",
        help: positive
          ? "covariate terms follow a distribution: write `~ lognormal + ...`"
          : "put a sum or difference in parentheses, e.g. `+ (AGE - 40)`",
      };
    }
    return {
      severity: "error",
      code: "N0002",
      message: `unexpected ${describeFound(found)} after ${describeFound(prevTok)}`,
      span,
      label: expressions ? "expected an operator or the end of the line" : "expected the end of the line",
      help: expressions
        ? "put one declaration per line, and join terms with `+`, `-`, `*`, `/` or `^`"
        : "put one declaration per line",
    };
  }
  const nameExpected = (p.expected.length === 1 && p.expected[0] === "Identifier") || inBlockLoop;
  if (nameExpected && isKeyword(found) && !tokenMatcher(found!, T.SectionKeyword)) {
    return {
      severity: "error",
      code: "N0010",
      message: `\`${found!.image}\` is a reserved word and cannot be used as a name`,
      span,
      label: "reserved word",
      help: `choose another name, e.g. \`${found!.image}_\``,
    };
  }
  // After `~` in `parameters` a name is a distribution word (`lognormal`, `normal`), not any name.
  const distribution = p.ruleName === "distribution" && p.expected.includes("Identifier");
  const expected = distribution ? "a distribution" : p.expected.length > 0 ? describeExpected(p.expected) : "something else";
  const diagnostic: Diagnostic = {
    severity: "error",
    code: "N0002",
    message: `expected ${expected}, found ${describeFound(found)}`,
    span,
    label: `expected ${expected}${block !== undefined ? ` in \`${block}\`` : ""}`,
  };
  const help = helpFor(p, found, block);
  if (help !== undefined) diagnostic.help = help;
  return diagnostic;
}

function printable(text: string): string {
  return [...text]
    .map((c) => {
      const code = c.codePointAt(0)!;
      return code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) ? `\\u{${code.toString(16)}}` : c;
    })
    .join("");
}

export function lexErrorDiagnostic(text: string, e: ILexingError): Diagnostic {
  const skipped = text.slice(e.offset, e.offset + e.length);
  const shown = skipped.length > 12 ? `${skipped.slice(0, 12)}...` : skipped;
  const diagnostic: Diagnostic = {
    severity: "error",
    code: "N0001",
    message: `unexpected character${[...skipped].length > 1 ? "s" : ""} \`${printable(shown)}\``,
    span: { start: e.offset, end: e.offset + e.length },
    label: "not part of the language",
  };
  if (skipped.startsWith(";")) diagnostic.help = "declarations end at the end of the line: remove the `;`";
  else if (skipped.startsWith("'")) diagnostic.help = 'doc strings use double quotes: "..."';
  else if (skipped.startsWith("!") || skipped.startsWith("%")) diagnostic.help = "comments start with `#` or `//`";
  return diagnostic;
}

export function unterminatedStringDiagnostic(t: IToken): Diagnostic {
  return {
    severity: "error",
    code: "N0003",
    message: "unterminated doc string",
    span: tokenSpan(t),
    label: "this string is never closed",
    help: 'add a closing `"` on the same line',
  };
}

/** The nearest section word, if any is close enough (the one suggestion helper decides). */
export function closestWord(word: string, candidates: readonly string[]): string | undefined {
  return suggest(word.toLowerCase(), candidates, 1)[0];
}

/** Text that the top level cannot read: an unknown section (`dynamic { ... }`) or stray tokens. */
export function strayDiagnostic(token: IToken, next: IToken | undefined): Diagnostic {
  const span = tokenSpan(token);
  if (tokenMatcher(token, T.Identifier) && next !== undefined && tokenMatcher(next, T.LCurly)) {
    const guess = closestWord(token.image, sectionWords);
    return {
      severity: "error",
      code: "N0011",
      message: `unknown section \`${token.image}\``,
      span,
      label: "not a section name",
      help: guess !== undefined ? `a section with a similar name exists: \`${guess}\`` : `the sections are ${list(sectionWords.map((w) => `\`${w}\``))}`,
    };
  }
  const d: Diagnostic = {
    severity: "error",
    code: "N0006",
    message: `unexpected ${describeFound(token)} outside any section`,
    span,
    label: "skipped up to the next section",
  };
  if (tokenMatcher(token, T.RCurly)) d.help = "remove the extra `}`";
  return d;
}

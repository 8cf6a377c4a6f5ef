// The `.nlme` vocabulary. Every keyword and punctuation token carries a
// `label` (the text the user typed) so that messages built from token types
// read `expected '{'` rather than `expected LCurly`.
import { createToken, Lexer, type TokenType } from "./chevrotain.js";

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: "a name", line_breaks: false });

/** Every reserved word belongs to this category (one CONSUME for "any keyword", e.g. named-argument names). */
export const Keyword = createToken({ name: "Keyword", pattern: Lexer.NA });
/** The words that open a section: used to resynchronise after text outside any section. */
export const SectionKeyword = createToken({ name: "SectionKeyword", pattern: Lexer.NA });
/** Built-in functions usable as callees. */
export const FunctionName = createToken({ name: "FunctionName", pattern: Lexer.NA, label: "a function name" });
export const ErrorModelKeyword = createToken({ name: "ErrorModelKeyword", pattern: Lexer.NA, label: "an error model" });

function keyword(word: string, extra: TokenType[] = []): TokenType {
  return createToken({
    name: `Kw_${word}`,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: [Keyword, ...extra],
    label: `'${word}'`,
    line_breaks: false,
  });
}

export const Model = keyword("model");
export const Time = keyword("time");
export const In = keyword("in");
export const States = keyword("states", [SectionKeyword]);
export const Latent = keyword("latent");
export const Constants = keyword("constants", [SectionKeyword]);
export const Covariates = keyword("covariates", [SectionKeyword]);
export const Parameters = keyword("parameters", [SectionKeyword]);
export const Random = keyword("random", [SectionKeyword]);
export const Selected = keyword("selected");
export const Positive = keyword("positive");
export const Categorical = keyword("categorical");
export const Covariance = keyword("covariance");
export const Full = keyword("full");
export const Diagonal = keyword("diagonal");
export const Doses = keyword("doses", [SectionKeyword]);
export const Amt = keyword("amt");
export const Unknown = keyword("unknown");
export const Dynamics = keyword("dynamics", [SectionKeyword]);
export const Observe = keyword("observe", [SectionKeyword]);
export const Constant = keyword("constant", [ErrorModelKeyword]);
export const Proportional = keyword("proportional", [ErrorModelKeyword]);
export const Combined = keyword("combined", [ErrorModelKeyword]);
export const Derived = keyword("derived", [SectionKeyword]);
export const Monolix = keyword("monolix", [SectionKeyword]);
export const Dictionary = keyword("dictionary", [SectionKeyword]);
export const Polynomial = keyword("polynomial");
export const Penalty = keyword("penalty", [SectionKeyword]);
export const For = keyword("for");
export const SinceDose = keyword("since_dose");
export const Exp = keyword("exp", [FunctionName]);
export const Log10 = keyword("log10", [FunctionName]);
export const Log = keyword("log", [FunctionName]);
export const Sqrt = keyword("sqrt", [FunctionName]);
export const Abs = keyword("abs", [FunctionName]);
export const Sin = keyword("sin", [FunctionName]);
export const Cos = keyword("cos", [FunctionName]);

/** In the order of docs/language.md (the reserved-word list). */
export const keywordTokens: TokenType[] = [
  Model, Time, In, States, Latent, Constants, Covariates, Parameters, Random, Selected, Positive, Categorical, Covariance,
  Full, Diagonal,
  Doses, Amt, Unknown, Dynamics, Observe, Constant, Proportional, Combined, Derived, Monolix, Dictionary, Polynomial,
  Penalty, For, SinceDose, Exp, Log, Log10, Sqrt, Abs, Sin, Cos,
];

export const reservedWords: readonly string[] = keywordTokens.map((t) => String(t.LABEL).slice(1, -1));

// `d/dt` is one token; the lookahead keeps `d/dtx` an identifier division.
export const DDt = createToken({ name: "DDt", pattern: /d\/dt(?![A-Za-z0-9_])/, label: "'d/dt'", line_breaks: false });

// `1..40` must lex as `1`, `..`, `40`: a fraction needs a digit after the point.
export const NumberLit = createToken({
  name: "NumberLit",
  pattern: /(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?/,
  label: "a number",
  line_breaks: false,
});
export const StringLit = createToken({ name: "StringLit", pattern: /"(?:[^"\\\r\n]|\\.)*"/, label: "a doc string", line_breaks: false });
/** A string that reaches the end of its line: kept out of the parser's view and reported on its own. */
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\r\n]|\\.)*\\?/,
  group: "invalid",
  line_breaks: false,
});

export const Comment = createToken({ name: "Comment", pattern: /(?:#|\/\/)[^\r\n]*/, group: "comments", line_breaks: false });
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v]+/, group: Lexer.SKIPPED, line_breaks: true });

function punct(name: string, text: string): TokenType {
  return createToken({ name, pattern: text, label: `'${text}'`, line_breaks: false });
}

export const PlusEquals = punct("PlusEquals", "+=");
export const DotDot = punct("DotDot", "..");
export const Dot = punct("Dot", ".");
export const LCurly = punct("LCurly", "{");
export const RCurly = punct("RCurly", "}");
export const LParen = punct("LParen", "(");
export const RParen = punct("RParen", ")");
export const LBracket = punct("LBracket", "[");
export const RBracket = punct("RBracket", "]");
export const Comma = punct("Comma", ",");
export const Colon = punct("Colon", ":");
export const Equals = punct("Equals", "=");
export const Tilde = punct("Tilde", "~");
export const Plus = punct("Plus", "+");
export const Minus = punct("Minus", "-");
export const Star = punct("Star", "*");
export const Slash = punct("Slash", "/");
export const Caret = punct("Caret", "^");

// Order matters: Chevrotain takes the first pattern that matches (keywords
// defer to Identifier through longer_alt), so comments precede `/`, `d/dt`
// precedes Identifier, numbers precede `..` and `.`, and `+=` precedes `+`.
export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  StringLit,
  UnterminatedString,
  DDt,
  Keyword,
  SectionKeyword,
  FunctionName,
  ErrorModelKeyword,
  // Longest first, so `constants` is not read as `constant` and `log10` not as `log`.
  ...[...keywordTokens].sort((a, b) => String(b.LABEL).length - String(a.LABEL).length),
  Identifier,
  NumberLit,
  PlusEquals,
  DotDot,
  Dot,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Equals,
  Tilde,
  Plus,
  Minus,
  Star,
  Slash,
  Caret,
];

/**
 * Every token says whether it can span lines (`line_breaks`: only white space can), else Chevrotain finds out by
 * analysing each pattern at every start (15 ms of a 300 ms `check`); `test/grammar/tokens.test.ts` checks the line
 * and column of every token of a multi-line text.
 *
 * The lexer's options. Its definition checks (unreachable or empty patterns, missing line terminators) cost a
 * fifth of a `check` start, so the shared lexer skips them; `test/grammar/tokens.test.ts` builds one with
 * them on (`validate`), which throws on any problem.
 */
export function lexerOptions(validate = false): { ensureOptimizations: false; positionTracking: "full"; skipValidations: boolean } {
  return { ensureOptimizations: false, positionTracking: "full", skipValidations: !validate };
}

export const nlmeLexer = new Lexer(allTokens, lexerOptions());

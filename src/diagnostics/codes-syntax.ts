import type { CodeInfo } from "./codes.js";

/** N0xxx: lexing and parsing. Owned by the syntax stage. */
export const syntaxCodes: Record<string, CodeInfo> = {
  N0001: {
    title: "unexpected character",
    explanation:
      "The file contains a character that is not part of the `.nlme` language (for example `;`, `'`, `$` or a non-ASCII " +
      "letter in a name). Names use ASCII letters, digits and `_`; doc strings use double quotes; declarations end at the " +
      "end of the line, so no `;` is needed. The character is skipped and the rest of the file is still read.",
  },
  N0002: {
    title: "unexpected token",
    explanation:
      "The parser expected something else at this point, for example `=` after a constant's name, `}` to close a " +
      "section, or an expression after an operator. The message says what was expected and what was found. The parser " +
      "skips ahead and keeps reading, so later errors in the same file are reported too; fix the first one first.",
  },
  N0003: {
    title: "unterminated doc string",
    explanation:
      'A doc string starts with `"` but its line ends before the closing `"`. Doc strings cannot span several lines. ' +
      'Close it on the same line; write `\\"` for a quote inside it.',
  },
  N0004: {
    title: "section declared twice",
    explanation:
      "Each section (`states`, `parameters`, `dynamics`, ...) may appear at most once per file; only `dictionary` and " +
      "`penalty` may repeat. The second occurrence is ignored. Merge its declarations into the first one.",
  },
  N0005: {
    title: "missing `model` header",
    explanation:
      "Every `.nlme` file starts with `model NAME` (optionally followed by `time t in UNIT`). The name is used for the " +
      "generated module and the exported Monolix project.",
  },
  N0006: {
    title: "text outside any section",
    explanation:
      "Declarations live inside sections such as `states { ... }` or `dynamics { ... }`; at the top level only " +
      "`model`, `time`, the sections, `dictionary` and `penalty` are allowed. The text is skipped up to the next section.",
  },
  N0007: {
    title: "expected a whole number",
    explanation:
      "Index ranges (`g[1..40]`) and loops (`for i in 1..40`) count states and equations, so their bounds must be " +
      "written as whole numbers with digits only (no decimal point or exponent).",
  },
  N0008: {
    title: "initial value at a time other than 0",
    explanation:
      "In `constants`, `X(0) = v` gives the known initial value of state X. Only time 0 can be given this way; a value " +
      "at another time is data and belongs in the data set.",
  },
  N0009: {
    title: "unknown escape in a doc string",
    explanation:
      'Doc strings know the escapes `\\"` (quote), `\\\\` (backslash), `\\n` (new line) and `\\t` (tab). Write `\\\\` ' +
      "for a literal backslash.",
  },
  N0010: {
    title: "reserved word used as a name",
    explanation:
      "Keywords of the language (section names, `latent`, `random`, error models, built-in functions such as `exp`, " +
      "`since_dose`, ...) cannot name a state, parameter, constant or observation. Pick another name, e.g. add a suffix. " +
      "The full list is in docs/language.md.",
  },
  N0011: {
    title: "unknown section",
    explanation:
      "A name followed by `{` at the top level looks like a section, but it is not one of `states`, `constants`, " +
      "`covariates`, `parameters`, `random`, `doses`, `dynamics`, `observe`, `derived` or `monolix`. The section is skipped.",
  },
  N0012: {
    title: "nesting too deep",
    explanation:
      "Parentheses, brackets, function calls or signs are nested so deeply that the file cannot be read safely (the " +
      "text from that point on is ignored), or one expression is too long: a sum of n terms is n operations deep, and " +
      "at most 250 are accepted, because every later stage (checking, differentiation, code generation) walks it. Real " +
      "models never need this. Simplify the expression, split it into `derived` quantities, or use a dictionary.",
  },
  N0099: {
    title: "internal parser error",
    explanation:
      "The parser failed on this input. This is a bug in weakform-nlme, not in your model: please report it with the file.",
  },
};

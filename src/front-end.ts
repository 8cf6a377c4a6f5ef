// The compiler's front end as a list of stages: parse -> check -> lower.
// Each stage reports diagnostics; the next runs only when there are no
// errors, so no stage ever sees input an earlier one rejected (except the
// unknown-name errors gathered after syntax errors, see the end of this file).
import { check } from "./check/check.js";
import { hasErrors, type Diagnostic } from "./diagnostics/diagnostic.js";
import { lower } from "./ir/lower.js";
import type { ModelIr } from "./ir/model.js";
import type { ModelFile } from "./syntax/ast.js";
import { parse } from "./syntax/parse.js";

export interface FrontEndResult {
  /** Present once parsing produced a tree (also when it has errors). */
  ast?: ModelFile;
  /** Present only when there are no errors. */
  ir?: ModelIr;
  diagnostics: Diagnostic[];
  /** The file name given, for rendering. */
  file: string;
}

interface State {
  text: string;
  ast?: ModelFile;
  ir?: ModelIr;
  diagnostics: Diagnostic[];
}

type Pass = (s: State) => void;

const passes: { name: string; run: Pass }[] = [
  {
    name: "parse",
    run(s) {
      const r = parse(s.text);
      s.ast = r.ast;
      s.diagnostics.push(...r.diagnostics);
    },
  },
  {
    name: "check",
    run(s) {
      const r = check(s.ast!);
      s.diagnostics.push(...r.diagnostics);
      if (r.ok) s.ir = lower(s.ast!, r);
    },
  },
];

export function analyse(text: string, file: string): FrontEndResult {
  const state: State = { text, diagnostics: [] };
  for (const pass of passes) {
    try {
      pass.run(state);
    } catch (err) {
      state.diagnostics.push({
        severity: "error",
        code: "N2999",
        message: `internal error in the ${pass.name} stage`,
        span: { start: 0, end: 0 },
        notes: [String(err instanceof Error ? err.message : err)],
        help: "this is a bug in weakform-nlme: please report it with this file",
      });
    }
    if (hasErrors(state.diagnostics)) break;
  }
  if (state.ast && state.diagnostics.some((d) => d.severity === "error" && d.code.startsWith("N0"))) {
    state.diagnostics.push(...nameErrorsAfterSyntaxErrors(text, state.ast, state.diagnostics));
  }
  const ok = !hasErrors(state.diagnostics);
  return { ast: state.ast, ...(ok && state.ir ? { ir: state.ir } : {}), diagnostics: state.diagnostics, file };
}

/** Unknown-name errors: what a user fixes alongside a syntax error, and what a syntax error cannot explain away. */
const NAME_ERRORS = new Set(["N1001", "N1002", "N1003", "N1004", "N1009"]);
const SECTION_START = /^(model|time|states|constants|covariates|dictionary|parameters|random|doses|dynamics|observe|derived|monolix|penalty)\b/;

/**
 * After syntax errors the recovered tree lacks what the parser skipped, so
 * the checker's full report would blame names declared in the skipped text.
 * Only its unknown-name errors are kept, and only for names that appear
 * nowhere in that text (from each error's line to the end of its section).
 * Too deep a tree (N0012) or a parser failure (N0099) skips this entirely.
 */
function nameErrorsAfterSyntaxErrors(text: string, ast: ModelFile, syntax: readonly Diagnostic[]): Diagnostic[] {
  if (syntax.some((d) => d.code === "N0012" || d.code === "N0099")) return [];
  let found: Diagnostic[];
  try {
    found = check(ast).diagnostics;
  } catch {
    // A partial tree the checker cannot walk: the syntax errors stand alone.
    return [];
  }
  const lines = text.split("\n");
  const starts: number[] = [];
  for (let i = 0, at = 0; i < lines.length; at += lines[i]!.length + 1, i++) starts.push(at);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const skipped = new Set<number>();
  for (const d of syntax) {
    if (d.severity !== "error") continue;
    const first = lineOf(d.span.start);
    skipped.add(first);
    for (let i = first + 1; i < lines.length && !SECTION_START.test(lines[i]!); i++) skipped.add(i);
  }
  const tainted = new Set<string>();
  for (const i of skipped) for (const m of lines[i]!.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) tainted.add(m[0]);
  return found.filter(
    (d) => d.severity === "error" && NAME_ERRORS.has(d.code) && !skipped.has(lineOf(d.span.start)) && !tainted.has(text.slice(d.span.start, d.span.end)),
  );
}

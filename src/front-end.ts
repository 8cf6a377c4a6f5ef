// The compiler's front end as a list of stages: parse -> check -> lower.
// Each stage reports diagnostics; the next runs only when there are no
// errors, so no stage ever sees input an earlier one rejected.
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
  const ok = !hasErrors(state.diagnostics);
  return { ast: state.ast, ...(ok && state.ir ? { ir: state.ir } : {}), diagnostics: state.diagnostics, file };
}

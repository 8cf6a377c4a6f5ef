// Runs the rules of `rules.ts` stage by stage on a parsed model. Never
// throws: a rule that fails unexpectedly becomes an internal-error
// diagnostic and the checker stops there.
import { hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { ModelFile } from "../syntax/ast.js";
import { createContext, type CheckFacts, type Stage } from "./context.js";
import { buildLayout } from "./layout.js";
import { makeEnv } from "./linearise.js";
import { stages as defaultStages } from "./rules.js";
import { buildScope, type Scope } from "./scope.js";

export interface CheckResult {
  diagnostics: Diagnostic[];
  /** What the rules established (layout, expanded equations, linear forms, ...), reused by lowering. */
  facts: CheckFacts;
  scope: Scope;
  /** The model as checked: the input, or its rewrite (observations scaled by a parameter become concentration states). */
  ast: ModelFile;
  /** No errors (warnings and notes allowed). */
  ok: boolean;
}

export function check(ast: ModelFile, stages: Stage[] = defaultStages): CheckResult {
  const scope = buildScope(ast);
  const ctx = createContext(ast, scope);
  try {
    ctx.facts.layout = buildLayout(ast);
    ctx.facts.env = makeEnv(ast, scope, ctx.facts.layout);
    for (const stage of stages) {
      for (const rule of stage.rules) rule.run(ctx);
      if (hasErrors(ctx.diagnostics)) break;
    }
  } catch (err) {
    ctx.report({
      severity: "error",
      code: "N2999",
      message: "internal checker error",
      span: { start: ast.span?.start ?? 0, end: ast.span?.start ?? 0 },
      notes: [String(err instanceof Error ? err.message : err)],
      help: "this is a bug in weakform-nlme: please report it with this file",
    });
  }
  return { diagnostics: ctx.diagnostics, facts: ctx.facts, scope, ast: ctx.ast, ok: !hasErrors(ctx.diagnostics) };
}

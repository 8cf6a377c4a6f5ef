// One name, one meaning: states, constants, covariates, parameters, derived
// quantities, dictionaries, dose vectors and the time variable share one
// namespace. Initial values, observation outputs and loop indices are
// checked here too, each against what they could be confused with.
import type { Name, Span } from "../syntax/ast.js";
import type { CheckContext, Rule } from "./context.js";
import { kindWords } from "./scope.js";

function reportTwice(ctx: CheckContext, what: string, second: Name, first: Span, code = "N1005"): void {
  ctx.report({
    severity: "error",
    code,
    message: `${what} \`${second.text}\` is declared twice`,
    span: second.span,
    label: "declared again here",
    labels: [{ span: first, message: "first declared here" }],
    help: `rename one of them or remove the second declaration`,
  });
}

export const reportDuplicateDeclarations: Rule = {
  name: "report-duplicate-declarations",
  run(ctx) {
    const { scope, ast } = ctx;
    for (const e of scope.declarations) {
      const first = scope.names.get(e.name.text)!;
      if (first === e) continue;
      const what = first.kind === e.kind ? kindWords[e.kind].noun : "name";
      reportTwice(ctx, what, e.name, first.name.span);
    }
    const initials = new Map<string, Span>();
    for (const c of scope.initialValues) {
      const prev = initials.get(c.name.text);
      if (prev) reportTwice(ctx, "initial value of", c.name, prev);
      else initials.set(c.name.text, c.name.span);
    }
    for (const item of [...(ast.dynamics?.items ?? []), ...(ast.observe?.items ?? [])]) {
      const index = item?.loop?.index;
      if (!index?.text) continue;
      const shadowed = scope.names.get(index.text);
      if (shadowed) {
        ctx.report({
          severity: "error",
          code: "N1006",
          message: `loop index \`${index.text}\` hides the ${kindWords[shadowed.kind].noun} of the same name`,
          span: index.span,
          label: "loop index",
          labels: [{ span: shadowed.name.span, message: "declared here" }],
          help: "use a name that is not declared in the model for the loop index, e.g. `i`",
        });
      }
    }
  },
};

// Constants and initial values are numbers known before fitting: they may
// use numbers, built-in functions and constants declared above them.
import type { Rule } from "./context.js";
import { walkExpr } from "./expressions.js";
import { kindWords } from "./scope.js";

export const reportConstants: Rule = {
  name: "report-constants",
  run(ctx) {
    const { ast, scope } = ctx;
    const seen = new Set<string>();
    for (const c of ast.constants?.items ?? []) {
      if (!c?.name?.text) continue;
      walkExpr(c.value, (e) => {
        if (e.kind !== "ref" && e.kind !== "index") return;
        const text = e.name?.text;
        const entity = scope.names.get(text ?? "");
        if (!entity) return;
        if (entity.kind === "constant" && seen.has(entity.name.text) && entity.name.text !== c.name.text) return;
        const later = entity.kind === "constant";
        ctx.report({
          severity: "error",
          code: "N1016",
          message: later
            ? `the constant \`${c.name.text}\` uses \`${text}\`, which is not declared above it`
            : `the value of \`${c.name.text}\` must be known, but it uses the ${kindWords[entity.kind].noun} \`${text}\``,
          span: e.span,
          label: later ? "declared later" : "not known before fitting",
          labels: [{ span: entity.name.span, message: "declared here" }],
          help: later
            ? "move the constant it uses above this one"
            : entity.kind === "parameter"
              ? `if \`${c.name.text}\` depends on estimated parameters, declare it in \`derived\``
              : undefined,
        });
      });
      if (!c.initialOf) seen.add(c.name.text);
    }
  },
};

// Derived quantities are functions of the population parameters and
// constants (K = r / q): one value per subject, so they cannot follow states
// or time, and they may only use derived quantities declared above them.
import type { Rule } from "./context.js";
import { walkExpr } from "./expressions.js";
import { kindWords, SINCE_DOSE } from "./scope.js";

export const reportDerived: Rule = {
  name: "report-derived",
  run(ctx) {
    const { ast, scope } = ctx;
    const seen = new Set<string>();
    for (const d of ast.derived?.items ?? []) {
      if (!d?.name?.text) continue;
      walkExpr(d.expr, (e) => {
        if (e.kind !== "ref" && e.kind !== "index") return;
        const text = e.name?.text ?? "";
        const entity = scope.names.get(text);
        const timeLike = text === scope.timeName || text === SINCE_DOSE;
        if (entity?.kind === "derived" && (!seen.has(text) || text === d.name.text)) {
          ctx.report({
            severity: "error",
            code: "N1008",
            message: `the derived quantity \`${d.name.text}\` uses \`${text}\`, which is not declared above it`,
            span: e.span,
            label: text === d.name.text ? "refers to itself" : "declared later",
          });
        } else if (timeLike || entity?.kind === "state" || entity?.kind === "covariate" || entity?.kind === "doseVector") {
          const what = timeLike ? (text === SINCE_DOSE ? "the time since the last dose" : "time") : `the ${kindWords[entity!.kind].noun} \`${text}\``;
          ctx.report({
            severity: "error",
            code: "N1008",
            message: `the derived quantity \`${d.name.text}\` depends on ${what}`,
            span: e.span,
            label: entity?.kind === "covariate" ? "varies between subjects" : "varies over time",
            notes: ["derived quantities are computed from the estimated parameters and constants, once per subject"],
            help: entity?.kind === "state" ? "use it in an observation or an equation instead" : undefined,
          });
        }
      });
      seen.add(d.name.text);
    }
  },
};

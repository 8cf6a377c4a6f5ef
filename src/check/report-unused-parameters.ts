// A parameter that no equation uses cannot be estimated from the data.
import type { Rule } from "./context.js";
import { walkExpr } from "./expressions.js";

export const reportUnusedParameters: Rule = {
  name: "report-unused-parameters",
  run(ctx) {
    const { polys, layout } = ctx.facts;
    if (!polys || !layout) return;
    if (ctx.diagnostics.some((d) => d.code === "N2001")) return; // a nonlinear equation hides its parameters
    const used = new Set<number>();
    for (const poly of polys.values()) for (const m of poly.values()) for (const p of m.params) used.add(p);
    for (const c of ctx.facts.doseCoefficients?.values() ?? []) if (c.param !== undefined) used.add(c.param);
    // A parameter in an observation is already an error there (N3004), one in a dose amount is used or an error (N2016).
    const roots = [
      ...(ctx.ast.observe?.items ?? []).map((ob) => ob?.expr),
      ...(ctx.ast.doses?.items ?? []).map((d) => (d?.kind === "jump" && typeof d.amount === "object" ? d.amount : undefined)),
    ];
    for (const root of roots) {
      walkExpr(root, (e) => {
        const index = e.kind === "ref" ? layout.scalarParams.get(e.name?.text ?? "") : undefined;
        if (index !== undefined) used.add(index);
      });
    }
    const reported = new Set<string>();
    for (const p of layout.parameters) {
      if (used.has(p.index) || reported.has(p.base) || p.dictionaryTerm) continue;
      reported.add(p.base);
      ctx.report({
        severity: "warning",
        code: "N2011",
        message: `the parameter \`${p.base}\` is not used in \`dynamics\``,
        span: p.decl.name.span,
        label: "declared here",
        notes: ["only parameters of the dynamics (or of dose vectors they use, or of dose amounts) are estimated"],
        help: "use it in an equation, or remove it (if it only feeds `derived`, declare it in `constants`)",
      });
    }
  },
};

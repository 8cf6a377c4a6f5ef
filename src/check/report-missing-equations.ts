// Each state has exactly one `d/dt` equation, after loops are unrolled.
import type { Rule } from "./context.js";
import { expandModel, type ExpandedEquation } from "./expand-loops.js";

export const reportMissingEquations: Rule = {
  name: "report-missing-equations",
  run(ctx) {
    const layout = ctx.facts.layout!;
    const byState = new Map<number, ExpandedEquation[]>();
    for (const eq of expandModel(ctx.ast, layout).equations) {
      if (eq.state === undefined) continue;
      byState.set(eq.state, [...(byState.get(eq.state) ?? []), eq]);
    }
    // Missing ones are grouped per declaration: `g[3], g[7]` rather than one report per element.
    const missing = new Map<string, string[]>();
    for (const s of layout.states) {
      const eqs = byState.get(s.index) ?? [];
      if (eqs.length === 0) {
        missing.set(s.group, [...(missing.get(s.group) ?? []), s.element === undefined ? s.name : `${s.group}[${s.element}]`]);
      } else if (eqs.length > 1) {
        const [first, second] = eqs;
        ctx.report({
          severity: "error",
          code: "N2003",
          message: `state \`${s.element === undefined ? s.name : `${s.group}[${s.element}]`}\` has two \`d/dt\` equations`,
          span: second!.decl.target.span,
          label: "second equation",
          labels: [{ span: first!.decl.target.span, message: "first equation here" }],
          help: "keep one equation per state; add the terms of both into one right-hand side",
        });
      }
    }
    for (const [group, elements] of missing) {
      const decl = layout.states.find((s) => s.group === group)!.decl;
      if (ctx.ast.dynamics?.recovered) continue; // the equation may be in text that did not parse
      const shown = elements.length > 4 ? `${elements.slice(0, 3).map((e) => `\`${e}\``).join(", ")} and ${elements.length - 3} more` : elements.map((e) => `\`${e}\``).join(", ");
      ctx.report({
        severity: "error",
        code: "N2002",
        message: elements.length === 1 ? `state ${shown} has no \`d/dt\` equation` : `states ${shown} have no \`d/dt\` equation`,
        span: decl.name.span,
        label: "declared here",
        help: decl.range
          ? `add \`d/dt ${group}[i] = ... for i in ${decl.range.from?.value}..${decl.range.to?.value}\` in \`dynamics\``
          : `add \`d/dt ${group} = ...\` in \`dynamics\`, or remove the state`,
      });
    }
  },
};

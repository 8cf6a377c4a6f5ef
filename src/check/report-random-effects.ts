// Covariance blocks group parameters that vary between subjects. Each
// parameter may sit in one block once, and only if it is declared
// `~ random`: a fixed effect has no random effect to correlate.
import type { Name, Span } from "../syntax/ast.js";
import type { Rule } from "./context.js";
import { kindWords } from "./scope.js";

export const reportRandomEffects: Rule = {
  name: "report-random-effects",
  run(ctx) {
    const { ast, scope } = ctx;
    const placed = new Map<string, Span>();
    for (const block of ast.random?.items ?? []) {
      const names = (block?.params ?? []).filter((n): n is Name => Boolean(n?.text));
      for (const n of names) {
        const entity = scope.names.get(n.text);
        if (!entity) continue; // unknown: reported by report-unknown-names
        if (entity.kind !== "parameter") {
          ctx.report({
            severity: "error",
            code: "N1017",
            message: `a covariance block lists parameters, but \`${n.text}\` is a ${kindWords[entity.kind].noun}`,
            span: n.span,
            label: "not a parameter",
            labels: [{ span: entity.name.span, message: "declared here" }],
          });
          continue;
        }
        const prev = placed.get(n.text);
        if (prev) {
          const sameBlock = names.some((m) => m !== n && m.text === n.text && m.span.start < n.span.start);
          ctx.report({
            severity: "error",
            code: "N2008",
            message: sameBlock ? `\`${n.text}\` is named twice in one covariance block` : `\`${n.text}\` is in two covariance blocks`,
            span: n.span,
            label: "named again here",
            labels: [{ span: prev, message: "first named here" }],
            notes: ["each random effect belongs to exactly one covariance block"],
            help: sameBlock ? `remove the second \`${n.text}\`` : "merge the two blocks into one `covariance full (...)`",
          });
          continue;
        }
        placed.set(n.text, n.span);
        if (entity.decl.dims) {
          ctx.report({
            severity: "error",
            code: "N2012",
            message: `the parameter array \`${n.text}\` cannot be placed in a covariance block`,
            span: n.span,
            label: "parameter array",
            notes: ["the random effects of a dictionary's coefficients are independent (a diagonal covariance)"],
          });
        } else if (entity.decl.variability === "fixed") {
          ctx.report({
            severity: "error",
            code: "N2007",
            message: `\`${n.text}\` has no random effect, so it cannot be in a covariance block`,
            span: n.span,
            label: "fixed effect",
            labels: [{ span: entity.decl.span, message: "declared without `~ random`" }],
            help: `declare it as \`${n.text} ~ random\` in \`parameters\`, or remove it from this block`,
          });
        }
      }
    }
  },
};

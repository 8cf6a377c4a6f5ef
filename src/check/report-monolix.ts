// The `monolix` block says how each random parameter is distributed in the
// exported project; only Monolix's distributions exist.
import { quoteList, suggest } from "../diagnostics/suggest.js";
import type { Span } from "../syntax/ast.js";
import type { Rule } from "./context.js";
import { DISTRIBUTIONS, kindWords } from "./scope.js";

export const reportMonolix: Rule = {
  name: "report-monolix",
  run(ctx) {
    const { ast, scope } = ctx;
    const seen = new Map<string, Span>();
    for (const m of ast.monolix?.items ?? []) {
      if (!m?.param?.text) continue;
      const dist = m.distribution;
      if (dist?.text && !(DISTRIBUTIONS as readonly string[]).includes(dist.text)) {
        const near = suggest(dist.text, DISTRIBUTIONS);
        ctx.report({
          severity: "error",
          code: "N1011",
          message: `unknown distribution \`${dist.text}\``,
          span: dist.span,
          label: "not a Monolix distribution",
          notes: [`the distributions are ${quoteList(DISTRIBUTIONS)}`],
          help: near.length ? `a distribution with a similar name exists: ${quoteList(near)}` : undefined,
        });
      }
      const entity = scope.names.get(m.param.text);
      if (entity && entity.kind !== "parameter") {
        ctx.report({
          severity: "error",
          code: "N1017",
          message: `only parameters have a distribution, but \`${m.param.text}\` is a ${kindWords[entity.kind].noun}`,
          span: m.param.span,
          label: "not a parameter",
        });
      }
      const prev = seen.get(m.param.text);
      if (prev) {
        ctx.report({
          severity: "error",
          code: "N1018",
          message: `the distribution of \`${m.param.text}\` is given twice`,
          span: m.param.span,
          label: "given again here",
          labels: [{ span: prev, message: "first given here" }],
        });
      } else {
        seen.set(m.param.text, m.param.span);
      }
    }
  },
};

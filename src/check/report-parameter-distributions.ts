// The distribution a parameter declares (`~ lognormal`, `~ normal`, `positive`) must be a known word, and the
// `monolix` block, which predates it, may not say otherwise. `~ random` (the older spelling) declares no
// distribution of its own, so the `monolix` block still decides how such a parameter is exported.
import { quoteList, suggest } from "../diagnostics/suggest.js";
import type { ParameterDecl } from "../syntax/ast.js";
import type { Rule } from "./context.js";
import { DISTRIBUTION_WORDS, type Distribution } from "./scope.js";

/** The distribution a declaration fixes (logNormal for `~ lognormal` and `positive`), or undefined when it fixes none. */
export function declaredDistribution(decl: ParameterDecl | undefined): Distribution | undefined {
  switch (decl?.distribution?.text) {
    case "lognormal":
    case "positive":
      return "logNormal";
    case "normal":
      return "normal";
    default:
      return undefined;
  }
}

export const reportParameterDistributions: Rule = {
  name: "report-parameter-distributions",
  run(ctx) {
    const { ast, scope } = ctx;
    for (const p of ast.parameters?.items ?? []) {
      const word = p?.distribution;
      if (!word?.text || word.text === "positive" || word.text === "selected") continue;
      if ((DISTRIBUTION_WORDS as readonly string[]).includes(word.text)) continue;
      const near = suggest(word.text, DISTRIBUTION_WORDS);
      ctx.report({
        severity: "error",
        code: "N1030",
        message: `unknown distribution \`${word.text}\` for the parameter \`${p.name.text}\``,
        span: word.span,
        label: "not a distribution",
        notes: [`after \`~\` write ${quoteList(DISTRIBUTION_WORDS)}; \`positive\` (without \`~\`) is a positive parameter without a random effect`],
        help: near.length ? `a distribution with a similar name exists: ${quoteList(near)}` : undefined,
      });
    }
    for (const m of ast.monolix?.items ?? []) {
      if (!m?.param?.text || !m.distribution?.text) continue;
      const entity = scope.names.get(m.param.text);
      if (entity?.kind !== "parameter") continue;
      const declared = declaredDistribution(entity.decl);
      if (declared === undefined || declared === m.distribution.text) continue;
      const word = entity.decl.distribution!;
      ctx.report({
        severity: "error",
        code: "N1031",
        message: `the \`monolix\` block exports \`${m.param.text}\` as ${m.distribution.text}, but its declaration makes it ${declared}`,
        span: m.distribution.span,
        label: `conflicts with \`${word.text}\``,
        labels: [{ span: word.span, message: `declared \`${word.text === "positive" ? "" : "~ "}${word.text}\` here` }],
        notes: ["the distribution declared in `parameters` is the one estimated and exported"],
        help: `remove the line \`${m.param.text} ~ ${m.distribution.text}\` from \`monolix\`, or change the declaration`,
      });
    }
  },
};

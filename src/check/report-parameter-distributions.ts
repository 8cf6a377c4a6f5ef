// The distribution a parameter declares (`~ lognormal`, `~ normal`, `positive`) must be a known word, and the
// `monolix` block, which predates it, may not say otherwise. `~ random` (the older spelling) declares no
// distribution of its own, so the `monolix` block still decides how such a parameter is exported.
import { quoteList, suggest } from "../diagnostics/suggest.js";
import type { ParameterDecl } from "../syntax/ast.js";
import type { CheckContext, Rule } from "./context.js";
import { reportUnknownOfKind } from "./report-unknown-names.js";
import { DISTRIBUTION_WORDS, kindWords, type Distribution } from "./scope.js";

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
        message: p.initialOf
          ? `unknown distribution \`${word.text}\` for the initial value \`${p.name.text}(0)\``
          : `unknown distribution \`${word.text}\` for the parameter \`${p.name.text}\``,
        span: word.span,
        label: "not a distribution",
        notes: [`after \`~\` write ${quoteList(DISTRIBUTION_WORDS)}; \`positive\` (without \`~\`) is a positive parameter without a random effect`],
        help: near.length ? `a distribution with a similar name exists: ${quoteList(near)}` : undefined,
      });
    }
    reportInitialVariability(ctx);
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

/**
 * `H(0) ~ lognormal` in `parameters`: the variability of an estimated initial value. Only an observed state whose
 * `X(0)` is not known has one, and it takes a distribution or `positive`, nothing else.
 */
function reportInitialVariability(ctx: CheckContext): void {
  const seen = new Map<string, ParameterDecl>();
  for (const d of ctx.scope.initialVariability) {
    const text = d.name.text;
    if (reportUnknownOfKind(ctx, d.name, "state", "N1003")) continue;
    const entity = ctx.scope.names.get(text);
    if (entity && entity.kind !== "state") {
      ctx.report({
        severity: "error",
        code: "N1017",
        message: `only states have initial values, but \`${text}\` is a ${kindWords[entity.kind].noun}`,
        span: d.name.span,
        label: "not a state",
        labels: [{ span: entity.name.span, message: "declared here" }],
      });
      continue;
    }
    const problem = (message: string, span: ParameterDecl["span"], label: string, help: string, first?: ParameterDecl["span"]): void =>
      ctx.report({ severity: "error", code: "N1039", message, span, label, help, ...(first ? { labels: [{ span: first, message: "first declared here" }] } : {}) });
    const known = ctx.scope.initialValues.find((c) => c.name.text === text);
    const prev = seen.get(text);
    if (prev) {
      problem(`the variability of \`${text}(0)\` is declared twice`, d.name.span, "declared again here", `keep one \`${text}(0) ~ ...\` line`, prev.name.span);
    } else if (known) {
      problem(`\`${text}(0)\` is known (\`constants\`) and cannot also vary`, d.name.span, "declared known in `constants`", `remove \`${text}(0) = ...\` from \`constants\` to estimate it, or this line`);
    } else if (entity?.kind === "state" && entity.decl.latent) {
      problem(
        `\`${text}\` is latent, so its initial value is not estimated`,
        d.name.span,
        "a latent state",
        `give it in \`constants\` (\`${text}(0) = ...\`), or remove this line (a latent state without \`${text}(0)\` starts at 0)`,
      );
    } else if (d.variability === "selected" || d.dims) {
      problem(
        `the initial value \`${text}(0)\` takes a distribution and covariate terms only`,
        d.variabilitySpan ?? d.name.span,
        d.variability === "selected" ? "`random(selected)` is for a dictionary's coefficients" : "no indices here",
        `write \`${text}(0) ~ lognormal\`, \`${text}(0) ~ normal\` or \`${text}(0) positive\` (covariate terms after the distribution: \`${text}(0) ~ lognormal + DIET\`)`,
      );
    }
    if (!prev) seen.set(text, d);
  }
}

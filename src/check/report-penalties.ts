// Sparsity penalties apply to the coefficients of a dictionary, one penalty
// per model, with the options each method knows.
import { quoteList, suggest } from "../diagnostics/suggest.js";
import type { Rule } from "./context.js";
import { evaluateConstant } from "./expressions.js";

const OPTIONS: Record<string, string[]> = { lasso: ["lambda"], spls: ["eta", "K"] };

export const reportPenalties: Rule = {
  name: "report-penalties",
  run(ctx) {
    const { ast, scope } = ctx;
    const penalties = (ast.penalties ?? []).filter((p) => p?.kind?.text);
    penalties.slice(1).forEach((p) => {
      ctx.report({
        severity: "error",
        code: "N2014",
        message: "a model can have only one penalty",
        span: p.span,
        label: "second penalty",
        labels: [{ span: penalties[0]!.span, message: "first penalty here" }],
      });
    });
    for (const p of penalties) {
      const kind = p.kind.text;
      const options = OPTIONS[kind];
      if (!options) {
        const near = suggest(kind, Object.keys(OPTIONS));
        ctx.report({
          severity: "error",
          code: "N2013",
          message: `unknown penalty \`${kind}\``,
          span: p.kind.span,
          label: "not a penalty",
          help: near.length ? `a penalty with a similar name exists: ${quoteList(near)}` : "the penalties are `lasso` and `spls`",
        });
      }
      const entity = p.param?.text ? scope.names.get(p.param.text) : undefined;
      if (entity && (entity.kind !== "parameter" || !entity.decl.dims)) {
        ctx.report({
          severity: "error",
          code: "N2009",
          message: `a penalty applies to the coefficients of a dictionary, but \`${p.param.text}\` is not a parameter array`,
          span: p.param.span,
          label: entity.kind === "parameter" ? "a single parameter" : "not a parameter",
          labels: [{ span: entity.name.span, message: "declared here" }],
          help: "declare the coefficients as `W[g, Phi]` with `dictionary Phi = polynomial(g, ...)` and penalise `W`",
        });
      }
      for (const a of p.args ?? []) {
        if (!a?.name?.text || !options) continue;
        if (!options.includes(a.name.text)) {
          const near = suggest(a.name.text, options);
          ctx.report({
            severity: "error",
            code: "N2013",
            message: `\`${kind}\` has no option \`${a.name.text}\``,
            span: a.name.span,
            label: "unknown option",
            help: near.length ? `an option with a similar name exists: ${quoteList(near)}` : `the options are ${quoteList(options, "and")}`,
          });
          continue;
        }
        const value = evaluateConstant(a.value);
        const word = a.value?.kind === "ref" ? a.value.name.text : undefined;
        const ok =
          a.name.text === "lambda"
            ? word === "cv" || word === "ebic" || (value !== undefined && value >= 0)
            : a.name.text === "eta"
              ? value !== undefined && value >= 0 && value < 1
              : value !== undefined && Number.isInteger(value) && value >= 1;
        if (!ok) {
          const expected = a.name.text === "lambda" ? "`cv`, `ebic` or a number >= 0" : a.name.text === "eta" ? "a number in [0, 1)" : "a whole number >= 1";
          ctx.report({
            severity: "error",
            code: "N2013",
            message: `\`${a.name.text}\` must be ${expected}`,
            span: a.value?.span ?? a.span,
            label: "invalid value",
          });
        }
      }
    }
  },
};

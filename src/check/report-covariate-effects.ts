// Covariate effects on parameters (`V ~ lognormal + log(WT / 70)`, `r ~ normal + DIET`) and on estimated initial
// values (`W(0) ~ lognormal + DIET`, written the same way on the `X(0)` line). Each term is one
// effect estimated in the population step on the parameter's transformed scale, so it must be a function of
// exactly one covariate (constants allowed) and of nothing that varies with time or with the estimates. A
// categorical covariate has no numeric value: it stands alone as a term (one effect per level other than the
// reference) and nowhere in an expression.
import { quoteList, suggest } from "../diagnostics/suggest.js";
import type { CovariateDecl, CovariateTerm, Expr, Name, ParameterDecl, Span } from "../syntax/ast.js";
import type { CheckContext, Rule } from "./context.js";
import { walkExpr } from "./expressions.js";
import { AMT, kindWords, namesOfKind, SINCE_DOSE } from "./scope.js";
import { forEachExpression } from "./visit.js";

/** The covariates a term reads, in order of first use. */
export function termCovariates(ctx: Pick<CheckContext, "scope">, term: CovariateTerm): string[] {
  const found: string[] = [];
  walkExpr(term.expr, (e) => {
    if (e.kind !== "ref" && e.kind !== "index") return;
    const text = e.name?.text;
    if (text && ctx.scope.names.get(text)?.kind === "covariate" && !found.includes(text)) found.push(text);
  });
  return found;
}

/** How a declaration is named in messages: `V`, or `W(0)` for an initial value. */
function shown(p: ParameterDecl): string {
  return p.initialOf ? `${p.name.text}(0)` : p.name.text;
}

/** The stem of its coefficients' names: `beta_V_WT`, and `beta_W0_DIET` for the initial value of W (the exports' `W0`). */
export function coefficientStem(p: Pick<ParameterDecl, "name" | "initialOf">): string {
  return p.initialOf ? `${p.name.text}0` : p.name.text;
}

export function isCategorical(decl: CovariateDecl | undefined): boolean {
  return decl?.categorical !== undefined;
}

export const reportCovariateEffects: Rule = {
  name: "report-covariate-effects",
  run(ctx) {
    const { ast } = ctx;
    for (const p of ast.parameters?.items ?? []) {
      const terms = (p?.covariateTerms ?? []).filter((t) => t?.expr);
      if (!p?.name?.text || terms.length === 0) continue;
      if (reportTermsNotAllowed(ctx, p, terms)) continue;
      const used = new Map<string, Span>();
      for (const term of terms) {
        if (!reportTermNames(ctx, p, term)) continue;
        const covariates = termCovariates(ctx, term);
        if (covariates.length !== 1) {
          ctx.report({
            severity: "error",
            code: "N1034",
            message:
              covariates.length === 0
                ? `the covariate term of \`${shown(p)}\` reads no covariate`
                : `the covariate term of \`${shown(p)}\` reads ${covariates.length} covariates: ${quoteList(covariates, "and")}`,
            span: term.expr.span,
            label: covariates.length === 0 ? "a constant" : "one covariate per term",
            notes: [
              covariates.length === 0
                ? "a term without a covariate is the same for every subject: the typical value already estimates it"
                : "each term is one effect with its own coefficient, named after its covariate",
            ],
            help: covariates.length === 0 ? "remove the term" : `write one term per covariate: \`${covariates.map((c) => `+ ${c}`).join(" ")}\``,
          });
          continue;
        }
        const covariate = covariates[0]!;
        const entity = ctx.scope.names.get(covariate);
        if (entity?.kind === "covariate" && isCategorical(entity.decl) && !(term.expr.kind === "ref" && term.expr.name.text === covariate)) {
          reportCategoricalArithmetic(ctx, covariate, term.expr.span, entity.decl, "as a term, a categorical covariate stands alone");
          continue;
        }
        const prev = used.get(covariate);
        if (prev) {
          ctx.report({
            severity: "error",
            code: "N1037",
            message: `\`${covariate}\` has two effects on \`${shown(p)}\``,
            span: term.expr.span,
            label: "second effect",
            labels: [{ span: prev, message: "first effect" }],
            notes: [`each covariate has one coefficient per parameter (\`beta_${coefficientStem(p)}_${covariate}\`)`],
            help: "keep one of the two terms",
          });
          continue;
        }
        used.set(covariate, term.expr.span);
      }
    }

    // A categorical covariate has levels, not a value: in an expression it would read the runtime's level codes.
    forEachExpression(ast, (root, site) => {
      if (site.section === "parameters") return;
      walkExpr(root, (e) => {
        if (e.kind !== "ref" && e.kind !== "index") return;
        const entity = e.name?.text ? ctx.scope.names.get(e.name.text) : undefined;
        if (entity?.kind === "covariate" && isCategorical(entity.decl)) {
          reportCategoricalArithmetic(ctx, entity.name.text, e.span, entity.decl, `used in \`${site.section}\``);
        }
      });
    });

    for (const c of ast.covariates?.items ?? []) {
      const arg = c?.categorical?.argName;
      if (!arg?.text || arg.text === "reference") continue;
      ctx.report({
        severity: "error",
        code: "N1038",
        message: `unknown argument \`${arg.text}\` of \`categorical\``,
        span: arg.span,
        label: "not an argument of `categorical`",
        notes: ["`categorical(reference = LEVEL)` names the reference level; without it the first level in sorted order is the reference"],
        help: `write \`categorical(reference = ${c.categorical!.reference?.quoted ? `"${c.categorical!.reference.text}"` : (c.categorical!.reference?.text ?? '"F"')})\``,
      });
    }
  },
};

/** Terms on a parameter array or a `random(selected)` parameter: the population step has no place for them. */
function reportTermsNotAllowed(ctx: CheckContext, p: ParameterDecl, terms: CovariateTerm[]): boolean {
  if (p.variability !== "selected" && !p.dims) return false;
  const first = terms[0]!;
  const last = terms[terms.length - 1]!;
  ctx.report({
    severity: "error",
    code: "N1035",
    message: p.dims
      ? `the parameter array \`${p.name.text}\` cannot have covariate effects`
      : `\`${p.name.text}\` is \`random(selected)\`, so it cannot have covariate effects`,
    span: { start: first.span.start, end: last.expr.span.end },
    label: "covariate terms",
    labels: p.variabilitySpan ? [{ span: p.variabilitySpan, message: p.dims ? "a dictionary's coefficients" : "selected by the penalty" }] : undefined,
    notes: ["covariate effects apply to scalar parameters declared `~ lognormal` or `~ normal`"],
    help: "remove the covariate terms",
  });
  return true;
}

/** Reports names a term may not read; true when the term reads only covariates, constants and builtins. */
function reportTermNames(ctx: CheckContext, p: ParameterDecl, term: CovariateTerm): boolean {
  let ok = true;
  walkExpr(term.expr, (e: Expr) => {
    if (e.kind !== "ref" && e.kind !== "index") return;
    const n: Name | undefined = e.name;
    if (!n?.text || n.text === SINCE_DOSE || n.text === AMT) {
      if (n?.text) ok = false; // reported by report-dose-usage
      return;
    }
    const entity = ctx.scope.names.get(n.text);
    const kind = entity?.kind ?? (n.text === ctx.scope.timeName ? "time" : undefined);
    if (kind === "covariate" || kind === "constant") return;
    ok = false;
    if (kind === undefined) {
      const near = suggest(n.text, namesOfKind(ctx.scope, ["covariate"]));
      ctx.report({
        severity: "error",
        code: "N1032",
        message: `unknown covariate \`${n.text}\` in a covariate term of \`${shown(p)}\``,
        span: n.span,
        label: "not declared in `covariates`",
        help: near.length
          ? `a covariate with a similar name exists: ${quoteList(near)}`
          : `declare it in \`covariates { ${n.text} }\` (a data column of that name)`,
      });
      return;
    }
    ctx.report({
      severity: "error",
      code: "N1033",
      message: `a covariate term reads covariates and constants only, but \`${n.text}\` is a ${kindWords[kind].noun}`,
      span: n.span,
      label: `a ${kindWords[kind].noun}`,
      labels: entity ? [{ span: entity.name.span, message: "declared here" }] : undefined,
      notes: [
        `a term is the same for all of a subject's samples and is multiplied by its own coefficient (\`beta_${coefficientStem(p)}_COVARIATE\`)`,
      ],
      help:
        kind === "parameter"
          ? "a relation between parameters belongs in `dynamics` or `derived`"
          : kind === "state" || kind === "time"
            ? "a time-varying effect belongs in `dynamics`"
            : undefined,
    });
  });
  return ok;
}

function reportCategoricalArithmetic(ctx: CheckContext, name: string, span: Span, decl: CovariateDecl, label: string): void {
  ctx.report({
    severity: "error",
    code: "N1036",
    message: `the categorical covariate \`${name}\` has no numeric value`,
    span,
    label,
    labels: decl.categorical ? [{ span: decl.categorical.span, message: "declared categorical here" }] : undefined,
    notes: ["a categorical covariate's levels are labels; its effect on a parameter is one coefficient per level other than the reference"],
    help: `write \`+ ${name}\` after the distribution of the parameter it acts on (e.g. \`r ~ normal + ${name}\`), or declare \`${name}\` without \`categorical\` if its values are numbers`,
  });
}

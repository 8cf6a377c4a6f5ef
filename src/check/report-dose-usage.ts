// Dose-related names only make sense where doses exist: `since_dose` and
// dose vectors need a `doses` section, `amt` stands alone on the right of
// `X += amt`, vectors are per-dose values and live in `doses` only.
import type { Rule } from "./context.js";
import { walkExpr } from "./expressions.js";
import { AMT, kindWords, SINCE_DOSE } from "./scope.js";
import { forEachExpression } from "./visit.js";
import { withoutAmt } from "./analyse-doses.js";
import type { DoseDecl } from "../syntax/ast.js";

function amtIsFactor(owner: DoseDecl): boolean {
  return owner.kind === "jump" && typeof owner.amount === "object" && withoutAmt(owner.amount) !== "bad";
}

export const reportDoseUsage: Rule = {
  name: "report-dose-usage",
  run(ctx) {
    const { ast, scope } = ctx;
    const hasDoses = (ast.doses?.items ?? []).length > 0 || ast.doses !== undefined;
    forEachExpression(ast, (root, site) => {
      walkExpr(root, (e) => {
        // Per-dose vectors are visited item by item, so any vector met here is misplaced.
        if (e.kind === "vector") {
          ctx.report({
            severity: "error",
            code: "N2015",
            message: "a vector of values is only allowed as a per-dose value in `doses`",
            span: e.span,
            label: "vector here",
            help: "declare it in `doses`, e.g. `strength = [1, fM2]`, and use its name here",
          });
          return false;
        }
        if (e.kind !== "ref" || !e.name?.text) return;
        const text = e.name.text;
        if (text === AMT && site.section === "doses" && amtIsFactor(site.owner as DoseDecl)) {
          // `amt / V`, `amt * F`: the AMT column times a factor (analyse-doses.ts).
        } else if (text === AMT) {
          ctx.report({
            severity: "error",
            code: "N1013",
            message: site.section === "doses" ? "`amt` must be a factor of the dose amount" : "`amt` is only allowed in `doses`",
            span: e.span,
            label: site.section === "doses" ? "not a factor of the amount" : `used in \`${site.section}\``,
            notes: ["`amt` is the AMT column of each dose record; it is known only at the administration"],
            help: site.section === "doses" ? "write `X += amt`, `X += amt / V` or `X += amt * F`, or declare a per-dose vector" : "write `X += amt` in `doses` to make state X jump by each amount",
          });
        } else if (text === SINCE_DOSE && !hasDoses) {
          ctx.report({
            severity: "error",
            code: "N1012",
            message: "`since_dose` is used but the model has no `doses` section",
            span: e.span,
            label: "time since the last administration",
            help: "add a `doses` section that says what each administration does",
          });
        } else if (text === SINCE_DOSE && site.section !== "dynamics") {
          ctx.report({
            severity: "error",
            code: "N1017",
            message: `\`since_dose\` can only be used in \`dynamics\``,
            span: e.span,
            label: `used in \`${site.section}\``,
          });
        } else if (scope.names.get(text)?.kind === "doseVector" && site.section !== "dynamics") {
          ctx.report({
            severity: "error",
            code: "N1017",
            message: `the dose vector \`${text}\` can only be used in \`dynamics\``,
            span: e.span,
            label: `used in \`${site.section}\``,
          });
        }
        return undefined;
      });
    });

    for (const d of ast.doses?.items ?? []) {
      if (d?.kind !== "jump" || !d.target?.text) continue;
      const target = scope.names.get(d.target.text);
      if (target && target.kind !== "state") {
        ctx.report({
          severity: "error",
          code: "N1017",
          message: `only a state can receive a dose, but \`${d.target.text}\` is a ${kindWords[target.kind].noun}`,
          span: d.target.span,
          label: "not a state",
          labels: [{ span: target.name.span, message: "declared here" }],
        });
      } else if (target?.kind === "state" && target.decl.range) {
        ctx.report({
          severity: "error",
          code: "N1015",
          message: `doses go to a single state, but \`${d.target.text}\` has several elements`,
          span: d.target.span,
          label: "indexed state",
        });
      }
      if (d.amount && typeof d.amount === "object") {
        walkExpr(d.amount, (e) => {
          const entity = e.kind === "ref" ? scope.names.get(e.name?.text ?? "") : undefined;
          // Parameters are analysed with the structure (analyse-doses.ts): `amt / V` is allowed.
          if (entity && entity.kind !== "constant" && entity.kind !== "covariate" && entity.kind !== "parameter") {
            ctx.report({
              severity: "error",
              code: "N2016",
              message: `a dose amount must be known, but it uses the ${kindWords[entity.kind].noun} \`${entity.name.text}\``,
              span: e.span,
              label: "not known before fitting",
            });
          }
        });
      }
    }
  },
};

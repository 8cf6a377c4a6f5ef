// Every name must resolve in the namespace its position calls for: any
// declared name inside expressions, states where a state is meant, and so
// on. Suggestions come from that namespace only.
import type { Name } from "../syntax/ast.js";
import { quoteList, suggest } from "../diagnostics/suggest.js";
import type { CheckContext, Rule } from "./context.js";
import { walkExpr } from "./expressions.js";
import { kindWords, namesOfKind, SINCE_DOSE, AMT, type EntityKind } from "./scope.js";
import { forEachExpression } from "./visit.js";

function helpFor(ctx: CheckContext, near: string[]): string | undefined {
  if (near.length === 0) return undefined;
  if (near.length === 1) {
    const e = ctx.scope.names.get(near[0]!);
    const noun = e ? kindWords[e.kind].noun : near[0] === SINCE_DOSE ? "builtin" : "name";
    return `a ${noun} with a similar name exists: \`${near[0]}\``;
  }
  return `names with a similar spelling exist: ${quoteList(near)}`;
}

/** A name that must be of one kind (`random`, `monolix`, dose targets, ...). */
export function reportUnknownOfKind(ctx: CheckContext, name: Name | undefined, kind: EntityKind, code: string): boolean {
  if (!name?.text) return false;
  const entity = ctx.scope.names.get(name.text);
  if (entity?.kind === kind) return false;
  if (entity) return false; // declared as something else: the rule for that position says what is wrong
  const words = kindWords[kind];
  const near = suggest(name.text, namesOfKind(ctx.scope, [kind]));
  ctx.report({
    severity: "error",
    code,
    message: `unknown ${words.noun} \`${name.text}\``,
    span: name.span,
    label: `not declared in \`${words.section}\``,
    help: near.length ? `a ${words.noun} with a similar name exists: ${quoteList(near)}` : undefined,
  });
  return true;
}

export const reportUnknownNames: Rule = {
  name: "report-unknown-names",
  run(ctx) {
    const { ast, scope } = ctx;
    forEachExpression(ast, (root, site) => {
      // A covariate term names covariates only: report-covariate-effects says so, with covariates to suggest.
      if (site.section === "parameters") return;
      const loopName = site.loop?.index?.text;
      walkExpr(root, (e) => {
        if (e.kind === "dot") {
          // The right side names a dictionary, not a value.
          if (e.right?.kind === "ref") reportUnknownOfKind(ctx, e.right.name, "dictionary", "N1004");
          walkExpr(e.left, (inner) => void checkRef(inner));
          return false;
        }
        checkRef(e);
        return undefined;
      });

      function checkRef(e: typeof root): void {
        if (e.kind !== "ref" && e.kind !== "index") return;
        const text = e.name?.text;
        if (!text) return;
        if (text === loopName || text === scope.timeName || text === SINCE_DOSE || text === AMT) return;
        if (scope.names.has(text)) return;
        const candidates = [
          ...namesOfKind(scope, ["state", "constant", "covariate", "parameter", "derived", "doseVector", "time"]),
          ...(loopName ? [loopName] : []),
          ...(site.section === "dynamics" ? [SINCE_DOSE] : []),
        ];
        const near = suggest(text, candidates);
        ctx.report({
          severity: "error",
          code: "N1001",
          message: `unknown name \`${text}\``,
          span: e.name.span,
          label: "not declared in this model",
          help: helpFor(ctx, near),
        });
      }
    });

    for (const eq of ast.dynamics?.items ?? []) reportUnknownOfKind(ctx, eq?.target?.name, "state", "N1003");
    for (const c of scope.initialValues) reportUnknownOfKind(ctx, c.name, "state", "N1003");
    for (const d of ast.doses?.items ?? []) if (d?.kind === "jump") reportUnknownOfKind(ctx, d.target, "state", "N1003");
    for (const d of ast.dictionaries ?? []) for (const n of d?.over ?? []) reportUnknownOfKind(ctx, n, "state", "N1003");
    for (const p of ast.parameters?.items ?? []) {
      if (!p?.dims) continue;
      reportUnknownOfKind(ctx, p.dims[0], "state", "N1003");
      reportUnknownOfKind(ctx, p.dims[1], "dictionary", "N1004");
    }
    for (const block of ast.random?.items ?? []) for (const n of block?.params ?? []) reportUnknownOfKind(ctx, n, "parameter", "N1002");
    for (const m of ast.monolix?.items ?? []) reportUnknownOfKind(ctx, m?.param, "parameter", "N1002");
    for (const p of ast.penalties ?? []) reportUnknownOfKind(ctx, p?.param, "parameter", "N1002");
  },
};

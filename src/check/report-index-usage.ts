// Indexed states are used with one whole-number index inside their range,
// scalar states without one. A loop variable is tried at every value of its
// loop, and a loop that runs past the states is reported at the loop.
import type { Expr, ForClause, IndexRef, Name, Span } from "../syntax/ast.js";
import type { CheckContext, Rule } from "./context.js";
import { evaluateConstant, isSlice, walkExpr } from "./expressions.js";
import { kindWords } from "./scope.js";
import { forEachExpression } from "./visit.js";

function mentions(e: Expr, name: string): boolean {
  let found = false;
  walkExpr(e, (x) => {
    if (x.kind === "ref" && x.name?.text === name) found = true;
  });
  return found;
}

/** Check one index expression of state group `name` declared as `from..to`. */
export function checkIndex(
  ctx: CheckContext,
  index: Expr,
  name: Name,
  range: { from: number; to: number },
  loop: ForClause | undefined,
  whole: Span,
): void {
  const loopName = loop?.index?.text;
  const values: { at?: number; value: number | undefined }[] = [];
  if (loopName && loop.from && loop.to && mentions(index, loopName)) {
    for (let v = loop.from.value; v <= loop.to.value; v++) values.push({ at: v, value: evaluateConstant(index, (n) => (n === loopName ? v : undefined)) });
  } else {
    values.push({ value: evaluateConstant(index) });
  }
  const declared = `\`${name.text}\` has elements ${range.from}..${range.to}`;
  const notWhole = values.find((v) => v.value === undefined || !Number.isInteger(v.value));
  if (notWhole) {
    ctx.report({
      severity: "error",
      code: "N1015",
      message: `the index of \`${name.text}\` must be a whole number${loopName ? " or the loop index" : ""}`,
      span: index.span,
      label: notWhole.value === undefined ? "not a number known before fitting" : `evaluates to ${notWhole.value}`,
    });
    return;
  }
  const outside = values.filter((v) => v.value! < range.from || v.value! > range.to);
  if (outside.length === 0) return;
  const first = outside[0]!;
  if (first.at !== undefined && loop) {
    ctx.report({
      severity: "error",
      code: "N1014",
      message: `the loop reaches \`${name.text}[${first.value}]\`, outside the declared range`,
      span: loop.span,
      label: `\`${loopName}\` runs from ${loop.from.value} to ${loop.to.value}`,
      labels: [{ span: whole, message: `${declared}` }],
      help: `make the loop stay within ${range.from}..${range.to}`,
    });
  } else {
    ctx.report({
      severity: "error",
      code: "N1014",
      message: `index ${first.value} is out of range for \`${name.text}\``,
      span: index.span,
      label: declared,
    });
  }
}

export const reportIndexUsage: Rule = {
  name: "report-index-usage",
  run(ctx) {
    const { ast, scope } = ctx;

    const useOf = (e: IndexRef | Expr, loop: ForClause | undefined, insideDot: boolean): void => {
      if (e.kind !== "ref" && e.kind !== "index") return;
      const entity = scope.names.get(e.name?.text ?? "");
      if (!entity) return;
      const name = e.name;
      if (entity.kind === "state") {
        if (entity.decl.range && entity.range) {
          if (e.kind === "ref") {
            ctx.report({
              severity: "error",
              code: "N1015",
              message: `\`${name.text}\` has several elements and needs an index`,
              span: e.span,
              label: `${entity.range.to - entity.range.from + 1} states`,
              help: `write \`${name.text}[i]\` inside a loop, or a fixed element such as \`${name.text}[${entity.range.from}]\``,
            });
          } else if (e.indices.length !== 1 || isSlice(e.indices[0])) {
            ctx.report({ severity: "error", code: "N1015", message: `\`${name.text}\` takes exactly one index`, span: e.span, label: "one index expected" });
          } else {
            checkIndex(ctx, e.indices[0] as Expr, name, entity.range, loop, e.span);
          }
        } else if (e.kind === "index") {
          ctx.report({
            severity: "error",
            code: "N1015",
            message: `\`${name.text}\` is a single state and cannot be indexed`,
            span: e.span,
            label: "index on a scalar state",
            labels: [{ span: entity.name.span, message: "declared without a range" }],
          });
        }
        return;
      }
      if (entity.kind === "parameter" && entity.decl.dims) {
        if (!insideDot) {
          ctx.report({
            severity: "error",
            code: "N2012",
            message: `the parameter array \`${name.text}\` can only be used as \`${name.text}[i, :] . ${entity.decl.dims[1]?.text ?? "Phi"}\``,
            span: e.span,
            label: "used on its own",
          });
        }
        return;
      }
      if (entity.kind === "dictionary") {
        if (!insideDot) {
          ctx.report({
            severity: "error",
            code: "N1017",
            message: `the dictionary \`${name.text}\` can only be used on the right of \`.\``,
            span: e.span,
            label: "not a value",
            help: `write \`W[i, :] . ${name.text}\` with a parameter array declared as \`W[g, ${name.text}]\``,
          });
        }
        return;
      }
      if (e.kind === "index") {
        ctx.report({
          severity: "error",
          code: "N1015",
          message: `the ${kindWords[entity.kind].noun} \`${name.text}\` cannot be indexed`,
          span: e.span,
          label: "not indexed",
          labels: [{ span: entity.name.span, message: "declared here" }],
        });
      }
    };

    forEachExpression(ast, (root, site) => {
      if (site.section === "target") return;
      walkExpr(root, (e) => {
        if (e.kind === "dot") {
          if (e.left) {
            useOf(e.left, site.loop, true);
            if (e.left.kind === "index") for (const a of e.left.indices ?? []) if (a && !isSlice(a)) walkExpr(a, (x) => void useOf(x, site.loop, false));
          }
          if (e.right) useOf(e.right, site.loop, true);
          return false;
        }
        useOf(e, site.loop, false);
        return undefined;
      });
    });

    // `d/dt g[i] = ...` targets: an indexed state needs an index in range, a scalar none.
    for (const eq of ast.dynamics?.items ?? []) {
      const name = eq?.target?.name;
      const entity = scope.names.get(name?.text ?? "");
      if (!name || entity?.kind !== "state") continue;
      if (entity.decl.range && entity.range) {
        if (!eq.target.index) {
          ctx.report({
            severity: "error",
            code: "N1015",
            message: `\`${name.text}\` has several elements: the equation needs an index`,
            span: eq.target.span,
            label: "no index",
            help: `write \`d/dt ${name.text}[i] = ... for i in ${entity.range.from}..${entity.range.to}\``,
          });
        } else {
          checkIndex(ctx, eq.target.index, name, entity.range, eq.loop, eq.target.span);
        }
      } else if (eq.target.index) {
        ctx.report({
          severity: "error",
          code: "N1015",
          message: `\`${name.text}\` is a single state and cannot be indexed`,
          span: eq.target.span,
          label: "index on a scalar state",
        });
      }
    }
  },
};

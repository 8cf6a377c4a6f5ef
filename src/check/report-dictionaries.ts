// Dictionaries (`polynomial(g, degree = 2)`), the parameter arrays indexed by
// them (`W[g, Phi]`) and their one use, the row-times-dictionary product
// `W[i, :] . Phi`.
import { quoteList, suggest } from "../diagnostics/suggest.js";
import type { Expr } from "../syntax/ast.js";
import type { CheckContext, Rule } from "./context.js";
import { isSlice, walkExpr } from "./expressions.js";
import { dictionaryConstant, dictionaryDegree, MAX_DICTIONARY_TERMS } from "./layout.js";
import { checkIndex } from "./report-index-usage.js";
import { kindWords } from "./scope.js";
import { forEachExpression } from "./visit.js";

const DICTIONARY_ARGS = ["degree", "constant"];

function reportDictionaryDecls(ctx: CheckContext): void {
  const { ast, scope } = ctx;
  for (const d of ast.dictionaries ?? []) {
    if (!d?.name) continue;
    if (d.family?.text && d.family.text !== "polynomial") {
      ctx.report({
        severity: "error",
        code: "N2010",
        message: `unknown dictionary family \`${d.family.text}\``,
        span: d.family.span,
        label: "only `polynomial` is available",
        help: `write \`dictionary ${d.name.text} = polynomial(...)\``,
      });
    }
    if ((d.over ?? []).length === 0) {
      ctx.report({ severity: "error", code: "N2010", message: `the dictionary \`${d.name.text}\` names no states`, span: d.span, label: "no states" });
    }
    for (const n of d.over ?? []) {
      const e = scope.names.get(n?.text ?? "");
      if (e && e.kind !== "state") {
        ctx.report({
          severity: "error",
          code: "N1017",
          message: `a dictionary is built over states, but \`${n.text}\` is a ${kindWords[e.kind].noun}`,
          span: n.span,
          label: "not a state",
        });
      }
    }
    for (const a of d.args ?? []) {
      if (!a?.name?.text) continue;
      if (!DICTIONARY_ARGS.includes(a.name.text)) {
        const near = suggest(a.name.text, DICTIONARY_ARGS);
        ctx.report({
          severity: "error",
          code: "N2010",
          message: `unknown dictionary option \`${a.name.text}\``,
          span: a.name.span,
          label: "not an option of `polynomial`",
          help: near.length ? `an option with a similar name exists: ${quoteList(near)}` : "the options are `degree` and `constant`",
        });
      }
    }
    const degreeArg = (d.args ?? []).find((a) => a?.name?.text === "degree");
    if (degreeArg && dictionaryDegree(d) === undefined) {
      ctx.report({ severity: "error", code: "N2010", message: "the degree of a polynomial dictionary must be a whole number of at least 1", span: degreeArg.value?.span ?? degreeArg.span, label: "not a whole number >= 1" });
    }
    const flat = ctx.facts.layout?.dictionaries.get(d.name.text);
    if (flat && flat.decl === d && flat.termCount > MAX_DICTIONARY_TERMS) {
      const count = flat.termCount > 1e15 ? "over 10^15" : flat.termCount.toLocaleString("en-US");
      ctx.report({
        severity: "error",
        code: "N2010",
        message: `the dictionary \`${d.name.text}\` has ${count} terms (degree ${flat.degree} over ${flat.over.length} states): at most ${MAX_DICTIONARY_TERMS.toLocaleString("en-US")} can be estimated`,
        span: degreeArg?.value?.span ?? degreeArg?.span ?? d.span,
        label: `${count} terms`,
        help: "lower the degree, or build the dictionary over fewer states",
      });
    }
    const constantArg = (d.args ?? []).find((a) => a?.name?.text === "constant");
    if (constantArg && dictionaryConstant(d) === undefined) {
      ctx.report({ severity: "error", code: "N2010", message: "`constant` must be `true` or `false`", span: constantArg.value?.span ?? constantArg.span, label: "not `true` or `false`" });
    }
  }
}

function reportArrayDims(ctx: CheckContext): void {
  const { ast, scope } = ctx;
  for (const p of ast.parameters?.items ?? []) {
    if (!p?.dims) continue;
    const [row, dict] = p.dims;
    const rowEntity = scope.names.get(row?.text ?? "");
    const dictEntity = scope.names.get(dict?.text ?? "");
    if (p.dims.length !== 2) {
      ctx.report({
        severity: "error",
        code: "N2012",
        message: `a parameter array is indexed by a state and a dictionary, e.g. \`${p.name.text}[g, Phi]\``,
        span: p.name.span,
        label: `${p.dims.length} dimension${p.dims.length === 1 ? "" : "s"} given`,
      });
      continue;
    }
    if (rowEntity && rowEntity.kind !== "state") {
      ctx.report({ severity: "error", code: "N2012", message: `the rows of \`${p.name.text}\` must be states, but \`${row!.text}\` is a ${kindWords[rowEntity.kind].noun}`, span: row!.span, label: "not a state" });
    }
    if (dictEntity && dictEntity.kind !== "dictionary") {
      ctx.report({ severity: "error", code: "N2012", message: `the columns of \`${p.name.text}\` must be a dictionary, but \`${dict!.text}\` is a ${kindWords[dictEntity.kind].noun}`, span: dict!.span, label: "not a dictionary" });
    }
  }
}

function reportDots(ctx: CheckContext): void {
  const { ast, scope } = ctx;
  forEachExpression(ast, (root, site) => {
    walkExpr(root, (e) => {
      if (e.kind !== "dot") return;
      if (site.section !== "dynamics") {
        ctx.report({ severity: "error", code: "N2012", message: "a dictionary product can only be used in `dynamics`", span: e.span, label: `used in \`${site.section}\`` });
        return false;
      }
      const left = e.left as Expr | undefined;
      const right = e.right as Expr | undefined;
      const arrayEntity = left && (left.kind === "index" || left.kind === "ref") ? scope.names.get(left.name?.text ?? "") : undefined;
      const dims = arrayEntity?.kind === "parameter" ? arrayEntity.decl.dims : undefined;
      const usage = "write `W[i, :] . Phi`, with `W[g, Phi]` declared in `parameters`";
      if (!left || left.kind !== "index" || !dims || left.indices.length !== 2 || isSlice(left.indices[0]) || !isSlice(left.indices[1])) {
        if (arrayEntity || left?.kind !== "ref" || scope.names.has(left.name?.text ?? "")) {
          ctx.report({ severity: "error", code: "N2012", message: "the left of `.` must be one row of a parameter array", span: left?.span ?? e.span, label: "not a row `W[i, :]`", help: usage });
        }
        return false;
      }
      if (!right || right.kind !== "ref") {
        ctx.report({ severity: "error", code: "N2012", message: "the right of `.` must be a dictionary", span: right?.span ?? e.span, label: "not a dictionary", help: usage });
        return false;
      }
      const declaredDictionary = scope.names.get(dims[1]?.text ?? "")?.kind === "dictionary";
      if (declaredDictionary && scope.names.get(right.name.text)?.kind === "dictionary" && dims[1]?.text !== right.name.text) {
        ctx.report({
          severity: "error",
          code: "N2012",
          message: `\`${left.name.text}\` is indexed by \`${dims[1]?.text}\`, not by \`${right.name.text}\``,
          span: right.span,
          label: "another dictionary",
          labels: [{ span: arrayEntity!.name.span, message: `declared as \`${left.name.text}[${dims.map((d) => d?.text).join(", ")}]\`` }],
        });
      }
      const rowGroup = scope.names.get(dims[0]?.text ?? "");
      if (rowGroup?.kind === "state" && rowGroup.range) {
        checkIndex(ctx, left.indices[0] as Expr, dims[0]!, rowGroup.range, site.loop, left.span);
      }
      return false;
    });
  });
}

export const reportDictionaries: Rule = {
  name: "report-dictionaries",
  run(ctx) {
    reportDictionaryDecls(ctx);
    reportArrayDims(ctx);
    reportDots(ctx);
  },
};

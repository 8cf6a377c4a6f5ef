// Only the built-in functions exist, each with one argument.
import { quoteList, suggest } from "../diagnostics/suggest.js";
import type { Rule } from "./context.js";
import { walkExpr } from "./expressions.js";
import { BUILTIN_FUNCTIONS } from "./scope.js";
import { forEachExpression } from "./visit.js";

export const reportBuiltinCalls: Rule = {
  name: "report-builtin-calls",
  run(ctx) {
    forEachExpression(ctx.ast, (root) =>
      walkExpr(root, (e) => {
        if (e.kind !== "call" || !e.callee?.text) return;
        const fn = e.callee.text;
        const arity = BUILTIN_FUNCTIONS[fn];
        if (arity === undefined) {
          const near = suggest(fn, Object.keys(BUILTIN_FUNCTIONS));
          ctx.report({
            severity: "error",
            code: "N1009",
            message: `unknown function \`${fn}\``,
            span: e.callee.span,
            label: "not a built-in function",
            notes: [`the built-in functions are ${quoteList(Object.keys(BUILTIN_FUNCTIONS), "and")}`],
            help: near.length ? `a function with a similar name exists: ${quoteList(near)}` : undefined,
          });
        } else if ((e.args ?? []).length !== arity) {
          const n = (e.args ?? []).length;
          ctx.report({
            severity: "error",
            code: "N1010",
            message: `\`${fn}\` takes ${arity} argument${arity === 1 ? "" : "s"} but ${n} ${n === 1 ? "was" : "were"} given`,
            span: e.span,
            label: `expected ${arity} argument${arity === 1 ? "" : "s"}`,
          });
        }
      }),
    );
  },
};

// Keywords cannot name anything. The parser already rejects most of these
// (N0010); this rule keeps the guarantee for every AST the checker receives,
// whichever way it was built.
import { reservedWords } from "../../grammar/tokens.js";
import type { Rule } from "./context.js";
import { SINCE_DOSE } from "./scope.js";

const reserved = new Set<string>([...reservedWords, SINCE_DOSE]);

export const reportReservedNames: Rule = {
  name: "report-reserved-names",
  run(ctx) {
    const { scope, ast } = ctx;
    const names = [
      ...scope.declarations.map((e) => e.name),
      ...(ast.observe?.items ?? []).map((o) => o?.target?.name),
      ...[...(ast.dynamics?.items ?? []), ...(ast.observe?.items ?? [])].map((x) => x?.loop?.index),
    ];
    for (const name of names) {
      if (!name?.text || !reserved.has(name.text)) continue;
      ctx.report({
        severity: "error",
        code: "N1007",
        message: `\`${name.text}\` is a reserved word and cannot be used as a name`,
        span: name.span,
        label: "reserved word",
        help: `pick another name, e.g. \`${name.text}_\``,
      });
    }
  },
};

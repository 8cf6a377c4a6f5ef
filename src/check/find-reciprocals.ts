// A parameter that appears only as a divisor (`amt / V`, `A / V`) everywhere
// in the dynamics, doses and observations enters every term as 1/V: linear
// in its reciprocal. The estimator then fits the coefficient 1/V and reports
// V as its inverse. Derived quantities do not count: they are computed from
// the reported (natural) values.
import type { Expr } from "../syntax/ast.js";
import type { Rule } from "./context.js";
import { walkExpr } from "./expressions.js";

export const findReciprocals: Rule = {
  name: "find-reciprocals",
  run(ctx) {
    const { layout, env } = ctx.facts;
    if (!layout || !env) return;
    const divisors = new Set<Expr>();
    const uses = new Map<number, { all: number; divisor: number }>();
    const roots: Expr[] = [];
    for (const eq of ctx.ast.dynamics?.items ?? []) if (eq?.rhs) roots.push(eq.rhs);
    // An observation cannot use a parameter at all (N3004, or rewritten away before this rule): any use there counts as not a divisor.
    const observed: Expr[] = [];
    for (const ob of ctx.ast.observe?.items ?? []) if (ob?.expr) observed.push(ob.expr);
    for (const d of ctx.ast.doses?.items ?? []) {
      if (d?.kind === "jump" && d.amount && typeof d.amount === "object") roots.push(d.amount);
      if (d?.kind === "vector") for (const v of d.values?.items ?? []) if (v) roots.push(v);
    }
    for (const root of roots) {
      walkExpr(root, (e) => {
        if (e.kind === "binary" && e.op === "/" && e.right?.kind === "ref") divisors.add(e.right);
        if (e.kind !== "ref") return;
        const index = layout.scalarParams.get(e.name?.text ?? "");
        if (index === undefined) return;
        const u = uses.get(index) ?? { all: 0, divisor: 0 };
        u.all++;
        if (divisors.has(e)) u.divisor++;
        uses.set(index, u);
      });
    }
    for (const root of observed) {
      walkExpr(root, (e) => {
        const index = e.kind === "ref" ? layout.scalarParams.get(e.name?.text ?? "") : undefined;
        if (index !== undefined) uses.set(index, { all: (uses.get(index)?.all ?? 0) + 1, divisor: uses.get(index)?.divisor ?? 0 });
      });
    }
    const reciprocals = new Set<number>();
    for (const [index, u] of uses) if (u.all > 0 && u.all === u.divisor) reciprocals.add(index);
    ctx.facts.reciprocals = reciprocals;
    env.reciprocals = reciprocals;
    for (const index of reciprocals) {
      const p = layout.parameters[index]!;
      ctx.report({
        severity: "note",
        code: "N2018",
        message: `\`${p.name}\` is estimated as its reciprocal \`1/${p.name}\``,
        span: p.decl.name.span,
        label: "used only as a divisor",
        notes: [
          `every use of \`${p.name}\` divides by it, so each term is linear in 1/${p.name}: the estimator fits that coefficient and reports \`${p.name}\` as its inverse`,
        ],
      });
    }
  },
};

// Visits every expression of a model with the section it sits in, so rules
// that care about "which names may appear here" share one traversal.
import type { Expr, ForClause, ModelFile, Node } from "../syntax/ast.js";

/** `parameters`: a covariate term (`V ~ lognormal + log(WT / 70)`). */
export type ExprSection = "dynamics" | "observe" | "constants" | "derived" | "doses" | "target" | "parameters";

export interface ExprSite {
  section: ExprSection;
  /** The loop that encloses the expression, if any. */
  loop?: ForClause;
  /** The declaration the expression belongs to. */
  owner: Node;
}

export function forEachExpression(ast: ModelFile, visit: (e: Expr, site: ExprSite) => void): void {
  for (const eq of ast.dynamics?.items ?? []) {
    if (!eq) continue;
    if (eq.target?.index) visit(eq.target.index, { section: "target", loop: eq.loop, owner: eq });
    if (eq.rhs) visit(eq.rhs, { section: "dynamics", loop: eq.loop, owner: eq });
  }
  for (const ob of ast.observe?.items ?? []) {
    if (!ob) continue;
    if (ob.target?.index) visit(ob.target.index, { section: "target", loop: ob.loop, owner: ob });
    if (ob.expr) visit(ob.expr, { section: "observe", loop: ob.loop, owner: ob });
  }
  for (const c of ast.constants?.items ?? []) if (c?.value) visit(c.value, { section: "constants", owner: c });
  for (const p of ast.parameters?.items ?? []) for (const t of p?.covariateTerms ?? []) if (t?.expr) visit(t.expr, { section: "parameters", owner: t });
  for (const d of ast.derived?.items ?? []) if (d?.expr) visit(d.expr, { section: "derived", owner: d });
  for (const d of ast.doses?.items ?? []) {
    if (!d) continue;
    if (d.kind === "jump" && d.amount && typeof d.amount === "object") visit(d.amount, { section: "doses", owner: d });
    if (d.kind === "vector") for (const v of d.values?.items ?? []) if (v) visit(v, { section: "doses", owner: d });
  }
}

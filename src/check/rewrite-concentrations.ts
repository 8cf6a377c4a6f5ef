// `conc = A / V` with `A` an amount: the estimator maps each smoothed output
// back to its state before any parameter is known, so an observation cannot
// divide by an estimated volume. When every equation is linear and
// homogeneous in the states (a linear compartment model), dividing every
// state by V changes no equation, so the model is rewritten: the states are
// concentrations, the observation reads `A` itself and each dose `A += amt`
// becomes `A += amt / V` (linear in 1/V, see analyse-doses.ts). Otherwise the
// user is told what to write.
import type { Binary, DoseDecl, Expr, ModelFile, Observation, Ref, Span } from "../syntax/ast.js";
import type { CheckContext, Rule } from "./context.js";
import { evaluateConstant, walkExpr } from "./expressions.js";
import { expandModel } from "./expand-loops.js";
import { toIr } from "./linearise.js";
import { stateDegree } from "./state-degree.js";

export interface ConcentrationRewrite {
  /** The parameter the amounts were divided by (`V`), or multiplied by (`invV` in `A * invV`). */
  param: number;
  divides: boolean;
  /** The observation as written, for messages. */
  observation: Observation;
}

interface Scaling {
  /** The `A / V` (or `A * invV`) node and what replaces it (`A`). */
  node: Binary;
  kept: Expr;
  param: string;
  paramRef: Ref;
  divides: boolean;
}

const paramRef = (ctx: CheckContext, e: Expr | undefined): Ref | undefined =>
  e?.kind === "ref" && ctx.facts.layout!.scalarParams.has(e.name?.text ?? "") ? e : undefined;

function paramsRead(ctx: CheckContext, e: Expr): Ref[] {
  const out: Ref[] = [];
  walkExpr(e, (x) => {
    const r = paramRef(ctx, x);
    if (r) out.push(r);
  });
  return out;
}

/** The one place where an observation scales a state expression by one parameter, if that is all it does with parameters. */
function scalingOf(ctx: CheckContext, ob: Observation): Scaling | undefined {
  const params = paramsRead(ctx, ob.expr);
  if (params.length !== 1) return undefined;
  let found: Scaling | undefined;
  walkExpr(ob.expr, (e) => {
    if (found || e.kind !== "binary") return;
    const right = paramRef(ctx, e.right);
    const left = paramRef(ctx, e.left);
    if (e.op === "/" && right) found = { node: e, kept: e.left, param: right.name.text, paramRef: right, divides: true };
    else if (e.op === "*" && right) found = { node: e, kept: e.left, param: right.name.text, paramRef: right, divides: false };
    else if (e.op === "*" && left) found = { node: e, kept: e.right, param: left.name.text, paramRef: left, divides: false };
  });
  return found;
}

function replaceNode(e: Expr, target: Expr, by: Expr): Expr {
  if (e === target) return by;
  switch (e.kind) {
    case "unary":
      return { ...e, arg: replaceNode(e.arg, target, by) };
    case "binary":
      return { ...e, left: replaceNode(e.left, target, by), right: replaceNode(e.right, target, by) };
    case "call":
      return { ...e, args: e.args.map((a) => replaceNode(a, target, by)) };
    default:
      return e;
  }
}

function scaledAmount(amount: Expr, s: Scaling, span: Span): Expr {
  const ref: Ref = { kind: "ref", name: { text: s.param, span: s.paramRef.span }, span: s.paramRef.span };
  return { kind: "binary", op: s.divides ? "/" : "*", left: amount, right: ref, span };
}

function cannot(ctx: CheckContext, ob: Observation, s: Scaling, why: string, help: string, span: Span = ob.expr.span): void {
  ctx.report({
    severity: "error",
    code: "N3006",
    message: `the observation \`${ob.target.name.text}\` is scaled by the parameter \`${s.param}\`, and the model cannot be rewritten in concentrations`,
    span,
    label: why,
    labels: span === ob.expr.span ? [] : [{ span: ob.expr.span, message: "scaled here" }],
    notes: [
      "the smoothed output is mapped back to its state before any parameter is estimated; an observation divided by a " +
        "volume is fitted by dividing every state by it, which keeps the equations only when they are linear and " +
        "homogeneous in the states",
    ],
    help,
  });
}

export const rewriteConcentrations: Rule = {
  name: "rewrite-concentrations",
  run(ctx) {
    const { layout, env, expanded } = ctx.facts;
    if (!layout || !env || !expanded) return;
    const observations = (ctx.ast.observe?.items ?? []).filter((o) => o?.expr && o.target?.name?.text);
    const scaled = observations.map((o) => ({ ob: o, s: scalingOf(ctx, o) }));
    const first = scaled.find((x) => x.s);
    if (!first) return;
    const s = first.s!;
    const help = `write the model in concentrations: observe \`${s.kept.kind === "ref" ? s.kept.name.text : "the state"}\` directly and scale the dose instead (\`X += amt / ${s.param}\`)`;
    // Every observation must be scaled alike, or the rescaled states would no longer match the unscaled ones.
    for (const { ob, s: other } of scaled) {
      if (ob === first.ob) continue;
      if (!other || other.param !== s.param || other.divides !== s.divides) {
        if (paramsRead(ctx, ob.expr).length === 0 && !other) {
          cannot(ctx, first.ob, s, `\`${ob.target.name.text}\` is not scaled by \`${s.param}\``, help, ob.expr.span);
        }
        return; // another parameter: N3004 from report-observations says so
      }
    }
    for (const eq of expanded.equations) {
      if (eq.state === undefined) continue;
      if (stateDegree(toIr(eq.rhs, env)) !== 1 && !(eq.rhs.kind === "number" && eq.rhs.value === 0)) {
        cannot(
          ctx, first.ob, s,
          `the equation of \`${layout.states[eq.state]!.name}\` is not linear and homogeneous in the states`,
          `${help}; a term without a state (an input) or a nonlinear term changes when every state is divided by \`${s.param}\``,
          eq.rhs.span,
        );
        return;
      }
    }
    for (const c of ctx.scope.initialValues) {
      const v = evaluateConstant(c.value, (n) => env.constants.get(n));
      if (v !== undefined && v !== 0) {
        cannot(ctx, first.ob, s, `\`${c.name.text}(0)\` is not 0`, `${help}, with the initial value divided by \`${s.param}\` (then unknown: leave it undeclared)`, c.span);
        return;
      }
    }
    const doses: DoseDecl[] = [];
    for (const d of ctx.ast.doses?.items ?? []) {
      if (d?.kind !== "jump" || d.amount === "unknown") {
        doses.push(d);
        continue;
      }
      if (d.amount !== "amt" && !containsAmt(d.amount)) {
        cannot(ctx, first.ob, s, `the dose into \`${d.target.text}\` is not given by \`amt\``, help, d.span);
        return;
      }
      // `amt * F` divided by V would carry two parameters: say so here rather than at a dose the user did not write.
      const own = d.amount === "amt" ? [] : paramsRead(ctx, d.amount).map((r) => r.name.text);
      if (own.length) {
        const ratio = `${own[0]}_over_${s.param}`;
        cannot(
          ctx, first.ob, s,
          `the dose into \`${d.target.text}\` is already scaled by \`${own[0]}\``,
          `estimate the factor as one parameter: declare \`${ratio}\`, write \`${d.target.text} += amt * ${ratio}\` and observe the state directly`,
          d.span,
        );
        return;
      }
      const amount: Expr = d.amount === "amt" ? { kind: "ref", name: { text: "amt", span: d.amountSpan }, span: d.amountSpan } : d.amount;
      doses.push({ ...d, amount: scaledAmount(amount, s, d.amountSpan) });
    }
    const observe = ctx.ast.observe!;
    const rewritten: ModelFile = {
      ...ctx.ast,
      observe: {
        ...observe,
        items: observe.items.map((o) => {
          const x = scaled.find((y) => y.ob === o)?.s;
          return x ? { ...o, expr: replaceNode(o.expr, x.node, x.kept) } : o;
        }),
      },
      ...(ctx.ast.doses ? { doses: { ...ctx.ast.doses, items: doses } } : {}),
    };
    ctx.ast = rewritten;
    ctx.facts.expanded = expandModel(rewritten, layout);
    ctx.facts.concentrations = scaled.map(({ ob, s: x }) => ({ param: layout.scalarParams.get(x!.param)!, divides: x!.divides, observation: ob }));
    const by = s.divides ? `divided by \`${s.param}\`` : `times \`${s.param}\``;
    ctx.report({
      severity: "note",
      code: "N3007",
      message: `the states are fitted as concentrations: each amount ${by}`,
      span: s.node.span,
      label: `the observation reads \`${textOf(s.kept)}\` ${by}`,
      notes: [
        "every equation is linear and homogeneous in the states, so dividing all of them by the same factor leaves each equation as written",
        `the states now stand for concentrations, the observation reads them directly and each dose \`X += amt\` becomes \`X += amt ${s.divides ? "/" : "*"} ${s.param}\``,
      ],
    });
  },
};

function containsAmt(e: Expr): boolean {
  let found = false;
  walkExpr(e, (x) => {
    if (x.kind === "ref" && x.name?.text === "amt") found = true;
  });
  return found;
}

function textOf(e: Expr): string {
  return e.kind === "ref" ? e.name.text : e.kind === "index" ? `${e.name.text}[...]` : "the state";
}

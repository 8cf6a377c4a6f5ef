// What each dose jump adds, as the estimator needs it: `amt` (the AMT column)
// times a known scale and at most one estimated coefficient (`amt / V`:
// 1/V, a reciprocal parameter; `amt * F`: bioavailability). The jump is then
// linear in that coefficient: with integral rows the jump sizes are known
// regressors times it. Anything else that reads a parameter is an error.
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Expr } from "../syntax/ast.js";
import type { CheckContext, Rule } from "./context.js";
import { walkExpr } from "./expressions.js";
import { constantValue } from "./ir-analysis.js";
import { linearise } from "./linearise.js";
import { degree, freePart, num } from "./polynomial.js";
import { AMT } from "./scope.js";

export interface DoseCoefficient {
  /** The jump is amt * scale * theta[param] (theta[param] = 1/V for a reciprocal V), or amt * scale without `param`. */
  scale: number;
  param?: number;
}

/** `e` with its one `amt` factor taken out (`undefined` when `amt` is all of it), or "none" / "bad". */
export function withoutAmt(e: Expr): Expr | undefined | "none" | "bad" {
  if (e.kind === "ref" && e.name?.text === AMT) return undefined;
  let count = 0;
  walkExpr(e, (x) => {
    if (x.kind === "ref" && x.name?.text === AMT) count++;
  });
  if (count === 0) return "none";
  if (count > 1) return "bad";
  switch (e.kind) {
    case "unary": {
      const a = withoutAmt(e.arg);
      if (a === "bad" || a === "none") return "bad";
      return a === undefined ? { kind: "number", value: e.op === "-" ? -1 : 1, raw: e.op === "-" ? "-1" : "1", span: e.span } : { ...e, arg: a };
    }
    case "binary": {
      if (e.op !== "*" && e.op !== "/") return "bad";
      const l = withoutAmt(e.left);
      const r = e.op === "*" ? withoutAmt(e.right) : "none";
      if (l === "bad" || r === "bad") return "bad";
      if (l !== "none") {
        const one = { kind: "number", value: 1, raw: "1", span: e.left.span } as const;
        return l === undefined && e.op === "*" ? e.right : { ...e, left: l ?? one };
      }
      if (r !== "none") return r === undefined ? e.left : { ...e, right: r };
      return "bad";
    }
    default:
      return "bad";
  }
}

function notKnown(ctx: CheckContext, target: string, e: Expr, label: string, help: string): void {
  const d: Diagnostic = {
    severity: "error",
    code: "N2016",
    message: `the dose into \`${target}\` must be \`amt\` times at most one estimated parameter`,
    span: e.span,
    label,
    notes: ["a jump the estimator can fit is linear in one coefficient: `amt / V` (1/V is estimated), `amt * F`, `unknown` (one amount per administration)"],
    help,
  };
  ctx.report(d);
}

export const analyseDoses: Rule = {
  name: "analyse-doses",
  run(ctx) {
    const { env, layout } = ctx.facts;
    if (!env || !layout) return;
    const out = new Map<number, DoseCoefficient>();
    (ctx.ast.doses?.items ?? []).forEach((d, i) => {
      if (d?.kind !== "jump" || !d.amount || typeof d.amount !== "object") return;
      const target = d.target.text;
      const rest = withoutAmt(d.amount);
      const params = new Set<string>();
      walkExpr(d.amount, (e) => {
        if (e.kind === "ref" && layout.scalarParams.has(e.name?.text ?? "")) params.add(e.name.text);
      });
      if (rest === "bad") return; // N1013 (names stage)
      if (rest === "none") {
        if (params.size) {
          const name = [...params][0]!;
          notKnown(ctx, target, d.amount, `uses the parameter \`${name}\` without \`amt\``, `write \`${target} += amt * ${name}\` to scale the AMT column by it, or \`${target} += unknown\` to estimate one amount per administration`);
        }
        return;
      }
      if (rest === undefined) {
        out.set(i, { scale: 1 });
        return;
      }
      let problem = false;
      const poly = linearise(rest, env, () => {
        problem = true;
      });
      const joined = params.size > 1 ? [...params].join("_") : "F";
      const help = `estimate the factor as one parameter, e.g. \`${target} += amt * ${joined}\` with \`${joined}\` declared in \`parameters\``;
      if (!poly || problem || degree(poly) > 1 || poly.size > 1) {
        notKnown(ctx, target, d.amount, params.size > 1 ? `uses ${[...params].map((p) => `\`${p}\``).join(" and ")}` : "not one coefficient times `amt`", help);
        return;
      }
      const m = [...poly.values()][0];
      const scale = m ? constantValue(m.coef) : constantValue(freePart(poly) ?? num(0));
      if (scale === undefined || !Number.isFinite(scale)) {
        notKnown(ctx, target, d.amount, "the factor of `amt` is not a known number", help);
        return;
      }
      out.set(i, m && m.params.length === 1 ? { scale, param: m.params[0]! } : { scale });
    });
    ctx.facts.doseCoefficients = out;
  },
};

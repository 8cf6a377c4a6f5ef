// Each observation reads one state through a transform the estimator can
// invert (identity, a*X + b with known a != 0, log, log10, exp), because the
// smoothed output is mapped back to the state before the weak form is built.
// States neither observed nor latent, and latent states that are observed,
// are suspicious: warnings.
import type { Transform, IrExpr } from "../ir/model.js";
import type { Span } from "../syntax/ast.js";
import { quoteList } from "../diagnostics/suggest.js";
import type { CheckContext, Rule } from "./context.js";
import { toIr } from "./linearise.js";
import { constantValue, forEachLeaf, paramsIn, statesIn } from "./ir-analysis.js";
import type { ExpandedObservation } from "./expand-loops.js";

export interface ObservationFact {
  name: string;
  state: number;
  expr: IrExpr;
  transform: Transform;
  observation: ExpandedObservation;
}

const SUPPORTED = "the estimator maps each smoothed output back to its state; it can invert `X`, `a * X + b` with a known `a` other than 0, `log(X)`, `log10(X)` and `exp(X)`";

function affine(e: IrExpr, s: number): { scale: number; offset: number } | undefined {
  if (!statesIn(e).has(s)) {
    const v = constantValue(e);
    return v === undefined ? undefined : { scale: 0, offset: v };
  }
  const both = (l: IrExpr, r: IrExpr) => [affine(l, s), affine(r, s)] as const;
  switch (e.kind) {
    case "state":
      return { scale: 1, offset: 0 };
    case "neg": {
      const a = affine(e.arg, s);
      return a && { scale: -a.scale, offset: -a.offset };
    }
    case "add":
    case "sub": {
      const [a, b] = both(e.left, e.right);
      if (!a || !b) return undefined;
      const k = e.kind === "add" ? 1 : -1;
      return { scale: a.scale + k * b.scale, offset: a.offset + k * b.offset };
    }
    case "mul": {
      const [a, b] = both(e.left, e.right);
      if (!a || !b || (a.scale !== 0 && b.scale !== 0)) return undefined;
      return a.scale === 0 ? { scale: a.offset * b.scale, offset: a.offset * b.offset } : { scale: a.scale * b.offset, offset: a.offset * b.offset };
    }
    case "div": {
      const [a, b] = both(e.left, e.right);
      if (!a || !b || b.scale !== 0 || b.offset === 0) return undefined;
      return { scale: a.scale / b.offset, offset: a.offset / b.offset };
    }
    case "pow":
      return e.right.kind === "num" && e.right.value === 1 ? affine(e.left, s) : undefined;
    default:
      return undefined;
  }
}

/** The transform `expr` applies to state `s`, or undefined when it is not one the estimator inverts. */
export function transformOf(e: IrExpr, s: number): Transform | undefined {
  if (e.kind === "call" && e.arg.kind === "state" && e.arg.index === s) {
    if (e.fn === "log" || e.fn === "log10" || e.fn === "exp") return { kind: e.fn };
    return undefined;
  }
  const a = affine(e, s);
  if (!a || a.scale === 0 || !Number.isFinite(a.scale) || !Number.isFinite(a.offset)) return undefined;
  return a.scale === 1 && a.offset === 0 ? { kind: "identity" } : { kind: "affine", scale: a.scale, offset: a.offset };
}

function observationError(ctx: CheckContext, code: string, message: string, span: Span, label: string, help?: string, notes = [SUPPORTED]): void {
  ctx.report({ severity: "error", code, message, span, label, notes, help });
}

export const reportObservations: Rule = {
  name: "report-observations",
  run(ctx) {
    const { expanded, env, layout } = ctx.facts;
    if (!expanded || !env || !layout) return;
    const facts: ObservationFact[] = [];
    // States read by any observation, even one rejected below, so a bad transform is not also "unobserved".
    const read = new Set<number>();
    const firstOutput = new Map<string, Span>();
    const stateName = (i: number) => layout.states[i]!.name;
    for (const ob of expanded.observations) {
      const span = ob.expr.span;
      const expr = toIr(ob.expr, env);
      const states = [...statesIn(expr)];
      for (const s of states) read.add(s);
      const prev = firstOutput.get(ob.name);
      if (prev && prev.start !== ob.decl.target.span.start) {
        ctx.report({
          severity: "error",
          code: "N1005",
          message: `output \`${ob.name}\` is declared twice`,
          span: ob.decl.target.span,
          label: "declared again here",
          labels: [{ span: prev, message: "first declared here" }],
          help: "give each observation its own output name (the OBSID of its rows in the data)",
        });
        continue;
      }
      firstOutput.set(ob.name, ob.decl.target.span);
      const params = [...paramsIn(expr)];
      let timeVarying: string | undefined;
      forEachLeaf(expr, (l) => {
        if (l.kind === "time") timeVarying ??= "time";
        else if (l.kind === "sinceDose" || l.kind === "doseIs") timeVarying ??= "the doses";
        else if (l.kind === "covariate") timeVarying ??= `the covariate \`${l.name}\``;
      });
      if (states.length === 0) {
        observationError(ctx, "N3002", `the observation \`${ob.name}\` reads no state`, span, "no state here", "observe a state, e.g. `y = X`");
        continue;
      }
      if (states.length > 1) {
        observationError(
          ctx, "N3001", `the observation \`${ob.name}\` cannot be inverted`, span,
          `combines ${quoteList(states.map(stateName), "and")}`,
          "observe each state in its own observation; a sum of states cannot be mapped back to either one",
        );
        continue;
      }
      if (params.length && ctx.diagnostics.some((d) => d.code === "N3006" && d.labels?.some((l) => l.span.start === ob.decl.expr.span.start))) continue;
      if (params.length) {
        observationError(
          ctx, "N3004", `the observation \`${ob.name}\` uses an estimated parameter`, span,
          `uses ${quoteList([...new Set(params.map((p) => layout.parameters[p]!.base))], "and")}`,
          "observation transforms must be known: move the parameter to `constants`, or put the scaling into the dynamics",
          ["the smoothed output is mapped back to the state before any parameter is estimated"],
        );
        continue;
      }
      if (timeVarying) {
        observationError(ctx, "N3004", `the observation \`${ob.name}\` depends on ${timeVarying}`, span, "not a fixed transform", "observe the state through a fixed transform");
        continue;
      }
      const s = states[0]!;
      const transform = transformOf(expr, s);
      if (!transform) {
        observationError(ctx, "N3001", `the observation \`${ob.name}\` cannot be inverted for \`${stateName(s)}\``, span, `not invertible for \`${stateName(s)}\``, "observe the state directly or through one of these transforms");
        continue;
      }
      facts.push({ name: ob.name, state: s, expr, transform, observation: ob });
    }
    ctx.facts.observations = facts;

    const observed = new Set(facts.map((f) => f.state));
    const unobserved = new Map<string, string[]>();
    for (const s of layout.states) {
      if (s.decl.latent) {
        if (observed.has(s.index)) {
          const fact = facts.find((f) => f.state === s.index)!;
          ctx.report({
            severity: "warning",
            code: "N3005",
            message: `the latent state \`${s.name}\` is observed`,
            span: fact.observation.expr.span,
            label: "observed here",
            labels: [{ span: s.decl.span, message: "declared latent here" }],
            help: `remove \`latent\` from \`${s.group}\` if it is measured`,
          });
        }
      } else if (!read.has(s.index)) {
        unobserved.set(s.group, [...(unobserved.get(s.group) ?? []), s.element === undefined ? s.name : `${s.group}[${s.element}]`]);
      }
    }
    if (ctx.ast.observe?.recovered) return;
    for (const [group, names] of unobserved) {
      const decl = layout.states.find((s) => s.group === group)!.decl;
      const shown = names.length > 4 ? `${names.slice(0, 3).map((n) => `\`${n}\``).join(", ")} and ${names.length - 3} more` : names.map((n) => `\`${n}\``).join(", ");
      ctx.report({
        severity: "warning",
        code: "N3003",
        message: `${names.length === 1 ? "state" : "states"} ${shown} ${names.length === 1 ? "is" : "are"} neither observed nor latent`,
        span: decl.name.span,
        label: "declared here",
        notes: ["the estimator needs a curve for every state that is not eliminated as latent"],
        help: `add an observation of \`${group}\` in \`observe\`, or declare it \`latent\``,
      });
    }
  },
};

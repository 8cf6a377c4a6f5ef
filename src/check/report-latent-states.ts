// A latent (unobserved) state must be eliminable in closed form: its own
// equation dS/dt = -k S + f(t) with k known or one estimated parameter
// (then searched in an outer loop), and f built from time, doses, constants,
// parameters (linearly) and latent states solved before it (triangular).
// Its solution is then a sum of known time functions whose weights (the
// parameters in f, unknown dose amounts) multiply the coefficients of the
// equations that use S: accepted, with a note saying what is estimated.
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { quoteList } from "../diagnostics/suggest.js";
import type { Expr, Span } from "../syntax/ast.js";
import type { CheckContext, Rule } from "./context.js";
import { walkExpr } from "./expressions.js";
import { constantValue, isZero, splitAffine, statesIn } from "./ir-analysis.js";
import { add, type Poly } from "./polynomial.js";
import type { ConvolutionInput, IrExpr, LatentEliminationIr } from "../ir/model.js";
import { numericLinearCombination } from "./state-degree.js";

export interface LatentElimination extends LatentEliminationIr {
  state: number;
}

function cannot(ctx: CheckContext, name: string, span: Span, why: string, help: string, labels: Diagnostic["labels"] = []): void {
  ctx.report({
    severity: "error",
    code: "N2004",
    message: `the latent state \`${name}\` cannot be eliminated`,
    span,
    label: why,
    labels,
    notes: [
      "a latent state is solved in closed form: dS/dt = -k S + f(t), with k known or one estimated rate, and f made of time, doses, constants, parameters and latent states solved before it, or linear in observed states (a convolution of their curves)",
    ],
    help,
  });
}

/** Smallest `*` node of `rhs` that reads both names, for pointing at `theta * S`. */
function productSpan(rhs: Expr, a: string, b: string): Span | undefined {
  let best: Span | undefined;
  walkExpr(rhs, (e) => {
    if (e.kind !== "binary" || e.op !== "*") return;
    const names = new Set<string>();
    walkExpr(e, (x) => {
      if ((x.kind === "ref" || x.kind === "index") && x.name) names.add(x.name.text);
    });
    if (names.has(a) && names.has(b) && (!best || e.span.end - e.span.start < best.end - best.start)) best = e.span;
  });
  return best;
}

/**
 * The input of a latent state's equation as sum scale * theta[param] * X_obs, when every term without the state
 * itself is a known multiple (times at most one parameter) of one observed state; else undefined.
 */
function convolutionInputs(poly: Poly, s: number, latentSet: Set<number>): ConvolutionInput[] | undefined {
  const out: ConvolutionInput[] = [];
  for (const m of poly.values()) {
    const split = splitAffine(m.coef, s);
    if (!split || isZero(split.rest)) continue;
    const comb = numericLinearCombination(split.rest, constantValue);
    if (!comb || comb.size === 0) return undefined;
    for (const [state, scale] of comb) {
      if (latentSet.has(state) || scale === 0) return undefined;
      out.push(m.params.length ? { state, param: m.params[0]!, scale } : { state, scale });
    }
  }
  return out.length ? out : undefined;
}

export const reportLatentStates: Rule = {
  name: "report-latent-states",
  run(ctx) {
    const { layout, polys, expanded } = ctx.facts;
    if (!layout || !polys || !expanded) return;
    const eqOf = new Map(expanded.equations.filter((e) => e.state !== undefined).map((e) => [e.state!, e]));
    const latent = layout.states.filter((s) => s.decl.latent);
    const latentSet = new Set(latent.map((s) => s.index));
    const stateName = (i: number) => layout.states[i]!.name;
    const paramName = (i: number) => layout.parameters[i]!.name;
    const found = new Map<number, LatentElimination>();

    for (const s of latent) {
      const poly = polys.get(s.index);
      const eq = eqOf.get(s.index);
      if (!poly || !eq) continue;
      const rhsSpan = eq.rhs.span;
      let rateKnown: IrExpr | undefined;
      const rateParams: { param: number; coef: IrExpr }[] = [];
      const forcingStates = new Set<number>();
      const carriers = new Set<number>();
      let ok = true;
      for (const m of poly.values()) {
        const split = splitAffine(m.coef, s.index);
        if (!split) {
          cannot(ctx, s.name, rhsSpan, `its equation is not linear in \`${s.name}\``, `write the equation as \`-k * ${s.name} + ...\` with \`${s.name}\` appearing only linearly, or observe \`${s.name}\``);
          ok = false;
          break;
        }
        if (!isZero(split.lin)) {
          if (constantValue(split.lin) === undefined) {
            cannot(ctx, s.name, rhsSpan, `its decay rate is not constant`, `make the coefficient of \`${s.name}\` a constant or one estimated parameter`);
            ok = false;
            break;
          }
          if (m.params.length === 0) rateKnown = rateKnown ? add(rateKnown, split.lin) : split.lin;
          else rateParams.push({ param: m.params[0]!, coef: split.lin });
        }
        if (!isZero(split.rest)) {
          for (const x of statesIn(split.rest)) forcingStates.add(x);
          for (const p of m.params) carriers.add(p);
        }
      }
      if (!ok) continue;
      if (rateParams.length > 1) {
        cannot(
          ctx, s.name, rhsSpan,
          `its rate involves more than one estimated parameter (${quoteList(rateParams.map((r) => paramName(r.param)), "and")})`,
          "estimate the total rate as one parameter, or move all but one of them to `constants` if they are known",
        );
        continue;
      }
      const observedInputs = [...forcingStates].filter((x) => !latentSet.has(x));
      const convolution = observedInputs.length ? convolutionInputs(poly, s.index, latentSet) : undefined;
      if (observedInputs.length && convolution && rateParams.length + (rateKnown ? 1 : 0) > 0) {
        const offset = rateKnown ? -(constantValue(rateKnown) ?? 0) : 0;
        const rate: LatentElimination["rate"] = rateParams.length
          ? { kind: "param", param: rateParams[0]!.param, scale: -constantValue(rateParams[0]!.coef)!, offset }
          : { kind: "known", value: offset };
        const unknown = (ctx.ast.doses?.items ?? []).some((d) => d?.kind === "jump" && d.target?.text === s.group && d.amount === "unknown");
        const carriers = [...new Set(convolution.flatMap((c) => (c.param === undefined ? [] : [c.param])))].sort((a, b) => a - b);
        found.set(s.index, { state: s.index, rate, dependsOn: [], carriers, unknownDoses: unknown, convolution });
        const drivers = quoteList([...new Set(convolution.map((c) => stateName(c.state)))], "and");
        const rateText = rate.kind === "param" ? `\`${paramName(rate.param)}\`` : String(rate.value);
        const k = rate.kind === "param" ? paramName(rate.param) : String(rate.value);
        const terms = convolution.map((c) => {
          const factor = [c.scale === 1 ? "" : c.scale === -1 ? "-" : `${c.scale} `, c.param === undefined ? "" : `${paramName(c.param)} `].join("");
          return `${factor}∫ e^{-${k} (t - s)} ${stateName(c.state)}(s) ds`;
        });
        const weights = carriers.length ? `${quoteList(carriers.map(paramName), "and")} and in ` : "";
        ctx.report({
          severity: "note",
          code: "N2019",
          message: `the latent state \`${s.name}\` is solved as a convolution of the observed ${drivers}`,
          span: rhsSpan,
          label: `linear in \`${s.name}\` with ${rate.kind === "param" ? "an estimated" : "a known"} rate, driven by ${drivers}`,
          notes: [
            `${s.name}(t) = ${s.name}(t0) e^{-${k} (t - t0)} + ${terms.join(" + ")}: ` +
              (rate.kind === "param"
                ? `for each trial value of ${rateText} it is linear in ${weights}${s.name}(t0), and ${rateText} is searched in an outer loop (variable projection)`
                : `linear in ${weights}${s.name}(t0)`),
          ],
        });
        continue;
      }
      if (observedInputs.length) {
        cannot(
          ctx, s.name, rhsSpan,
          convolution
            ? `it is driven by the observed state${observedInputs.length > 1 ? "s" : ""} ${quoteList(observedInputs.map(stateName), "and")} but has no decay of its own`
            : `its input is not linear in the observed state${observedInputs.length > 1 ? "s" : ""} ${quoteList(observedInputs.map(stateName), "and")}`,
          `make its input linear in the observed state${observedInputs.length > 1 ? "s" : ""} (\`k12 * ${stateName(observedInputs[0]!)}\`) with its own decay \`- k21 * ${s.name}\`, drive it by time and doses only, or observe it and remove \`latent\``,
        );
        continue;
      }
      const unknownDoses = (ctx.ast.doses?.items ?? []).some((d) => d?.kind === "jump" && d.target?.text === s.group && d.amount === "unknown");
      const offset = rateKnown ? -(constantValue(rateKnown) ?? 0) : 0;
      const rate: LatentElimination["rate"] = rateParams.length
        ? { kind: "param", param: rateParams[0]!.param, scale: -constantValue(rateParams[0]!.coef)!, offset }
        : { kind: "known", value: offset };
      found.set(s.index, { state: s.index, rate, dependsOn: [...forcingStates], carriers: [...carriers], unknownDoses });
      if (rate.kind === "param") {
        ctx.report({
          severity: "note",
          code: "N2006",
          message: `the rate \`${paramName(rate.param)}\` of the latent state \`${s.name}\` is estimated in an outer loop`,
          span: rhsSpan,
          label: `\`${s.name}\` decays at an estimated rate`,
          notes: [`for each trial value of \`${paramName(rate.param)}\` the latent state is solved exactly and the rest of the model is a linear regression (variable projection)`],
        });
      }
    }

    // A dose scaled by a coefficient (`Ad += amt * F`) weights the solution of the state it jumps.
    (ctx.ast.doses?.items ?? []).forEach((d, i) => {
      const param = ctx.facts.doseCoefficients?.get(i)?.param;
      if (d?.kind !== "jump" || param === undefined) return;
      for (const e of found.values()) {
        if (layout.states[e.state]!.group === d.target.text && !e.carriers.includes(param)) e.carriers = [...e.carriers, param].sort((a, b) => a - b);
      }
    });

    // Latent states that feed each other in a cycle cannot be solved one after the other.
    const visiting = new Set<number>();
    const done = new Set<number>();
    const inCycle = new Set<number>();
    const visit = (x: number, path: number[]): void => {
      if (done.has(x)) return;
      if (visiting.has(x)) {
        for (const y of path.slice(path.indexOf(x))) inCycle.add(y);
        return;
      }
      visiting.add(x);
      for (const y of found.get(x)?.dependsOn ?? []) if (y !== x) visit(y, [...path, x]);
      visiting.delete(x);
      done.add(x);
    };
    for (const x of found.keys()) visit(x, []);
    for (const x of inCycle) {
      const others = found.get(x)!.dependsOn.filter((y) => inCycle.has(y) && y !== x);
      cannot(
        ctx, stateName(x), eqOf.get(x)!.rhs.span,
        `it depends on the latent state${others.length > 1 ? "s" : ""} ${quoteList(others.map(stateName), "and")}, which depend${others.length > 1 ? "" : "s"} on it in turn`,
        "latent states must be solvable one after the other (a triangular system); observe one of them",
      );
      found.delete(x);
    }
    // Weights propagate along dependencies: S2 driven by S1 inherits S1's unknown weights.
    const allCarriers = (x: number, seen = new Set<number>()): Set<number> => {
      const e = found.get(x);
      const out = new Set(e?.carriers ?? []);
      seen.add(x);
      for (const y of e?.dependsOn ?? []) if (!seen.has(y)) for (const p of allCarriers(y, seen)) out.add(p);
      return out;
    };
    for (const e of found.values()) e.carriers = [...allCarriers(e.state)].sort((a, b) => a - b);
    ctx.facts.latent = found;

    // A rate searched in the outer loop is a known number inside it: its products are not new coefficients.
    const searched = new Set([...found.values()].flatMap((e) => (e.rate.kind === "param" ? [e.rate.param] : [])));
    // How each eliminated state is used by the others.
    for (const [x, poly] of polys as Map<number, Poly>) {
      const eq = eqOf.get(x);
      if (!eq) continue;
      for (const [s, elim] of found) {
        if (s === x) continue;
        const weighted = elim.carriers.length > 0 || elim.unknownDoses;
        for (const m of poly.values()) {
          if (!statesIn(m.coef).has(s)) continue;
          if (weighted && !splitAffine(m.coef, s)) {
            cannot(
              ctx, stateName(s), eq.rhs.span,
              `it enters the equation of \`${stateName(x)}\` nonlinearly while its solution has unknown weights`,
              `use \`${stateName(s)}\` only linearly in other equations, or make its forcing known`,
            );
            continue;
          }
          if (!weighted || m.params.length === 0 || searched.has(m.params[0]!)) continue;
          const p = m.params[0]!;
          const theta = paramName(p);
          const parts = elim.carriers.map((c) => `\`${theta} * ${paramName(c)}\``);
          if (elim.unknownDoses) parts.push(`\`${theta}\` times each unknown dose amount of \`${stateName(s)}\``);
          const weights = [...elim.carriers.map((c) => `\`${paramName(c)}\``), ...(elim.unknownDoses ? ["the unknown dose amounts"] : [])];
          ctx.report({
            severity: "note",
            code: "N2005",
            message: `${parts.join(" and ")} ${parts.length === 1 && !elim.unknownDoses ? "is estimated as one coefficient" : "are estimated as separate coefficients"} and mapped back per subject`,
            span: productSpan(eq.rhs, layout.states[s]!.group, layout.parameters[p]!.base) ?? eq.rhs.span,
            label: `\`${stateName(s)}\` is eliminated here`,
            notes: [
              `\`${stateName(s)}\` is latent: its solution is a sum of known time functions weighted by ${weights.join(" and ")}, so this term is linear in \`${theta}\` and in ${parts.length === 1 && !elim.unknownDoses ? "that product" : "those products"}`,
            ],
          });
        }
      }
    }

    // A latent state that no other equation reads has no effect on the data (read from the source, so that
    // an equation rejected as nonlinear still counts as a use).
    const readers = new Map<string, Set<number>>();
    for (const eq of expanded.equations) {
      walkExpr(eq.rhs, (e) => {
        if ((e.kind === "ref" || e.kind === "index") && e.name && eq.state !== undefined) {
          readers.set(e.name.text, (readers.get(e.name.text) ?? new Set()).add(eq.state));
        }
      });
    }
    const observedNames = new Set<string>();
    for (const ob of ctx.ast.observe?.items ?? []) {
      walkExpr(ob?.expr, (e) => {
        if ((e.kind === "ref" || e.kind === "index") && e.name) observedNames.add(e.name.text);
      });
    }
    for (const s of latent) {
      const others = [...(readers.get(s.group) ?? [])].filter((x) => layout.states[x]!.group !== s.group);
      // An observed latent state is used (N3005 says it should not be latent).
      if (others.length === 0 && eqOf.has(s.index) && !observedNames.has(s.group)) {
        ctx.report({
          severity: "warning",
          code: "N2017",
          message: `the latent state \`${s.name}\` is not used by any other equation`,
          span: s.decl.name.span,
          label: "declared latent here",
          notes: ["it is never observed and affects no observed state, so the data say nothing about it"],
          help: `remove \`${s.name}\`, or use it in the equation of an observed state`,
        });
      }
    }
  },
};

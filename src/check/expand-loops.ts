// Unrolls `for i in a..b` on equations and observations: one equation per
// state, one observation per output, with the loop index replaced by its
// value. Spans are kept, so a diagnostic on `g[41]` still points at `g[i]`.
import type { Equation, Expr, ModelFile, Observation } from "../syntax/ast.js";
import type { Rule } from "./context.js";
import { evaluateConstant, substitute } from "./expressions.js";
import { stateIndex, type Layout } from "./layout.js";

export interface ExpandedEquation {
  /** Flat index of the state the equation defines; undefined when the target does not resolve. */
  state: number | undefined;
  rhs: Expr;
  decl: Equation;
}

export interface ExpandedObservation {
  /** Output name: the target as written, flattened (`g[3]` -> `g3`). */
  name: string;
  expr: Expr;
  decl: Observation;
}

export interface ExpandedModel {
  equations: ExpandedEquation[];
  observations: ExpandedObservation[];
}

function loopValues(item: Equation | Observation): (number | undefined)[] {
  const { loop } = item;
  if (!loop?.index?.text || !loop.from || !loop.to) return [undefined];
  const values: number[] = [];
  for (let v = loop.from.value; v <= loop.to.value; v++) values.push(v);
  return values;
}

function bind(e: Expr, item: Equation | Observation, value: number | undefined): Expr {
  return value === undefined || !item.loop ? e : substitute(e, item.loop.index.text, value);
}

export function expandModel(ast: ModelFile, layout: Layout): ExpandedModel {
  const equations: ExpandedEquation[] = [];
  for (const eq of ast.dynamics?.items ?? []) {
    if (!eq?.target?.name?.text || !eq.rhs) continue;
    for (const v of loopValues(eq)) {
      const element = eq.target.index ? evaluateConstant(bind(eq.target.index, eq, v)) : undefined;
      const state = eq.target.index && element === undefined ? undefined : stateIndex(layout, eq.target.name.text, element);
      equations.push({ state, rhs: bind(eq.rhs, eq, v), decl: eq });
    }
  }
  const observations: ExpandedObservation[] = [];
  for (const ob of ast.observe?.items ?? []) {
    if (!ob?.target?.name?.text || !ob.expr) continue;
    for (const v of loopValues(ob)) {
      const element = ob.target.index ? evaluateConstant(bind(ob.target.index, ob, v)) : undefined;
      const name = element === undefined ? ob.target.name.text : `${ob.target.name.text}${element}`;
      observations.push({ name, expr: bind(ob.expr, ob, v), decl: ob });
    }
  }
  return { equations, observations };
}

export const expandLoops: Rule = {
  name: "expand-loops",
  run(ctx) {
    ctx.facts.expanded = expandModel(ctx.ast, ctx.facts.layout!);
  },
};

// The generated module's metadata (`ModelMeta`) from the IR: names, units,
// random-effect structure, dose targets, dictionary term names, the sparsity
// of Theta, and each right-hand side as Mlxtran/R text.
import type { ModelIr } from "../ir/model.js";
import { printExpr } from "../ir/print-expr.js";
import type { ModelMeta } from "../runtime/model.js";

export function buildMeta(ir: ModelIr): ModelMeta {
  const stateName = (i: number): string => mathName(ir.states[i]!.name);
  const paramName = (j: number): string => mathName(ir.parameters[j]!.name);
  const equations = ir.states.map((_, k) => {
    const dyn = ir.dynamics.find((d) => d.state === k);
    if (!dyn) return "0";
    return printExpr(dyn.rhs, {
      syntax: "math",
      state: stateName,
      param: paramName,
      constant: (name) => mathName(name),
      time: mathName(ir.time.name),
      covariate: (name) => mathName(name),
    });
  });
  const equationParams = ir.states.map((_, k) => {
    const params = new Set<number>();
    for (const dyn of ir.dynamics) if (dyn.state === k) for (const term of dyn.terms) params.add(term.param);
    return [...params].sort((a, b) => a - b);
  });

  return {
    name: ir.name,
    time: ir.time.unit === undefined ? { name: ir.time.name } : { name: ir.time.name, unit: ir.time.unit },
    states: ir.states.map((s) => ({
      name: s.name,
      latent: s.latent,
      ...(s.doc === undefined ? {} : { doc: s.doc }),
      ...(s.initial === undefined ? {} : { initial: s.initial }),
      ...(s.elimination?.convolution
        ? {
            convolution: {
              rate: { ...s.elimination.rate },
              inputs: s.elimination.convolution.map((c) => (c.param === undefined ? { state: c.state, scale: c.scale } : { state: c.state, param: c.param, scale: c.scale })),
            },
          }
        : {}),
    })),
    parameters: ir.parameters.map((p) => ({
      name: p.name,
      variability: p.variability,
      distribution: p.distribution,
      ...(p.doc === undefined ? {} : { doc: p.doc }),
      ...(p.dictionaryTerm === undefined ? {} : { dictionaryTerm: { state: p.dictionaryTerm.state, term: p.dictionaryTerm.term } }),
      ...(p.estimatedAs === undefined ? {} : { estimatedAs: p.estimatedAs }),
    })),
    // fromEntries defines own properties, so a constant named `__proto__` stays a constant.
    constants: Object.fromEntries(ir.constants.map((c) => [c.name, c.value])),
    covariates: [...ir.covariates],
    observations: ir.observations.map((o) => ({
      name: o.name,
      state: o.state,
      transform: o.transform.kind,
      ...(o.transform.kind === "affine" ? { scale: o.transform.scale, offset: o.transform.offset } : {}),
      error: o.error,
    })),
    derived: ir.derived.map((x) => (x.doc === undefined ? { name: x.name } : { name: x.name, doc: x.doc })),
    covariance: ir.covariance.map((b) => ({ structure: b.structure, params: [...b.params] })),
    doses: ir.doses.map((dose) =>
      dose.kind === "jump"
        ? {
            kind: "jump" as const,
            state: dose.state,
            amount: typeof dose.amount === "string" ? dose.amount : ("expr" as const),
            ...(dose.coefficient === undefined ? {} : { coefficient: { ...dose.coefficient } }),
          }
        : { kind: "vector" as const, name: dose.name, length: dose.values.length },
    ),
    dictionaries: ir.dictionaries.map((dict) => ({
      name: dict.name,
      over: [...dict.over],
      degree: dict.degree,
      constant: dict.constant,
      terms: dict.terms.map((t) => t.name),
    })),
    ...(ir.penalty === undefined ? {} : { penalty: { ...ir.penalty } }),
    ...(ir.concentration === undefined ? {} : { concentration: { ...ir.concentration } }),
    equationParams,
    equations,
  };
}

/**
 * A name as Mlxtran and R can read it: identifiers stay as they are; anything
 * else (flattened indices like `W[g1, g1*g7]`) becomes `W_g1_g1_g7`, the same
 * rule the exporters apply to parameter names.
 */
export function mathName(name: string): string {
  if (/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) return name;
  let s = name.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
  if (s === "") s = "p";
  if (/^[0-9]/.test(s)) s = `p_${s}`;
  return s;
}

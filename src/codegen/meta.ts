// The generated module's metadata (`ModelMeta`) from the IR: names, units,
// random-effect structure, dose targets, dictionary term names, the sparsity
// of Theta, and each right-hand side as Mlxtran/R text.
import { findAbsorption } from "../ir/absorption.js";
import { evaluateExpr } from "../ir/evaluate.js";
import type { CovariateEffectIr, CovariateIr, ModelIr } from "../ir/model.js";
import { formatNumber, printExpr } from "../ir/print-expr.js";
import type { CovariateEffectMeta, CovariateTypeMeta, ModelMeta } from "../runtime/model.js";

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
      ...(s.initialEstimated && s.initial === undefined ? { initialEstimated: true as const } : {}),
      ...(s.initialVariability === undefined ? {} : { initialVariability: { ...s.initialVariability } }),
      ...(s.initialCovariateEffects?.length ? { initialCovariateEffects: s.initialCovariateEffects.map((e) => covariateEffectMeta(ir, e)) } : {}),
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
      ...(p.positive ? { positive: true as const } : {}),
      ...(p.covariateEffects?.length ? { covariateEffects: p.covariateEffects.map((e) => covariateEffectMeta(ir, e)) } : {}),
      ...(p.doc === undefined ? {} : { doc: p.doc }),
      ...(p.dictionaryTerm === undefined ? {} : { dictionaryTerm: { state: p.dictionaryTerm.state, term: p.dictionaryTerm.term } }),
      ...(p.estimatedAs === undefined ? {} : { estimatedAs: p.estimatedAs }),
    })),
    // fromEntries defines own properties, so a constant named `__proto__` stays a constant.
    constants: Object.fromEntries(ir.constants.map((c) => [c.name, c.value])),
    covariates: [...ir.covariates],
    ...(ir.covariateTypes?.some((c) => c.kind === "categorical") ? { covariateTypes: ir.covariateTypes.map(covariateTypeMeta) } : {}),
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
    ...absorptionMeta(ir),
    equationParams,
    equations,
  };
}

function absorptionMeta(ir: ModelIr): Pick<ModelMeta, "absorption"> {
  const a = findAbsorption(ir);
  if (!a) return {};
  return { absorption: { ...a, ...(a.volume ? { volume: { ...a.volume } } : {}) } };
}

/**
 * The meta of one covariate effect. `value` interprets the IR here (for metas built in-process); the generated
 * module replaces it with straight-line code (emit-module.ts).
 */
export function covariateEffectMeta(ir: ModelIr, e: CovariateEffectIr): CovariateEffectMeta {
  if (e.kind === "categorical") return { kind: "categorical", name: e.name, covariate: e.covariate };
  const names = ir.covariates;
  return {
    kind: "continuous",
    name: e.name,
    covariate: e.covariate,
    value: (cov) => evaluateExpr(e.expr, { x: [], theta: [], t: 0, cov: Object.fromEntries(names.map((n, i) => [n, cov[i]!])) }),
    text: printExpr(e.expr, { syntax: "math", constant: (name) => mathName(name), covariate: (name) => mathName(name) }),
  };
}

/** The TypeScript text of a continuous effect's `value`: `(cov) => Math.log(cov[0] / 70)`. */
export function covariateValueCode(ir: ModelIr, e: CovariateEffectIr & { kind: "continuous" }): string {
  const body = printExpr(e.expr, {
    syntax: "ts",
    constant: (_name, value) => formatNumber(value, "ts"),
    covariate: (name) => `cov[${ir.covariates.indexOf(name)}]`,
  });
  return `(cov) => ${body}`;
}

function covariateTypeMeta(c: CovariateIr): CovariateTypeMeta {
  const doc = c.doc === undefined ? {} : { doc: c.doc };
  if (c.kind === "continuous") return { name: c.name, kind: "continuous", ...doc };
  return { name: c.name, kind: "categorical", ...(c.reference === undefined ? {} : { reference: c.reference }), ...doc };
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

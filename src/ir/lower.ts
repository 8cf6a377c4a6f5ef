// AST -> ModelIr for a model that passed every check. Reuses what the checker
// established (flat layout, expanded equations, linear forms, observation
// transforms, latent eliminations) so the two can never disagree.
import { check, type CheckResult } from "../check/check.js";
import { evaluateConstant } from "../check/expressions.js";
import { toIr } from "../check/linearise.js";
import type { ModelFile } from "../syntax/ast.js";
import { termCovariates } from "../check/report-covariate-effects.js";
import { declaredDistribution } from "../check/report-parameter-distributions.js";
import type {
  CovarianceBlockIr, CovariateEffectIr, CovariateIr, DerivedIr, Distribution, DoseIr, DynamicsIr, InitialVariability, ModelIr,
  ParameterIr, PenaltyIr, StateIr,
} from "./model.js";

export class LowerError extends Error {}

function penaltyOf(ast: ModelFile): PenaltyIr | undefined {
  const p = ast.penalties?.[0];
  if (!p) return undefined;
  const arg = (name: string) => p.args.find((a) => a.name.text === name)?.value;
  const lambdaArg = arg("lambda");
  const lambda: PenaltyIr["lambda"] =
    lambdaArg?.kind === "ref" && (lambdaArg.name.text === "cv" || lambdaArg.name.text === "ebic")
      ? lambdaArg.name.text
      : (evaluateConstant(lambdaArg) ?? "cv");
  const eta = evaluateConstant(arg("eta"));
  const K = evaluateConstant(arg("K"));
  return {
    kind: p.kind.text as PenaltyIr["kind"],
    param: p.param.text,
    lambda,
    ...(eta !== undefined ? { eta } : {}),
    ...(K !== undefined ? { K } : {}),
  };
}

/** Lower a checked model. Without `checked`, runs the checker and refuses a model with errors. */
export function lower(written: ModelFile, checked: CheckResult = check(written)): ModelIr {
  if (!checked.ok) throw new LowerError("lower() called on a model with errors; run check() first");
  // The model as checked: observations scaled by a parameter are rewritten in concentrations.
  const ast = checked.ast;
  const { layout, env, expanded, linear, observations, latent, reciprocals, doseCoefficients, concentrations } = checked.facts;
  if (!layout || !env || !expanded || !linear || !observations) throw new LowerError("check() did not reach the structure stage");
  const scope = checked.scope;

  const initial = new Map<string, number>();
  for (const c of scope.initialValues) {
    const v = evaluateConstant(c.value, (n) => env.constants.get(n));
    if (v !== undefined) initial.set(c.name.text, v);
  }
  const initialVariability = new Map<string, InitialVariability>();
  const initialTerms = new Map<string, NonNullable<(typeof scope.initialVariability)[number]["covariateTerms"]>>();
  for (const d of scope.initialVariability) {
    if ((d.covariateTerms ?? []).length > 0) initialTerms.set(d.name.text, d.covariateTerms!);
    const distribution = declaredDistribution(d);
    if (distribution === undefined || distribution === "logitNormal") continue;
    initialVariability.set(d.name.text, { distribution, random: d.variability !== "fixed" });
  }
  const monolixDistribution = new Map((ast.monolix?.items ?? []).map((m) => [m.param.text, m.distribution.text as Distribution]));
  const covariateTypes: CovariateIr[] = (ast.covariates?.items ?? []).map((c) => ({
    name: c.name.text,
    kind: c.categorical ? "categorical" : "continuous",
    ...(c.categorical?.reference ? { reference: c.categorical.reference.text } : {}),
    ...(c.doc ? { doc: c.doc.text } : {}),
  }));
  const covariateIndex = (name: string): number => covariateTypes.findIndex((c) => c.name === name);
  const effectsOf = (stem: string, terms: NonNullable<(typeof scope.initialVariability)[number]["covariateTerms"]>): CovariateEffectIr[] =>
    terms.map((term): CovariateEffectIr => {
      const covariate = termCovariates(checked, term)[0]!;
      const name = `beta_${stem}_${covariate}`;
      const index = covariateIndex(covariate);
      return covariateTypes[index]!.kind === "categorical"
        ? { kind: "categorical", name, covariate: index }
        : { kind: "continuous", name, covariate: index, expr: toIr(term.expr, env) };
    });
  const states: StateIr[] = layout.states.map((s) => {
    const elim = latent?.get(s.index);
    return {
      name: s.name,
      index: s.index,
      latent: s.decl.latent,
      ...(s.decl.doc ? { doc: s.decl.doc.text } : {}),
      ...(initial.has(s.name) ? { initial: initial.get(s.name)! } : {}),
      initialEstimated: !s.decl.latent && !initial.has(s.name),
      ...(initialVariability.has(s.name) ? { initialVariability: initialVariability.get(s.name)! } : {}),
      // The stem `W0` is the exports' name of the initial value (coefficientStem in the checker).
      ...(initialTerms.has(s.name) ? { initialCovariateEffects: effectsOf(`${s.name}0`, initialTerms.get(s.name)!) } : {}),
      ...(elim
        ? {
            elimination: {
              rate: elim.rate,
              dependsOn: elim.dependsOn,
              carriers: elim.carriers,
              unknownDoses: elim.unknownDoses,
              ...(elim.convolution ? { convolution: elim.convolution } : {}),
            },
          }
        : {}),
      span: s.decl.span,
    };
  });

  const parameters: ParameterIr[] = layout.parameters.map((p) => ({
    name: p.name,
    index: p.index,
    variability: p.decl.variability,
    // The declaration decides (the checker rejects a `monolix` line that contradicts it). Dictionary coefficients take
    // either sign, so they default to normal even when random.
    distribution:
      declaredDistribution(p.decl) ??
      monolixDistribution.get(p.base) ??
      (p.decl.variability !== "fixed" && !p.dictionaryTerm ? "logNormal" : "normal"),
    positive: declaredDistribution(p.decl) === "logNormal",
    covariateEffects: effectsOf(p.name, p.decl.covariateTerms ?? []),
    ...(p.decl.doc ? { doc: p.decl.doc.text } : {}),
    ...(p.dictionaryTerm ? { dictionaryTerm: p.dictionaryTerm } : {}),
    ...(reciprocals?.has(p.index) ? { estimatedAs: "reciprocal" as const } : {}),
    span: p.decl.span,
  }));

  const dynamics: DynamicsIr[] = [];
  for (const eq of expanded.equations) {
    if (eq.state === undefined) continue;
    const form = linear.get(eq.state)!;
    dynamics.push({ state: eq.state, terms: form.terms, drift: form.drift, rhs: toIr(eq.rhs, env), span: eq.decl.span });
  }
  dynamics.sort((a, b) => a.state - b.state);

  const covariance: CovarianceBlockIr[] = [];
  const placed = new Set<number>();
  for (const block of ast.random?.items ?? []) {
    const params = block.params.map((n) => layout.scalarParams.get(n.text)!);
    params.forEach((p) => placed.add(p));
    covariance.push({ structure: block.structure, params });
  }
  const rest = parameters.filter((p) => p.variability !== "fixed" && !placed.has(p.index)).map((p) => p.index);
  if (rest.length) covariance.push({ structure: "diagonal", params: rest });

  const doses: DoseIr[] = (ast.doses?.items ?? []).map((d, i) => {
    if (d.kind !== "jump") return { kind: "vector", name: d.name.text, values: d.values.items.map((v) => toIr(v, env)) };
    const state = layout.groups.get(d.target.text)!.indices[0]!;
    const coefficient = doseCoefficients?.get(i);
    // `amt` times a factor: the amount is AMT and the factor is carried as a coefficient.
    if (coefficient) return { kind: "jump", state, amount: "amt", ...(coefficient.scale === 1 && coefficient.param === undefined ? {} : { coefficient }) };
    return { kind: "jump", state, amount: typeof d.amount === "string" ? d.amount : toIr(d.amount, env) };
  });

  const derived: DerivedIr[] = (ast.derived?.items ?? []).map((d) => ({
    name: d.name.text,
    expr: toIr(d.expr, env),
    ...(d.doc ? { doc: d.doc.text } : {}),
  }));

  const constants = (ast.constants?.items ?? [])
    .filter((c) => !c.initialOf && env.constants.has(c.name.text))
    .map((c) => ({ name: c.name.text, value: env.constants.get(c.name.text)!, ...(c.doc ? { doc: c.doc.text } : {}) }));

  const penalty = penaltyOf(ast);
  return {
    name: ast.name?.text ?? "model",
    time: { name: scope.timeName, ...(ast.time?.unit ? { unit: ast.time.unit.text } : {}) },
    states,
    parameters,
    constants,
    covariates: covariateTypes.map((c) => c.name),
    covariateTypes,
    dynamics,
    observations: observations.map((o) => ({
      name: o.name,
      state: o.state,
      expr: o.expr,
      transform: o.transform,
      error: o.observation.decl.error,
      span: o.observation.decl.span,
    })),
    derived,
    covariance,
    doses,
    dictionaries: [...layout.dictionaries.values()].map((d) => ({
      name: d.name,
      over: d.over,
      degree: d.degree,
      constant: d.constant,
      terms: d.terms.map((t) => ({ name: t.name, factors: t.factors })),
    })),
    ...(penalty ? { penalty } : {}),
    ...(concentrations?.length ? { concentration: { param: concentrations[0]!.param, divides: concentrations[0]!.divides } } : {}),
  };
}

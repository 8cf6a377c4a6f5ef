// The coefficient vector of a latent-state model's observed equations once
// every latent state is eliminated in closed form (see latent.ts). Each
// observed equation is affine in the latent states, so with
// S = S_known + sum_m a_m psi_m its regression gets known columns
// (A_j + S_known B_j for parameter j), product columns (psi_m B_j for
// theta_j * a_m) and pure columns (psi_m cB for a_m); which of them exist is
// found by probing the compiled model.
import type { CompiledModel, Env } from "../model.js";
import { expandCoefficients, planLatent, type LatentCoefficient, type LatentPlan } from "./latent.js";

export type Factor = { kind: "param"; param: number } | { kind: "latent"; latent: number; coef: number };
export type Contribution =
  | { kind: "base"; param: number }
  | { kind: "prod"; param: number; latent: number; coef: number }
  | { kind: "pure"; latent: number; coef: number }
  /** Integral form: the observed state's value at the first sample of its piece (a per-subject nuisance). */
  | { kind: "start"; observed: number }
  /**
   * Exponential form: doses into observed state `observed` scaled by this coefficient (`C += amt / V`: a jump of
   * AMT * scale * c, or an infusion of rate AMT / DUR * scale * c), integrated exactly like the state's decay.
   */
  | { kind: "dose"; observed: number; scale: number };

/** One linear coefficient of the observed equations after elimination. */
export interface LatentRegressionCoefficient {
  name: string;
  factors: Factor[];
  contributions: Contribution[];
  random: boolean;
}

export interface LatentDesign {
  plan: LatentPlan;
  /** Per latent state (plan order): its coefficients with unknown doses expanded. */
  latentCoefs: LatentCoefficient[][];
  coefficients: LatentRegressionCoefficient[];
  /** The parameter searched in the outer loop, or -1. */
  rateParam: number;
  /**
   * Exponential form: the parameter delta of the observed state's own linear
   * decay (dX/dt = ... - delta X) and the index of its coefficient, integrated
   * exactly by the factor e^{delta t} and found by the outer search; null otherwise.
   */
  decay: { param: number; coef: number } | null;
}

/**
 * The parameter j whose column of the (single) observed equation is exactly
 * -X on the natural scale at every probe (a linear decay of the observed
 * state that reads no latent state), or -1.
 */
function decayParam(model: CompiledModel, plan: LatentPlan, bNz: Uint8Array[]): number {
  if (plan.observed.length !== 1) return -1;
  const { nStates: d, nParams: p } = model;
  const k = plan.observed[0]!;
  const th = new Float64Array(d * p);
  const dr = new Float64Array(d);
  const x = new Float64Array(d);
  const maxDose = Math.max(3, ...model.meta.doses.map((dd) => (dd.kind === "vector" ? dd.length : 0)));
  let found = -1;
  for (let j = 0; j < p; j++) {
    if (bNz.some((b) => b[j])) continue;
    let ok = true;
    for (let dose = 0; dose <= maxDose && ok; dose++)
      for (const level of [1.3, 0.6, 2.9]) {
        const env: Env = { dose, sinceDose: dose === 0 ? 0 : 0.7, cov: new Float64Array(model.meta.covariates.length).fill(1) };
        x.fill(0.4);
        for (const l of plan.latent) x[l.state] = 0.8;
        x[k] = level;
        model.dictionary(x, 1.1 + dose, env, th);
        model.drift(x, 1.1 + dose, env, dr);
        if (Math.abs(th[k * p + j]! + level) > 1e-12 * level || dr[k] !== 0) ok = false;
      }
    if (ok) {
      if (found >= 0) return -1;
      found = j;
    }
  }
  return found;
}

/** Which entries of the observed rows are non-zero, probed at a few states, times and dose indices. */
function probeObserved(model: CompiledModel, plan: LatentPlan) {
  const { nStates: d, nParams: p } = model;
  const nL = plan.latent.length;
  const aNz = new Uint8Array(p);
  const bNz = Array.from({ length: nL }, () => new Uint8Array(p));
  const cbNz = new Uint8Array(nL);
  const th0 = new Float64Array(d * p);
  const th1 = new Float64Array(d * p);
  const c0 = new Float64Array(d);
  const c1 = new Float64Array(d);
  const x = new Float64Array(d);
  const maxDose = Math.max(3, ...model.meta.doses.map((dd) => (dd.kind === "vector" ? dd.length : 0)));
  for (let dose = 0; dose <= maxDose; dose++)
    for (const level of [1.3, 0.6]) {
      const env: Env = { dose, sinceDose: dose === 0 ? 0 : 0.7, cov: new Float64Array(model.meta.covariates.length).fill(1) };
      for (const k of plan.observed) x[k] = level;
      for (const l of plan.latent) x[l.state] = 0;
      model.observedDictionary(x, 1.1, env, th0);
      model.observedDrift(x, 1.1, env, c0);
      for (const k of plan.observed) for (let j = 0; j < p; j++) if (th0[k * p + j] !== 0) aNz[j] = 1;
      plan.latent.forEach((l, s) => {
        x[l.state] = 1;
        model.observedDictionary(x, 1.1, env, th1);
        model.observedDrift(x, 1.1, env, c1);
        x[l.state] = 0;
        for (const k of plan.observed) {
          for (let j = 0; j < p; j++) if (th1[k * p + j] !== th0[k * p + j]) bNz[s]![j] = 1;
          if (c1[k] !== c0[k]) cbNz[s] = 1;
        }
      });
    }
  return { aNz, bNz, cbNz };
}

/** The coefficient vector of the observed equations after eliminating every latent state. */
export function latentDesign(
  model: CompiledModel,
  maxDoses: number,
  form: "weak" | "integral" | "exponential" = "weak",
  /** Exponential form also beside a searched latent rate (the log-scale population step searches both per subject). */
  decayWithRate = false,
): LatentDesign {
  const plan = planLatent(model);
  const meta = model.meta;
  const p = model.nParams;
  const rateParams = [...new Set(plan.latent.flatMap((l) => (l.rate.kind === "param" ? [l.rate.param] : [])))];
  if (rateParams.length > 1)
    throw new Error(
      `model ${meta.name}: latent rates depend on several parameters (${rateParams.map((j) => meta.parameters[j]!.name).join(", ")}); the outer search handles one`,
    );
  for (const l of plan.latent)
    if (l.rate.kind === "param" && !(l.rate.scale > 0))
      throw new Error(`latent state ${l.name}: its decay rate decreases with ${meta.parameters[l.rate.param]!.name}; the outer search needs a rate increasing with its parameter`);
  const rateParam = rateParams[0] ?? -1;
  const latentCoefs = plan.latent.map((l) => expandCoefficients(l, maxDoses));
  const { aNz, bNz, cbNz } = probeObserved(model, plan);
  const coefficients: LatentRegressionCoefficient[] = [];
  const byKey = new Map<string, LatentRegressionCoefficient>();
  const isRandom = (f: Factor): boolean =>
    f.kind === "param" ? meta.parameters[f.param]!.variability !== "fixed" : latentCoefs[f.latent]![f.coef]!.kind !== "param";
  const factorName = (f: Factor): string => {
    if (f.kind === "param") return meta.parameters[f.param]!.name;
    const l = plan.latent[f.latent]!;
    const c = latentCoefs[f.latent]![f.coef]!;
    return c.kind === "param" || c.kind === "doseScaled" ? meta.parameters[c.param]!.name : c.kind === "initial" ? `${l.name}(0)` : `${l.name}_dose${c.dose + 1}`;
  };
  const factorKey = (f: Factor): string => {
    if (f.kind === "param") return `p${f.param}`;
    const c = latentCoefs[f.latent]![f.coef]!;
    return c.kind === "param" || c.kind === "doseScaled" ? `p${c.param}` : `l${f.latent}:${f.coef}`;
  };
  const canonical = (f: Factor): Factor => {
    if (f.kind === "param") return f;
    const c = latentCoefs[f.latent]![f.coef]!;
    return c.kind === "param" || c.kind === "doseScaled" ? { kind: "param", param: c.param } : f;
  };
  const add = (factors: Factor[], contribution: Contribution): void => {
    const canon = factors.map(canonical);
    const key = canon.map(factorKey).sort().join("*");
    let c = byKey.get(key);
    if (!c) {
      c = { name: canon.map(factorName).join("*"), factors: canon, contributions: [], random: canon.some(isRandom) };
      byKey.set(key, c);
      coefficients.push(c);
    }
    c.contributions.push(contribution);
  };
  for (let j = 0; j < p; j++)
    if (aNz[j] || bNz.some((b) => b[j])) add([{ kind: "param", param: j }], { kind: "base", param: j });
  plan.latent.forEach((_, s) => {
    latentCoefs[s]!.forEach((_c, m) => {
      const lf: Factor = { kind: "latent", latent: s, coef: m };
      for (let j = 0; j < p; j++)
        if (bNz[s]![j]) add([{ kind: "param", param: j }, lf], { kind: "prod", param: j, latent: s, coef: m });
      if (cbNz[s]) add([lf], { kind: "pure", latent: s, coef: m });
    });
  });
  // Doses into an observed state scaled by a coefficient (`C += amt / V`): a regressor of that coefficient, not a
  // jump that splits the curve (splitting would leave the coefficient in no row).
  for (const dm of meta.doses)
    if (dm.kind === "jump" && !meta.states[dm.state]!.latent && dm.coefficient?.param !== undefined) {
      const o = plan.observed.indexOf(dm.state);
      add([{ kind: "param", param: dm.coefficient.param }], { kind: "dose", observed: o, scale: dm.coefficient.scale });
    }
  let decay: LatentDesign["decay"] = null;
  if (form === "exponential") {
    const j = rateParam < 0 || decayWithRate ? decayParam(model, plan, bNz) : -1;
    const coef = coefficients.findIndex((c) => c.contributions.length === 1 && c.contributions[0]!.kind === "base" && c.contributions[0]!.param === j);
    if (j >= 0 && coef >= 0) decay = { param: j, coef };
    else form = "weak";
  }
  if (form === "integral" || form === "exponential")
    plan.observed.forEach((k, o) =>
      coefficients.push({ name: `${meta.states[k]!.name}(t0)`, factors: [], contributions: [{ kind: "start", observed: o }], random: true }),
    );
  return { plan, latentCoefs, coefficients, rateParam, decay };
}

// Two linear compartments, one observed (a central concentration C, dosed by
// `C += amt / V`, bolus or infusion) and one latent peripheral P solved as a
// convolution of C (StateMeta.convolution: d/dt P = k_in C - k_out P). The
// pair is a linear system, so each subject's samples are, exactly,
//     C(t_k) = sum_d [a_1 D_d(alpha; t_k) + a_2 D_d(beta; t_k)]
// with D_d(lambda; t) what dose d leaves at t of a state decaying at rate
// lambda (rows/latent-rows.ts dosedAmount): linear in (a_1, a_2) for given
// (alpha, beta), which a nested bounded search on the log scale finds per
// subject (variable projection, 2-D). The data curve enters nowhere, so the
// rows stay exact across doses and infusions, however sparse the sampling.
// The model's parameters follow from the macro-constants: with M the 2x2
// system matrix, c = a_1 + a_2 (the dose coefficient, 1/V), -M_PP =
// (a_1 beta + a_2 alpha) / c, M_CC + M_PP = -(alpha + beta) and
// det M = alpha beta; which parameter sits in which entry is read off the
// compiled model (probed), so `k10 + k12` or a rate written `k21` map back.
// These per-subject values are the start of the population step
// (compartment-population.ts); rows are weighted by 1/prediction for relative
// errors (three passes).
import type { CompiledModel, Env, ModelMeta } from "../model.js";
import type { Dataset, Subject } from "../data/dataset.js";
import { dosedAmount } from "../rows/latent-rows.js";
import { observationOfState } from "../rows/weak-form.js";
import { searchLogScale } from "../population/outer-search.js";
import { median } from "../numeric/summary.js";
import { UnsupportedModelError } from "./unsupported.js";

/** Where each parameter sits in the 2x2 system of (C, P). */
export interface CompartmentPlan {
  observed: number;
  peripheral: number;
  /** The dose coefficient (1/V) and its scale. */
  dose: { param: number; scale: number };
  /** -M_PP = scale * theta[param] + offset. */
  outRate: { param: number; scale: number; offset: number };
  /** M_PC = scale * theta[param]. */
  inRate: { param: number; scale: number };
  /** M_CP = sum_j cp[j] theta_j; M_CC = sum_j cc[j] theta_j. */
  cp: Float64Array;
  cc: Float64Array;
  /** The one parameter of M_CC solved last (k10), beside those already known. */
  last: number;
}

/** The plan when `meta` is this two-compartment form, else null. */
export function compartmentPlan(model: CompiledModel): CompartmentPlan | null {
  const meta = model.meta;
  const { nStates: d, nParams: p } = model;
  if (d !== 2) return null;
  const peripheral = meta.states.findIndex((s) => s.convolution);
  const observed = 1 - peripheral;
  if (peripheral < 0 || meta.states[observed]!.latent) return null;
  const conv = meta.states[peripheral]!.convolution!;
  if (conv.rate.kind !== "param" || conv.inputs.length !== 1 || conv.inputs[0]!.state !== observed || conv.inputs[0]!.param === undefined) return null;
  const jumps = meta.doses.filter((x) => x.kind === "jump");
  const params = new Set(jumps.map((x) => (x.kind === "jump" && x.state === observed ? x.coefficient?.param : undefined)));
  if (jumps.length === 0 || params.size !== 1 || params.has(undefined)) return null;
  const first = jumps[0] as Extract<ModelMeta["doses"][number], { kind: "jump" }>;
  const env: Env = { dose: 1, sinceDose: 0.5, cov: new Float64Array(meta.covariates.length).fill(1) };
  const th = new Float64Array(d * p);
  const dr = new Float64Array(d);
  const x = new Float64Array(d);
  const column = (k: number): Float64Array => {
    x.fill(0);
    x[k] = 1;
    model.dictionary(x, 1.3, env, th);
    model.drift(x, 1.3, env, dr);
    if (dr.some((v) => v !== 0)) throw new UnsupportedModelError(`model ${meta.name}: the compartments have an input other than the doses`);
    return Float64Array.from(th.subarray(observed * p, observed * p + p));
  };
  const cc = column(observed);
  const cp = column(peripheral);
  const out = { param: conv.rate.param, scale: conv.rate.scale, offset: conv.rate.offset };
  const inp = { param: conv.inputs[0]!.param!, scale: conv.inputs[0]!.scale };
  // M_CP may read only the out-rate's parameter; M_CC exactly one parameter besides the in- and out-rate.
  if (cp.some((v, j) => v !== 0 && j !== out.param && j !== inp.param)) return null;
  const rest = [...cc.keys()].filter((j) => cc[j] !== 0 && j !== inp.param && j !== out.param);
  if (rest.length !== 1) return null;
  return { observed, peripheral, dose: { param: first.coefficient!.param!, scale: first.coefficient!.scale }, outRate: out, inRate: inp, cp, cc, last: rest[0]! };
}

export interface Samples {
  times: number[];
  values: number[];
  relative: boolean;
}

export function samplesOf(model: CompiledModel, subject: Subject, observed: number): Samples {
  const o = observationOfState(model)[observed]!;
  const ob = model.meta.observations[o]!;
  const s = subject.series[o];
  const times: number[] = [];
  const values: number[] = [];
  if (s) for (let i = 0; i < s.times.length; i++) if (!s.censored?.[i] && Number.isFinite(s.values[i]!)) {
    times.push(s.times[i]!);
    values.push(model.invert(o, s.values[i]!));
  }
  return { times, values, relative: ob.error !== "constant" || ob.transform === "log" || ob.transform === "log10" };
}

/** Weighted least squares of y on two regressors: the coefficients and the residual sum of squares. */
function twoColumns(f1: number[], f2: number[], y: number[], w: number[]): { a1: number; a2: number; rss: number } {
  let s11 = 0, s12 = 0, s22 = 0, s1y = 0, s2y = 0, syy = 0;
  for (let i = 0; i < y.length; i++) {
    const ww = w[i]! * w[i]!;
    s11 += ww * f1[i]! * f1[i]!;
    s12 += ww * f1[i]! * f2[i]!;
    s22 += ww * f2[i]! * f2[i]!;
    s1y += ww * f1[i]! * y[i]!;
    s2y += ww * f2[i]! * y[i]!;
    syy += ww * y[i]! * y[i]!;
  }
  const det = s11 * s22 - s12 * s12;
  if (!(Math.abs(det) > 1e-14 * s11 * s22)) {
    const a1 = s11 > 0 ? s1y / s11 : 0;
    return { a1, a2: 0, rss: syy - a1 * s1y };
  }
  const a1 = (s22 * s1y - s12 * s2y) / det;
  const a2 = (s11 * s2y - s12 * s1y) / det;
  return { a1, a2, rss: Math.max(0, syy - a1 * s1y - a2 * s2y) };
}

interface SubjectFit {
  alpha: number;
  beta: number;
  a1: number;
  a2: number;
  atBound: boolean;
  weights: number[];
  samples: Samples;
}

/** One subject's macro-constants: nested searches over beta (slow) and alpha (fast, above beta). */
function fitSubject(subject: Subject, samples: Samples, plan: CompartmentPlan, weights: number[]): SubjectFit | null {
  const { times, values } = samples;
  if (times.length < 4) return null;
  const doseTimes = subject.doses.map((x) => x.time);
  const all = [...new Set([...times, ...doseTimes])].sort((a, b) => a - b);
  let gap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < all.length; i++) if (all[i]! > all[i - 1]!) gap = Math.min(gap, all[i]! - all[i - 1]!);
  const span = all[all.length - 1]! - all[0]!;
  const lo = 0.1 / span;
  const hi = 10 / (Number.isFinite(gap) ? gap : span);
  const col = (lambda: number): number[] => times.map((t) => plan.dose.scale * dosedAmount(subject.doses, 0, t, lambda));
  const inner = (beta: number) =>
    searchLogScale((alpha) => twoColumns(col(alpha), col(beta), values, weights).rss, beta * 1.05, Math.max(hi, beta * 2), { logTolerance: 1e-3 });
  const outer = searchLogScale((beta) => inner(beta).objective, lo, hi / 1.05, { logTolerance: 1e-3 });
  const alphaRes = inner(outer.value);
  const { a1, a2 } = twoColumns(col(alphaRes.value), col(outer.value), values, weights);
  return { alpha: alphaRes.value, beta: outer.value, a1, a2, atBound: outer.atBound || alphaRes.atBound, weights, samples };
}

/** The model's coefficients (1/V in V's slot) from the macro-constants. */
function parametersOf(plan: CompartmentPlan, p: number, f: SubjectFit): Float64Array {
  const th = new Float64Array(p).fill(Number.NaN);
  const c = f.a1 + f.a2;
  const kOut = (f.a1 * f.beta + f.a2 * f.alpha) / c;
  const mPP = -kOut;
  const mCC = -(f.alpha + f.beta) - mPP;
  const coupling = mCC * mPP - f.alpha * f.beta; // M_CP * M_PC
  th[plan.dose.param] = c / plan.dose.scale;
  th[plan.outRate.param] = (kOut - plan.outRate.offset) / plan.outRate.scale;
  let mCP = 0;
  for (let j = 0; j < p; j++) if (plan.cp[j] !== 0 && j !== plan.inRate.param) mCP += plan.cp[j]! * th[j]!;
  // M_CP may itself hold the in-rate (rare): then coupling = (cp_in theta_in + rest) * scale_in * theta_in, taken linear.
  const cpIn = plan.cp[plan.inRate.param]!;
  th[plan.inRate.param] = cpIn === 0 ? coupling / (mCP * plan.inRate.scale) : Math.sqrt(Math.max(0, coupling / (cpIn * plan.inRate.scale)));
  let known = 0;
  for (let j = 0; j < p; j++) if (plan.cc[j] !== 0 && j !== plan.last) known += plan.cc[j]! * th[j]!;
  th[plan.last] = (mCC - known) / plan.cc[plan.last]!;
  return th;
}

function predictions(subject: Subject, plan: CompartmentPlan, f: SubjectFit): number[] {
  return f.samples.times.map(
    (t) => plan.dose.scale * (f.a1 * dosedAmount(subject.doses, 0, t, f.alpha) + f.a2 * dosedAmount(subject.doses, 0, t, f.beta)),
  );
}

/**
 * Each subject's own estimate of the model's coefficients (1/V in V's slot) from its macro-constants, or null when it
 * has fewer than 4 samples: the starting values of the population step (compartment-population.ts).
 */
export function ownCompartmentEstimates(model: CompiledModel, data: Dataset, plan: CompartmentPlan): { theta: Float64Array | null; atBound: boolean }[] {
  return data.subjects.map((subject) => {
    const samples = samplesOf(model, subject, plan.observed);
    const level = median(samples.values.map(Math.abs).filter((v) => v > 0));
    let f = fitSubject(subject, samples, plan, samples.values.map(() => (samples.relative && level > 0 ? 1 / level : 1)));
    // Relative errors: weigh each sample by its fitted level (two more passes).
    for (let pass = 0; f && samples.relative && pass < 2; pass++) {
      const pred = predictions(subject, plan, f);
      const floor = 1e-3 * median(pred.map(Math.abs));
      f = fitSubject(subject, samples, plan, pred.map((v) => 1 / Math.max(Math.abs(v), floor))) ?? f;
    }
    return f ? { theta: parametersOf(plan, model.nParams, f), atBound: f.atBound } : { theta: null, atBound: false };
  });
}

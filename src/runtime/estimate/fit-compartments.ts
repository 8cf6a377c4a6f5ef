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
// Population values are the medians of the individual values (every
// parameter is here a searched rate or mapped from them) and omega their
// spread; rows are weighted by 1/prediction for relative errors (three passes).
import type { CompiledModel, Env, ModelMeta } from "../model.js";
import type { Dataset, Subject } from "../data/dataset.js";
import type { FitResult, ParameterEstimate } from "../fit-result.js";
import { dosedAmount } from "../rows/latent-rows.js";
import { observationOfState } from "../rows/weak-form.js";
import { searchLogScale } from "../population/outer-search.js";
import { median, sd } from "../numeric/summary.js";
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

interface Samples {
  times: number[];
  values: number[];
  relative: boolean;
}

function samplesOf(model: CompiledModel, subject: Subject, observed: number): Samples {
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

export function fitCompartments(model: CompiledModel, data: Dataset, plan: CompartmentPlan): FitResult {
  const started = performance.now();
  const meta = model.meta;
  const p = model.nParams;
  const notes: string[] = [];
  for (const s of meta.states) if ((s.initial ?? 0) !== 0 || s.initialEstimated) throw new UnsupportedModelError(`model ${meta.name}: the compartment form needs every state at 0 before the first dose`);
  const fits: (SubjectFit | null)[] = data.subjects.map((subject) => {
    const samples = samplesOf(model, subject, plan.observed);
    const level = median(samples.values.map(Math.abs).filter((v) => v > 0));
    let f = fitSubject(subject, samples, plan, samples.values.map(() => (samples.relative && level > 0 ? 1 / level : 1)));
    // Relative errors: weigh each sample by its fitted level (two more passes).
    for (let pass = 0; f && samples.relative && pass < 2; pass++) {
      const pred = predictions(subject, plan, f);
      const floor = 1e-3 * median(pred.map(Math.abs));
      f = fitSubject(subject, samples, plan, pred.map((v) => 1 / Math.max(Math.abs(v), floor))) ?? f;
    }
    return f;
  });
  const kept = data.subjects.map((s, i) => ({ s, f: fits[i]! })).filter((x) => x.f !== null);
  if (kept.length === 0) throw new UnsupportedModelError(`model ${meta.name}: no subject has the 4 samples the two-compartment form needs`);
  const skipped = data.subjects.filter((_, i) => !fits[i]).map((s) => s.id);
  if (skipped.length) notes.push(`${skipped.length} subject(s) with fewer than 4 samples were left out (${skipped.slice(0, 5).join(", ")}${skipped.length > 5 ? ", ..." : ""}).`);
  const individual: Record<string, Record<string, number>> = {};
  kept.forEach(({ s, f }) => {
    const th = parametersOf(plan, p, f);
    const row: Record<string, number> = {};
    const values = th.map((v, j) => (meta.parameters[j]!.estimatedAs === "reciprocal" ? 1 / v : v));
    meta.parameters.forEach((par, j) => (row[par.name] = values[j]!));
    if (meta.derived.length) {
      const out = new Float64Array(meta.derived.length);
      model.derived(th, out);
      meta.derived.forEach((dq, k) => Number.isFinite(out[k]!) && (row[dq.name] = out[k]!));
    }
    individual[s.id] = row;
  });
  const parameters: Record<string, ParameterEstimate> = {};
  meta.parameters.forEach((par, j) => {
    const v = kept.map(({ s }) => individual[s.id]![par.name]!).filter(Number.isFinite);
    const random = par.variability !== "fixed";
    const log = par.positive === true && v.every((x) => x > 0);
    parameters[par.name] = {
      estimate: median(v),
      se: null,
      omega: random ? (log ? sd(v.map(Math.log)) : sd(v)) : null,
      fromIndividuals: true,
      ...(log ? { scale: "log" as const } : {}),
    };
  });
  const atBound = kept.filter(({ f }) => f.atBound).length;
  // Residual error from the final residuals (relative or absolute): robust (MAD; a sample near zero gives a wild
  // relative residual), inflated for the 4 values each subject fits.
  const res: number[] = [];
  for (const { s, f } of kept) {
    const pred = predictions(s, plan, f);
    f.samples.values.forEach((y, i) => {
      const r = f.samples.relative ? (y - pred[i]!) / pred[i]! : y - pred[i]!;
      if (Number.isFinite(r)) res.push(r);
    });
  }
  const n = res.length;
  const resSd = 1.4826 * median(res.map(Math.abs)) * Math.sqrt(n / Math.max(1, n - 4 * kept.length));
  const residual: FitResult["residual"] = {};
  for (const ob of meta.observations)
    residual[ob.name] = ob.error === "constant" ? { error: "constant", a: resSd } : ob.error === "proportional" ? { error: "proportional", b: resSd } : { error: "combined", a: 0, b: resSd };
  const names = meta.parameters.filter((x) => x.variability !== "fixed").map((x) => x.name);
  const derived: Record<string, number> = {};
  if (meta.derived.length) {
    const th = Float64Array.from(meta.parameters, (par) => (par.estimatedAs === "reciprocal" ? 1 / parameters[par.name]!.estimate : parameters[par.name]!.estimate));
    const out = new Float64Array(meta.derived.length);
    model.derived(th, out);
    meta.derived.forEach((dq, k) => Number.isFinite(out[k]!) && (derived[dq.name] = out[k]!));
  }
  notes.push(
    `Two-compartment form: ${meta.states[plan.peripheral]!.name} is a convolution of ${meta.states[plan.observed]!.name}, so each subject's samples are exactly a sum over doses of two exponentials (bolus or infusion), linear in their weights; the two rates were searched per subject (nested bounded golden-section searches on the log scale, bounds from the sampling) and the parameters mapped back from these macro-constants. Population values are the medians of the individual values, omega their SD${meta.parameters.some((x) => x.positive) ? " (of the log for positive parameters)" : ""}; no standard errors.`,
  );
  if (atBound) notes.push(`${atBound} subject(s) have a rate at (within one grid step of) a search bound: the data barely determine it there.`);
  return {
    model: meta.name,
    subjects: kept.length,
    seconds: (performance.now() - started) / 1000,
    parameters,
    omegaCorrelation: {},
    residual,
    individual,
    derived,
    omega: { names, matrix: names.map((a) => names.map((b) => (a === b ? (parameters[a]!.omega ?? 0) ** 2 : 0))) },
    unidentifiable: [],
    notes,
    settings: {
      estimator: "two-compartment macro-constants by variable projection per subject (exact exponential rows), medians over subjects",
      form: "exponential",
      rowForms: { exponential: kept.length },
      rows: n,
      atBound,
    },
  };
}

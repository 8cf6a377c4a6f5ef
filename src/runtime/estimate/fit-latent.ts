// The weak-form estimator for models with latent states (never measured,
// eliminated in closed form, see rows/latent.ts and rows/latent-design.ts):
// the mixed model is fitted on the coefficient vector of the observed
// equations, products are mapped back per subject
// (fM2_i = (theta fM2)_i / theta_i), and an estimated latent rate (ka) is
// searched in a bounded outer loop with everything else in closed form
// inside (variable projection). The rows themselves come from rows/latent-rows.ts.
//
// Default row form ("exponential", when the single observed state decays
// linearly by one parameter, dX/dt = ... - delta X, and no latent rate is
// searched): one row per sample, X(t_k) = X(t_0) e^{-delta (t_k - t_0)} +
// int e^{-delta (t_k - s)} (rest)(s) ds, on the natural scale divided by the
// fitted level, delta by the outer search. The rest of the equation reads only
// latent states, known in closed form, so the smoothed curve enters nowhere:
// no bias between sparse samples (a fast rise after a dose) and no noise in
// the regressors. Measured against the bump weak form on the bundled data and
// seeded simulations (figures in test/runtime/estimate/vaccine.test.ts): Clairon
// (theta, fM2, delta_Ab) +1.5/-26/-18.9% -> -1.2/+6.2/-0.2%, Ebola
// (theta_S, theta_L, delta_Ab) -28/-43/-27% -> +3.2/+0.5/-1.8%. Other models
// keep the weak form.
import type { CompiledModel } from "../model.js";
import { DataError, type Dataset } from "../data/dataset.js";
import type { FitResult, ParameterEstimate } from "../fit-result.js";
import type { FitOptions } from "./options.js";
import type { SmoothOptions } from "../rows/smooth.js";
import { newNoise, residualErrors } from "../rows/curves.js";
import { sharedCurves, sharedSmoothingNote } from "../rows/shared-curves.js";
import { observationOfState } from "../rows/weak-form.js";
import { latentDesign, type LatentDesign, type LatentRegressionCoefficient } from "../rows/latent-design.js";
import { assembleRows, prepareSubject, updateLevels, type SubjectContext } from "../rows/latent-rows.js";
import { MixedModel, type LmmFit } from "../population/mixed-model.js";
import { gramSums, type SubjectStats } from "../population/subject-rows.js";
import { searchLogScale } from "../population/outer-search.js";
import { solveSpd } from "../numeric/linalg.js";
import { median, sd } from "../numeric/summary.js";
import { coefficientBlocks } from "./random-blocks.js";
import { positiveParameters } from "./log-scale.js";
import { latentLogScale } from "./latent-log-scale.js";
import { reportReciprocals } from "./reciprocal.js";
import { UnsupportedModelError } from "./unsupported.js";
import { doseRegressed } from "../rows/latent-rows.js";
import { covariateFields } from "./covariate-effects.js";

/** One subject's least-squares coefficients (a tiny ridge keeps unseen columns at 0) and residual sum of squares. */
function leastSquares(st: SubjectStats, P: number): { coef: Float64Array | null; rss: number } {
  const a = Float64Array.from(st.gtg);
  let tr = 0;
  for (let j = 0; j < P; j++) tr += a[j * P + j]!;
  for (let j = 0; j < P; j++) a[j * P + j] += a[j * P + j]! > 0 ? 1e-10 * (tr / P) : 1;
  const c = solveSpd(a, P, Float64Array.from(st.gty));
  if (!c) return { coef: null, rss: Number.POSITIVE_INFINITY };
  let fit = 0;
  for (let j = 0; j < P; j++) fit += c[j]! * st.gty[j]!;
  return { coef: c, rss: Math.max(st.yty - fit, 0) };
}

/** The profiled objective of the outer search: the subject's least-squares residual sum of squares. */
function profiledRss(st: SubjectStats, P: number): number {
  return leastSquares(st, P).rss;
}

/**
 * Subjects whose own least-squares weak-form residual (RMS per row) exceeds
 * OUTLIER_FACTOR times the median over subjects: data the model cannot
 * describe on the observed scale (e.g. log titres that collapse to -12 when
 * a simulated titre crosses zero). Their rows can be 10^14 times larger than
 * anyone else's (the observed-scale dynamics divide by the state), which
 * would decide the population fit alone, so they are left out of it.
 */
const OUTLIER_FACTOR = 5;

/** What every step of one latent-state fit reads: the design, the prepared subjects, and the notes it writes. */
interface LatentRun {
  model: CompiledModel;
  options: FitOptions;
  design: LatentDesign;
  rowForm: "weak" | "integral";
  contexts: SubjectContext[];
  notes: string[];
  residual: FitResult["residual"];
  rowScale: Float64Array;
  yCorrection: Float64Array;
  smoothing: SmoothOptions;
  weighted: boolean;
  obsOf: Int32Array;
  /** Exponential form: subjects whose samples the fitted model misses on the log scale (see refinePasses). */
  excluded: Set<number>;
  /** The data's levels of categorical covariates. */
  levels?: Record<string, string[]>;
}

/** The population step of one pass, with the searched rates it was made at. */
interface PassResult {
  rates: Float64Array;
  decays: Float64Array;
  /** The exponential form's decay search, as the quality check reads it (settings.decaySearch). */
  decaySearch: { lo: number; hi: number; atBound: number } | null;
  atBound: number;
  rateLo: number;
  rateHi: number;
  keep: number[];
  kept: LatentRegressionCoefficient[];
  randomCoefs: number[];
  lmm: LmmFit;
  Q: number;
  stats: SubjectStats[];
  coefOf: (i: number) => Float64Array;
  inPop: number[];
}

/** Design, smoothing and node tables of every subject, and the row scales from the pooled smoothing noise. */
function prepareRun(model: CompiledModel, data: Dataset, options: FitOptions): LatentRun {
  const meta = model.meta;
  const obsOf = observationOfState(model);
  if (data.subjects.length === 0) throw new DataError("the data set has no subjects", data.file);
  const maxDoses = Math.max(0, ...data.subjects.map((s) => s.doses.length));
  const form = options.form ?? "exponential";
  // Narrower bumps than the dense default (2 rather than 3 median sampling
  // gaps, on the warped axis): with 10 samples per subject this doubles the
  // rows; on antibody_clairon.csv the median errors went from
  // (theta, fM2, delta_Ab) = (-9.5%, -24%, -48%) to (+1.5%, -26%, -19%).
  options = { ...options, tests: { minWidthSpacings: 2, ...options.tests } };
  if (positiveParameters(model).some((x) => x)) options = { knownStart: true, ...options };
  const logScale = positiveParameters(model).some((x) => x);
  const design = latentDesign(model, maxDoses, form, logScale);
  const { plan, decay } = design;
  if (doseRegressed(design) && !decay)
    throw new UnsupportedModelError(
      `model ${meta.name}: doses scaled by a parameter enter the rows only in the exponential form, which needs the observed state to decay by one parameter (d/dt X = ... - k * X) and no searched latent rate; this model has neither`,
    );
  const rowForm = decay ? "integral" : form === "exponential" ? "weak" : form;
  for (const k of plan.observed)
    if (obsOf[k]! < 0) throw new Error(`model ${meta.name}: state ${meta.states[k]!.name} is neither latent nor observed`);
  const notes: string[] = [...plan.notes];
  const weighted = options.weightedSmoothing ?? true;
  const smoothing: SmoothOptions = { undersmooth: 0.1, ...options.smoothing };
  const noise = newNoise(model);
  const counters = { censored: 0 };
  const contexts: SubjectContext[] = [];
  const skipped: string[] = [];
  const shared = sharedCurves(model, data, weighted, noise, options.smoother, options.tests, options.warpTime === false ? undefined : (i) => data.subjects[i]!.doses.map((x) => x.time));
  counters.censored += shared.censoredDropped;
  if (shared.outputs.length > 0) notes.push(sharedSmoothingNote(shared.outputs));
  data.subjects.forEach((subject, index) => {
    const own = new Map([...shared.byState].map(([k, pieces]) => [k, pieces[index]!]));
    const ctx = prepareSubject(model, design, subject, index, smoothing, weighted, options, noise, counters, own);
    if (ctx) contexts.push(ctx);
    else skipped.push(subject.id);
    options.onProgress?.(index + 1, data.subjects.length);
  });
  if (counters.censored > 0)
    notes.push(`${counters.censored} censored observation(s) (below the limit of quantification) were left out of the curve estimates.`);
  if (contexts.length === 0)
    throw new DataError(
      "no subject has enough observations for a weak-form test function",
      data.file,
      undefined,
      undefined,
      "each subject needs, on one interval between jumps of its observed states, at least 4 distinct sampling times of every observed output",
    );
  if (skipped.length > 0)
    notes.push(`${skipped.length} subject(s) skipped: too few observations for any test function (${skipped.slice(0, 5).join(", ")}${skipped.length > 5 ? ", ..." : ""}).`);
  const { residual, absSd } = residualErrors(model, noise);
  // Integral form on log-observed states: 10^z of a sample overshoots x by exp((sd ln10)^2 / 2) on average.
  const yCorrection = Float64Array.from(plan.observed, (k) => {
    const ob = meta.observations[obsOf[k]!]!;
    const a = absSd[obsOf[k]!]!;
    return ob.transform === "log10" ? Math.exp((a * Math.LN10) ** 2 / 2) : ob.transform === "log" ? Math.exp((a * a) / 2) : 1;
  });
  if (rowForm === "integral") for (const ctx of contexts) ctx.yCorrection = yCorrection;
  const rowScale = new Float64Array(model.nStates).fill(1);
  for (const k of plan.observed) {
    const s = absSd[obsOf[k]!]!;
    rowScale[k] = s > 0 && Number.isFinite(s) ? 1 / s : 1;
  }
  return { model, options, design, rowForm, contexts, notes, residual, rowScale, yCorrection, smoothing, weighted, obsOf, excluded: new Set<number>(), ...(data.levels ? { levels: data.levels } : {}) };
}

/** Outer search over the latent rate parameter (variable projection): per subject when random, pooled when fixed. */
function searchLatentRate(run: LatentRun, final: boolean): Pick<PassResult, "rates" | "atBound" | "rateLo" | "rateHi"> {
  const { model, design, contexts, options, notes, rowScale } = run;
  const meta = model.meta;
  const P = design.coefficients.length;
  const rates = new Float64Array(contexts.length).fill(Number.NaN);
  let atBound = 0;
  let rateLo = Number.NaN;
  let rateHi = Number.NaN;
  const rp = design.rateParam;
  if (rp < 0) return { rates, atBound, rateLo, rateHi };
  const l = design.plan.latent.find((x) => x.rate.kind === "param" && x.rate.param === rp)!;
  const r = l.rate as { kind: "param"; param: number; scale: number; offset: number };
  const toParam = (k: number): number => (k - r.offset) / r.scale;
  const rssAt = (ctx: SubjectContext, k: number): number => profiledRss(gramSums(assembleRows(model, design, ctx, rowScale, toParam(k))), P);
  const bounds = (ctx: SubjectContext): [number, number] => options.rateBounds ?? [ctx.rateLo, ctx.rateHi];
  if (meta.parameters[rp]!.variability !== "fixed") {
    contexts.forEach((ctx, i) => {
      const [lo, hi] = bounds(ctx);
      const res = searchLogScale((k) => rssAt(ctx, k), lo, hi);
      rates[i] = toParam(res.value);
      if (res.atBound) atBound++;
    });
    rateLo = Math.min(...contexts.map((c) => bounds(c)[0]));
    rateHi = Math.max(...contexts.map((c) => bounds(c)[1]));
    if (final) notes.push(
      `${meta.parameters[rp]!.name} (a latent rate, random) was found per subject by a bounded golden-section search on the log scale of the subject's profiled weak-form residual (all other coefficients by least squares inside); bounds per subject from its sampling [0.1/span, 10/shortest gap]${options.rateBounds ? " overridden by rateBounds" : ""}. Its population value is the median of the individual values and its omega their SD.`,
    );
  } else {
    rateLo = options.rateBounds?.[0] ?? Math.min(...contexts.map((c) => c.rateLo));
    rateHi = options.rateBounds?.[1] ?? Math.max(...contexts.map((c) => c.rateHi));
    const res = searchLogScale((k) => contexts.reduce((s, ctx) => s + rssAt(ctx, k), 0), rateLo, rateHi);
    rates.fill(toParam(res.value));
    if (res.atBound) atBound = contexts.length;
    if (final) notes.push(
      `${meta.parameters[rp]!.name} (a latent rate, fixed) was found by a bounded golden-section search on the log scale of the pooled profiled weak-form residual, bounds [${rateLo.toPrecision(3)}, ${rateHi.toPrecision(3)}].`,
    );
  }
  if (atBound > 0)
    if (final) notes.push(`${atBound} subject(s) have their ${meta.parameters[rp]!.name} at (within one grid step of) a search bound: the data barely determine it there.`);
  return { rates, atBound, rateLo, rateHi };
}

/** Exponential form: the observed state's decay rate by the same bounded search (pooled when fixed). */
function searchDecay(run: LatentRun, final: boolean): { decays: Float64Array; search: PassResult["decaySearch"] } {
  const { model, design, contexts, options, notes, rowScale, excluded } = run;
  const { decay, plan } = design;
  const meta = model.meta;
  const P = design.coefficients.length;
  const decays = new Float64Array(contexts.length).fill(Number.NaN);
  if (!decay) return { decays, search: null };
  const dName = meta.parameters[decay.param]!.name;
  const rssAt = (ctx: SubjectContext, k: number): number => profiledRss(gramSums(assembleRows(model, design, ctx, rowScale, Number.NaN, k)), P);
  const lo = options.rateBounds?.[0] ?? Math.min(...contexts.map((c) => c.rateLo));
  const hi = options.rateBounds?.[1] ?? Math.max(...contexts.map((c) => c.rateHi));
  let dAtBound = 0;
  if (meta.parameters[decay.param]!.variability !== "fixed")
    contexts.forEach((ctx, i) => {
      const res = searchLogScale((k) => rssAt(ctx, k), lo, hi);
      decays[i] = res.value;
      if (res.atBound) dAtBound++;
    });
  else {
    const res = searchLogScale((k) => contexts.reduce((acc, ctx, i) => acc + (excluded.has(i) ? 0 : rssAt(ctx, k)), 0), lo, hi);
    decays.fill(res.value);
    if (res.atBound) dAtBound = contexts.length;
  }
  if (final) {
    notes.push(
      `Exponential form: each sample's row is ${meta.states[plan.observed[0]!]!.name}(t_k) = ${meta.states[plan.observed[0]!]!.name}(t_0) e^{-${dName} (t_k - t_0)} + integral of e^{-${dName} (t_k - s)} times the rest of its equation (latent states in closed form, no curve estimate), rows divided by the fitted level; ${dName} was found by a bounded golden-section search on the log scale of the ${meta.parameters[decay.param]!.variability !== "fixed" ? "subject's" : "pooled"} profiled residual, bounds [${lo.toPrecision(3)}, ${hi.toPrecision(3)}].`,
    );
    if (dAtBound > 0) notes.push(`${dAtBound} subject(s) have their ${dName} at (within one grid step of) a search bound: the data barely determine it there.`);
  }
  return { decays, search: { lo, hi, atBound: dAtBound } };
}

/** Rows at the searched rates, outliers out, unseen coefficients dropped, and the mixed model on the rest. */
function populationStep(run: LatentRun, rates: Float64Array, decays: Float64Array, final: boolean): Omit<PassResult, "rates" | "decays" | "decaySearch" | "atBound" | "rateLo" | "rateHi"> {
  const { model, design, contexts, options, notes, rowScale, excluded } = run;
  const { coefficients, decay } = design;
  const P = coefficients.length;
  const fullStats = contexts.map((ctx, i) => gramSums(assembleRows(model, design, ctx, rowScale, rates[i]!, decays[i])));
  const own = fullStats.map((st) => leastSquares(st, P));
  const rms = own.map((o, i) => Math.sqrt(o.rss / Math.max(1, fullStats[i]!.n)));
  const medRms = median(rms.filter((x) => Number.isFinite(x)));
  const outlier = rms.map((r, i) => !(r <= OUTLIER_FACTOR * medRms) || excluded.has(i));
  if (outlier.every((x) => x)) outlier.fill(false);
  const inPop = contexts.map((_, i) => i).filter((i) => !outlier[i]);
  const outIds = contexts.filter((_, i) => outlier[i]).map((c) => c.subject.id);
  if (outIds.length > 0)
    if (final) notes.push(
      `${outIds.length} subject(s) left out of the population step (${outIds.slice(0, 8).join(", ")}${outIds.length > 8 ? ", ..." : ""}): their own weak-form residual${decay ? " (or the RMS of their log residuals under the fitted model)" : ""} is more than ${OUTLIER_FACTOR} times the median subject's, i.e. their data do not follow the model on the observed scale; their individual values are their own least-squares estimates.`,
    );
  const allStats = inPop.map((i) => fullStats[i]!);
  const keep: number[] = [];
  for (let c = 0; c < P; c++) if (allStats.some((s) => s.gtg[c * P + c]! > 0)) keep.push(c);
  const Q = keep.length;
  const stats = allStats.map((s) => {
    const gtg = new Float64Array(Q * Q);
    const gty = new Float64Array(Q);
    keep.forEach((a, i) => {
      gty[i] = s.gty[a]!;
      keep.forEach((b, j) => (gtg[i * Q + j] = s.gtg[a * P + b]!));
    });
    return { n: s.n, gtg, gty, yty: s.yty };
  });
  const kept = keep.map((c) => coefficients[c]!);
  const randomCoefs = kept.map((c, i) => (c.random ? i : -1)).filter((i) => i >= 0);
  const blocks = coefficientBlocks(model, kept, randomCoefs, options.productBlocks ?? "full");
  const lmm = new MixedModel(stats, Q, randomCoefs, blocks).fit();
  const popIndex = new Map(inPop.map((i, k) => [i, k]));
  const coefOf = (i: number): Float64Array => {
    const k = popIndex.get(i);
    if (k === undefined) return Float64Array.from(keep, (c) => own[i]!.coef?.[c] ?? Number.NaN);
    const th = Float64Array.from(lmm.theta.subarray(0, Q));
    const b = lmm.blups[k]!;
    randomCoefs.forEach((c, s) => (th[c] = th[c]! + b[s]!));
    return th;
  };
  return { keep, kept, randomCoefs, lmm, Q, stats, coefOf, inPop };
}

function pass(run: LatentRun, final: boolean): PassResult {
  const rate = searchLatentRate(run, final);
  const { decays, search } = searchDecay(run, final);
  return { ...rate, decays, decaySearch: search, ...populationStep(run, rate.rates, decays, final) };
}

/**
 * Exponential form, from the fitted model's own log residuals: the noise of
 * each log-observed output (written into run.yCorrection, and returned per
 * output with constant error) and the subjects it misses (run.excluded).
 */
function modelLogNoise(run: LatentRun, result: PassResult, logResiduals: { values: number[][]; bySubject: number[][] }, modelNoise: Map<string, number>): void {
  const { model, design, contexts, obsOf, yCorrection, excluded } = run;
  const meta = model.meta;
  // The smoothing residuals overstate the noise where a sparse curve
  // cannot follow a fast rise (their bias reads as noise), and the
  // correction of 10^z scales every coefficient: take the noise from the
  // model's own log residuals instead (robust: MAD, inflated for the
  // coefficients each subject fits).
  const perSubject = result.Q / Math.max(1, median(contexts.map((c) => c.rows)));
  design.plan.observed.forEach((k, o) => {
    const ob = meta.observations[obsOf[k]!]!;
    const rsd = logResiduals.values[o]!;
    if (rsd.length < 10 || (ob.transform !== "log10" && ob.transform !== "log")) return;
    const mad = 1.4826 * median(rsd.map((v) => Math.abs(v - median(rsd))));
    const sdLn = mad / Math.sqrt(Math.max(0.1, 1 - perSubject));
    yCorrection[o] = Math.exp((sdLn * sdLn) / 2);
    if (ob.error === "constant") modelNoise.set(ob.name, ob.transform === "log10" ? sdLn / Math.LN10 : sdLn);
  });
  // On the natural scale a titre at the numerical floor (log10 = -12)
  // is a tiny residual, so the row-based outlier rule no longer sees it;
  // on the log scale it is many decades off. Leave out of the population
  // step (and of a pooled decay search) the subjects whose RMS log
  // residual exceeds OUTLIER_FACTOR times the median subject's.
  const rmsLog = logResiduals.bySubject.map((v) => (v.length > 0 ? Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length) : Number.NaN));
  const medLog = median(rmsLog.filter((v) => Number.isFinite(v)));
  excluded.clear();
  rmsLog.forEach((v, i) => {
    if (v > OUTLIER_FACTOR * medLog) excluded.add(i);
  });
  if (excluded.size === contexts.length) excluded.clear();
}

/** Integral form: passes re-weighted by the fitted levels (see updateLevels); the notes are written by the last. */
function refinePasses(run: LatentRun): { result: PassResult; modelNoise: Map<string, number> } {
  const { model, design, contexts, rowScale, options } = run;
  const P = design.coefficients.length;
  const passes = run.rowForm === "integral" ? Math.max(1, options.integralPasses ?? 3) : 1;
  let result = pass(run, passes === 1);
  const modelNoise = new Map<string, number>();
  for (let it = 1; it < passes; it++) {
    const inPop = new Set(result.inPop);
    const logResiduals = design.decay
      ? { values: design.plan.observed.map((): number[] => []), use: (i: number) => inPop.has(i), bySubject: contexts.map((): number[] => []) }
      : undefined;
    const current = result;
    updateLevels(model, design, contexts, rowScale, current.rates, (i) => {
      const full = new Float64Array(P);
      const c = current.coefOf(i);
      current.keep.forEach((k, j) => (full[k] = c[j]!));
      return full;
    }, current.decays, logResiduals);
    if (logResiduals) modelLogNoise(run, current, logResiduals, modelNoise);
    result = pass(run, it === passes - 1);
  }
  return { result, modelNoise };
}

type Route =
  | { kind: "direct"; coef: number }
  | { kind: "rate" }
  | { kind: "decay" }
  | { kind: "ratio"; product: number; over: number }
  /** A product with the searched rate (ka * (1/V) of a depot dosed by amt / V): divided by the subject's rate. */
  | { kind: "overRate"; product: number }
  | { kind: "none" };

/** How each model parameter is read from the fitted coefficients (or the searched rates). */
function parameterRoutes(model: CompiledModel, design: LatentDesign, kept: LatentRegressionCoefficient[]): Route[] {
  const { rateParam, decay } = design;
  const baseIndex = new Map<number, number>();
  kept.forEach((c, i) => {
    if (c.factors.length === 1 && c.factors[0]!.kind === "param") baseIndex.set(c.factors[0]!.param, i);
  });
  return model.meta.parameters.map((_, j): Route => {
    if (baseIndex.has(j)) return { kind: "direct", coef: baseIndex.get(j)! };
    if (j === rateParam) return { kind: "rate" };
    if (decay && j === decay.param) return { kind: "decay" };
    for (let i = 0; i < kept.length; i++) {
      const f = kept[i]!.factors;
      if (f.length !== 2 || !f.every((x) => x.kind === "param")) continue;
      const ps = f.map((x) => (x as { param: number }).param);
      const at = ps.indexOf(j);
      if (at < 0) continue;
      const other = ps[1 - at]!;
      if (baseIndex.has(other)) return { kind: "ratio", product: i, over: baseIndex.get(other)! };
      if (other === rateParam) return { kind: "overRate", product: i };
    }
    return { kind: "none" };
  });
}

/** Individual values per subject, and per parameter the finite values over subjects. */
function individualValues(run: LatentRun, routes: Route[], result: PassResult): { individual: Record<string, Record<string, number>>; indValues: number[][] } {
  const meta = run.model.meta;
  const { rates, decays, coefOf } = result;
  const individual: Record<string, Record<string, number>> = {};
  const indValues: number[][] = meta.parameters.map(() => []);
  run.contexts.forEach((ctx, i) => {
    const c = coefOf(i);
    const row: Record<string, number> = {};
    meta.parameters.forEach((par, j) => {
      const r = routes[j]!;
      const v =
        r.kind === "direct" ? c[r.coef]!
        : r.kind === "rate" ? rates[i]!
        : r.kind === "decay" ? decays[i]!
        : r.kind === "ratio" ? c[r.product]! / c[r.over]!
        : r.kind === "overRate" ? c[r.product]! / rates[i]!
        : Number.NaN;
      if (Number.isFinite(v)) {
        row[par.name] = v;
        indValues[j]!.push(v);
      }
    });
    individual[ctx.subject.id] = row;
  });
  return { individual, indValues };
}

/** Population values: from the mixed model where a parameter is a coefficient, else the median of the individual values. */
function populationValues(run: LatentRun, routes: Route[], result: PassResult, indValues: number[][]): { parameters: Record<string, ParameterEstimate>; unidentifiable: FitResult["unidentifiable"] } {
  const meta = run.model.meta;
  const { kept, randomCoefs, lmm, Q } = result;
  const parameters: Record<string, ParameterEstimate> = {};
  const q = randomCoefs.length;
  const unidentifiable: FitResult["unidentifiable"] = [];
  meta.parameters.forEach((par, j) => {
    const r = routes[j]!;
    const random = par.variability !== "fixed";
    if (r.kind === "direct") {
      const inNull = lmm.nullSpace.some((v) => Math.abs(v[r.coef]!) > 1e-6);
      const se = Math.sqrt(lmm.thetaCov[r.coef * Q + r.coef]!);
      const s = randomCoefs.indexOf(r.coef);
      parameters[par.name] = {
        estimate: lmm.theta[r.coef]!,
        se: inNull || !Number.isFinite(se) ? null : se,
        omega: s >= 0 ? Math.sqrt(Math.max(0, lmm.omega[s * q + s]!)) : null,
      };
    } else if (indValues[j]!.length > 0) {
      const v = indValues[j]!;
      parameters[par.name] = { estimate: median(v), se: null, omega: random ? sd(v) : null, fromIndividuals: true };
      if (r.kind === "ratio")
        run.notes.push(
          `${par.name} is not a coefficient of the observed equations: it was mapped back per subject as ${par.name}_i = (${kept[r.product]!.name})_i / ${kept[r.over]!.name}_i; its population value is the median of the individual values${random ? " and its omega their SD" : ""} (no standard error).`,
        );
    } else {
      parameters[par.name] = { estimate: 0, se: null, omega: null };
      unidentifiable.push({ combination: { [par.name]: 1 }, note: `${par.name} enters no observed equation after the latent states are eliminated; it is reported as 0` });
    }
  });
  for (const v of lmm.nullSpace) {
    const combination: Record<string, number> = {};
    kept.forEach((c, i) => {
      if (Math.abs(v[i]!) > 1e-8) combination[c.name] = v[i]!;
    });
    unidentifiable.push({ combination, note: "the data do not determine this combination of coefficients (a null direction of the stacked weak-form design)" });
  }
  return { parameters, unidentifiable };
}

/** Omega over the model's random parameters (coefficient blocks where direct, individual SDs on the diagonal otherwise) and its correlations. */
function omegaOfParameters(model: CompiledModel, routes: Route[], result: PassResult, parameters: Record<string, ParameterEstimate>): Pick<FitResult, "omega" | "omegaCorrelation"> {
  const meta = model.meta;
  const { randomCoefs, lmm } = result;
  const q = randomCoefs.length;
  const omegaMatrix: number[][] = [];
  const randomNames = meta.parameters.filter((x) => x.variability !== "fixed").map((x) => x.name);
  for (const a of randomNames) {
    const row: number[] = [];
    for (const b of randomNames) {
      const ja = meta.parameters.findIndex((x) => x.name === a);
      const jb = meta.parameters.findIndex((x) => x.name === b);
      const ra = routes[ja]!;
      const rb = routes[jb]!;
      const sa = ra.kind === "direct" ? randomCoefs.indexOf(ra.coef) : -1;
      const sb = rb.kind === "direct" ? randomCoefs.indexOf(rb.coef) : -1;
      if (sa >= 0 && sb >= 0) row.push(lmm.omega[sa * q + sb]!);
      else if (a === b) row.push((parameters[a]!.omega ?? 0) ** 2);
      else row.push(0);
    }
    omegaMatrix.push(row);
  }
  const omegaCorrelation: Record<string, number> = {};
  for (const c of meta.covariance) {
    if (c.structure !== "full") continue;
    for (let u = 0; u < c.params.length; u++)
      for (let w = u + 1; w < c.params.length; w++) {
        const a = meta.parameters[c.params[u]!]!.name;
        const b = meta.parameters[c.params[w]!]!.name;
        const ia = randomNames.indexOf(a);
        const ib = randomNames.indexOf(b);
        if (ia < 0 || ib < 0) continue;
        const den = Math.sqrt(omegaMatrix[ia]![ia]! * omegaMatrix[ib]![ib]!);
        omegaCorrelation[`${a},${b}`] = den > 0 ? omegaMatrix[ia]![ib]! / den : 0;
      }
  }
  return { omega: { names: randomNames, matrix: omegaMatrix }, omegaCorrelation };
}

/** Derived quantities at the population values. */
function derivedAt(model: CompiledModel, parameters: Record<string, ParameterEstimate>): Record<string, number> {
  const meta = model.meta;
  const derived: Record<string, number> = {};
  if (meta.derived.length > 0) {
    const th = Float64Array.from(meta.parameters, (x) => parameters[x.name]!.estimate);
    const out = new Float64Array(meta.derived.length);
    model.derived(th, out);
    meta.derived.forEach((dq, k) => {
      if (Number.isFinite(out[k]!)) derived[dq.name] = out[k]!;
    });
  }
  return derived;
}

/** The FitResult's settings: how this fit was made. */
function latentSettings(run: LatentRun, result: PassResult): FitResult["settings"] {
  const { model, design, options, smoothing, weighted, rowScale, rowForm } = run;
  const meta = model.meta;
  const { plan, decay, rateParam } = design;
  const { kept, randomCoefs, lmm, stats, decays, decaySearch, rateLo, rateHi, atBound } = result;
  const q = randomCoefs.length;
  return {
    estimator: decay
      ? "LMM (ML) on exact exponential rows of the observed equation, latent states eliminated in closed form"
      : `${rowForm === "integral" ? "integral-form" : "weak-form"} LMM (ML) with latent states eliminated in closed form`,
    smoothing: { method: "P-spline, cubic, second-difference penalty, GCV", undersmooth: smoothing.undersmooth, maxSegments: smoothing.maxSegments ?? 20 },
    weightedSmoothing: weighted,
    splitAtDoses: options.splitAtDoses ?? false,
    testFunctions: { shape: "(1-x^2)^p", degree: options.tests?.degree ?? 4, normalise: options.tests?.normalise ?? "derivative" },
    latent: plan.latent.map((l) => ({
      state: l.name,
      rate: l.rate.kind === "known" ? l.rate.value : `${l.rate.scale} * ${meta.parameters[l.rate.param]!.name} + ${l.rate.offset}`,
      initial: l.initial,
      jumps: l.jumps,
    })),
    coefficients: Object.fromEntries([
      ...kept.map((c, i) => {
        const s = randomCoefs.indexOf(i);
        return [c.name, { estimate: lmm.theta[i]!, omega: s >= 0 ? Math.sqrt(Math.max(0, lmm.omega[s * q + s]!)) : null }] as const;
      }),
      // The exponential form's decay is searched, not regressed: listed with its (median) value.
      ...(decay ? [[meta.parameters[decay.param]!.name, { estimate: median(Array.from(decays)), omega: null }] as const] : []),
    ]),
    form: decay ? "exponential" : rowForm,
    rateSearch: rateParam >= 0 ? { parameter: meta.parameters[rateParam]!.name, lo: rateLo, hi: rateHi, atBound } : null,
    decaySearch: decay && decaySearch ? { parameter: meta.parameters[decay.param]!.name, ...decaySearch } : null,
    rowScale: Object.fromEntries(plan.observed.map((k) => [meta.states[k]!.name, rowScale[k]!])),
    sigma2: lmm.sigma2,
    logLik: lmm.logLik,
    lmmIterations: lmm.iterations,
    rows: stats.reduce((s, x) => s + x.n, 0),
  };
}

export function fitLatent(model: CompiledModel, data: Dataset, options: FitOptions = {}): FitResult {
  const started = performance.now();
  const meta = model.meta;
  const run = prepareRun(model, data, options);
  if (positiveParameters(model).some((x) => x)) return reportReciprocals(meta, fitLatentLogScale(run, started));
  return reportReciprocals(meta, fitLatentLinear(run, started));
}

function fitLatentLinear(run: LatentRun, started: number): FitResult {
  const { model, options, notes, residual } = run;
  const meta = model.meta;
  const { result, modelNoise } = refinePasses(run);
  if (modelNoise.size > 0) {
    // The smoothing residuals of a sparse curve hold its bias (three times the
    // noise on antibody_clairon.csv); the exponential form's own log residuals do not.
    for (const [name, a] of modelNoise) residual[name] = { error: "constant", a };
    notes.push(
      `Residual error of ${[...modelNoise.keys()].join(", ")} from the fitted model's log residuals (robust SD, pooled over the subjects in the population step), not from the smoothing residuals.`,
    );
  }
  const { kept, lmm } = result;
  const routes = parameterRoutes(model, run.design, kept);
  const { individual, indValues } = individualValues(run, routes, result);
  const { parameters, unidentifiable } = populationValues(run, routes, result, indValues);
  const products = kept.filter((c) => c.factors.length > 1).map((c) => c.name);
  if (products.length > 0)
    notes.push(
      `After eliminating the latent states the observed equations are linear in (${kept.map((c) => c.name).join(", ")}); ${products.join(", ")} ${products.length > 1 ? "were" : "was"} estimated as one coefficient${options.productBlocks === "diagonal" ? "" : ", with a random effect correlated with those of its factors"}.`,
    );
  if (!lmm.converged) notes.push("The mixed-model optimiser stopped at its iteration limit; estimates may be imprecise.");
  const { omega, omegaCorrelation } = omegaOfParameters(model, routes, result, parameters);
  const derived = derivedAt(model, parameters);
  return {
    model: meta.name,
    subjects: run.contexts.length,
    seconds: (performance.now() - started) / 1000,
    parameters,
    omegaCorrelation,
    residual,
    individual,
    derived,
    omega,
    unidentifiable,
    notes,
    settings: latentSettings(run, result),
  };
}

/** Positive parameters declared: the log-scale population step (estimate/latent-log-scale.ts) replaces the passes and the LMM. */
function fitLatentLogScale(run: LatentRun, started: number): FitResult {
  const { model, notes, residual, design } = run;
  const meta = model.meta;
  const res = latentLogScale(run);
  for (const [name, a] of res.modelNoise) residual[name] = { error: "constant", a };
  if (res.modelNoise.size > 0)
    notes.push(`Residual error of ${[...res.modelNoise.keys()].join(", ")} from the fitted model's log residuals (robust SD), not from the smoothing residuals.`);
  const unidentifiable: FitResult["unidentifiable"] = [];
  for (const par of meta.parameters)
    if (!res.parameters[par.name]) {
      res.parameters[par.name] = { estimate: 0, se: null, omega: null };
      unidentifiable.push({ combination: { [par.name]: 1 }, note: `${par.name} enters no observed equation after the latent states are eliminated; it is reported as 0` });
    }
  return {
    model: meta.name,
    subjects: run.contexts.length,
    seconds: (performance.now() - started) / 1000,
    parameters: res.parameters,
    ...covariateFields(meta, res.covariateEffects ?? {}, run.levels),
    omegaCorrelation: res.omegaCorrelation,
    residual,
    individual: res.individual,
    derived: derivedAt(model, res.parameters),
    omega: res.omega,
    unidentifiable,
    notes,
    settings: {
      estimator: "Laplace EM on the log scale over each subject's latent-state rows (latent states eliminated in closed form)",
      form: design.decay ? "exponential" : run.rowForm,
      rowForms: { [design.decay ? "exponential" : run.rowForm]: run.contexts.length },
      rowScale: Object.fromEntries(design.plan.observed.map((k) => [meta.states[k]!.name, run.rowScale[k]!])),
      sigma2: res.em.sigma2,
      logLik: res.em.logLik,
      emRounds: res.em.rounds,
      emConverged: res.em.converged,
      coefficients: Object.fromEntries(design.coefficients.map((c, j) => [c.name, median(res.coefficients.map((x) => x[j]!))])),
    },
  };
}

// The latent-state path's population step when the spec declares positive
// parameters: every parameter the observed rows read (coefficients, products
// of them such as theta * fM2, the searched latent rate ka and the observed
// state's own decay) becomes one component of psi_i, on the log scale when
// positive, and the rows of each subject are re-written at its psi_i (a
// searched rate changes the rows). The population step is then the Laplace
// EM of population/laplace-em.ts on those residuals: a product is a sum on
// the log scale (log theta + log fM2), so fM2 gets its own population value
// and omega instead of a median of ratios; a rate gets a population value
// that weighs each subject by how well its data determine it, and a subject
// whose profile is flat is shrunk instead of setting the omega.
import type { CompiledModel } from "../model.js";
import type { FitResult, ParameterEstimate } from "../fit-result.js";
import type { LatentDesign } from "../rows/latent-design.js";
import { assembleRows, predictionRows, predictionsFrom, updateLevels, type SubjectContext } from "../rows/latent-rows.js";
import { gramSums, profileNuisance, type SubjectRows } from "../population/subject-rows.js";
import { laplaceEm, type LaplaceEmFit, type NonlinearSubject } from "../population/laplace-em.js";
import { searchLogScale } from "../population/outer-search.js";
import { solveSpd } from "../numeric/linalg.js";
import { median } from "../numeric/summary.js";
import { positiveParameters } from "./log-scale.js";
import { logScaleCovariateEstimates, logScaleCovariateNote, logScaleCovariates } from "./log-scale-covariates.js";

/** What this step reads of a latent run (fit-latent.ts's LatentRun satisfies it). */
export interface LatentRunView {
  model: CompiledModel;
  design: LatentDesign;
  contexts: SubjectContext[];
  rowScale: Float64Array;
  yCorrection: Float64Array;
  obsOf: Int32Array;
  notes: string[];
  options: { rateBounds?: [number, number] };
  /** The data's levels of categorical covariates (reference first). */
  levels?: Record<string, string[]>;
}

/** How psi maps to the rows: components (one per parameter read), coefficient values, nuisance columns. */
interface Layout {
  /** Model parameter of each psi component. */
  params: number[];
  positive: boolean[];
  random: boolean[];
  /** Per design coefficient: the psi components whose natural values multiply to it, or null (a nuisance column). */
  factorsOf: (number[] | null)[];
  nuisance: number[];
  rateComp: number;
  decayComp: number;
}

function layoutOf(model: CompiledModel, design: LatentDesign): Layout {
  const meta = model.meta;
  const positiveAll = positiveParameters(model);
  const used = new Set<number>();
  const factorParams = design.coefficients.map((c) => (c.factors.length > 0 && c.factors.every((f) => f.kind === "param") ? c.factors.map((f) => (f as { param: number }).param) : null));
  for (const f of factorParams) if (f) f.forEach((j) => used.add(j));
  if (design.rateParam >= 0) used.add(design.rateParam);
  if (design.decay) used.add(design.decay.param);
  const params = [...used].sort((a, b) => a - b);
  const comp = new Map(params.map((j, i) => [j, i]));
  return {
    params,
    positive: params.map((j) => positiveAll[j]!),
    random: params.map((j) => meta.parameters[j]!.variability !== "fixed"),
    factorsOf: factorParams.map((f) => (f ? f.map((j) => comp.get(j)!) : null)),
    nuisance: factorParams.flatMap((f, c) => (f ? [] : [c])),
    rateComp: design.rateParam >= 0 ? comp.get(design.rateParam)! : -1,
    decayComp: design.decay ? comp.get(design.decay.param)! : -1,
  };
}

function natural(layout: Layout, psi: Float64Array, a: number): number {
  return layout.positive[a] ? Math.exp(psi[a]!) : psi[a]!;
}

/** Coefficient values (design order; nuisance columns 0) at psi. */
function coefficientsAt(layout: Layout, psi: Float64Array): Float64Array {
  return Float64Array.from(layout.factorsOf, (f) => (f ? f.reduce((s, a) => s * natural(layout, psi, a), 1) : 0));
}

function rowsAt(view: LatentRunView, layout: Layout, ctx: SubjectContext, psi: Float64Array): SubjectRows {
  const rate = layout.rateComp >= 0 ? natural(layout, psi, layout.rateComp) : Number.NaN;
  const decay = layout.decayComp >= 0 ? natural(layout, psi, layout.decayComp) : Number.NaN;
  return assembleRows(view.model, view.design, ctx, view.rowScale, rate, decay);
}

/** Every observed output is log-observed and the rows are integral-form: residuals on the log scale (see samplePredictions). */
function logObserved(view: LatentRunView): boolean {
  const meta = view.model.meta;
  return view.contexts.every((c) => c.integral !== undefined) && view.design.plan.observed.every((k) => ["log", "log10"].includes(meta.observations[view.obsOf[k]!]!.transform));
}

function logSubjectOf(view: LatentRunView, layout: Layout, ctx: SubjectContext, start: Float64Array | null): NonlinearSubject {
  const values = ctx.integral!.flatMap((smp) => Array.from(smp.values, (v) => Math.log(Math.max(v, 1e-300))));
  // The rows depend on psi only through the rate and the decay: the importance
  // draws of the EM move the random components with the decay held (delta_Ab
  // has no random effect), so the rows of the latest few (rate, decay) pairs
  // are kept; the residuals are the same numbers, without re-assembling them.
  const memo = new Map<string, { scaled: SubjectRows | null; unscaled: SubjectRows }>();
  return {
    dof: values.length - layout.nuisance.length,
    start,
    residuals(psi: Float64Array): Float64Array {
      const rate = layout.rateComp >= 0 ? natural(layout, psi, layout.rateComp) : Number.NaN;
      const decay = layout.decayComp >= 0 ? natural(layout, psi, layout.decayComp) : Number.NaN;
      const key = `${rate},${decay}`;
      let rows = memo.get(key);
      if (!rows) {
        rows = { scaled: layout.nuisance.length > 0 ? rowsAt(view, layout, ctx, psi) : null, unscaled: predictionRows(view.model, view.design, ctx, rate, decay) };
        if (memo.size >= 8) memo.delete(memo.keys().next().value!);
        memo.set(key, rows);
      }
      const c = rows.scaled ? nuisanceFilled(layout, rows.scaled, coefficientsAt(layout, psi)) : coefficientsAt(layout, psi);
      const pred = predictionsFrom(ctx, rows.unscaled, c);
      return Float64Array.from(values, (v, i) => v - Math.log(Math.max(pred[i]!, 1e-300)));
    },
  };
}

function subjectOf(view: LatentRunView, layout: Layout, ctx: SubjectContext, start: Float64Array | null): NonlinearSubject {
  if (logObserved(view)) return logSubjectOf(view, layout, ctx, start);
  const kept = layout.factorsOf.map((f, c) => (f ? c : -1)).filter((c) => c >= 0);
  const dof = profileNuisance(rowsAt(view, layout, ctx, start ?? new Float64Array(layout.params.length)), layout.nuisance).rows;
  return {
    dof,
    start,
    residuals(psi: Float64Array): Float64Array {
      const prof = profileNuisance(rowsAt(view, layout, ctx, psi), layout.nuisance);
      const c = coefficientsAt(layout, psi);
      const r = new Float64Array(prof.rows);
      for (let i = 0; i < prof.rows; i++) {
        let s = prof.y[i]!;
        kept.forEach((col, u) => (s -= prof.g[i * prof.cols + u]! * c[col]!));
        r[i] = s;
      }
      return r;
    },
  };
}

/** All coefficients by least squares for given rows (a tiny ridge keeps unseen columns at 0). */
function leastSquares(rows: SubjectRows): { coef: Float64Array; rss: number } {
  const st = gramSums(rows);
  const P = rows.cols;
  const a = Float64Array.from(st.gtg);
  let tr = 0;
  for (let j = 0; j < P; j++) tr += a[j * P + j]!;
  for (let j = 0; j < P; j++) a[j * P + j] += a[j * P + j]! > 0 ? 1e-10 * (tr / P) : 1;
  const coef = solveSpd(a, P, Float64Array.from(st.gty)) ?? new Float64Array(P).fill(Number.NaN);
  let fit = 0;
  for (let j = 0; j < P; j++) fit += coef[j]! * st.gty[j]!;
  return { coef, rss: Number.isFinite(fit) ? Math.max(st.yty - fit, 0) : Number.POSITIVE_INFINITY };
}

/** The nuisance coefficients by least squares given psi (for the level re-weighting and the reports). */
function fullCoefficients(view: LatentRunView, layout: Layout, ctx: SubjectContext, psi: Float64Array): Float64Array {
  const c = coefficientsAt(layout, psi);
  if (layout.nuisance.length === 0) return c;
  return nuisanceFilled(layout, rowsAt(view, layout, ctx, psi), c);
}

/** c with its nuisance entries set by least squares on the rows, the others held. */
function nuisanceFilled(layout: Layout, rows: SubjectRows, c: Float64Array): Float64Array {
  const P = rows.cols;
  const m = layout.nuisance.length;
  const gtg = new Float64Array(m * m);
  const rhs = new Float64Array(m);
  for (let i = 0; i < rows.rows; i++) {
    let res = rows.y[i]!;
    for (let j = 0; j < P; j++) if (layout.factorsOf[j]) res -= rows.g[i * P + j]! * c[j]!;
    layout.nuisance.forEach((a, u) => {
      rhs[u] += rows.g[i * P + a]! * res;
      layout.nuisance.forEach((b, v) => (gtg[u * m + v] += rows.g[i * P + a]! * rows.g[i * P + b]!));
    });
  }
  for (let u = 0; u < m; u++) gtg[u * m + u] += 1e-12 * (gtg[u * m + u]! + 1e-300);
  const x = solveSpd(gtg, m, rhs);
  layout.nuisance.forEach((a, u) => (c[a] = x ? x[u]! : 0));
  return c;
}

/** A subject's own estimate: rate and decay by alternating bounded searches, the coefficients by least squares. */
function ownStart(view: LatentRunView, layout: Layout, ctx: SubjectContext, lo: number, hi: number): Float64Array {
  const psi = new Float64Array(layout.params.length).fill(Number.NaN);
  const toComp = (a: number, v: number): number => (layout.positive[a] ? Math.log(v) : v);
  let rate = Math.sqrt(lo * hi);
  let decay = Math.sqrt(lo * hi);
  const rss = (r: number, d: number): number => {
    if (layout.rateComp >= 0) psi[layout.rateComp] = toComp(layout.rateComp, r);
    if (layout.decayComp >= 0) psi[layout.decayComp] = toComp(layout.decayComp, d);
    return leastSquares(rowsAt(view, layout, ctx, psi)).rss;
  };
  for (let pass = 0; pass < (layout.rateComp >= 0 && layout.decayComp >= 0 ? 3 : 1); pass++) {
    if (layout.decayComp >= 0) decay = searchLogScale((d) => rss(rate, d), lo, hi).value;
    if (layout.rateComp >= 0) rate = searchLogScale((r) => rss(r, decay), lo, hi).value;
  }
  rss(rate, decay);
  const { coef } = leastSquares(rowsAt(view, layout, ctx, psi));
  // Coefficients of one factor give that parameter; a product with one known factor gives the other.
  for (let pass = 0; pass < 2; pass++)
    layout.factorsOf.forEach((f, c) => {
      if (!f) return;
      const unknown = f.filter((a) => !Number.isFinite(psi[a]!));
      if (unknown.length !== 1) return;
      const known = f.filter((a) => a !== unknown[0]).reduce((s, a) => s * natural(layout, psi, a), 1);
      const v = coef[c]! / known;
      const a = unknown[0]!;
      if (!layout.positive[a] || v > 0) psi[a] = toComp(a, v);
    });
  return psi;
}

export interface LatentLogScaleResult extends Pick<FitResult, "parameters" | "omega" | "omegaCorrelation" | "individual" | "covariateEffects"> {
  em: LaplaceEmFit;
  modelNoise: Map<string, number>;
  /** Per subject: full coefficient vector at its mode (design order). */
  coefficients: Float64Array[];
}

/** Re-weight each subject's rows by its fitted levels at psi (see updateLevels) and take the log-scale noise from the same residuals. */
function relevel(view: LatentRunView, layout: Layout, psis: Float64Array[], modelNoise: Map<string, number>): void {
  const { model, design, contexts, rowScale, obsOf, yCorrection } = view;
  const meta = model.meta;
  const rates = Float64Array.from(psis, (p) => (layout.rateComp >= 0 ? natural(layout, p, layout.rateComp) : Number.NaN));
  const decays = Float64Array.from(psis, (p) => (layout.decayComp >= 0 ? natural(layout, p, layout.decayComp) : Number.NaN));
  const logResiduals = { values: design.plan.observed.map((): number[] => []), use: () => true, bySubject: contexts.map((): number[] => []) };
  const coefs = contexts.map((ctx, i) => fullCoefficients(view, layout, ctx, psis[i]!));
  updateLevels(model, design, contexts, rowScale, rates, (i) => coefs[i]!, design.decay ? decays : undefined, logResiduals);
  design.plan.observed.forEach((k, o) => {
    const ob = meta.observations[obsOf[k]!]!;
    const rsd = logResiduals.values[o]!;
    if (rsd.length < 10 || (ob.transform !== "log10" && ob.transform !== "log")) return;
    // Robust SD of the log residuals, inflated for the parameters each subject fits.
    const perSubject = layout.params.length / Math.max(1, median(contexts.map((c) => c.rows)));
    const mad = 1.4826 * median(rsd.map((v) => Math.abs(v - median(rsd))));
    const sdLn = mad / Math.sqrt(Math.max(0.1, 1 - perSubject));
    yCorrection[o] = Math.exp((sdLn * sdLn) / 2);
    for (const ctx of contexts) if (ctx.yCorrection) ctx.yCorrection[o] = yCorrection[o]!;
    if (ob.error === "constant") modelNoise.set(ob.name, ob.transform === "log10" ? sdLn / Math.LN10 : sdLn);
  });
}

/** Draws per subject of the importance-sampling E-step, and their seed (every random step takes one). */
const IMPORTANCE = { samples: 300, seed: 20261207 };

export function latentLogScale(view: LatentRunView, passes = 2): LatentLogScaleResult {
  const { model, design, contexts, notes } = view;
  const meta = model.meta;
  const layout = layoutOf(model, design);
  const dim = layout.params.length;
  const lo = view.options.rateBounds?.[0] ?? Math.min(...contexts.map((c) => c.rateLo));
  const hi = view.options.rateBounds?.[1] ?? Math.max(...contexts.map((c) => c.rateHi));
  const own = contexts.map((ctx) => ownStart(view, layout, ctx, lo, hi));
  const start = Float64Array.from({ length: dim }, (_, a) => {
    const v = own.map((p) => p[a]!).filter(Number.isFinite);
    return v.length > 0 ? median(v) : layout.positive[a] ? 0 : 0;
  });
  const fill = (p: Float64Array): Float64Array => Float64Array.from(p, (v, a) => (Number.isFinite(v) ? v : start[a]!));
  let psis = own.map(fill);
  const lower = Float64Array.from({ length: dim }, (_, a) => (a === layout.rateComp || a === layout.decayComp) && layout.positive[a] ? Math.log(lo) - 1 : Number.NEGATIVE_INFINITY);
  const upper = Float64Array.from({ length: dim }, (_, a) => (a === layout.rateComp || a === layout.decayComp) && layout.positive[a] ? Math.log(hi) + 1 : Number.POSITIVE_INFINITY);
  const omegaStart = Float64Array.from({ length: dim }, (_, a) => {
    if (layout.positive[a]) return 0.25;
    const v = psis.map((p) => p[a]!);
    const m = median(v);
    return Math.max((1.4826 * median(v.map((x) => Math.abs(x - m)))) ** 2, 1e-6 * (m * m + 1e-12));
  });
  const modelNoise = new Map<string, number>();
  const comp = new Map(layout.params.map((j, a) => [j, a]));
  const covariates = logScaleCovariates(meta, view.levels, (j) => comp.get(j) ?? -1, layout.random, contexts.map((c) => c.subject.covariates));
  let em: LaplaceEmFit | null = null;
  let mu: Float64Array = start;
  let done = 0;
  for (let pass = 0; pass < passes; pass++) {
    done++;
    relevel(view, layout, psis, modelNoise);
    const subjects = contexts.map((ctx, i) => subjectOf(view, layout, ctx, psis[i]!));
    em = laplaceEm(subjects, { random: layout.random, start: mu, omegaStart: em ? Float64Array.from({ length: dim }, (_, a) => Math.max(em!.omega[a * dim + a]!, 1e-6)) : omegaStart, lower, upper, importance: IMPORTANCE, ...(covariates.columns ? { covariates: { ...covariates.columns, ...(em ? { start: em.beta } : {}) } } : {}) });
    psis = em.modes;
    mu = em.mu;
    if (logObserved(view)) break;
  }
  if (logObserved(view))
    design.plan.observed.forEach((k) => {
      const ob = meta.observations[view.obsOf[k]!]!;
      // Residuals on the natural log: the output's SD is sigma (log) or sigma / ln 10 (log10).
      if (ob.error === "constant") modelNoise.set(ob.name, ob.transform === "log10" ? Math.sqrt(em!.sigma2) / Math.LN10 : Math.sqrt(em!.sigma2));
    });
  const fit = em!;
  const parameters: Record<string, ParameterEstimate> = {};
  layout.params.forEach((j, a) => {
    const est = natural(layout, fit.mu, a);
    const se = Math.sqrt(fit.muCov[a * dim + a]!);
    parameters[meta.parameters[j]!.name] = {
      estimate: est,
      se: Number.isFinite(se) ? (layout.positive[a] ? est * se : se) : null,
      omega: layout.random[a] ? Math.sqrt(fit.omega[a * dim + a]!) : null,
      ...(layout.positive[a] ? { scale: "log" as const } : {}),
    };
  });
  const randomComps = layout.params.map((_, a) => a).filter((a) => layout.random[a]);
  const individual: FitResult["individual"] = {};
  contexts.forEach((ctx, i) => {
    const row: Record<string, number> = {};
    layout.params.forEach((j, a) => (row[meta.parameters[j]!.name] = natural(layout, fit.modes[i]!, a)));
    individual[ctx.subject.id] = row;
  });
  const logNames = layout.params.filter((_, a) => layout.positive[a]).map((j) => meta.parameters[j]!.name);
  notes.push(
    `Population step on the log scale for ${logNames.join(", ")} (log theta_i = log theta + eta_i, omega = SD of eta, Monolix's omega): Laplace-approximated EM on each subject's rows re-written at its own parameters (products of parameters are sums on the log scale${layout.rateComp >= 0 ? `; ${meta.parameters[design.rateParam]!.name}, a latent rate, is a component like the others, so its population value weighs each subject by how well its data determine it` : ""}); posterior moments by importance sampling (${IMPORTANCE.samples} seeded draws per subject), components without a random effect by Monte Carlo Newton steps on the marginal likelihood over them; ${done} pass(es), ${fit.rounds} EM round(s) in the last${fit.converged ? "" : " (stopped at the round limit)"}${fit.importanceFallbacks ? `, ${fit.importanceFallbacks} subject(s) on Laplace moments` : ""}.`,
  );
  const covNote = logScaleCovariateNote(covariates);
  if (covNote) notes.push(covNote);
  return {
    parameters,
    ...(covariates.coefs.length + covariates.dropped.length > 0 ? { covariateEffects: logScaleCovariateEstimates(meta, covariates, fit, (j) => layout.positive[comp.get(j)!]!) } : {}),
    omega: { names: randomComps.map((a) => meta.parameters[layout.params[a]!]!.name), matrix: randomComps.map((a) => randomComps.map((b) => fit.omega[a * dim + b]!)) },
    omegaCorrelation: {},
    individual,
    em: fit,
    modelNoise,
    coefficients: contexts.map((ctx, i) => fullCoefficients(view, layout, ctx, fit.modes[i]!)),
  };
}

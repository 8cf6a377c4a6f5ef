// The dense path's population step when the spec declares positive
// parameters (`k ~ lognormal`, `V positive`): log theta_i = mu + eta_i,
// eta ~ N(0, Omega), fitted by the Laplace EM of population/laplace-em.ts on
// each subject's (scaled) rows. The closed-form LMM fit stays the start and
// the estimator of all-normal models. A positive parameter is never reported
// negative: its typical value is exp(mu).
import type { CompiledModel } from "../model.js";
import type { FitResult, ParameterEstimate } from "../fit-result.js";
import type { LmmFit } from "../population/mixed-model.js";
import type { SubjectRows, SubjectStats } from "../population/subject-rows.js";
import type { CurvePiece } from "../rows/weak-form.js";
import { laplaceEm, linearSubject, type LaplaceEmFit } from "../population/laplace-em.js";
import { solveSpd } from "../numeric/linalg.js";
import { median } from "../numeric/summary.js";
import { logScaleCovariateEstimates, logScaleCovariateNote, logScaleCovariates } from "./log-scale-covariates.js";

/** One kept subject of the dense path: per-state Gram sums, the row form, and (integral rows) the rows before X(t_0) is profiled out. */
export interface DenseSubject {
  id: string;
  index: number;
  /** "whitened": integral rows already whitened (unit noise, every state's rows in perState[0]). */
  form: "weak" | "integral" | "whitened";
  perState: SubjectStats[];
  byState?: { rows: SubjectRows; nuisance: number[] }[];
  /** Integral rows: the subject's curve pieces per state (the whitening pass rebuilds its rows). */
  curves?: CurvePiece[][];
}

/** Per parameter: declared positive (`~ lognormal`, `positive`), i.e. estimated on the log scale. */
export function positiveParameters(model: CompiledModel): boolean[] {
  return model.meta.parameters.map((p) => p.positive === true);
}

/**
 * Scale of each state's integral rows: rows of relative outputs are already
 * divided by the level, so their noise is the relative SD (b, or the log
 * SD); others the absolute SD.
 */
export function integralRowScale(model: CompiledModel, residual: FitResult["residual"]): Float64Array {
  const meta = model.meta;
  const scale = new Float64Array(model.nStates).fill(1);
  meta.observations.forEach((ob) => {
    const r = residual[ob.name];
    if (!r) return;
    const sd = ob.transform === "log10" ? (r.a ?? 0) * Math.LN10 : ob.transform === "log" ? (r.a ?? 0) : ob.error === "constant" ? (r.a ?? 0) : (r.b ?? 0);
    if (sd > 0 && Number.isFinite(sd)) scale[ob.state] = 1 / sd;
  });
  return scale;
}

/** A subject's own least-squares coefficients (a tiny ridge keeps unseen columns at 0). */
function ownEstimate(st: SubjectStats, p: number): Float64Array | null {
  const a = Float64Array.from(st.gtg);
  let tr = 0;
  for (let j = 0; j < p; j++) tr += a[j * p + j]!;
  for (let j = 0; j < p; j++) a[j * p + j] += 1e-8 * (tr / p + 1e-300);
  return solveSpd(a, p, Float64Array.from(st.gty));
}

export interface LogScaleResult extends Pick<FitResult, "parameters" | "omega" | "omegaCorrelation" | "individual" | "derived" | "covariateEffects"> {
  sigma2: number;
  logLik: number;
  rounds: number;
  converged: boolean;
  em: LaplaceEmFit;
}

/** Starting psi: the LMM's values (log of positive ones; a negative one falls back to the median of the positive own estimates). */
function startOf(positive: boolean[], lmm: LmmFit, own: (Float64Array | null)[]): Float64Array {
  return Float64Array.from(positive, (pos, j) => {
    if (!pos) return lmm.theta[j]!;
    if (lmm.theta[j]! > 0) return Math.log(lmm.theta[j]!);
    const v = own.flatMap((c) => (c && c[j]! > 0 ? [c[j]!] : []));
    return Math.log(v.length > 0 ? median(v) : 1);
  });
}

/** The subjects' covariates (in `kept` order) and the data's levels, for the covariate effects the spec declares. */
export interface SubjectCovariateData {
  cov: Float64Array[];
  levels?: Record<string, string[]>;
}

export function logScaleFit(model: CompiledModel, kept: DenseSubject[], scaled: (x: DenseSubject) => SubjectStats, lmm: LmmFit, notes: string[], covariateData?: SubjectCovariateData): LogScaleResult {
  const meta = model.meta;
  const p = model.nParams;
  const positive = positiveParameters(model);
  const random = meta.parameters.map((x) => x.variability !== "fixed");
  const stats = kept.map(scaled);
  const own = stats.map((st) => ownEstimate(st, p));
  const start = startOf(positive, lmm, own);
  const coef = (psi: Float64Array, out: Float64Array): void => {
    for (let j = 0; j < p; j++) out[j] = positive[j] ? Math.exp(psi[j]!) : psi[j]!;
  };
  const subjects = stats.map((st, i) => {
    const c = own[i];
    const s = c ? Float64Array.from(c, (v, j) => (positive[j] ? (v > 0 ? Math.log(v) : start[j]!) : v)) : null;
    return linearSubject(st, p, coef, s);
  });
  // Omega to start: log-scale 0.25 (CV ~50%); additive: the LMM's own.
  const q = lmm.randomParams.length;
  const omegaStart = Float64Array.from(meta.parameters, (_, j) => {
    if (positive[j]) return 0.25;
    const r = lmm.randomParams.indexOf(j);
    return r >= 0 ? Math.max(lmm.omega[r * q + r]!, 1e-8 * (lmm.theta[j]! ** 2 + 1e-12)) : 0;
  });
  const fullBlocks = meta.covariance.filter((c) => c.structure === "full").map((c) => c.params);
  const covariates = logScaleCovariates(meta, covariateData?.levels, (j) => j, random, covariateData?.cov ?? kept.map(() => new Float64Array(meta.covariates.length)));
  const em = laplaceEm(subjects, { random, start, omegaStart, fullBlocks, ...(covariates.columns ? { covariates: covariates.columns } : {}) });
  const toNatural = (j: number, v: number): number => (positive[j] ? Math.exp(v) : v);
  const parameters: Record<string, ParameterEstimate> = {};
  meta.parameters.forEach((par, j) => {
    const se = Math.sqrt(em.muCov[j * p + j]!);
    const est = toNatural(j, em.mu[j]!);
    parameters[par.name] = {
      estimate: est,
      se: Number.isFinite(se) ? (positive[j] ? est * se : se) : null,
      omega: random[j] ? Math.sqrt(em.omega[j * p + j]!) : null,
      ...(positive[j] ? { scale: "log" as const } : {}),
    };
  });
  const names = meta.parameters.filter((_, j) => random[j]).map((x) => x.name);
  const idx = meta.parameters.map((_, j) => j).filter((j) => random[j]);
  const matrix = idx.map((a) => idx.map((b) => em.omega[a * p + b]!));
  const omegaCorrelation: Record<string, number> = {};
  for (const c of meta.covariance)
    if (c.structure === "full")
      for (let u = 0; u < c.params.length; u++)
        for (let w = u + 1; w < c.params.length; w++) {
          const a = c.params[u]!;
          const b = c.params[w]!;
          const den = Math.sqrt(em.omega[a * p + a]! * em.omega[b * p + b]!);
          omegaCorrelation[`${meta.parameters[a]!.name},${meta.parameters[b]!.name}`] = den > 0 ? em.omega[a * p + b]! / den : 0;
        }
  const individual: Record<string, Record<string, number>> = {};
  const out = new Float64Array(meta.derived.length);
  kept.forEach((k, i) => {
    const th = Float64Array.from(em.modes[i]!, (v, j) => toNatural(j, v));
    const row: Record<string, number> = {};
    meta.parameters.forEach((par, j) => (row[par.name] = th[j]!));
    if (meta.derived.length > 0) {
      model.derived(th, out);
      meta.derived.forEach((dq, m) => Number.isFinite(out[m]!) && (row[dq.name] = out[m]!));
    }
    individual[k.id] = row;
  });
  const derived: Record<string, number> = {};
  if (meta.derived.length > 0) {
    model.derived(Float64Array.from(em.mu, (v, j) => toNatural(j, v)), out);
    meta.derived.forEach((dq, m) => Number.isFinite(out[m]!) && (derived[dq.name] = out[m]!));
  }
  const logNames = meta.parameters.filter((_, j) => positive[j]).map((x) => x.name);
  notes.push(
    `${logNames.join(", ")} ${logNames.length > 1 ? "are" : "is"} positive: estimated on the log scale (log theta_i = log theta + eta_i; omega is the SD of eta, Monolix's omega) by a Laplace-approximated EM on each subject's rows (${em.rounds} round(s)${em.converged ? "" : ", stopped at the round limit"})${logNames.length < meta.parameters.length ? "; the other parameters additively" : ""}.`,
  );
  const covNote = logScaleCovariateNote(covariates);
  if (covNote) notes.push(covNote);
  const covariateEffects = covariates.coefs.length > 0 ? logScaleCovariateEstimates(meta, covariates, em, (j) => positive[j]!) : undefined;
  return { parameters, ...(covariateEffects ? { covariateEffects } : {}), omega: { names, matrix }, omegaCorrelation, individual, derived, sigma2: em.sigma2, logLik: em.logLik, rounds: em.rounds, converged: em.converged, em };
}

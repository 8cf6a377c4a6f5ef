// The population step of linear compartment models (two- and three-
// compartment IV, an oral depot in front of them): a nonlinear mixed model on
// the exact predictions of rows/compartment-response.ts, psi_i = log theta_i =
// mu + eta_i (the model's coefficients, 1/V in V's slot), fitted by the
// Laplace EM of population/laplace-em.ts on each subject's log residuals
// log y - log C(t; theta_i) (proportional error, R nlme's fit of log conc) or
// its plain residuals (constant error). Every subject enters through its
// posterior, so one whose data barely determine a rate (a flat profile in
// k12) is shrunk instead of dragging the population value: the medians of
// per-subject fits this replaces gave cefamandole k12 +42% and remifentanil
// k12 +49% against R nlme (test/runtime/estimate/pk-real.test.ts).
// Starts: the two-compartment form's per-subject variable projection
// (fit-compartments.ts); any other form a pooled fit of all subjects, from a
// grid of rates with the dose coefficient profiled out, refined by
// Levenberg-Marquardt (compartment-start.ts).
import type { CompiledModel } from "../model.js";
import type { Dataset } from "../data/dataset.js";
import type { FitResult, ParameterEstimate } from "../fit-result.js";
import { covariateCoefficients, covariateValues, type CovariateCoefficient } from "../data/covariate-coefficients.js";
import { covariateFields } from "./covariate-effects.js";
import { logScaleCovariateEstimates, logScaleCovariateNote, type LogScaleCovariates } from "./log-scale-covariates.js";
import type { LinearSystem } from "../rows/compartment-response.js";
import { laplaceEm, type LaplaceEmFit, type NonlinearSubject } from "../population/laplace-em.js";
import { median } from "../numeric/summary.js";
import { compartmentPlan, ownCompartmentEstimates } from "./fit-compartments.js";
import { pooledStart } from "./compartment-start.js";
import { layoutOf, residualsAt, subjectSamples, thetaOf, type CompartmentLayout, type SubjectSamples } from "./compartment-layout.js";
import { UnsupportedModelError } from "./unsupported.js";
import { branchesApart, branchOf, flipFlopTwin, keepsSecond } from "../flip-flop.js";

/** Per subject, its starting psi (population start where it has none). */
function starts(model: CompiledModel, data: Dataset, sys: LinearSystem, layout: CompartmentLayout, smp: SubjectSamples[]): { psis: Float64Array[]; start: Float64Array; how: string } {
  const p = model.nParams;
  const toPsi = (th: Float64Array): Float64Array => Float64Array.from(th, (v, j) => (layout.log[j] ? (v > 0 ? Math.log(v) : Number.NaN) : v));
  const plan = compartmentPlan(model);
  if (plan) {
    const own = ownCompartmentEstimates(model, data, plan).map((o) => (o.theta ? toPsi(o.theta) : null));
    const start = Float64Array.from({ length: p }, (_, j) => {
      const v = own.flatMap((x) => (x && Number.isFinite(x[j]!) ? [x[j]!] : []));
      return v.length ? median(v) : Number.NaN;
    });
    if (start.every(Number.isFinite))
      return { psis: own.map((x) => Float64Array.from({ length: p }, (_, j) => (x && Number.isFinite(x[j]!) ? x[j]! : start[j]!))), start, how: "each subject's own macro-constants (two exponentials by variable projection)" };
  }
  const start = toPsi(pooledStart(sys, data, smp, layout));
  if (!start.every(Number.isFinite)) throw new UnsupportedModelError(`model ${model.meta.name}: no starting value of the compartment parameters fits the data`);
  return { psis: data.subjects.map(() => Float64Array.from(start)), start, how: "a pooled fit of all subjects (grid of rates, then Levenberg-Marquardt)" };
}

export interface CompartmentPopulation {
  em: LaplaceEmFit;
  /** The covariate columns of the EM (as the log-scale steps carry them). */
  covariates: LogScaleCovariates;
  kept: number[];
  samples: SubjectSamples[];
  startedFrom: string;
  /** On a model with first-order absorption: the Laplace log-likelihood of the other branch's run, and its rates. */
  otherBranch?: { logLik: number; ka: number; ke: number };
}

/**
 * The covariate columns of the EM: each coefficient acts on its parameter's component, as in the log-scale steps
 * (log-scale-covariates.ts), so psi_i = mu + Z_i beta + eta_i. A reciprocal parameter's component is log(1/V) =
 * -log V, so its column carries -z: the coefficient stays the spec's effect on log V.
 */
function compartmentCovariates(meta: CompiledModel["meta"], data: Dataset, layout: CompartmentLayout, coefs: CovariateCoefficient[]): LogScaleCovariates {
  const kept = coefs.filter((c) => layout.random[c.param]);
  const dropped = coefs.filter((c) => !layout.random[c.param]).map((c) => c.name);
  if (kept.length === 0) return { coefs: kept, columns: undefined, dropped };
  const sign = kept.map((c) => (meta.parameters[c.param]!.estimatedAs === "reciprocal" ? -1 : 1));
  const z = data.subjects.map((s) => Float64Array.from(covariateValues(kept, s.covariates), (v, k) => sign[k]! * v));
  return { coefs: kept, columns: { params: kept.map((c) => c.param), z }, dropped };
}

/** The Laplace EM on every subject with at least one sample. */
export function compartmentPopulation(model: CompiledModel, data: Dataset, sys: LinearSystem, layout: CompartmentLayout, coefs: CovariateCoefficient[]): CompartmentPopulation {
  const p = model.nParams;
  const covariates = compartmentCovariates(model.meta, data, layout, coefs);
  const all = subjectSamples(model, data, sys);
  const kept = all.map((s, i) => (s.values.length > 0 ? i : -1)).filter((i) => i >= 0);
  if (kept.length === 0) throw new UnsupportedModelError(`model ${model.meta.name}: no subject has a sample of the observed compartment`);
  const own = starts(model, data, sys, layout, all);
  const subjects: NonlinearSubject[] = kept.map((i) => ({
    dof: all[i]!.values.length,
    start: own.psis[i]!,
    residuals: (psi: Float64Array) => residualsAt(sys, data.subjects[i]!.doses, all[i]!, thetaOf(layout, psi)),
  }));
  // Starting omega from the spread of the subjects' own values (robust), kept within a CV of 10% to 100%.
  const omegaStart = Float64Array.from({ length: p }, (_, j) => {
    const v = kept.map((i) => own.psis[i]![j]!);
    const m = median(v);
    const mad = 1.4826 * median(v.map((x) => Math.abs(x - m)));
    return layout.log[j] ? Math.min(1, Math.max(0.01, mad * mad)) : Math.max(mad * mad, 1e-6 * (m * m + 1e-12));
  });
  const span = 25;
  const lower = Float64Array.from(own.start, (v) => v - span);
  const upper = Float64Array.from(own.start, (v) => v + span);
  // Laplace moments, as R nlme's linearisation: an importance-sampled E-step (the latent path's) moved cefamandole and
  // remifentanil by at most 1.3% of a value, at three times the time (16 s against 5.5 s on remifentanil).
  const fullBlocks = model.meta.covariance.filter((b) => b.structure === "full").map((b) => b.params.filter((j) => layout.random[j]));
  const columns = covariates.columns ? { ...covariates.columns, z: kept.map((i) => covariates.columns!.z[i]!) } : undefined;
  const options = { random: layout.random, fullBlocks, start: own.start, omegaStart, lower, upper, ...(columns ? { covariates: columns } : {}) };
  const em = laplaceEm(subjects, options);
  const result: CompartmentPopulation = { em, covariates, kept, samples: all, startedFrom: own.how };
  const twin = model.meta.absorption ? twinRun(model.meta.absorption, layout, subjects, em, options) : null;
  if (!twin) return result;
  const rates = (fit: LaplaceEmFit) => {
    const th = thetaOf(layout, fit.mu);
    return { ka: th[model.meta.absorption!.ka]!, ke: th[model.meta.absorption!.ke]! };
  };
  // The Laplace log-likelihood is deterministic; within FLIP_FLOP_TIE the runs are the same model (random effects
  // symmetric under the swap) and the convention decides.
  const twinWins = keepsSecond({ logLik: em.logLik, ...rates(em) }, { logLik: twin.logLik, ...rates(twin) }, FLIP_FLOP_TIE);
  const [win, lose] = twinWins ? [twin, em] : [em, twin];
  return { ...result, em: win, otherBranch: { logLik: lose.logLik, ...rates(lose) }, ...(twinWins ? { startedFrom: `${own.how}, then the flip-flop twin of that fit` } : {}) };
}

/** Log-likelihood units within which the two branches of the first guess count as equally likely. */
const FLIP_FLOP_TIE = 0.05;

/**
 * The Laplace EM again from the flip-flop twin of `em` (ka and ke swapped, the dose factor scaled: flip-flop.ts),
 * every subject from the twin of its mode. The EM stays on the branch it starts on: on a seeded oral population at
 * steady state it ended on the flip-flop side from a pooled start on the other (test/runtime/estimate/steady-state-fit.test.ts).
 */
function twinRun(a: NonNullable<CompiledModel["meta"]["absorption"]>, layout: CompartmentLayout, subjects: NonlinearSubject[], em: LaplaceEmFit, options: Parameters<typeof laplaceEm>[1]): LaplaceEmFit | null {
  const involved = [a.ka, a.ke, ...(a.inflow === undefined && a.volume ? [a.volume.param] : [])];
  if (!involved.every((j) => layout.log[j])) return null;
  const typical = thetaOf(layout, em.mu);
  if (!branchesApart(typical[a.ka]!, typical[a.ke]!)) return null;
  const toPsi = (th: Float64Array) => Float64Array.from(th, (v, j) => (layout.log[j] ? Math.log(v) : v));
  const start = toPsi(flipFlopTwin(a, typical, "coefficients"));
  const dim = em.mu.length;
  const omegaStart = Float64Array.from({ length: dim }, (_, j) => Math.max(em.omega[j * dim + j]!, 0.01));
  if (layout.random[a.ka] && layout.random[a.ke]) [omegaStart[a.ka], omegaStart[a.ke]] = [omegaStart[a.ke]!, omegaStart[a.ka]!];
  const twinSubjects = subjects.map((sub, u) => ({ ...sub, start: toPsi(flipFlopTwin(a, thetaOf(layout, em.modes[u]!), "coefficients")) }));
  if (!start.every(Number.isFinite) || twinSubjects.some((sub) => !sub.start.every(Number.isFinite))) return null;
  const span = 25;
  return laplaceEm(twinSubjects, { ...options, start, omegaStart, lower: Float64Array.from(start, (v) => v - span), upper: Float64Array.from(start, (v) => v + span) });
}

/** The fit of a linear compartment model (see the file comment). */
export function fitLinearCompartments(model: CompiledModel, data: Dataset, sys: LinearSystem): FitResult {
  const started = performance.now();
  const meta = model.meta;
  const coefs = covariateCoefficients(meta, data.levels);
  const layout = layoutOf(model);
  const pop = compartmentPopulation(model, data, sys, layout, coefs);
  const { em, kept } = pop;
  const dim = em.mu.length;
  const natural = (j: number, coef: number): number => (meta.parameters[j]!.estimatedAs === "reciprocal" ? 1 / coef : coef);
  const typical = thetaOf(layout, em.mu);
  const parameters: Record<string, ParameterEstimate> = {};
  meta.parameters.forEach((par, j) => {
    const est = natural(j, typical[j]!);
    const se = Math.sqrt(em.muCov[j * dim + j]!);
    parameters[par.name] = {
      estimate: est,
      se: Number.isFinite(se) ? (layout.log[j] ? Math.abs(est) * se : se / (par.estimatedAs === "reciprocal" ? typical[j]! ** 2 : 1)) : null,
      omega: layout.random[j] ? Math.sqrt(em.omega[j * dim + j]!) : null,
      ...(layout.log[j] ? { scale: "log" as const } : {}),
    };
  });
  const derivedAt = (th: Float64Array): Record<string, number> => {
    const out: Record<string, number> = {};
    if (!meta.derived.length) return out;
    const v = new Float64Array(meta.derived.length);
    model.derived(th, v);
    meta.derived.forEach((dq, k) => Number.isFinite(v[k]!) && (out[dq.name] = v[k]!));
    return out;
  };
  const individual: FitResult["individual"] = {};
  kept.forEach((i, u) => {
    const th = thetaOf(layout, em.modes[u]!);
    const row: Record<string, number> = {};
    meta.parameters.forEach((par, j) => (row[par.name] = natural(j, th[j]!)));
    individual[data.subjects[i]!.id] = { ...row, ...derivedAt(th) };
  });
  const sigma = Math.sqrt(em.sigma2);
  const residual: FitResult["residual"] = {};
  for (const ob of meta.observations)
    residual[ob.name] = ob.error === "constant" ? { error: "constant", a: sigma } : ob.error === "proportional" ? { error: "proportional", b: sigma } : { error: "combined", a: 0, b: sigma };
  const { omega, omegaCorrelation } = omegaOf(meta, layout, em);
  return {
    model: meta.name,
    subjects: kept.length,
    seconds: (performance.now() - started) / 1000,
    parameters,
    omegaCorrelation,
    residual,
    individual,
    derived: derivedAt(typical),
    omega,
    ...covariateFields(meta, pop.covariates.coefs.length > 0 ? logScaleCovariateEstimates(meta, pop.covariates, em, (j) => layout.log[j]!) : {}, data.levels),
    unidentifiable: [],
    notes: notesOf(model, sys, layout, pop, data.subjects.length),
    settings: {
      estimator: "linear compartments: exact sums of exponentials per dose, Laplace EM on the log scale",
      form: "exponential",
      rowForms: { exponential: kept.length },
      rows: pop.samples.reduce((s, x) => s + x.values.length, 0),
      start: pop.startedFrom,
      emRounds: em.rounds,
      converged: em.converged,
      logLik: em.logLik,
    },
  };
}

/** Omega on the parameters' scale (psi of a reciprocal parameter is log(1/V) = -log V: its covariances change sign). */
function omegaOf(meta: CompiledModel["meta"], layout: CompartmentLayout, em: LaplaceEmFit): Pick<FitResult, "omega" | "omegaCorrelation"> {
  const dim = em.mu.length;
  const names = meta.parameters.filter((_, j) => layout.random[j]).map((x) => x.name);
  const idx = meta.parameters.map((_, j) => j).filter((j) => layout.random[j]);
  const sign = meta.parameters.map((par) => (par.estimatedAs === "reciprocal" ? -1 : 1));
  const cov = (a: number, b: number): number => sign[a]! * sign[b]! * em.omega[a * dim + b]!;
  const omegaCorrelation: Record<string, number> = {};
  for (const block of meta.covariance)
    if (block.structure === "full")
      block.params.forEach((a, u) =>
        block.params.slice(u + 1).forEach((b) => {
          const den = Math.sqrt(cov(a, a) * cov(b, b));
          omegaCorrelation[`${meta.parameters[a]!.name},${meta.parameters[b]!.name}`] = den > 0 ? cov(a, b) / den : 0;
        }),
      );
  return { omega: { names, matrix: idx.map((a) => idx.map((b) => cov(a, b))) }, omegaCorrelation };
}

function notesOf(model: CompiledModel, sys: LinearSystem, layout: CompartmentLayout, pop: CompartmentPopulation, total: number): string[] {
  const meta = model.meta;
  const latent = meta.states.filter((s) => s.latent).map((s) => s.name);
  const logNames = meta.parameters.filter((_, j) => layout.log[j]).map((x) => x.name);
  const relative = pop.samples.some((s) => s.log);
  const notes = [
    `Linear compartments: ${latent.join(", ")} and ${meta.states[sys.observed]!.name} form a linear system, so each subject's ${meta.states[sys.observed]!.name} is exactly a sum over doses (bolus or infusion) of ${sys.n} exponentials whose rates are the eigenvalues of the system matrix; no ODE is solved.`,
    `Population step: nonlinear mixed model on ${relative ? "the log residuals log y - log C (the proportional error fitted on the log scale, as R nlme fits log conc)" : "the residuals y - C"}, log theta_i = log theta + eta_i for ${logNames.join(", ")} (omega = SD of eta, Monolix's omega), by Laplace EM (FOCE-like: conditional modes, the residuals linearised there); started from ${pop.startedFrom}; ${pop.em.rounds} round(s)${pop.em.converged ? "" : " (stopped at the round limit: an omega still shrinking towards 0 converges slowly)"}. Standard errors from the GLS information of the population values (delta method to the natural scale).`,
  ];
  const covariateNote = logScaleCovariateNote(pop.covariates);
  if (covariateNote) notes.push(covariateNote);
  if (pop.kept.length < total) notes.push(`${total - pop.kept.length} subject(s) without a sample of ${meta.observations[0]!.name} were left out.`);
  const other = pop.otherBranch;
  if (other && meta.absorption) {
    const [ka, ke] = [meta.parameters[meta.absorption.ka]!.name, meta.parameters[meta.absorption.ke]!.name];
    const typical = thetaOf(layout, pop.em.mu);
    const [kept, lost] = [branchOf(typical[meta.absorption.ka]!, typical[meta.absorption.ke]!), branchOf(other.ka, other.ke)];
    notes.push(
      kept === lost
        ? `Flip-flop: ${ka} and ${ke} swapped give the same typical curve; the Laplace EM started again from the twin of its fit returned to the ${kept} branch (${ka} ${other.ka.toPrecision(3)}, ${ke} ${other.ke.toPrecision(3)}; Laplace log-likelihood ${other.logLik.toFixed(2)} against ${pop.em.logLik.toFixed(2)}).`
        : `Flip-flop: ${ka} and ${ke} swapped give the same typical curve; the Laplace EM ran from both branches and kept the ${kept} one (Laplace log-likelihood ${pop.em.logLik.toFixed(2)}; the ${lost} one, ${ka} ${other.ka.toPrecision(3)}, ${ke} ${other.ke.toPrecision(3)}, reached ${other.logLik.toFixed(2)}).`,
    );
  }
  return notes;
}

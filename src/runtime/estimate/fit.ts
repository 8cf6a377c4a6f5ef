// `fit`: the weak-form population estimator end to end. Smooth every subject's
// outputs, assemble its weak-form regression, pool the subjects in a linear
// mixed model, optionally re-weight WENDy-style, and report a FitResult.
// No ODE is solved anywhere on this path.
import { assertFittable } from "./unsupported.js";
import { fitLinearCompartments } from "./compartment-population.js";
import { linearSystemOf } from "../rows/compartment-response.js";
import type { CompiledModel } from "../model.js";
import { DataError, type Dataset } from "../data/dataset.js";
import { steadyStateAsHistory } from "./steady-state-history.js";
import type { FitResult, ParameterEstimate } from "../fit-result.js";
import type { SmoothOptions } from "../rows/smooth.js";
import type { FitOptions } from "./options.js";
import { observationOfState, WeakFormWorkspace, type CurvePiece, type SubjectSystem } from "../rows/weak-form.js";
import { runSync, wait, type Steps } from "../threads/steps.js";
import { addNoise, subjectStage, type StageSettings, type SubjectStage } from "./subject-stage.js";
import { MixedModel, type LmmFit, type RandomBlock } from "../population/mixed-model.js";
import type { SubjectStats } from "../population/subject-rows.js";
import { MIN_LEVELS_FOR_TESTS } from "../rows/integral-rows.js";
import { whitenIntegralSubjects } from "./integral-pass.js";
import { integralRowScale, logScaleFit, positiveParameters, type DenseSubject } from "./log-scale.js";
import { initialStates } from "./initial-states.js";
import { reweightedStats } from "../rows/reweight.js";
import { sharedCurves, sharedSmoothingNote } from "../rows/shared-curves.js";
import { newNoise, residualErrors } from "../rows/curves.js";
import { fitLatent } from "./fit-latent.js";
import { randomBlocks } from "./random-blocks.js";
import { typicalTheta, withCovariates } from "../population/covariates.js";
import { covariateCoefficients, covariateValues, type CovariateCoefficient } from "../data/covariate-coefficients.js";
import { covariateEstimates, covariateFields } from "./covariate-effects.js";
import { initialStateEffects } from "./initial-covariates.js";
export { newNoise, residualErrors, smoothState, type OutputNoise } from "../rows/curves.js";
export type { FitOptions } from "./options.js";

/** The dense path's subjects after smoothing and assembly: per-state Gram sums, and the rows and curves when re-weighting needs them again. */
interface Assembled {
  kept: DenseSubject[];
  systems: SubjectSystem[];
  curves: CurvePiece[][][];
  skipped: string[];
  censoredDropped: number;
  /** Outputs whose curves came from the shared smoother. */
  sharedOutputs: string[];
}

/**
 * Where the per-subject stages run: given what they share, every subject's stage (subject order), or null for
 * this thread. Asked only when no output is smoothed by the shared smoother (its curves stay in this thread).
 */
export type StageRunner = (settings: StageSettings) => (SubjectStage | undefined)[] | null | Promise<(SubjectStage | undefined)[] | null>;

/**
 * Subjects stream through smoothing and assembly: only per-state sufficient
 * statistics are kept (the row scales are applied once the pooled noise is
 * known), unless re-weighting needs the rows and curves again.
 */
function* smoothAndAssemble(model: CompiledModel, data: Dataset, options: FitOptions, smoothing: SmoothOptions, weighted: boolean, noise: ReturnType<typeof newNoise>, runner: StageRunner): Steps<Assembled> {
  const total = data.subjects.length;
  const progress = options.onProgress;
  const keep = options.reweight === true;
  const shared = sharedCurves(model, data, weighted, noise, options.smoother, options.tests);
  const out: Assembled = { kept: [], systems: [], curves: [], skipped: [], censoredDropped: shared.censoredDropped, sharedOutputs: shared.outputs };
  const settings: StageSettings = { options, smoothing, weighted, keep };
  const stages = shared.byState.size === 0 ? yield* wait(runner(settings)) : null;
  const ws = new WeakFormWorkspace(model);
  data.subjects.forEach((subject, index) => {
    const st = stages?.[index] ?? subjectStage(model, settings, ws, subject, index, shared.byState);
    addNoise(noise, st.noise);
    out.censoredDropped += st.censoredDropped;
    if (st.kept) out.kept.push(st.kept);
    else out.skipped.push(subject.id);
    if (st.system && st.curves) {
      out.systems.push(st.system);
      out.curves.push(st.curves);
    }
    if (progress && (index % 64 === 63 || index === total - 1)) progress(index + 1, total);
  });
  return out;
}

/** The population step: the mixed model on the scaled Gram sums, then optional WENDy-style re-weighting rounds. */
function densePopulation(
  model: CompiledModel,
  data: Dataset,
  options: FitOptions,
  assembled: Assembled,
  rowScale: Float64Array,
  integralScale: Float64Array,
  residual: FitResult["residual"],
  notes: string[],
  covariates: SubjectCovariates,
): { lmm: LmmFit; randomParams: number[]; blocks: RandomBlock[]; rounds: number } {
  const p = model.nParams;
  // Covariate effects are extra fixed effects on the Gram sums (population/covariates.ts).
  const { coefs, z } = covariates;
  const P = p + coefs.length;
  const columns = coefs.map((c) => c.param);
  const extend = (st: SubjectStats, i: number): SubjectStats => withCovariates(st, p, columns, z[i]!);
  const randomParams: number[] = [];
  model.meta.parameters.forEach((par, j) => {
    if (par.variability !== "fixed") randomParams.push(j);
  });
  const blocks = randomBlocks(model, randomParams);
  const ones = new Float64Array(model.nStates).fill(1);
  let stats = assembled.kept.map((x, i) => extend(combineStats(x.perState, x.form === "whitened" ? ones : x.form === "integral" ? integralScale : rowScale, p), i));
  let lmm = new MixedModel(stats, P, randomParams, blocks).fit();
  let rounds = 0;
  if (options.reweight) {
    const { systems, curves } = assembled;
    const iterations = options.reweightIterations ?? 3;
    for (let it = 0; it < iterations; it++) {
      const thetaI = systems.map((_, i) => individualTheta(lmm, i, p, covariates));
      if (it === 0) for (const sys of systems) scaleRows(sys, rowScale, p);
      stats = reweightedStats(model, systems, thetaI, rowScale, curves, residual, data).map(extend);
      const next = new MixedModel(stats, P, randomParams, blocks).fit();
      rounds++;
      const change = relativeChange(lmm.theta, next.theta);
      lmm = next;
      if (change < 1e-4) break;
    }
    notes.push(
      `WENDy-style re-weighting: ${rounds} round(s); each subject's rows were whitened by the covariance of their errors propagated from the data noise through the smoother and the Jacobian of the dynamics.`,
    );
  }
  return { lmm, randomParams, blocks, rounds };
}

/**
 * Covariate effects on an initial value need X(0) estimated, which only integral rows do (test functions vanish at
 * the ends of their support, so the weak form never reads it): such a spec gets integral rows unless told.
 */
function integralRowsForInitialEffects(meta: CompiledModel["meta"], options: FitOptions, notes: string[]): FitOptions {
  if (options.rowForm !== undefined || !meta.states.some((s) => s.initialCovariateEffects?.length)) return options;
  notes.push("Integral rows for every subject: the spec declares covariate effects on an initial value, which only integral rows estimate (rowForm: \"weak\" to choose test-function rows).");
  return { ...options, rowForm: "integral" };
}

export function fit(model: CompiledModel, data: Dataset, options: FitOptions = {}): FitResult {
  return runSync(fitSteps(model, data, options, () => null));
}

/** The fit as steps (threads/steps.ts): `runner` says where the per-subject stages run (fit-async.ts). */
export function* fitSteps(model: CompiledModel, data: Dataset, options: FitOptions, runner: StageRunner): Steps<FitResult> {
  const started = performance.now();
  const meta = model.meta;
  const d = model.nStates;
  const notes: string[] = [];
  const steadyState = data.subjects.some((s) => s.doses.some((x) => x.steadyState));
  data = steadyStateAsHistory(model, data, notes);
  const routed = otherPath(model, data, options, steadyState);
  if (routed) return covariatesNotEstimated(meta, notes.length ? { ...routed, notes: [...notes, ...routed.notes] } : routed);
  options = integralRowsForInitialEffects(meta, options, notes);
  const obsOf = observationOfState(model);
  obsOf.forEach((o, k) => { if (o < 0) throw new Error(`model ${meta.name}: state ${meta.states[k]!.name} has no observation`); });
  if (data.subjects.length === 0) throw new DataError("the data set has no subjects", data.file);
  const total = data.subjects.length;
  const weighted = options.weightedSmoothing ?? true;
  // Undersmooth the curves by default: see SmoothOptions.undersmooth. 0.1 was
  // the best of 1, 0.3, 0.1, 0.03 on seeded logistic simulations (400 subjects).
  const smoothing: SmoothOptions = { undersmooth: 0.1, ...options.smoothing };

  // 1. Curves per subject and regressed state, and pooled smoothing residuals per output.
  const noise = newNoise(model);
  const assembled = yield* smoothAndAssemble(model, data, options, smoothing, weighted, noise, runner);
  const { kept, skipped, censoredDropped } = assembled;
  if (assembled.sharedOutputs.length > 0) notes.push(sharedSmoothingNote(assembled.sharedOutputs));
  if (censoredDropped > 0)
    notes.push(`${censoredDropped} censored observation(s) (below the limit of quantification) were left out of the curve estimates.`);
  const { residual, absSd } = residualErrors(model, noise);
  // Rows of each state are scaled by the inverse noise SD of its output, so
  // that outputs on different scales or with different noise weigh by their
  // information (sigma^2 of the mixed model is then ~ a common factor).
  const rowScale = Float64Array.from(obsOf, (o) => {
    const sd = absSd[o]!;
    return sd > 0 && Number.isFinite(sd) ? 1 / sd : 1;
  });

  const tSmooth = performance.now();
  reportSkipped(data, kept.length, skipped, notes);

  // 3. Population step (twice when integral rows are whitened at the first pass's individual values).
  const covariates = subjectCovariates(model, data, kept);
  const integralScale = integralRowScale(model, residual);
  const populationAndResults = (sink: string[]) => {
    const pop = densePopulation(model, data, options, assembled, rowScale, integralScale, residual, sink, covariates);
    let { parameters, omega, omegaCorrelation } = denseParameters(model, pop.lmm, pop.randomParams, pop.blocks);
    let { individual, derived } = denseIndividuals(model, pop.lmm, kept, covariates);
    let logScale: ReturnType<typeof logScaleFit> | null = null;
    if (positiveParameters(model).some((x) => x)) {
      logScale = logScaleFit(model, kept, (x) => combineStats(x.perState, subjectScale(x), model.nParams), pop.lmm, sink, { cov: kept.map((x) => data.subjects[x.index]!.covariates), ...(data.levels ? { levels: data.levels } : {}) });
      ({ parameters, omega, omegaCorrelation, individual, derived } = logScale);
    }
    return { ...pop, parameters, omega, omegaCorrelation, individual, derived, logScale };
  };
  const ones = new Float64Array(d).fill(1);
  const subjectScale = (x: DenseSubject): Float64Array => (x.form === "whitened" ? ones : x.form === "integral" ? integralScale : rowScale);
  const forms = { integral: kept.filter((k) => k.form === "integral").length, weak: kept.filter((k) => k.form === "weak").length };
  const whiten = forms.integral > 0 && options.whitenIntegral !== false;
  let pass = populationAndResults(whiten ? [] : notes);
  if (whiten) {
    whitenIntegralSubjects(model, data, kept, pass.individual, residual, options);
    pass = populationAndResults(notes);
  }
  const { lmm, rounds, logScale } = pass;
  const { parameters, omega, omegaCorrelation, individual, derived } = pass;
  if (options.onProgress) options.onProgress(total, total);

  const tPopulation = performance.now();
  // 4. Results.
  if (forms.integral > 0) notes.push(rowFormNote(options, forms, whiten));
  const initial = initialStates(model, data, kept, individual);
  const unidentifiable = denseUnidentifiable(model, lmm, notes, covariates.coefs);
  // With the log-scale step the effects are its own (on each parameter's scale); else the mixed model's.
  const effects = logScale?.covariateEffects ?? covariateEstimates(meta, covariates.coefs, { theta: lmm.theta, cov: lmm.thetaCov, nullSpace: lmm.nullSpace }, notes);
  const initialEffects = initialStateEffects(meta, initial, kept.map((x) => data.subjects[x.index]!), data.levels, notes);
  const covariateResult = covariateFields(meta, { ...effects, ...initialEffects }, data.levels);
  if (!lmm.converged) notes.push("The mixed-model optimiser stopped at its iteration limit; estimates may be imprecise.");

  return {
    model: meta.name,
    subjects: kept.length,
    seconds: (performance.now() - started) / 1000,
    parameters,
    omegaCorrelation,
    residual,
    individual,
    derived,
    omega,
    ...covariateResult,
    unidentifiable,
    notes,
    ...(initial ? { initialStates: initial } : {}),
    settings: {
      estimator: logScale ? "weak-form rows, Laplace EM on the log scale for positive parameters" : "weak-form LMM (ML)",
      rowForms: forms,
      ...(whiten ? { integralWhitened: true } : {}),
      ...(forms.integral > 0 ? { integralCurve: options.integralCurve ?? "pchip" } : {}),
      smoothing: {
        method: "P-spline, cubic, second-difference penalty, GCV",
        undersmooth: smoothing.undersmooth,
        maxSegments: smoothing.maxSegments ?? 20,
        ...(assembled.sharedOutputs.length > 0 ? { shared: assembled.sharedOutputs } : {}),
      },
      weightedSmoothing: weighted,
      testFunctions: { shape: "(1-x^2)^p", degree: options.tests?.degree ?? 4, normalise: options.tests?.normalise ?? "derivative" },
      reweight: options.reweight ?? false,
      reweightRounds: rounds,
      rowScale: Object.fromEntries(meta.states.map((s, k) => [s.name, rowScale[k]!])),
      sigma2: lmm.sigma2,
      logLik: lmm.logLik,
      lmmIterations: lmm.iterations,
      ...(logScale ? { sigma2: logScale.sigma2, logLik: logScale.logLik, emRounds: logScale.rounds, emConverged: logScale.converged } : {}),
      rows: kept.reduce((s, x) => s + x.perState.reduce((a, b) => a + b.n, 0), 0),
      phaseSeconds: {
        smoothingAndAssembly: (tSmooth - started) / 1000,
        population: (tPopulation - tSmooth) / 1000,
      },
    },
  };
}

/** No subject left is an error; some left out is a note. */
function reportSkipped(data: Dataset, kept: number, skipped: string[], notes: string[]): void {
  // "Between doses" only where there are doses to split the series (issue 13).
  const between = data.subjects.some((s) => s.doses.length > 0) ? " between doses" : "";
  if (kept === 0)
    throw new DataError(
      `no subject has enough observations for a weak-form test function (subjects ${preview(skipped)})`,
      data.file,
      undefined,
      undefined,
      `each subject needs at least 2 samples of every observed output${between} (integral rows)`,
    );
  if (skipped.length > 0)
    notes.push(
      `${skipped.length} subject(s) skipped: too few observations${between} for any test function (${preview(skipped)}); they have no individual estimates.`,
    );
}

/** Population values, standard errors (null along a null direction), Omega and its correlations within full blocks. */
function denseParameters(model: CompiledModel, lmm: LmmFit, randomParams: number[], blocks: RandomBlock[]): Pick<FitResult, "parameters" | "omega" | "omegaCorrelation"> {
  const meta = model.meta;
  // Covariate coefficients follow the parameters in the fixed effects.
  const p = lmm.theta.length;
  const parameters: Record<string, ParameterEstimate> = {};
  const nullDirs = lmm.nullSpace;
  meta.parameters.forEach((par, j) => {
    const inNull = nullDirs.some((v) => Math.abs(v[j]!) > 1e-6);
    const r = randomParams.indexOf(j);
    const se = Math.sqrt(lmm.thetaCov[j * p + j]!);
    parameters[par.name] = {
      estimate: lmm.theta[j]!,
      se: inNull || !Number.isFinite(se) ? null : se,
      omega: r >= 0 ? Math.sqrt(Math.max(0, lmm.omega[r * randomParams.length + r]!)) : null,
    };
  });
  const q = randomParams.length;
  const omegaNames = randomParams.map((j) => meta.parameters[j]!.name);
  const omegaMatrix: number[][] = [];
  for (let s = 0; s < q; s++) omegaMatrix.push(Array.from(lmm.omega.subarray(s * q, s * q + q)));
  const omegaCorrelation: Record<string, number> = {};
  for (const b of blocks) {
    if (!b.full) continue;
    for (let a = 0; a < b.params.length; a++)
      for (let c = a + 1; c < b.params.length; c++) {
        const s = randomParams.indexOf(b.params[a]!);
        const t = randomParams.indexOf(b.params[c]!);
        const den = Math.sqrt(lmm.omega[s * q + s]! * lmm.omega[t * q + t]!);
        omegaCorrelation[`${meta.parameters[b.params[a]!]!.name},${meta.parameters[b.params[c]!]!.name}`] =
          den > 0 ? lmm.omega[s * q + t]! / den : 0;
      }
  }
  return { parameters, omega: { names: omegaNames, matrix: omegaMatrix }, omegaCorrelation };
}

/** Individual parameters (population values plus BLUPs) and derived quantities, per subject and at the population values. */
function denseIndividuals(model: CompiledModel, lmm: LmmFit, kept: Assembled["kept"], covariates: SubjectCovariates): Pick<FitResult, "individual" | "derived"> {
  const meta = model.meta;
  const p = model.nParams;
  const derivedOut = new Float64Array(meta.derived.length);
  const derived: Record<string, number> = {};
  if (meta.derived.length > 0) {
    model.derived(lmm.theta, derivedOut);
    meta.derived.forEach((dq, k) => (derived[dq.name] = finiteOrNull(derivedOut[k]!) as number));
  }
  const individual: Record<string, Record<string, number>> = {};
  kept.forEach((sys, i) => {
    const th = individualTheta(lmm, i, p, covariates);
    const row: Record<string, number> = {};
    meta.parameters.forEach((par, j) => (row[par.name] = th[j]!));
    if (meta.derived.length > 0) {
      model.derived(th, derivedOut);
      meta.derived.forEach((dq, k) => (row[dq.name] = finiteOrNull(derivedOut[k]!) as number));
    }
    individual[sys.id] = row;
  });
  return { individual, derived };
}

/** The null directions of the stacked design, as parameter combinations (and a note when there are any). */
function denseUnidentifiable(model: CompiledModel, lmm: LmmFit, notes: string[], coefs: CovariateCoefficient[]): FitResult["unidentifiable"] {
  const meta = model.meta;
  const nullDirs = lmm.nullSpace;
  const names = [...meta.parameters.map((par) => par.name), ...coefs.map((c) => c.name)];
  const unidentifiable = nullDirs.map((v) => {
    const combination: Record<string, number> = {};
    names.forEach((name, j) => {
      if (Math.abs(v[j]!) > 1e-8) combination[name] = v[j]!;
    });
    return {
      combination,
      note: "the data do not determine this combination of parameters (a null direction of the stacked weak-form design)",
    };
  });
  if (nullDirs.length > 0)
    notes.push(
      `The weak-form design is rank-deficient (${nullDirs.length} unidentifiable direction(s)); the fit was made on the identifiable subspace (the component along each reported combination is set to 0 in column-scaled units, so individual values of the parameters involved are arbitrary) and their standard errors are reported as null.`,
    );
  return unidentifiable;
}

/** Doses scaled by a coefficient into an observed state (`C += amt / V`): regressors of the exponential rows (fit-latent.ts). */
function scaledDosesIntoObserved(meta: CompiledModel["meta"]): boolean {
  return meta.doses.some((dm) => dm.kind === "jump" && dm.coefficient?.param !== undefined && !meta.states[dm.state]!.latent);
}

/**
 * The paths other than the dense weak form: linear compartment models with a peripheral (convolution) state (exact
 * sums of exponentials, a nonlinear mixed model on the log scale: compartment-population.ts), and latent states or doses scaled into an observed state (fit-latent.ts).
 * Null: the dense path. Refuses (assertFittable) the forms no path fits.
 */
function otherPath(model: CompiledModel, data: Dataset, options: FitOptions, steadyState = false): FitResult | null {
  const meta = model.meta;
  // Steady-state doses written out as regimens (steady-state-history.ts) multiply the doses; the exact sums of
  // exponentials cost one term per dose and sample, where the latent path's rows cost one per integration node.
  const withoutPeripheral = steadyState && !meta.parameters.some((x) => x.covariateEffects?.length);
  const compartments = linearSystemOf(model, { withoutPeripheral });
  if (compartments) return fitLinearCompartments(model, data, compartments);
  assertFittable(meta, data);
  if (meta.states.some((s) => s.latent) || scaledDosesIntoObserved(meta)) return fitLatent(model, data, options);
  return null;
}

/** Covariate effects the spec declares are read and exported but not yet estimated on some of these paths: say so. */
function covariatesNotEstimated(meta: CompiledModel["meta"], result: FitResult): FitResult {
  const estimated = new Set(Object.values(result.covariateEffects ?? {}).map((e) => e.parameter));
  const withEffects = meta.parameters.filter((p) => p.covariateEffects?.length && !estimated.has(p.name)).map((p) => p.name);
  if (withEffects.length)
    result.notes.push(`The covariate effects on ${withEffects.join(", ")} were not estimated (the population step has no covariate model on this path yet): the values are typical over the subjects.`);
  return result;
}

/** Which subjects got integral rows, and how they were written. */
function rowFormNote(options: FitOptions, forms: { integral: number; weak: number }, whiten: boolean): string {
  return `Row form: integral rows (X(t_k) = X(t_0) + integral of the dynamics over the ${options.integralCurve ?? "pchip"} data curve, one row per sample, X(t_0) per curve piece profiled out${whiten ? "; whitened by the covariance of their errors propagated from the data noise at the first pass's individual values" : ""}) for ${forms.integral} subject(s) too sparse for ${MIN_LEVELS_FOR_TESTS} levels of test functions on some output; test-function rows for ${forms.weak}.`;
}

function preview(ids: string[]): string {
  return ids.length <= 5 ? ids.join(", ") : `${ids.slice(0, 5).join(", ")}, ... (${ids.length} in all)`;
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Statistics of the scaled rows: state k's rows multiplied by scale[k]. */
function combineStats(perState: SubjectStats[], scale: Float64Array, p: number): SubjectStats {
  const gtg = new Float64Array(p * p);
  const gty = new Float64Array(p);
  let yty = 0;
  let n = 0;
  perState.forEach((st, k) => {
    const s2 = scale[k]! * scale[k]!;
    n += st.n;
    yty += s2 * st.yty;
    for (let j = 0; j < p; j++) gty[j] += s2 * st.gty[j]!;
    for (let j = 0; j < p * p; j++) gtg[j] += s2 * st.gtg[j]!;
  });
  return { n, gtg, gty, yty };
}

/** Apply the per-state row scales to a retained system (re-weighting works on scaled rows). */
function scaleRows(sys: SubjectSystem, scale: Float64Array, p: number): void {
  for (let r = 0; r < sys.rows; r++) {
    const s = scale[sys.rowState[r]!]!;
    sys.y[r] = sys.y[r]! * s;
    for (let j = 0; j < p; j++) sys.g[r * p + j] = sys.g[r * p + j]! * s;
  }
}

/** The covariate coefficients of the model and their values z per kept subject (in `kept` order). */
interface SubjectCovariates {
  coefs: CovariateCoefficient[];
  z: Float64Array[];
}

function subjectCovariates(model: CompiledModel, data: Dataset, kept: Assembled["kept"]): SubjectCovariates {
  const coefs = covariateCoefficients(model.meta, data.levels);
  return { coefs, z: kept.map((x) => covariateValues(coefs, data.subjects[x.index]!.covariates)) };
}

/** Subject i's parameters: population values, its covariate effects, its random effects. */
export function individualTheta(lmm: LmmFit, i: number, p: number, covariates?: SubjectCovariates): Float64Array {
  const th = covariates && covariates.coefs.length > 0 ? typicalTheta(lmm.theta, p, covariates.coefs.map((c) => c.param), covariates.z[i]!) : Float64Array.from(lmm.theta.subarray(0, p));
  const b = lmm.blups[i]!;
  lmm.randomParams.forEach((j, s) => (th[j] = th[j]! + b[s]!));
  return th;
}

function relativeChange(a: Float64Array, b: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += a[i]! ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-300));
}


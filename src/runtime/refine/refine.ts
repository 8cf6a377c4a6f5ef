// `refine`: from the weak-form first guess to the maximum-likelihood estimate by SAEM, then what a modeller
// reads after a Monolix run: individual estimates (conditional means and modes), the log-likelihood by
// importance sampling, standard errors by Louis' principle, and the convergence trace.
import type { Dataset, Subject } from "../data/dataset.js";
import { runSync, wait, type Steps } from "../threads/steps.js";
import type { ChainRunner } from "./chain-runner.js";
import { LocalRunner } from "./subject-tasks.js";
import type { FitResult } from "../fit-result.js";
import type { CompiledModel } from "../model.js";
import { SubjectChain } from "./chain.js";
import { Louis, type FisherParam } from "./fisher.js";
import { importanceLogLik } from "./importance.js";
import { buildLayout, firstObservations, OMEGA_START_MIN, RefineError, startFrom, toNatural, toTransformed, type Layout } from "./layout.js";
import { medianStandardisedRms, POOR_START_RMS, pooledStart } from "./pooled-start.js";
import { effectValues, subjectMean } from "./effects.js";
import { conditionalModes } from "./modes.js";
import type { Population } from "./population.js";
import { runPosterior, type Conditional } from "./posterior.js";
import { SubjectPredictor } from "./predict.js";
import type { ResidualParams } from "./residual.js";
import type { RefinedFit, RefinedParameter } from "../fit-result.js";
import { DEFAULT_SETTINGS, runSaem, type SaemRun, type SaemSettings } from "./saem.js";
import { flipFlopStart, type BranchStart } from "./flip-flop-start.js";
import { branchOf, keepsSecond } from "../flip-flop.js";

/**
 * Kernels per posterior iteration: more random-walk moves than during SAEM, so that successive states (the
 * samples of Louis' formula and of the conditional distributions) are less correlated.
 */
const POSTERIOR_KERNELS = { independent: 2, componentwise: 3, joint: 3 };

export interface RefineOptions {
  seed?: number;
  burnIn?: number;
  exploration?: number;
  /** Exploration continues past `exploration` while the complete log-likelihood still climbs, up to this. Default 500. */
  maxExploration?: number;
  smoothing?: number;
  /** Smoothing continues past `smoothing` while the typical values have not settled, up to this. Default 1000. */
  maxSmoothing?: number;
  kernels?: SaemSettings["kernels"];
  /** Start here (typical values on the natural scale, by parameter name) instead of the first guess. */
  start?: Record<string, number>;
  /** A naive start as Monolix's defaults: omega 1, residual a = 1 / b = 0.3, every subject at the typical values. */
  naive?: boolean;
  /** Iterations of the chains at the final estimate (conditional distributions, standard errors). Default 50. */
  posteriorIterations?: number;
  /** Importance samples per subject for the log-likelihood. Default 300. */
  importanceSamples?: number;
  standardErrors?: boolean;
  modes?: boolean;
  /**
   * On a model with first-order absorption into one compartment (`meta.absorption`), run SAEM a second time from the
   * flip-flop twin of the first run's estimate and keep the run with the higher log-likelihood. Default true.
   */
  flipFlop?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/** What `refine` leaves for further evaluation (the bench evaluates the log-likelihood along the trace). */
export interface RefineInternals {
  layout: Layout;
  run: SaemRun;
  proposal: { mean: Float64Array[]; covariance: Float64Array[] };
}

export function refine(model: CompiledModel, data: Dataset, firstGuess: FitResult | undefined, options: RefineOptions = {}): RefinedFit {
  return refineWithInternals(model, data, firstGuess, options).refined;
}

export function refineWithInternals(
  model: CompiledModel,
  data: Dataset,
  firstGuess: FitResult | undefined,
  options: RefineOptions = {},
): { refined: RefinedFit; internals: RefineInternals } {
  return runSync(refineSteps(model, data, firstGuess, options, (probe) => new LocalRunner(probe.layout, probe.chains)));
}

/** What the choice of a runner sees: the chains, started, and the seconds of one solve of every subject. */
export interface RunnerProbe {
  layout: Layout;
  chains: SubjectChain[];
  subjects: Subject[];
  /** Wall seconds of one solve per subject (the second pass, past the first compilations). */
  solveSeconds: number;
  /** Solves per subject and SAEM iteration (the kernels' proposals). */
  solvesPerIteration: number;
  /** Iterations SAEM will at least run. */
  iterations: number;
}

/** A runner and what it says about itself (`RefinedFit.settings.workers`), closed when the refinement ends. */
export type ChosenRunner = ChainRunner & { threads?: number; close?: () => Promise<void> };

type Refined = { refined: RefinedFit; internals: RefineInternals };

/**
 * The refinement as steps (threads/steps.ts): `choose` picks where the per-subject work runs once the chains have
 * started; the numbers are the same wherever it runs.
 *
 * With first-order absorption into one compartment the data cannot tell ka from ke (the flip-flop), and SAEM stays
 * on the branch it starts on: a second run starts from the twin of the first run's estimate and the higher
 * log-likelihood (importance sampling) decides; `RefinedFit.branches` keeps both. The twin of the end point rather
 * than of the start: it exists from any start (a naive start with every value 1 has ka = ke, its own twin), and its
 * subjects start at the twins of their conditional means. Both branches always, not only after a run that ends
 * with ka < ke: data whose absorption really is the slower process exist (sustained release), and the likelihood,
 * not a convention, should say so.
 */
export function* refineSteps(
  model: CompiledModel,
  data: Dataset,
  firstGuess: FitResult | undefined,
  options: RefineOptions,
  choose: (probe: RunnerProbe) => ChosenRunner | Promise<ChosenRunner>,
): Steps<Refined> {
  const first = yield* refineRun(model, data, firstGuess, options, choose);
  const branch = options.flipFlop === false ? null : flipFlopStart(model.meta, first.internals.layout, first.internals.run.population, first.refined);
  if (!branch) return first;
  // The second run's iterations count on from the first's (one progress bar for both).
  const done = first.refined.trace.iteration.length;
  const onProgress = options.onProgress;
  const progress = onProgress ? { onProgress: (k: number, total: number) => onProgress(done + k, done + total) } : {};
  const second = yield* refineRun(model, data, firstGuess, { ...options, ...progress }, choose, branch);
  return keepBranch(model, first, second);
}

/** The run with the higher log-likelihood, with both runs in `branches` (branches-text.ts says it in words). */
function keepBranch(model: CompiledModel, first: Refined, second: Refined): Refined {
  const a = model.meta.absorption!;
  const [ka, ke] = [model.meta.parameters[a.ka]!.name, model.meta.parameters[a.ke]!.name];
  const mcSe = Math.hypot(first.refined.logLikelihood.mcSe, second.refined.logLikelihood.mcSe);
  const run = (r: Refined) => ({ logLik: r.refined.logLikelihood.value, ka: r.refined.parameters[ka]!.estimate, ke: r.refined.parameters[ke]!.estimate });
  // Within twice the Monte Carlo error the runs are equally likely (exactly so when the random effects are symmetric
  // under the swap: ka and ke both log-normal, an inflow of its own, as in pk_oral_sparse, -136.56 and -136.67).
  const kept = keepsSecond(run(first), run(second), 2 * mcSe) ? second : first;
  const summary = (r: RefinedFit, isKept: boolean): NonNullable<RefinedFit["branches"]>[number] => ({
    startedFrom: r.startedFrom,
    ka,
    ke,
    branch: branchOf(r.parameters[ka]!.estimate, r.parameters[ke]!.estimate),
    kept: isKept,
    logLikelihood: { value: r.logLikelihood.value, mcSe: r.logLikelihood.mcSe },
    parameters: Object.fromEntries(Object.entries(r.parameters).map(([n, p]) => [n, p.estimate])),
    omega: Object.fromEntries(Object.entries(r.parameters).flatMap(([n, p]) => (p.omega === null ? [] : [[n, p.omega]]))),
    iterations: r.trace.iteration.length,
    seconds: r.seconds,
  });
  const refined = kept.refined;
  refined.branches = [summary(first.refined, kept === first), summary(second.refined, kept === second)];
  refined.seconds = first.refined.seconds + second.refined.seconds;
  return kept;
}

function* refineRun(
  model: CompiledModel,
  data: Dataset,
  firstGuess: FitResult | undefined,
  options: RefineOptions,
  choose: (probe: RunnerProbe) => ChosenRunner | Promise<ChosenRunner>,
  branch?: BranchStart,
): Steps<Refined> {
  const started = performance.now();
  const meta = model.meta;
  const layout = buildLayout(model, data, firstGuess);
  const notes = [...layout.notes];
  const settings: SaemSettings = {
    ...DEFAULT_SETTINGS,
    seed: options.seed ?? DEFAULT_SETTINGS.seed,
    burnIn: options.burnIn ?? DEFAULT_SETTINGS.burnIn,
    exploration: options.exploration ?? DEFAULT_SETTINGS.exploration,
    maxExploration: Math.max(options.exploration ?? DEFAULT_SETTINGS.exploration, options.maxExploration ?? DEFAULT_SETTINGS.maxExploration),
    smoothing: options.smoothing ?? DEFAULT_SETTINGS.smoothing,
    maxSmoothing: Math.max(options.smoothing ?? DEFAULT_SETTINGS.smoothing, options.maxSmoothing ?? DEFAULT_SETTINGS.maxSmoothing),
    kernels: options.kernels ?? DEFAULT_SETTINGS.kernels,
  };
  const subjects = data.subjects.filter((s) => s.series.some((se) => se.times.length > 0));
  if (subjects.length < data.subjects.length) notes.push(`${data.subjects.length - subjects.length} subject(s) without observations left out`);
  if (subjects.length === 0) throw new RefineError("no subject has observations");
  const chains = subjects.map((s) => new SubjectChain(new SubjectPredictor(model, layout, s), layout, effectValues(layout.effects, s)));

  const start = branch ? branch.start : startFrom(model, data, layout, options.naive ? undefined : firstGuess, options.start);
  const nR = layout.random.length;
  const omega = new Float64Array(nR * nR);
  for (let r = 0; r < nR; r++) {
    const c = layout.components[layout.random[r]!]!;
    const sd = options.naive && !branch ? (c.scale === "logNormal" ? 1 : Math.max(0.5 * Math.abs(start.mu[layout.random[r]!]!), 1e-3)) : start.omega[r]!;
    omega[r * nR + r] = sd * sd;
  }
  // pop.mu is start.mu: a polished start (polishPoorStart) is what `parameters[].start` then reports.
  const pop: Population = { mu: start.mu, beta: start.beta, omega, residual: branch ? branch.residual : startResidual(model, data, firstGuess, options.naive === true) };

  // Chains start at the first guess's individual estimates (they are the point of the first guess), else at mu.
  const startPhi = subjects.map((s, i) => {
    const given = branch?.phi.get(s.id);
    if (given) return Float64Array.from(given);
    const phi = new Float64Array(nR);
    const m = subjectMean(layout.effects, pop.mu, pop.beta, chains[i]!.covariates, new Float64Array(layout.components.length));
    const row = options.naive || options.start || branch ? undefined : firstGuess?.individual[s.id];
    for (let r = 0; r < nR; r++) {
      const ci = layout.random[r]!;
      const c = layout.components[ci]!;
      const v = row?.[c.name];
      phi[r] = typeof v === "number" && (c.scale === "normal" ? Number.isFinite(v) : v > 0) ? toTransformed(c.scale, v) : m[ci]!;
    }
    return phi;
  });

  const polished = !branch && !options.naive && !options.start && firstGuess ? polishPoorStart(model, data, layout, chains, pop, startPhi, subjects, notes) : false;

  const phase = (() => {
    let last = performance.now();
    const seconds: Record<string, number> = {};
    return {
      seconds,
      mark(name: string) {
        const now = performance.now();
        seconds[name] = Number(((now - last) / 1000).toFixed(3));
        last = now;
      },
    };
  })();
  // The chains start solved; the second pass of solves is timed for `choose` (the first pays the compilations).
  chains.forEach((ch, i) => ch.start(pop, startPhi[i]!));
  const probeStarted = performance.now();
  for (const ch of chains) ch.refresh(pop);
  const solveSeconds = (performance.now() - probeStarted) / 1000;
  const k = settings.kernels;
  const runner = yield* wait(
    choose({ layout, chains, subjects, solveSeconds, solvesPerIteration: k.independent + nR * k.componentwise + k.joint, iterations: settings.burnIn + settings.exploration + settings.smoothing }),
  );
  phase.mark("start");
  let run: SaemRun;
  let conditional: Conditional;
  let logLikelihood: RefinedFit["logLikelihood"];
  let modes: Float64Array[] | null;
  let louis: Louis | null;
  const posteriorIterations = options.posteriorIterations ?? 50;
  const importanceSamples = options.importanceSamples ?? 300;
  try {
    run = yield* runSaem(runner, layout, chains, pop, settings, options.onProgress);
    phase.mark("saem");
    louis = options.standardErrors === false ? null : new Louis(layout, run.population, chains.length);
    conditional = yield* runPosterior(runner, layout, chains, run.population, POSTERIOR_KERNELS, run.scales, settings.seed, posteriorIterations, louis, 1);
    phase.mark("posterior");
    logLikelihood = yield* importanceLogLik(runner, run.population, { mean: conditional.mean, covariance: conditional.covariance }, importanceSamples, settings.seed);
    phase.mark("importanceSampling");
    modes = options.modes === false ? null : yield* conditionalModes(runner, run.population, conditional.mean, conditional.covariance);
    phase.mark("modes");
  } finally {
    if (runner.close) yield* wait(runner.close());
  }
  const final = run.population;
  const proposal = { mean: conditional.mean, covariance: conditional.covariance };

  const se = louis ? louis.covariance() : null;
  phase.mark("fisher");
  if (louis && louis.replaced.length > 0)
    notes.push(`standard errors: the information of ${louis.replaced.map((p) => fisherName(layout, meta.observations.map((o) => o.name), p)).join(", ")} is mostly missing information; its entries come from the empirical (score cross-product) information`);
  if (se && !se.covariance) notes.push("the Fisher information is singular: no standard errors (a variability may have collapsed to zero)");
  const seOf = (kind: string, index: number): number | null => {
    if (!se?.covariance) return null;
    const k = se.params.findIndex((p) => p.kind === kind && p.index === index);
    if (k < 0) return null;
    const v = se.covariance[k * se.params.length + k]!;
    return v > 0 ? Math.sqrt(v) : null;
  };

  const parameters: Record<string, RefinedParameter> = {};
  layout.components.forEach((c, i) => {
    const r = layout.randomOf[i]!;
    const estimate = toNatural(c.scale, final.mu[i]!);
    const seMu = seOf("mu", i);
    parameters[c.name] = {
      estimate,
      se: seMu === null ? null : c.scale === "logNormal" ? estimate * seMu : seMu,
      omega: r >= 0 ? Math.sqrt(final.omega[r * nR + r]!) : null,
      omegaSe: r >= 0 ? seOf("omega", r) : null,
      distribution: c.scale,
      start: toNatural(c.scale, start.mu[i]!),
      startOmega: r >= 0 ? Math.sqrt(omega[r * nR + r]!) : null,
      ...(c.kind === "initial" ? { initialState: meta.states[c.index]!.name } : {}),
    };
  });
  const covariateEffects: NonNullable<RefinedFit["covariateEffects"]> = {};
  layout.effects.forEach((e, k) => {
    const c = layout.components[e.component]!;
    covariateEffects[e.name] = {
      parameter: c.name,
      covariate: e.covariate,
      ...(e.level !== undefined ? { level: e.level } : {}),
      estimate: final.beta[k]!,
      se: seOf("beta", k),
      scale: c.scale === "logNormal" ? "log" : "natural",
      start: start.beta[k]!,
    };
  });
  const omegaCorrelation: Record<string, number> = {};
  for (const b of layout.blocks)
    if (b.full)
      for (let x = 0; x < b.members.length; x++)
        for (let y = x + 1; y < b.members.length; y++) {
          const r = b.members[x]!;
          const q = b.members[y]!;
          const name = `${layout.components[layout.random[r]!]!.name},${layout.components[layout.random[q]!]!.name}`;
          omegaCorrelation[name] = final.omega[r * nR + q]! / Math.sqrt(final.omega[r * nR + r]! * final.omega[q * nR + q]!);
        }
  const residual: RefinedFit["residual"] = {};
  meta.observations.forEach((o, k) => {
    const kind = final.residual.kind[k]!;
    residual[o.name] = {
      error: kind,
      ...(kind !== "proportional" ? { a: final.residual.a[k]!, aSe: seOf("a", k) } : {}),
      ...(kind !== "constant" ? { b: final.residual.b[k]!, bSe: seOf("b", k) } : {}),
    };
  });

  const individual: RefinedFit["individual"] = {};
  const psi = new Float64Array(layout.components.length);
  subjects.forEach((s, i) => {
    const mean: Record<string, number> = {};
    const mode: Record<string, number> = {};
    layout.components.forEach((c, ci) => (mean[c.name] = conditional.naturalMean[i]![ci]!));
    if (modes) {
      layout.components.forEach((c, ci) => {
        const r = layout.randomOf[ci]!;
        psi[ci] = toNatural(c.scale, r >= 0 ? modes[i]![r]! : final.mu[ci]!);
        mode[c.name] = psi[ci]!;
      });
    }
    individual[s.id] = { mean, mode };
  });

  const nParams = layout.components.length + layout.effects.length + nR + Object.keys(omegaCorrelation).length + final.residual.kind.reduce((a, kind) => a + (kind === "combined" ? 2 : 1), 0);
  const trace = traceOf(layout, run, meta.observations.map((o) => o.name));
  const refined: RefinedFit = {
    method: "SAEM",
    seconds: (performance.now() - started) / 1000,
    seed: settings.seed,
    startedFrom: branch ? branch.label : options.naive ? "naive" : options.start ? "given" : polished ? POOLED_START : "first guess",
    t0: layout.t0,
    parameters,
    ...(layout.effects.length > 0 ? { covariateEffects } : {}),
    omegaCorrelation,
    residual,
    logLikelihood,
    aic: -2 * logLikelihood.value + 2 * nParams,
    bic: -2 * logLikelihood.value + Math.log(subjects.length) * nParams,
    individual,
    trace,
    settings: { ...settings, posteriorIterations, importanceSamples, solves: chains.reduce((a, c) => a + c.predictor.solves, 0), phaseSeconds: phase.seconds, workers: runner.threads ?? 0 },
    notes,
  };
  return { refined, internals: { layout, run, proposal } };
}

/** `RefinedFit.startedFrom` when SAEM started from a pooled ODE fit instead of the first guess. */
export const POOLED_START = "pooled ODE fit (the first guess was off the data)";

/**
 * When the first guess's individual predictions do not describe the data, SAEM starts from a pooled ODE fit of the
 * typical values (pooled-start.ts); the normal components' omegas are then floored relative to their new values,
 * as `startFrom` floors them.
 */
function polishPoorStart(
  model: CompiledModel,
  data: Dataset,
  layout: Layout,
  chains: SubjectChain[],
  pop: Population,
  startPhi: Float64Array[],
  subjects: Dataset["subjects"],
  notes: string[],
): boolean {
  chains.forEach((ch, i) => ch.start(pop, startPhi[i]!));
  const rms = medianStandardisedRms(chains, pop.residual);
  if (!(rms > POOR_START_RMS)) return false;
  const row = new Map(subjects.map((s, i) => [s.id, i]));
  const initial = new Map<number, Map<number, number>>();
  layout.components.forEach((c, ci) => {
    if (c.kind !== "initial" || !c.random) return;
    const bySubject = new Map<number, number>();
    for (const { v, k } of firstObservations(model, data, c.index, layout.t0)) {
      const i = row.get(data.subjects[k]!.id);
      if (i !== undefined && (c.scale === "normal" || v > 0)) bySubject.set(i, toTransformed(c.scale, v));
    }
    initial.set(ci, bySubject);
  });
  const m = new Float64Array(layout.components.length);
  const polished = pooledStart(layout, chains, pop, startPhi, (i, ci) => {
    const v = initial.get(ci)?.get(i);
    return v === undefined ? undefined : v - subjectMean(layout.effects, pop.mu, pop.beta, chains[i]!.covariates, m)[ci]!;
  });
  if (!polished) {
    notes.push(`the first guess's individual predictions are ${rms.toFixed(1)} residual SDs off the data (median RMS) and a pooled ODE fit of the typical values did not improve on it: SAEM starts from the first guess`);
    return false;
  }
  const nR = layout.random.length;
  layout.random.forEach((c, r) => {
    const floor = layout.components[c]!.scale === "normal" ? Math.max(OMEGA_START_MIN * Math.abs(pop.mu[c]!), 1e-3) : OMEGA_START_MIN;
    pop.omega[r * nR + r] = Math.max(pop.omega[r * nR + r]!, floor * floor);
  });
  notes.push(
    `the first guess's individual predictions are ${polished.rmsBefore.toFixed(1)} residual SDs off the data (median RMS; the quality check's poor-fit line is ${POOR_START_RMS}): SAEM starts from a pooled ODE fit of the typical values (-2 log-likelihood ${polished.objectiveBefore.toFixed(1)} -> ${polished.objectiveAfter.toFixed(1)}, as Monolix's auto-init) followed by rounds of individual fits (iterative two-stage; ${polished.rmsAfter.toFixed(1)} residual SDs there)`,
  );
  return true;
}

function fisherName(layout: Layout, outputs: string[], p: FisherParam): string {
  const comp = (r: number) => layout.components[layout.random[r]!]!.name;
  switch (p.kind) {
    case "mu":
      return layout.components[p.index]!.name;
    case "beta":
      return layout.effects[p.index]!.name;
    case "omega":
      return `omega_${comp(p.index)}`;
    case "correlation":
      return `corr(${comp(p.index)},${comp(p.other!)})`;
    default:
      return `${p.kind} of ${outputs[p.index]}`;
  }
}

function startResidual(model: CompiledModel, data: Dataset, fit: FitResult | undefined, naive: boolean): ResidualParams {
  const obs = model.meta.observations;
  const kind = obs.map((o) => o.error);
  const a = new Float64Array(obs.length);
  const b = new Float64Array(obs.length);
  obs.forEach((o, k) => {
    const given = naive ? undefined : fit?.residual[o.name];
    const values = data.subjects.flatMap((s) => Array.from(s.series[k]?.values ?? []));
    const scale = values.length > 1 ? Math.sqrt(values.reduce((acc, v) => acc + v * v, 0) / values.length) : 1;
    a[k] = given?.a !== undefined && given.a > 0 ? given.a : naive ? 1 : 0.1 * scale;
    b[k] = given?.b !== undefined && given.b > 0 ? given.b : 0.3;
  });
  return { kind, a, b };
}

function traceOf(layout: Layout, run: SaemRun, outputs: string[]): RefinedFit["trace"] {
  const nR = layout.random.length;
  const parameters: Record<string, number[]> = {};
  const omega: Record<string, number[]> = {};
  const residual: Record<string, number[]> = {};
  layout.components.forEach((c, i) => {
    parameters[c.name] = run.trace.map((t) => toNatural(c.scale, t.population.mu[i]!));
    const r = layout.randomOf[i]!;
    if (r >= 0) omega[c.name] = run.trace.map((t) => Math.sqrt(t.population.omega[r * nR + r]!));
  });
  layout.effects.forEach((e, k) => (parameters[e.name] = run.trace.map((t) => t.population.beta[k]!)));
  outputs.forEach((name, k) => {
    const kind = run.population.residual.kind[k]!;
    if (kind !== "proportional") residual[`${name}.a`] = run.trace.map((t) => t.population.residual.a[k]!);
    if (kind !== "constant") residual[`${name}.b`] = run.trace.map((t) => t.population.residual.b[k]!);
  });
  return {
    iteration: run.trace.map((t) => t.iteration),
    exploration: run.trace.filter((t) => t.phase === "exploration").length,
    completeLogLik: run.trace.map((t) => t.completeLogLik),
    parameters,
    omega,
    residual,
  };
}

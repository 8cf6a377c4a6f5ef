// What the report plots, computed from a model, its data and a finished fit:
// per subject the smoothed curves (as the estimator builds them), the
// individual prediction (an ODE simulation with the subject's estimates: the
// only place an ODE is solved, and only for pictures), and the weak-form
// residuals y_i - G_i theta_i of every test-function row.
//
// FitResult does not carry the curves or the weak-form systems, so they are
// rebuilt here with the estimator's own exported helpers (`smoothState`,
// `assembleSubject`) and the settings the fit recorded (weighted smoothing,
// log-time warp, row form, row scales, sigma^2).
import type { Dataset, Subject } from "../data/dataset.js";
import type { FitResult } from "../fit-result.js";
import type { CompiledModel } from "../model.js";
import { simulateSubject } from "../simulate/simulate.js";
import { assembleSubject, curveValue, jumpTimes, observationOfState, WeakFormWorkspace, type CurvePiece } from "../rows/weak-form.js";
import { newNoise, smoothState } from "../rows/curves.js";
import { individualParameters, startState } from "../quality/individual-prediction.js";

export interface OutputView {
  /** Observation index (`meta.observations` order). */
  output: number;
  times: Float64Array;
  values: Float64Array;
  censored?: Uint8Array;
  /** The smoothed curve on the observed scale, one stretch per between-dose piece. */
  smooth: { t: Float64Array; y: Float64Array }[];
  /** Individual prediction on a dense grid (absent when it could not be simulated). */
  predicted?: { t: Float64Array; y: Float64Array };
  /** Individual prediction at each observation time (NaN where none). */
  predictedAtObs?: Float64Array;
}

export interface SubjectView {
  id: string;
  doseTimes: number[];
  outputs: OutputView[];
  /** The fit has individual estimates for this subject. */
  fitted: boolean;
  /** Why there is no prediction, when there is none. */
  problem?: string;
}

export interface ResidualView {
  /** Regressed state. */
  state: number;
  /** Centre of each row's test function. */
  t: number[];
  r: number[];
  /** Subject index (into `ReportDiagnostics.subjects`) of each row. */
  subject: number[];
}

export interface ReportDiagnostics {
  subjects: SubjectView[];
  residuals: ResidualView[];
  /** "sigma": residuals divided by the mixed model's residual SD; "raw": as assembled. */
  residualScale: "sigma" | "raw";
  notes: string[];
}

export interface DiagnosticsOptions {
  /** Points of the dense prediction grid per subject (default 120). */
  gridPoints?: number;
  /** Points per smoothed piece (default 60). */
  smoothPoints?: number;
  /** Simulate only the first `simulateSubjects` subjects' dense curves (all get predictions at observations). */
  simulateSubjects?: number;
}

export function computeDiagnostics(
  model: CompiledModel,
  data: Dataset,
  fit: FitResult,
  options: DiagnosticsOptions = {},
): ReportDiagnostics {
  const meta = model.meta;
  const d = model.nStates;
  const obsOf = observationOfState(model);
  const notes: string[] = [];
  const weighted = fit.settings["weightedSmoothing"] !== false;
  const usesCurves = fit.settings["form"] !== "exponential";
  const gridPoints = options.gridPoints ?? 120;
  const smoothPoints = options.smoothPoints ?? 60;
  const rowScale = rowScales(model, fit);
  const sigma2 = fit.settings["sigma2"];
  const sigma = typeof sigma2 === "number" && sigma2 > 0 && rowScale ? Math.sqrt(sigma2) : null;
  const ws = new WeakFormWorkspace(model);
  const residuals: ResidualView[] = meta.states.map((_, k) => ({ state: k, t: [], r: [], subject: [] }));
  const problems = new Map<string, string[]>();
  let dropped = 0;
  let mixedStart = false;

  const subjects = data.subjects.map((subject, si): SubjectView => {
    // The exponential form uses no curve: there is no estimator's smooth to show.
    const pieces = meta.observations.map((o) => (usesCurves ? smoothPieces(model, subject, o.state, fit, weighted) : []));
    const outputs: OutputView[] = meta.observations.map((_, oi) => {
      const s = subject.series[oi];
      return {
        output: oi,
        times: s?.times ?? new Float64Array(0),
        values: s?.values ?? new Float64Array(0),
        ...(s?.censored ? { censored: s.censored } : {}),
        smooth: pieces[oi]!.map((p) => sampleCurve(p, smoothPoints)),
      };
    });
    const view: SubjectView = { id: subject.id, doseTimes: subject.doses.map((x) => x.time), outputs, fitted: false };
    const theta = individualParameters(model, fit, subject.id);
    if (typeof theta === "string") {
      view.problem = theta;
      return view;
    }
    view.fitted = true;

    // Weak-form residuals, on the rows the estimator assembled for this subject.
    const curves: CurvePiece[][] = [];
    for (let k = 0; k < d; k++) curves.push(obsOf[k]! >= 0 ? pieces[obsOf[k]!]! : []);
    const sys = assembleSubject(ws, subject, si, curves, rowScale ?? new Float64Array(d).fill(1));
    if (sys) {
      const p = model.nParams;
      for (const iv of sys.intervals) {
        const nRows = iv.tests.functions.length * d;
        for (let row = iv.firstRow; row < iv.firstRow + nRows; row++) {
          let r = sys.y[row]!;
          for (let j = 0; j < p; j++) r -= sys.g[row * p + j]! * theta[j]!;
          const res = residuals[sys.rowState[row]!]!;
          res.t.push(iv.tests.functions[sys.rowTest[row]!]!.center);
          res.r.push(sigma ? r / sigma : r);
          res.subject.push(si);
        }
      }
    }

    // Individual prediction.
    const sim = predict(model, fit, subject, theta, gridPoints, si < (options.simulateSubjects ?? Infinity));
    if (typeof sim === "string") {
      view.problem = sim;
      problems.set(sim, [...(problems.get(sim) ?? []), subject.id]);
    } else {
      dropped += sim.droppedDoses;
      mixedStart ||= sim.mixedStart;
      sim.outputs.forEach((o, oi) => {
        const out = outputs[oi]!;
        if (o.grid) out.predicted = o.grid;
        out.predictedAtObs = o.atObs;
      });
    }
    return view;
  });

  const unfitted = subjects.filter((s) => !s.fitted).length;
  if (unfitted > 0) notes.push(`${unfitted} subject(s) have no individual estimates in the fit: their panels show data and smooth only.`);
  for (const [msg, ids] of problems)
    notes.push(`Individual prediction not available for ${ids.length} subject(s) (${ids.length <= 8 ? ids.join(", ") : `${ids.slice(0, 8).join(", ")}, ...`}): ${msg}`);
  if (dropped > 0)
    notes.push(`${dropped} dose(s) before a subject's first observation were left out of the simulation: it starts at the first observation (or the estimated initial state).`);
  if (mixedStart)
    notes.push("Declared initial values were applied at each subject's first observation time (other states start from their first observation there).");
  if (!usesCurves) notes.push("This fit used exact exponential rows of the observed equation, not a smoothed curve: the panels show no smooth.");
  // Only about residuals that are drawn: a latent-state fit shows none (the report says why).
  if (!sigma && residuals.some((r) => r.r.length > 0))
    notes.push("Weak-form residuals are shown unscaled: the fit did not record the row scales and sigma^2 the estimator used.");
  return { subjects, residuals, residualScale: sigma ? "sigma" : "raw", notes };
}

/** Per regressed state, the row scale the estimator used (from `fit.settings.rowScale`), or null. */
function rowScales(model: CompiledModel, fit: FitResult): Float64Array | null {
  const rec = fit.settings["rowScale"];
  if (!rec || typeof rec !== "object") return null;
  const out = new Float64Array(model.nStates);
  for (let k = 0; k < model.nStates; k++) {
    const v = (rec as Record<string, unknown>)[model.meta.states[k]!.name];
    if (typeof v !== "number" || !(v > 0)) return null;
    out[k] = v;
  }
  return out;
}

/**
 * The smoothed pieces of the output that observes `state`, built by the estimator's own `smoothState` with the
 * settings the fit recorded: the log-time warp from the latest dose for latent-state models, none otherwise.
 */
function smoothPieces(model: CompiledModel, subject: Subject, state: number, fit: FitResult, weighted: boolean): CurvePiece[] {
  const latent = fit.settings["latent"] !== undefined;
  const warp = latent && fit.settings["warpTime"] !== false ? subject.doses.map((x) => x.time) : undefined;
  try {
    return smoothState(model, subject, state, jumpTimes(model, subject, state), {}, weighted, newNoise(model), warp).pieces;
  } catch {
    return []; // e.g. repeated times only: the panel still shows the data
  }
}

function sampleCurve(piece: CurvePiece, n: number): { t: Float64Array; y: Float64Array } {
  const t = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = piece.start + ((piece.end - piece.start) * i) / (n - 1);
    y[i] = curveValue(piece, t[i]!);
  }
  return { t, y };
}

interface Prediction {
  outputs: { grid?: { t: Float64Array; y: Float64Array }; atObs: Float64Array }[];
  droppedDoses: number;
  mixedStart: boolean;
}

/**
 * The individual prediction on a drawing grid. It starts where the quality check's prediction starts (declared,
 * estimated, empty or first-observed states: `startState`), so a panel shows the curve the check judged.
 */
function predict(model: CompiledModel, fit: FitResult, subject: Subject, theta: Float64Array, gridPoints: number, dense: boolean): Prediction | string {
  const meta = model.meta;
  const start = startState(model, fit, subject);
  if (typeof start === "string") return start;
  const { t0, x0, doses } = start;
  let tLast = Number.NEGATIVE_INFINITY;
  for (const s of subject.series) if (s.times.length > 0) tLast = Math.max(tLast, s.times[s.times.length - 1]!);
  const mixedStart = start.from.includes("declared") && start.from.includes("observed");

  const times: number[] = [];
  if (dense) {
    for (let i = 0; i < gridPoints; i++) times.push(t0 + ((tLast - t0) * i) / (gridPoints - 1));
    // Just before each dose too, so a jump is drawn as a jump.
    for (const x of doses) if (x.time > t0 && x.time <= tLast) times.push(x.time - 1e-9 * Math.max(1, Math.abs(tLast - t0)));
  }
  const nGrid = times.length;
  const obsStart: number[] = [];
  for (const s of subject.series) {
    obsStart.push(times.length);
    for (const t of s.times) times.push(Math.max(t, t0));
  }
  let sim;
  try {
    sim = simulateSubject(model, theta, {
      times,
      x0,
      t0,
      doses,
      cov: subject.covariates.length === meta.covariates.length ? subject.covariates : undefined,
      ode: { rtol: 1e-6, atol: 1e-9, maxSteps: 20000 },
    });
  } catch (e) {
    return `simulation failed (${e instanceof Error ? e.message : String(e)})`;
  }
  const order = Array.from({ length: nGrid }, (_, i) => i).sort((a, b) => times[a]! - times[b]!);
  const outputs = meta.observations.map((_, o) => {
    const s = subject.series[o];
    const atObs = new Float64Array(s?.times.length ?? 0);
    for (let i = 0; i < atObs.length; i++) atObs[i] = sim.outputs[obsStart[o]! + i]![o]!;
    const grid =
      nGrid > 0
        ? { t: Float64Array.from(order, (i) => times[i]!), y: Float64Array.from(order, (i) => sim.outputs[i]![o]!) }
        : undefined;
    return { ...(grid ? { grid } : {}), atObs };
  });
  return { outputs, droppedDoses: start.droppedDoses, mixedStart };
}

// The individual prediction of one subject: its ODE solved with its own
// estimates, from a start state the data or the spec justify, at its
// observation times. The quality check compares it with the data; nothing
// here feeds back into the estimator.
//
// Start state, in order of preference: the spec's declared value (at time 0),
// an initial value the fit estimated (a key `X(0)`, `X0` or `X_0` in the
// subject's row of `fit.individual`, also at time 0), 0 for a latent state
// that only doses fill, and otherwise the subject's first observation of the
// state, inverted through its observation function, at that observation's
// time. Never the smoothed curve: a sparse smoother can start below zero and
// send the prediction off for reasons that have nothing to do with the fit.
import { toCoefficients } from "../simulate/coefficients.js";
import type { Dose, Subject } from "../data/dataset.js";
import type { FitResult } from "../fit-result.js";
import type { CompiledModel } from "../model.js";
import { OdeError } from "../simulate/ode.js";
import { SimulationError, SubjectSolver, simulateObservations } from "../simulate/simulate.js";
import { observationOfState } from "../rows/weak-form.js";

export interface StartState {
  t0: number;
  x0: Float64Array;
  /** Doses at or after t0 (earlier ones cannot be replayed from a start taken from the data). */
  doses: Dose[];
  /** Doses before t0, left out. */
  droppedDoses: number;
  /** Where the start of each state came from, `meta.states` order. */
  from: ("declared" | "estimated" | "empty" | "observed")[];
}

export type PredictionOutcome =
  | { ok: true; start: StartState; outputs: Float64Array[] }
  /** `unavailable`: the model or fit cannot be simulated for this subject (a structural reason); `failed`: the ODE solver gave up. */
  | { ok: false; kind: "unavailable" | "failed"; message: string };

/** The subject's parameter vector from the fit, or why there is none. */
export function individualParameters(model: CompiledModel, fit: FitResult, id: string): Float64Array | string {
  const row = fit.individual[id];
  if (!row) return "no individual estimates";
  const theta = new Float64Array(model.nParams);
  for (let j = 0; j < model.nParams; j++) {
    const par = model.meta.parameters[j]!;
    const v = row[par.name] ?? fit.parameters[par.name]?.estimate;
    // Dictionary coefficients the selection dropped are zero by definition.
    if (typeof v === "number" && Number.isFinite(v)) theta[j] = v;
    else if (par.dictionaryTerm) theta[j] = 0;
    else return `parameter ${par.name} has no individual estimate`;
  }
  // The compiled functions take 1/V in the slot of a reciprocal V (model.ts).
  return toCoefficients(model.meta, theta);
}

interface ModelFacts {
  obsOf: Int32Array;
  /** The keys a fit may give state `name`'s initial value under (`X(0)`, `X0`, `X_0`), less the model's own names. */
  initialKeys: (name: string) => string[];
}

/** What the prediction of every subject asks of the model, worked out once per model (10,000 subjects ask). */
const facts = new WeakMap<CompiledModel, ModelFacts>();

function modelFacts(model: CompiledModel): ModelFacts {
  let f = facts.get(model);
  if (!f) {
    const taken = new Set([...model.meta.parameters.map((p) => p.name), ...model.meta.derived.map((d) => d.name)]);
    const keys = new Map<string, string[]>();
    const initialKeys = (name: string): string[] => {
      let k = keys.get(name);
      if (!k) keys.set(name, (k = [`${name}(0)`, `${name}0`, `${name}_0`].filter((key) => !taken.has(key))));
      return k;
    };
    f = { obsOf: observationOfState(model), initialKeys };
    facts.set(model, f);
  }
  return f;
}

/** An initial value the fit estimated for state `name` of this subject (held at time 0), if any. */
export function estimatedInitial(model: CompiledModel, fit: FitResult, id: string, name: string): number | undefined {
  // Where the estimator records it (FitResult.initialStates), then the names a hand-written fit.json may use.
  const recorded = fit.initialStates?.[name];
  const own = recorded?.individual[id] ?? recorded?.estimate;
  if (typeof own === "number" && Number.isFinite(own)) return own;
  const row = fit.individual[id] ?? {};
  for (const key of modelFacts(model).initialKeys(name)) {
    const v = row[key] ?? fit.parameters[key]?.estimate;
    if (typeof v === "number" && Number.isFinite(v)) return v;
  }
  return undefined;
}

export function startState(model: CompiledModel, fit: FitResult, subject: Subject): StartState | string {
  const meta = model.meta;
  const d = model.nStates;
  const obsOf = modelFacts(model).obsOf;
  let tFirst = Number.POSITIVE_INFINITY;
  for (const s of subject.series) if (s.times.length > 0) tFirst = Math.min(tFirst, s.times[0]!);
  if (!Number.isFinite(tFirst)) return "the subject has no observations";

  const x0 = new Float64Array(d);
  const from: StartState["from"] = new Array(d);
  const needData: number[] = [];
  for (let k = 0; k < d; k++) {
    const st = meta.states[k]!;
    const est = st.initial === undefined ? estimatedInitial(model, fit, subject.id, st.name) : undefined;
    if (st.initial !== undefined) {
      x0[k] = st.initial;
      from[k] = "declared";
    } else if (est !== undefined) {
      x0[k] = est;
      from[k] = "estimated";
    } else if (st.latent && meta.doses.some((x) => x.kind === "jump" && x.state === k)) {
      // As in the estimator: a latent state created by doses is empty before its first dose.
      x0[k] = 0;
      from[k] = "empty";
    } else needData.push(k);
  }
  // Values at time 0 hold from there; a start read off the data holds where the data start.
  const t0 = needData.length === 0 ? Math.min(0, tFirst, ...subject.doses.map((x) => x.time)) : tFirst;
  for (const k of needData) {
    const o = obsOf[k]!;
    const name = meta.states[k]!.name;
    if (o < 0) return `state ${name} is neither observed nor given an initial value`;
    const s = subject.series[o];
    let z = Number.NaN;
    if (s) for (let i = 0; i < s.values.length && !Number.isFinite(z); i++) if (!s.censored?.[i]) z = s.values[i]!;
    const x = Number.isFinite(z) ? model.invert(o, z) : Number.NaN;
    if (!Number.isFinite(x)) return `no start value for state ${name} (no usable observation)`;
    x0[k] = x;
    from[k] = "observed";
  }
  const doses = subject.doses.filter((x) => x.time >= t0);
  return { t0, x0, doses, droppedDoses: subject.doses.length - doses.length, from };
}

/** Errors of 1e-5 relative are far below any residual error the check compares with. */
const PREDICTION_ODE = { rtol: 1e-5, atol: 1e-9, maxSteps: 20000 };

/**
 * Predictions for the subjects of one model, one after the other (the quality check's 10,000): the ODE solver and
 * the work arrays are kept from subject to subject. The outputs of `predict` are views of its arrays, valid until
 * its next call.
 */
export class Predictor {
  private readonly solver: SubjectSolver;
  private times = new Float64Array(0);
  /** Per sample of every series (series after series), the index of its time in `times`. */
  private at = new Int32Array(0);
  private values = new Float64Array(0);
  private outputs = new Float64Array(0);
  private pos = new Int32Array(0);

  constructor(readonly model: CompiledModel) {
    this.solver = new SubjectSolver(model, PREDICTION_ODE);
  }

  /** The prediction at every observation time of every output (`meta.observations` order). */
  predict(fit: FitResult, subject: Subject): PredictionOutcome {
    const model = this.model;
    const theta = individualParameters(model, fit, subject.id);
    if (typeof theta === "string") return { ok: false, kind: "unavailable", message: theta };
    const start = startState(model, fit, subject);
    if (typeof start === "string") return { ok: false, kind: "unavailable", message: start };
    const meta = model.meta;
    const nObs = meta.observations.length;
    const n = this.shareTimes(subject, start.t0);
    if (this.values.length < n * nObs) this.values = new Float64Array(2 * n * nObs);
    try {
      simulateObservations(
        this.solver,
        theta,
        { times: this.times.subarray(0, n), x0: start.x0, t0: start.t0, doses: start.doses, cov: subject.covariates.length === meta.covariates.length ? subject.covariates : undefined },
        this.values,
      );
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof SimulationError) return { ok: false, kind: "unavailable", message };
      if (e instanceof OdeError || e instanceof RangeError) return { ok: false, kind: "failed", message };
      throw e;
    }
    const outputs: Float64Array[] = [];
    let first = 0;
    for (let o = 0; o < nObs; o++) {
      const count = subject.series[o]?.times.length ?? 0;
      const f = this.outputs.subarray(first, first + count);
      for (let i = 0; i < count; i++) f[i] = this.values[this.at[first + i]! * nObs + o]!;
      outputs.push(f);
      first += count;
    }
    return { ok: true, start, outputs };
  }

  /**
   * The times the ODE is reported at (every output's observation times, none before t0) into `times`, each once
   * and in order when the series are in time order (the loader's), and where each sample is among them (`at`); the
   * count. Outputs sampled together (Lotka-Volterra's prey and predator) share one dense-output evaluation. The
   * values are those of one request per sample: output times are served by dense output, and the last one, which
   * ends the last step, is kept.
   */
  private shareTimes(subject: Subject, t0: number): number {
    const series = subject.series;
    let total = 0;
    for (const s of series) total += s.times.length;
    if (this.times.length < total) {
      this.times = new Float64Array(2 * total);
      this.at = new Int32Array(2 * total);
      this.outputs = new Float64Array(2 * total);
    }
    if (this.pos.length < series.length) this.pos = new Int32Array(series.length);
    const { times, at, pos } = this;
    pos.fill(0);
    let n = 0;
    // A merge of the sorted series; an unsorted one just gives its times in its own order (the simulation sorts).
    for (;;) {
      let next = Number.POSITIVE_INFINITY;
      let which = -1;
      let offset = 0;
      let whichOffset = 0;
      for (let o = 0; o < series.length; o++) {
        const s = series[o]!;
        if (pos[o]! < s.times.length) {
          const t = Math.max(s.times[pos[o]!]!, t0);
          if (which < 0 || t < next) {
            next = t;
            which = o;
            whichOffset = offset;
          }
        }
        offset += s.times.length;
      }
      if (which < 0) break;
      if (n === 0 || times[n - 1] !== next) times[n++] = next;
      at[whichOffset + pos[which]!++] = n - 1;
    }
    return n;
  }
}

/** The prediction at every observation time of every output (`meta.observations` order). */
export function predictSubject(model: CompiledModel, fit: FitResult, subject: Subject): PredictionOutcome {
  return new Predictor(model).predict(fit, subject);
}

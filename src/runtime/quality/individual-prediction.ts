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
import { SimulationError, simulateSubject } from "../simulate/simulate.js";
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

/** An initial value the fit estimated for state `name` of this subject (held at time 0), if any. */
export function estimatedInitial(model: CompiledModel, fit: FitResult, id: string, name: string): number | undefined {
  // Where the estimator records it (FitResult.initialStates), then the names a hand-written fit.json may use.
  const recorded = fit.initialStates?.[name];
  const own = recorded?.individual[id] ?? recorded?.estimate;
  if (typeof own === "number" && Number.isFinite(own)) return own;
  const taken = new Set([...model.meta.parameters.map((p) => p.name), ...model.meta.derived.map((d) => d.name)]);
  const row = fit.individual[id] ?? {};
  for (const key of [`${name}(0)`, `${name}0`, `${name}_0`]) {
    if (taken.has(key)) continue;
    const v = row[key] ?? fit.parameters[key]?.estimate;
    if (typeof v === "number" && Number.isFinite(v)) return v;
  }
  return undefined;
}

export function startState(model: CompiledModel, fit: FitResult, subject: Subject): StartState | string {
  const meta = model.meta;
  const d = model.nStates;
  const obsOf = observationOfState(model);
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

/** The prediction at every observation time of every output (`meta.observations` order). */
export function predictSubject(model: CompiledModel, fit: FitResult, subject: Subject): PredictionOutcome {
  const theta = individualParameters(model, fit, subject.id);
  if (typeof theta === "string") return { ok: false, kind: "unavailable", message: theta };
  const start = startState(model, fit, subject);
  if (typeof start === "string") return { ok: false, kind: "unavailable", message: start };
  const meta = model.meta;
  const times: number[] = [];
  const first: number[] = [];
  for (const s of subject.series) {
    first.push(times.length);
    for (const t of s.times) times.push(Math.max(t, start.t0));
  }
  let sim;
  try {
    sim = simulateSubject(model, theta, {
      times,
      x0: start.x0,
      t0: start.t0,
      doses: start.doses,
      cov: subject.covariates.length === meta.covariates.length ? subject.covariates : undefined,
      // Errors of 1e-5 relative are far below any residual error the check compares with.
      ode: { rtol: 1e-5, atol: 1e-9, maxSteps: 20000 },
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (e instanceof SimulationError) return { ok: false, kind: "unavailable", message };
    if (e instanceof OdeError || e instanceof RangeError) return { ok: false, kind: "failed", message };
    throw e;
  }
  const outputs = meta.observations.map((_, o) => {
    const n = subject.series[o]?.times.length ?? 0;
    const f = new Float64Array(n);
    for (let i = 0; i < n; i++) f[i] = sim.outputs[first[o]! + i]![o]!;
    return f;
  });
  return { ok: true, start, outputs };
}

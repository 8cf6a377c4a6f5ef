// Simulates one subject of a compiled model: for diagnostics, plots and synthetic
// data only, never inside the estimator.
//
// Doses split the time axis. On each interval the ODE is integrated without
// crossing an administration; at a dose the states it targets jump, env.dose
// counts it and env.sinceDose restarts from zero, so forcing terms that depend
// on the dose number or on the time since the dose switch exactly there. A
// steady-state dose (SS=1) first resets the state to the regimen's periodic
// state (simulate/steady-state.ts).

import type { Dose } from "../data/dataset.js";
import type { CompiledModel, Env } from "../model.js";
import { OdeSolver, type OdeJacobian, type OdeOptions, type OdeStats } from "./ode.js";
import { steadyStateBefore } from "./steady-state.js";

export interface SimulateOptions {
  /** Initial states at t0, in `meta.states` order; NaN (or absent) where `meta.states[k].initial` gives it. */
  x0?: Float64Array | ArrayLike<number>;
  /** Administrations, in time order. */
  doses?: Dose[];
  /** Requested output times, any order, each >= t0. */
  times: ArrayLike<number>;
  /** Covariate values, in `meta.covariates` order. */
  cov?: Float64Array;
  /**
   * Amounts for `+= unknown` jumps, per dose (0-based): one array used by every such jump,
   * or one array per target state name.
   */
  doseAmounts?: ArrayLike<number> | Record<string, ArrayLike<number>>;
  /** Amount for jumps whose amount is an expression (`meta.doses[jump].amount === "expr"`). */
  jumpAmount?: (jump: number, doseIndex: number, dose: Dose) => number;
  /** Time at which x0 holds (default 0). */
  t0?: number;
  /** Solver settings; the Rosenbrock method gets the model's exact Jacobian unless `jacobian` is "numeric". */
  ode?: OdeOptions;
  jacobian?: "model" | "numeric";
}

export interface SimulationResult {
  /** The requested times, in the order given. */
  times: Float64Array;
  /** states[i]: all states at times[i] (after any dose at that time), `meta.states` order. */
  states: Float64Array[];
  /** outputs[i]: the observations h(x) at times[i], `meta.observations` order. */
  outputs: Float64Array[];
  /** Solver work summed over the intervals between doses. */
  stats: OdeStats;
}

/** The simulation request does not fit the model (missing initial value, dose amount, ...). */
export class SimulationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SimulationError";
  }
}

export function simulateSubject(model: CompiledModel, theta: Float64Array, opts: SimulateOptions): SimulationResult {
  const { meta } = model;
  const nOut = opts.times.length;
  const states: Float64Array[] = new Array(nOut);
  const outputs: Float64Array[] = new Array(nOut);
  const { times, stats } = run(model, theta, opts, undefined, (i, y) => {
    const xi = Float64Array.from(y);
    const yi = new Float64Array(meta.observations.length);
    model.observe(xi, yi);
    states[i] = xi;
    outputs[i] = yi;
  });
  return { times, states, outputs, stats };
}

/**
 * An ODE solver kept from one simulation to the next, for callers that simulate many subjects in a row (the
 * quality check): its work arrays are allocated once. Each simulation starts it afresh (`OdeSolver.reset`) with
 * the model's Jacobian at that subject's parameters, so what it gives equals `simulateSubject` with `ode` options.
 */
export class SubjectSolver {
  readonly solver: OdeSolver;
  /** The Jacobian of the simulation under way. */
  jacobian: OdeJacobian = () => {};
  constructor(
    readonly model: CompiledModel,
    ode: Omit<OdeOptions, "jacobian"> = {},
  ) {
    this.solver = new OdeSolver(model.nStates, { ...ode, jacobian: (t, y, jac) => this.jacobian(t, y, jac) });
  }
}

/**
 * The observations h(x) at `opts.times` (row i of `out`, `meta.observations` order, at
 * `out[i * nObservations + o]`), solved by `solver` with its own options (`opts.ode` and `opts.jacobian` are not
 * read): `simulateSubject`'s outputs, without an array per time.
 */
export function simulateObservations(solver: SubjectSolver, theta: Float64Array, opts: Omit<SimulateOptions, "ode" | "jacobian">, out: Float64Array): OdeStats {
  const model = solver.model;
  const nObs = model.meta.observations.length;
  if (out.length < opts.times.length * nObs) throw new RangeError(`out holds ${out.length} values, ${opts.times.length * nObs} are needed`);
  const yi = new Float64Array(nObs);
  return run(model, theta, opts, solver, (i, y) => {
    model.observe(y, yi);
    for (let o = 0; o < nObs; o++) out[i * nObs + o] = yi[o]!;
  }).stats;
}

/** The simulation itself: `emit(i, y)` with the state at `opts.times[i]` (a shared buffer). */
function run(
  model: CompiledModel,
  theta: Float64Array,
  opts: SimulateOptions,
  reused: SubjectSolver | undefined,
  emit: (i: number, y: Float64Array) => void,
): { times: Float64Array; stats: OdeStats } {
  const { meta, nStates: d, nParams: p } = model;
  if (theta.length !== p)
    throw new SimulationError(`model ${meta.name} has ${p} parameters, theta has ${theta.length}`);
  const t0 = opts.t0 ?? 0;
  const doses = opts.doses ?? [];
  const nOut = opts.times.length;

  const x = initialState(model, opts.x0);

  for (let k = 0; k < doses.length; k++) {
    const dk = doses[k]!;
    if (!(dk.time >= t0)) throw new SimulationError(`dose ${k + 1} at time ${dk.time} is before the start ${t0}`);
    if (k > 0 && dk.time < doses[k - 1]!.time) throw new SimulationError(`doses must be in time order`);
  }
  for (const dm of meta.doses) {
    if (dm.kind === "vector" && doses.length > dm.length) {
      throw new SimulationError(
        `dose vector ${dm.name} of model ${meta.name} covers ${dm.length} administrations, the subject has ${doses.length}`,
      );
    }
  }
  const jumps = resolveJumps(model, theta, doses, opts);

  // Output times in increasing order; results go back to the caller's order. Plain loops: `Array.from` and
  // `Float64Array.from` with a map function cost more than the solve of a small model (10,000 subjects' checks).
  // The caller's array itself where it is one and is not handed back (simulateObservations): it is only read.
  const times = !reused || !(opts.times instanceof Float64Array) ? Float64Array.from(opts.times) : opts.times;
  let inOrder = true;
  for (let i = 0; i < nOut; i++) {
    if (!(times[i]! >= t0)) throw new SimulationError(`output time ${times[i]} is before the start ${t0}`);
    if (i > 0 && times[i]! < times[i - 1]!) inOrder = false;
  }
  const order = new Array<number>(nOut);
  for (let i = 0; i < nOut; i++) order[i] = i;
  if (!inOrder) order.sort((a, b) => times[a]! - times[b]! || a - b);
  const sorted = inOrder ? times : new Float64Array(nOut);
  if (!inOrder) for (let i = 0; i < nOut; i++) sorted[i] = times[order[i]!]!;

  const env: Env = { sinceDose: 0, dose: 0, cov: opts.cov ?? new Float64Array(meta.covariates.length) };
  if (env.cov.length !== meta.covariates.length) {
    throw new SimulationError(`model ${meta.name} has ${meta.covariates.length} covariates, cov has ${env.cov.length}`);
  }
  let lastDose = t0;
  // Zero-order input of the infusions running now (RATE/DUR doses), per state.
  const infusing = new Float64Array(d);
  let anyInfusion = false;
  const f = (t: number, y: Float64Array, dy: Float64Array) => {
    env.sinceDose = env.dose > 0 ? t - lastDose : 0;
    model.rhs(y, theta, t, env, dy);
    if (anyInfusion) for (let k = 0; k < d; k++) dy[k] += infusing[k]!;
  };

  let solver: OdeSolver;
  if (reused) {
    reused.solver.reset();
    reused.jacobian = modelJacobian(model, theta, env, () => lastDose);
    solver = reused.solver;
  } else
    solver = new OdeSolver(d, {
      ...opts.ode,
      jacobian:
        opts.ode?.jacobian ??
        (opts.jacobian === "numeric" ? undefined : modelJacobian(model, theta, env, () => lastDose)),
    });
  const onOutput = (i: number, _t: number, y: Float64Array) => emit(order[i]!, y);

  const stats: OdeStats = {
    steps: 0,
    accepted: 0,
    rejected: 0,
    rhsEvals: 0,
    jacobianEvals: 0,
    decompositions: 0,
    method: opts.ode?.method === "rosenbrock" ? "rosenbrock" : "dopri5",
  };
  const add = (s: OdeStats) => {
    stats.steps += s.steps;
    stats.accepted += s.accepted;
    stats.rejected += s.rejected;
    stats.rhsEvals += s.rhsEvals;
    stats.jacobianEvals += s.jacobianEvals;
    stats.decompositions += s.decompositions;
    stats.method = s.method;
    if (s.switchedAt !== undefined && stats.switchedAt === undefined) stats.switchedAt = s.switchedAt;
  };

  /** One interval of a steady-state regimen from `y` just before dose `k`: the dose applied, the system run II. */
  const runPeriod = (y: Float64Array, k: number, dk: Dose, interval: number) => {
    const saved = Float64Array.from(infusing);
    const wasInfusing = anyInfusion;
    const td = dk.time;
    if (isInfusion(dk)) {
      anyInfusion = true;
      for (const j of jumps) infusing[j.state] += j.amounts[k]! / dk.duration!;
      add(solver.integrate(f, td, y, td + dk.duration!));
      for (const j of jumps) infusing[j.state] -= j.amounts[k]! / dk.duration!;
      if (interval > dk.duration!) add(solver.integrate(f, td + dk.duration!, y, td + interval));
    } else {
      for (const j of jumps) y[j.state] += j.amounts[k]!;
      add(solver.integrate(f, td, y, td + interval));
    }
    infusing.set(saved);
    anyInfusion = wasInfusing;
  };

  const tLast = nOut > 0 ? sorted[nOut - 1]! : t0;
  let tCur = t0;
  let next = 0; // first sorted output not yet produced
  // Administrations and the ends of infusions, in time order (an end before a start at the same time).
  const events: { time: number; dose: number; end: boolean }[] = [];
  doses.forEach((dk, k) => {
    events.push({ time: dk.time, dose: k, end: false });
    if (isInfusion(dk)) events.push({ time: dk.time + dk.duration!, dose: k, end: true });
  });
  events.sort((a, b) => a.time - b.time || Number(b.end) - Number(a.end) || a.dose - b.dose);
  for (const ev of events) {
    const td = ev.time;
    if (td > tLast) break;
    // Outputs strictly before the event belong to this interval; one at the event time sees it.
    let end = next;
    while (end < nOut && sorted[end]! < td) end++;
    if (td > tCur || end > next) {
      add(solver.integrate(f, tCur, x, td, sorted, onOutput, next, end));
    }
    next = end;
    tCur = td;
    const dk = doses[ev.dose]!;
    if (ev.end) {
      for (const j of jumps) infusing[j.state] -= j.amounts[ev.dose]! / dk.duration!;
      continue;
    }
    env.dose = ev.dose + 1;
    lastDose = td;
    if (dk.steadyState) {
      // SS=1: the state before the dose is the regimen's steady state (earlier doses forgotten).
      const period = (y: Float64Array) => runPeriod(y, ev.dose, dk, dk.steadyState!.interval);
      if (!steadyStateBefore(period, x))
        throw new SimulationError(`dose ${ev.dose + 1} at time ${td}: no steady state for this dose every ${dk.steadyState.interval} (the amounts grow without bound)`);
    }
    if (isInfusion(dk)) {
      anyInfusion = true;
      for (const j of jumps) infusing[j.state] += j.amounts[ev.dose]! / dk.duration!;
    } else for (const j of jumps) x[j.state] += j.amounts[ev.dose]!;
  }
  if (next < nOut) add(solver.integrate(f, tCur, x, tLast, sorted, onOutput, next, nOut));
  return { times, stats };
}

/** A zero-order input over `duration` (RATE or DUR in the data) rather than a bolus. */
function isInfusion(dose: Dose): boolean {
  return dose.duration !== undefined && dose.duration > 0;
}

function initialState(model: CompiledModel, x0: ArrayLike<number> | undefined): Float64Array {
  const { meta, nStates: d } = model;
  if (x0 !== undefined && x0.length !== d) {
    throw new SimulationError(`model ${meta.name} has ${d} states, x0 has ${x0.length}`);
  }
  const x = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    const known = meta.states[k]?.initial;
    const given = x0 === undefined ? NaN : x0[k]!;
    const name = meta.states[k]?.name ?? `#${k + 1}`;
    if (known !== undefined) {
      if (Number.isFinite(given) && given !== known) {
        throw new SimulationError(`state ${name} starts at ${known} by the model; x0 gives ${given}`);
      }
      x[k] = known;
    } else if (Number.isFinite(given)) x[k] = given;
    else throw new SimulationError(`state ${name} has no initial value: the model does not fix it, give it in x0`);
  }
  return x;
}

interface Jump {
  state: number;
  /** Per dose. */
  amounts: Float64Array;
}

/** The factor of AMT in `X += amt / V` (theta holds the coefficients: 1/V for a reciprocal V), 1 for `X += amt`. */
function doseFactor(coefficient: { scale: number; param?: number } | undefined, theta: Float64Array): number {
  if (!coefficient) return 1;
  return coefficient.scale * (coefficient.param === undefined ? 1 : theta[coefficient.param]!);
}

function resolveJumps(model: CompiledModel, theta: Float64Array, doses: Dose[], opts: SimulateOptions): Jump[] {
  const { meta } = model;
  const out: Jump[] = [];
  meta.doses.forEach((dm, j) => {
    if (dm.kind !== "jump") return;
    const name = meta.states[dm.state]?.name ?? `#${dm.state + 1}`;
    const amounts = new Float64Array(doses.length);
    for (let k = 0; k < doses.length; k++) {
      let a: number;
      if (dm.amount === "amt") a = doses[k]!.amount * doseFactor(dm.coefficient, theta);
      else if (dm.amount === "unknown") {
        const da = opts.doseAmounts;
        const list = da === undefined ? undefined : isArrayLike(da) ? da : da[name];
        a = list === undefined ? NaN : list[k]!;
        if (!Number.isFinite(a)) {
          throw new SimulationError(
            `state ${name} receives an unknown amount at each dose: give dose ${k + 1}'s in doseAmounts`,
          );
        }
      } else {
        if (!opts.jumpAmount) {
          throw new SimulationError(
            `the jump of state ${name} has an amount expression: pass jumpAmount to evaluate it`,
          );
        }
        a = opts.jumpAmount(j, k, doses[k]!);
      }
      if (!Number.isFinite(a))
        throw new SimulationError(`dose ${k + 1} gives state ${name} a non-finite amount (${a})`);
      amounts[k] = a;
    }
    out.push({ state: dm.state, amounts });
  });
  return out;
}

function isArrayLike(v: ArrayLike<number> | Record<string, ArrayLike<number>>): v is ArrayLike<number> {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}

/** J = sum_j theta_j dTheta_.j/dx + dc/dx, from the model's own derivatives (exact, no differencing). */
function modelJacobian(model: CompiledModel, theta: Float64Array, env: Env, lastDose: () => number) {
  const { nStates: d, nParams: p, meta } = model;
  // Allocated at the first call: most simulations never need the Jacobian (it serves the stiff method).
  let dTheta = new Float64Array(0);
  let dc = dTheta;
  const params = meta.equationParams.length === d ? meta.equationParams : undefined;
  return (t: number, y: Float64Array, jac: Float64Array) => {
    if (dc.length === 0) {
      dTheta = new Float64Array(d * p * d);
      dc = new Float64Array(d * d);
    }
    env.sinceDose = env.dose > 0 ? t - lastDose() : 0;
    model.dictionaryJacobian(y, t, env, dTheta);
    model.driftJacobian(y, t, env, dc);
    for (let k = 0; k < d; k++) {
      for (let l = 0; l < d; l++) jac[k * d + l] = dc[k * d + l]!;
      const ps = params?.[k];
      const np = ps ? ps.length : p;
      for (let q = 0; q < np; q++) {
        const j = ps ? ps[q]! : q;
        const th = theta[j]!;
        if (th === 0) continue;
        const base = (k * p + j) * d;
        for (let l = 0; l < d; l++) jac[k * d + l] += th * dTheta[base + l]!;
      }
    }
  };
}

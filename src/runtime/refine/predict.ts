// The individual prediction SAEM needs thousands of times per subject: the ODE solved from t0 at the subject's
// observation times with the compiled right-hand side, doses applied as in `simulateSubject` (jumps of AMT times
// the dose's coefficient, `X += amt / V`; infusions from RATE/DUR as a zero-order input; `dose`/`since_dose`
// restarting at each administration; a steady-state dose, SS=1, resets the state to the regimen's periodic state). The compiled functions take linear coefficients: 1/V in place of a
// reciprocal V. The schedule is laid out once per subject and the solver and buffers are reused, so a
// prediction allocates nothing.
import type { Subject } from "../data/dataset.js";
import type { CompiledModel, Env } from "../model.js";
import { OdeSolver } from "../simulate/ode.js";
import { steadyStateBefore } from "../simulate/steady-state.js";
import type { Layout } from "./layout.js";

/** One subject's observations, flattened: value, output index and censoring per observation. */
export interface Observations {
  n: number;
  y: Float64Array;
  output: Int32Array;
  censored: Uint8Array;
}

export const SOLVER_TOLERANCE = { rtol: 1e-5, atol: 1e-8 };
/** For finite-difference sensitivities (standard errors): the solver's error must be far below the step. */
export const TIGHT_TOLERANCE = { rtol: 1e-8, atol: 1e-11 };

export class SubjectPredictor {
  readonly obs: Observations;
  private readonly times: Float64Array; // sorted unique observation times
  private readonly timeOf: Int32Array; // observation -> index in `times`
  /** Administrations and ends of infusions, in time order (an end before a start at the same time). */
  private readonly events: { time: number; amount: number; rate: number; end: boolean; index: number; interval: number; duration: number }[];
  private readonly jumps: { state: number; scale: number; param: number }[]; // states that receive AMT, times scale * theta[param]
  private readonly reciprocal: Uint8Array; // per component: the compiled functions take 1/psi
  private readonly infusing: Float64Array;
  private anyInfusion = false;
  private readonly solver: OdeSolver;
  private readonly tightSolver: OdeSolver;
  private readonly env: Env;
  private readonly x: Float64Array;
  private readonly theta: Float64Array;
  private readonly stateAt: Float64Array; // times x states
  private readonly hx: Float64Array;
  private lastDose = 0;
  private readonly f: (t: number, y: Float64Array, dy: Float64Array) => void;
  private readonly onOutput: (i: number, t: number, y: Float64Array) => void;
  /** Solves done, for the bench. */
  solves = 0;

  constructor(
    private readonly model: CompiledModel,
    private readonly layout: Layout,
    subject: Subject,
    tolerance = SOLVER_TOLERANCE,
  ) {
    const meta = model.meta;
    const ys: number[] = [];
    const outs: number[] = [];
    const cens: number[] = [];
    const ts: number[] = [];
    subject.series.forEach((s, o) => {
      for (let i = 0; i < s.times.length; i++) {
        if (!Number.isFinite(s.values[i]!)) continue;
        ys.push(s.values[i]!);
        outs.push(o);
        cens.push(s.censored?.[i] ? 1 : 0);
        ts.push(s.times[i]!);
      }
    });
    this.obs = { n: ys.length, y: Float64Array.from(ys), output: Int32Array.from(outs), censored: Uint8Array.from(cens) };
    const unique = [...new Set(ts)].sort((a, b) => a - b);
    this.times = Float64Array.from(unique);
    const pos = new Map(unique.map((t, i) => [t, i]));
    this.timeOf = Int32Array.from(ts, (t) => pos.get(t)!);
    this.events = [];
    subject.doses.forEach((d, index) => {
      if (d.time < layout.t0) return;
      const infusion = d.duration !== undefined && d.duration > 0;
      const rate = infusion ? d.amount / d.duration! : 0;
      const interval = d.steadyState?.interval ?? 0;
      const duration = infusion ? d.duration! : 0;
      this.events.push({ time: d.time, amount: d.amount, rate, end: false, index, interval, duration });
      if (infusion) this.events.push({ time: d.time + d.duration!, amount: d.amount, rate, end: true, index, interval, duration });
    });
    this.events.sort((a, b) => a.time - b.time || Number(b.end) - Number(a.end) || a.index - b.index);
    this.jumps = meta.doses.flatMap((d) => (d.kind === "jump" ? [{ state: d.state, scale: d.coefficient?.scale ?? 1, param: d.coefficient?.param ?? -1 }] : []));
    this.reciprocal = Uint8Array.from(layout.components, (c) => (c.kind === "parameter" && meta.parameters[c.index]!.estimatedAs === "reciprocal" ? 1 : 0));
    this.infusing = new Float64Array(model.nStates);
    const dim = model.nStates;
    this.solver = new OdeSolver(dim, { ...tolerance, maxSteps: 20000 });
    this.tightSolver = new OdeSolver(dim, { ...TIGHT_TOLERANCE, maxSteps: 100000 });
    this.env = { sinceDose: 0, dose: 0, cov: subject.covariates.length === meta.covariates.length ? subject.covariates : new Float64Array(meta.covariates.length) };
    this.x = new Float64Array(dim);
    this.theta = new Float64Array(model.nParams);
    this.stateAt = new Float64Array(unique.length * dim);
    this.hx = new Float64Array(meta.observations.length);
    const env = this.env;
    const theta = this.theta;
    this.f = (t, y, dy) => {
      env.sinceDose = env.dose > 0 ? t - this.lastDose : 0;
      model.rhs(y, theta, t, env, dy);
      if (this.anyInfusion) for (let k = 0; k < dy.length; k++) dy[k] += this.infusing[k]!;
    };
    this.onOutput = (i, _t, y) => this.stateAt.set(y, i * dim);
  }

  /** The factor of AMT (and of an infusion's rate) for one dosed state: `X += amt / V` gives 1/V. */
  private factor(j: { scale: number; param: number }): number {
    return j.param < 0 ? j.scale : j.scale * this.theta[j.param]!;
  }

  /** One interval of a steady-state regimen (SS=1) from `y` just before the dose: the dose applied, the system run II. */
  private period(solver: OdeSolver, y: Float64Array, ev: { time: number; amount: number; rate: number; interval: number; duration: number }): void {
    const td = ev.time;
    if (ev.rate > 0) {
      const was = this.anyInfusion;
      const saved = Float64Array.from(this.infusing);
      this.anyInfusion = true;
      for (const j of this.jumps) this.infusing[j.state] += ev.rate * this.factor(j);
      solver.integrate(this.f, td, y, td + ev.duration);
      this.infusing.set(saved);
      this.anyInfusion = was;
      if (ev.interval > ev.duration) solver.integrate(this.f, td + ev.duration, y, td + ev.interval);
    } else {
      for (const j of this.jumps) y[j.state] += ev.amount * this.factor(j);
      solver.integrate(this.f, td, y, td + ev.interval);
    }
  }

  /**
   * Predictions on the observed scale at every observation into `out` (length obs.n), from the natural-scale
   * components `psi` (layout order). False when the solver fails or a prediction is not finite.
   */
  predict(psi: Float64Array, out: Float64Array, tight = false): boolean {
    const solver = tight ? this.tightSolver : this.solver;
    const { model, layout, x, theta, env } = this;
    const dim = model.nStates;
    this.solves++;
    for (let k = 0; k < dim; k++) x[k] = layout.knownInitial[k]!;
    const comps = layout.components;
    for (let i = 0; i < comps.length; i++) {
      const c = comps[i]!;
      if (c.kind === "parameter") theta[c.index] = this.reciprocal[i] ? 1 / psi[i]! : psi[i]!;
      else x[c.index] = psi[i]!;
    }
    env.dose = 0;
    this.infusing.fill(0);
    this.anyInfusion = false;
    env.sinceDose = 0;
    this.lastDose = layout.t0;
    solver.reset();
    const times = this.times;
    const nT = times.length;
    const tLast = nT > 0 ? times[nT - 1]! : layout.t0;
    let tCur = layout.t0;
    let next = 0;
    try {
      let given = 0;
      for (const ev of this.events) {
        const td = ev.time;
        if (td > tLast) break;
        let end = next;
        while (end < nT && times[end]! < td) end++;
        if (td > tCur || end > next) solver.integrate(this.f, tCur, x, td, times, this.onOutput, next, end);
        next = end;
        tCur = td;
        if (ev.end) {
          for (const j of this.jumps) this.infusing[j.state] -= ev.rate * this.factor(j);
          continue;
        }
        env.dose = ++given;
        this.lastDose = td;
        if (ev.interval > 0 && !steadyStateBefore((y) => this.period(solver, y, ev), x)) return false;
        if (ev.rate > 0) {
          this.anyInfusion = true;
          for (const j of this.jumps) this.infusing[j.state] += ev.rate * this.factor(j);
        } else for (const j of this.jumps) x[j.state] += ev.amount * this.factor(j);
      }
      if (next < nT) solver.integrate(this.f, tCur, x, tLast, times, this.onOutput, next, nT);
    } catch {
      return false;
    }
    const hx = this.hx;
    const stateAt = this.stateAt;
    for (let i = 0; i < this.obs.n; i++) {
      model.observe(stateAt.subarray(this.timeOf[i]! * dim, this.timeOf[i]! * dim + dim), hx);
      const v = hx[this.obs.output[i]!]!;
      if (!Number.isFinite(v)) return false;
      out[i] = v;
    }
    return true;
  }
}

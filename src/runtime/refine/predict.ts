// The individual prediction SAEM needs thousands of times per subject: the ODE solved from t0 at the subject's
// observation times with the compiled right-hand side, doses applied as in `simulateSubject` (jumps of AMT,
// `dose`/`since_dose` restarting at each administration). The schedule is laid out once per subject and the
// solver and buffers are reused, so a prediction allocates nothing.
import type { Subject } from "../data/dataset.js";
import type { CompiledModel, Env } from "../model.js";
import { OdeSolver } from "../simulate/ode.js";
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
  private readonly doses: { time: number; amount: number }[];
  private readonly jumps: number[]; // states that receive AMT
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
    this.doses = subject.doses.filter((d) => d.time >= layout.t0).map((d) => ({ time: d.time, amount: d.amount }));
    this.jumps = meta.doses.flatMap((d) => (d.kind === "jump" ? [d.state] : []));
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
    };
    this.onOutput = (i, _t, y) => this.stateAt.set(y, i * dim);
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
    layout.components.forEach((c, i) => {
      if (c.kind === "parameter") theta[c.index] = psi[i]!;
      else x[c.index] = psi[i]!;
    });
    env.dose = 0;
    env.sinceDose = 0;
    this.lastDose = layout.t0;
    solver.reset();
    const times = this.times;
    const nT = times.length;
    const tLast = nT > 0 ? times[nT - 1]! : layout.t0;
    let tCur = layout.t0;
    let next = 0;
    try {
      for (let k = 0; k < this.doses.length && this.doses[k]!.time <= tLast; k++) {
        const td = this.doses[k]!.time;
        let end = next;
        while (end < nT && times[end]! < td) end++;
        if (td > tCur || end > next) solver.integrate(this.f, tCur, x, td, times, this.onOutput, next, end);
        next = end;
        tCur = td;
        env.dose = k + 1;
        this.lastDose = td;
        for (const s of this.jumps) x[s] += this.doses[k]!.amount;
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

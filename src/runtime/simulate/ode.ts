// Initial-value ODE solvers for simulation (diagnostics, plots, synthetic data).
// Never used by the estimator, which works in the weak form without any solve.
//
// Two methods share one driver:
// - Dormand-Prince 5(4) with Shampine's order-4 continuous extension and the
//   step-size controller of Hairer's DOPRI5 (PI control, stiffness detection);
// - RODAS, the stiffly accurate 4(3) Rosenbrock method of Hairer & Wanner
//   (Solving ODEs II, 2nd ed., Sect. IV.7, coefficients of rodas.f METHOD 1),
//   with its order-3 dense output, for stiff problems.
// Output times are served by dense output, so they never shorten a step.
// All work arrays are allocated once per solver, none in the stepping loops.

export type OdeRhs = (t: number, y: Float64Array, dydt: Float64Array) => void;
/** Writes d f_i / d y_j into jac[i * n + j]. */
export type OdeJacobian = (t: number, y: Float64Array, jac: Float64Array) => void;
export type OdeMethod = "auto" | "dopri5" | "rosenbrock";

export interface OdeOptions {
  /** "auto" starts explicit and switches to Rosenbrock once the problem looks stiff. Default "auto". */
  method?: OdeMethod;
  /** Relative tolerance, default 1e-7. */
  rtol?: number;
  /** Absolute tolerance, scalar or per component, default 1e-10. */
  atol?: number | ArrayLike<number>;
  /** Attempted steps allowed in one `integrate` call before giving up, default 100000. */
  maxSteps?: number;
  /** First step size; default is chosen from the problem (Hairer's HINIT). */
  initialStep?: number;
  /** Largest step size, default the length of the interval. */
  maxStep?: number;
  /** Exact Jacobian for the Rosenbrock method; default forward differences. */
  jacobian?: OdeJacobian;
  /** Skip the df/dt evaluation of the Rosenbrock method when f does not depend on t. */
  autonomous?: boolean;
  /** "auto": also switch after this many explicit steps in one call when h |lambda| > 1 (weaker signal). Default 5000. */
  stiffSwitchSteps?: number;
}

export interface OdeStats {
  /** Attempted steps (accepted + rejected). */
  steps: number;
  accepted: number;
  rejected: number;
  rhsEvals: number;
  jacobianEvals: number;
  decompositions: number;
  /** Method in use when the call returned. */
  method: "dopri5" | "rosenbrock";
  /** Time at which "auto" switched to the Rosenbrock method during this call. */
  switchedAt?: number;
}

/** The solver could not reach the end of the interval (step-size underflow, step budget, non-finite values). */
export class OdeError extends Error {
  constructor(
    message: string,
    readonly t: number,
  ) {
    super(message);
    this.name = "OdeError";
  }
}

/** Called at each requested output time; `y` is a shared buffer, copy what you keep. */
export type OdeOutput = (index: number, t: number, y: Float64Array) => void;

const UROUND = 2.220446049250313e-16;

// Dormand-Prince 5(4), Hairer's DOPRI5 coefficients.
const C2 = 1 / 5,
  C3 = 3 / 10,
  C4 = 4 / 5,
  C5 = 8 / 9;
const A21 = 1 / 5;
const A31 = 3 / 40,
  A32 = 9 / 40;
const A41 = 44 / 45,
  A42 = -56 / 15,
  A43 = 32 / 9;
const A51 = 19372 / 6561,
  A52 = -25360 / 2187,
  A53 = 64448 / 6561,
  A54 = -212 / 729;
const A61 = 9017 / 3168,
  A62 = -355 / 33,
  A63 = 46732 / 5247,
  A64 = 49 / 176,
  A65 = -5103 / 18656;
const A71 = 35 / 384,
  A73 = 500 / 1113,
  A74 = 125 / 192,
  A75 = -2187 / 6784,
  A76 = 11 / 84;
const E1 = 71 / 57600,
  E3 = -71 / 16695,
  E4 = 71 / 1920,
  E5 = -17253 / 339200,
  E6 = 22 / 525,
  E7 = -1 / 40;
// Shampine (1986) continuous extension.
const D1 = -12715105075 / 11282082432,
  D3 = 87487479700 / 32700410799,
  D4 = -10690763975 / 1880347072;
const D5 = 701980252875 / 199316789632,
  D6 = -1453857185 / 822651844,
  D7 = 69997945 / 29380423;

// RODAS (Hairer & Wanner), METHOD 1.
const RG = 0.25;
const RC2 = 0.386,
  RC3 = 0.21,
  RC4 = 0.63;
const RD1 = 0.25,
  RD2 = -0.1043,
  RD3 = 0.1035,
  RD4 = -0.3620000000000023e-1;
const RA21 = 1.544;
const RA31 = 0.9466785280815826,
  RA32 = 0.2557011698983284;
const RA41 = 3.314825187068521,
  RA42 = 2.896124015972201,
  RA43 = 0.9986419139977817;
const RA51 = 1.221224509226641,
  RA52 = 6.019134481288629,
  RA53 = 12.53708332932087,
  RA54 = -0.687886036105895;
const RC21 = -5.6688;
const RC31 = -2.430093356833875,
  RC32 = -0.2063599157091915;
const RC41 = -0.1073529058151375,
  RC42 = -9.594562251023355,
  RC43 = -20.47028614809616;
const RC51 = 7.496443313967647,
  RC52 = -10.24680431464352,
  RC53 = -33.99990352819905,
  RC54 = 11.7089089320616;
const RC61 = 8.083246795921522,
  RC62 = -7.981132988064893,
  RC63 = -31.52159432874371,
  RC64 = 16.31930543123136;
const RC65 = -6.058818238834054;
const RDD21 = 10.12623508344586,
  RDD22 = -7.487995877610167,
  RDD23 = -34.80091861555747;
const RDD24 = -7.992771707568823,
  RDD25 = 1.025137723295662;
const RDD31 = -0.6762803392801253,
  RDD32 = 6.087714651680015,
  RDD33 = 16.43084320892478;
const RDD34 = 24.76722511418386,
  RDD35 = -6.594389125716872;

// Stiffness test of DOPRI5: h * |lambda| estimated near the stability boundary (~3.3 on the real axis)
// this often in a row. Hairer uses 3.25; the PI controller can then sit just below it for thousands of
// steps (Robertson at rtol 1e-8: estimates 2.4-3.2), so we count from 2.0. A false alarm only costs the
// linear algebra of the Rosenbrock method, which is also accurate on non-stiff problems.
const STIFF_HLAMBDA = 2.0;
const STIFF_HITS = 15;
const NONSTIFF_RESET = 6;

export class OdeSolver {
  readonly n: number;
  private readonly method: OdeMethod;
  private readonly rtol: number;
  private readonly atol: Float64Array;
  private readonly maxSteps: number;
  private readonly initialStep?: number;
  private readonly maxStepOpt?: number;
  private readonly jacobian?: OdeJacobian;
  private readonly autonomous: boolean;
  private readonly stiffSwitchSteps: number;

  /** "auto" remembers a switch across calls until `reset()`: later intervals of one problem stay stiff. */
  private stiff = false;

  // Shared driver state (fields, so the stepping loops return nothing).
  private t = 0;
  private h = 0;
  private iOut = 0;

  // Work arrays.
  private readonly k1: Float64Array;
  private readonly k2: Float64Array;
  private readonly k3: Float64Array;
  private readonly k4: Float64Array;
  private readonly k5: Float64Array;
  private readonly k6: Float64Array;
  private readonly k7: Float64Array;
  private readonly ytmp: Float64Array;
  private readonly ynew: Float64Array;
  private readonly yout: Float64Array;
  private readonly jac: Float64Array;
  private readonly lu: Float64Array;
  private readonly piv: Int32Array;
  private readonly dfdt: Float64Array;

  constructor(n: number, options: OdeOptions = {}) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`ODE dimension must be a positive integer, got ${n}`);
    this.n = n;
    this.method = options.method ?? "auto";
    this.rtol = options.rtol ?? 1e-7;
    if (!(this.rtol > 0)) throw new RangeError(`rtol must be positive, got ${this.rtol}`);
    const atol = options.atol ?? 1e-10;
    this.atol = new Float64Array(n);
    if (typeof atol === "number") this.atol.fill(atol);
    else {
      if (atol.length !== n) throw new RangeError(`atol has ${atol.length} entries for ${n} equations`);
      for (let i = 0; i < n; i++) this.atol[i] = atol[i]!;
    }
    for (let i = 0; i < n; i++) {
      if (!(this.atol[i]! >= 0)) throw new RangeError(`atol must be non-negative`);
    }
    this.maxSteps = options.maxSteps ?? 100_000;
    this.initialStep = options.initialStep;
    this.maxStepOpt = options.maxStep;
    this.jacobian = options.jacobian;
    this.autonomous = options.autonomous ?? false;
    this.stiffSwitchSteps = options.stiffSwitchSteps ?? 5000;
    const v = () => new Float64Array(n);
    this.k1 = v();
    this.k2 = v();
    this.k3 = v();
    this.k4 = v();
    this.k5 = v();
    this.k6 = v();
    this.k7 = v();
    this.ytmp = v();
    this.ynew = v();
    this.yout = v();
    this.dfdt = v();
    this.jac = new Float64Array(n * n);
    this.lu = new Float64Array(n * n);
    this.piv = new Int32Array(n);
  }

  /** Forget a stiffness switch made by "auto" (start the next problem explicit again). */
  reset(): void {
    this.stiff = false;
  }

  /**
   * Integrates y' = f(t, y) from t0 to tEnd; `y` holds y(t0) on entry and y(tEnd) on return.
   * `outTimes[from..to)` must be non-decreasing and inside [t0, tEnd]; each gets one `onOutput` call.
   */
  integrate(
    f: OdeRhs,
    t0: number,
    y: Float64Array,
    tEnd: number,
    outTimes: ArrayLike<number> = [],
    onOutput: OdeOutput = () => {},
    from = 0,
    to = outTimes.length,
  ): OdeStats {
    const n = this.n;
    if (y.length !== n) throw new RangeError(`state has ${y.length} entries, solver expects ${n}`);
    if (!Number.isFinite(t0) || !Number.isFinite(tEnd)) throw new RangeError(`integration bounds must be finite`);
    if (tEnd < t0) throw new RangeError(`integration runs forward only: tEnd ${tEnd} < t0 ${t0}`);
    for (let i = from; i < to; i++) {
      const ti = outTimes[i]!;
      if (!(ti >= t0 && ti <= tEnd)) throw new RangeError(`output time ${ti} outside [${t0}, ${tEnd}]`);
      if (i > from && ti < outTimes[i - 1]!) throw new RangeError(`output times must be non-decreasing`);
    }
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(y[i]!)) throw new OdeError(`initial state ${i} is not finite (${y[i]})`, t0);
    }
    const stats: OdeStats = {
      steps: 0,
      accepted: 0,
      rejected: 0,
      rhsEvals: 0,
      jacobianEvals: 0,
      decompositions: 0,
      method: this.currentMethod(),
    };
    this.t = t0;
    this.iOut = from;
    while (this.iOut < to && outTimes[this.iOut]! <= t0) onOutput(this.iOut++, t0, y);
    if (tEnd === t0) return stats;

    const hmax = Math.min(this.maxStepOpt ?? Infinity, tEnd - t0);
    this.h = this.initialStep !== undefined ? Math.min(this.initialStep, hmax) : 0;
    if (this.currentMethod() === "dopri5") {
      const done = this.dopri5(f, y, tEnd, hmax, outTimes, to, onOutput, stats);
      if (done) return stats;
      this.stiff = true;
      stats.method = "rosenbrock";
      stats.switchedAt = this.t;
    }
    this.rodas(f, y, tEnd, hmax, outTimes, to, onOutput, stats);
    return stats;
  }

  private currentMethod(): "dopri5" | "rosenbrock" {
    if (this.method === "auto") return this.stiff ? "rosenbrock" : "dopri5";
    return this.method;
  }

  /** Hairer's HINIT: a first step from the sizes of y, f and an estimate of f'. Uses ytmp, k2. */
  private initialStepSize(f: OdeRhs, y: Float64Array, f0: Float64Array, order: number, hmax: number, stats: OdeStats) {
    const n = this.n;
    let dnf = 0;
    let dny = 0;
    for (let i = 0; i < n; i++) {
      const sk = this.atol[i]! + this.rtol * Math.abs(y[i]!);
      const a = f0[i]! / sk;
      const b = y[i]! / sk;
      dnf += a * a;
      dny += b * b;
    }
    let h = dnf <= 1e-10 || dny <= 1e-10 ? 1e-6 : Math.sqrt(dny / dnf) * 0.01;
    h = Math.min(h, hmax);
    for (let i = 0; i < n; i++) this.ytmp[i] = y[i]! + h * f0[i]!;
    f(this.t + h, this.ytmp, this.k2);
    stats.rhsEvals++;
    let der2 = 0;
    for (let i = 0; i < n; i++) {
      const sk = this.atol[i]! + this.rtol * Math.abs(y[i]!);
      const d = (this.k2[i]! - f0[i]!) / sk;
      der2 += d * d;
    }
    der2 = Math.sqrt(der2) / h;
    const der12 = Math.max(Math.abs(der2), Math.sqrt(dnf));
    const h1 = der12 <= 1e-15 ? Math.max(1e-6, h * 1e-3) : Math.pow(0.01 / der12, 1 / order);
    const h0 = Math.min(100 * h, h1, hmax);
    return Number.isFinite(h0) && h0 > 0 ? h0 : Math.min(1e-6, hmax);
  }

  private checkStep(h: number, stats: OdeStats): void {
    if (stats.steps >= this.maxSteps) {
      throw new OdeError(
        `more than ${this.maxSteps} steps before t = ${this.t}; the problem may be stiff (method "rosenbrock") or the tolerances too tight`,
        this.t,
      );
    }
    if (!(h > 16 * UROUND * Math.max(1, Math.abs(this.t)))) {
      throw new OdeError(
        `step size underflow at t = ${this.t} (h = ${h}); the solution may blow up or be non-finite`,
        this.t,
      );
    }
  }

  /** Returns true when tEnd was reached, false when "auto" wants the stiff method from this.t on. */
  private dopri5(
    f: OdeRhs,
    y: Float64Array,
    tEnd: number,
    hmax: number,
    outTimes: ArrayLike<number>,
    to: number,
    onOutput: OdeOutput,
    stats: OdeStats,
  ): boolean {
    const n = this.n;
    const { k1, k2, k3, k4, k5, k6, k7, ytmp, ynew, yout, atol, rtol } = this;
    // k2..k6 double as storage for the dense-output coefficients once a step is accepted.
    const auto = this.method === "auto";
    const beta = 0.04;
    const expo1 = 0.2 - beta * 0.75;
    const safe = 0.9;
    const facc1 = 5; // 1 / (smallest step ratio 0.2)
    const facc2 = 0.1; // 1 / (largest step ratio 10)
    let facold = 1e-4;
    let reject = false;
    let stiffHits = 0;
    let nonStiff = 0;
    let explicitSteps = 0;

    f(this.t, y, k1);
    stats.rhsEvals++;
    let h = this.h > 0 ? this.h : this.initialStepSize(f, y, k1, 5, hmax, stats);

    for (;;) {
      this.checkStep(h, stats);
      let last = false;
      if (this.t + 1.01 * h >= tEnd) {
        h = tEnd - this.t;
        last = true;
      }
      const t = this.t;
      for (let i = 0; i < n; i++) ytmp[i] = y[i]! + h * A21 * k1[i]!;
      f(t + C2 * h, ytmp, k2);
      for (let i = 0; i < n; i++) ytmp[i] = y[i]! + h * (A31 * k1[i]! + A32 * k2[i]!);
      f(t + C3 * h, ytmp, k3);
      for (let i = 0; i < n; i++) ytmp[i] = y[i]! + h * (A41 * k1[i]! + A42 * k2[i]! + A43 * k3[i]!);
      f(t + C4 * h, ytmp, k4);
      for (let i = 0; i < n; i++) {
        ytmp[i] = y[i]! + h * (A51 * k1[i]! + A52 * k2[i]! + A53 * k3[i]! + A54 * k4[i]!);
      }
      f(t + C5 * h, ytmp, k5);
      // ytmp now keeps the stage-6 state for the stiffness test.
      for (let i = 0; i < n; i++) {
        ytmp[i] = y[i]! + h * (A61 * k1[i]! + A62 * k2[i]! + A63 * k3[i]! + A64 * k4[i]! + A65 * k5[i]!);
      }
      const tph = last ? tEnd : t + h;
      f(tph, ytmp, k6);
      for (let i = 0; i < n; i++) {
        ynew[i] = y[i]! + h * (A71 * k1[i]! + A73 * k3[i]! + A74 * k4[i]! + A75 * k5[i]! + A76 * k6[i]!);
      }
      f(tph, ynew, k7);
      stats.rhsEvals += 6;
      stats.steps++;
      explicitSteps++;

      let err = 0;
      for (let i = 0; i < n; i++) {
        const sk = atol[i]! + rtol * Math.max(Math.abs(y[i]!), Math.abs(ynew[i]!));
        const e = (h * (E1 * k1[i]! + E3 * k3[i]! + E4 * k4[i]! + E5 * k5[i]! + E6 * k6[i]! + E7 * k7[i]!)) / sk;
        err += e * e;
      }
      err = Math.sqrt(err / n);
      if (!Number.isFinite(err)) {
        // Non-finite stage values: retreat hard, as after a large error.
        stats.rejected++;
        reject = true;
        h *= 0.1;
        continue;
      }
      const fac11 = Math.pow(err, expo1);
      let fac = fac11 / Math.pow(facold, beta);
      fac = Math.max(facc2, Math.min(facc1, fac / safe));
      let hnew = h / fac;

      if (err > 1) {
        stats.rejected++;
        reject = true;
        h = h / Math.min(facc1, fac11 / safe);
        continue;
      }

      facold = Math.max(err, 1e-4);
      stats.accepted++;
      let wantStiff = false;
      if (auto) {
        let stnum = 0;
        let stden = 0;
        for (let i = 0; i < n; i++) {
          const a = k7[i]! - k6[i]!;
          const b = ynew[i]! - ytmp[i]!;
          stnum += a * a;
          stden += b * b;
        }
        const hlamb = stden > 0 ? h * Math.sqrt(stnum / stden) : 0;
        if (hlamb > STIFF_HLAMBDA) {
          nonStiff = 0;
          if (++stiffHits >= STIFF_HITS) wantStiff = true;
        } else if (++nonStiff >= NONSTIFF_RESET) {
          stiffHits = 0;
        }
        // Step count exploding while steps are still limited by stability rather than accuracy.
        if (explicitSteps >= this.stiffSwitchSteps && hlamb > 1) wantStiff = true;
      }

      if (this.iOut < to && outTimes[this.iOut]! <= tph) {
        // Dense output coefficients (Hairer's rcont1..5 with y itself as rcont1), overwriting k2..k6.
        for (let i = 0; i < n; i++) {
          const ydiff = ynew[i]! - y[i]!;
          const bspl = h * k1[i]! - ydiff;
          const r5 = h * (D1 * k1[i]! + D3 * k3[i]! + D4 * k4[i]! + D5 * k5[i]! + D6 * k6[i]! + D7 * k7[i]!);
          k2[i] = ydiff;
          k3[i] = bspl;
          k4[i] = ydiff - h * k7[i]! - bspl;
          k5[i] = r5;
        }
        while (this.iOut < to && outTimes[this.iOut]! <= tph) {
          const to_ = outTimes[this.iOut]!;
          if (to_ === tph) onOutput(this.iOut, to_, ynew);
          else {
            const s = (to_ - t) / h;
            const s1 = 1 - s;
            for (let i = 0; i < n; i++) {
              yout[i] = y[i]! + s * (k2[i]! + s1 * (k3[i]! + s * (k4[i]! + s1 * k5[i]!)));
            }
            onOutput(this.iOut, to_, yout);
          }
          this.iOut++;
        }
      }

      y.set(ynew);
      k1.set(k7);
      this.t = tph;
      if (last) return true;
      if (hnew > hmax) hnew = hmax;
      if (reject) hnew = Math.min(hnew, h);
      reject = false;
      h = hnew;
      if (wantStiff) {
        this.h = h;
        return false;
      }
    }
  }

  private rodas(
    f: OdeRhs,
    y: Float64Array,
    tEnd: number,
    hmax: number,
    outTimes: ArrayLike<number>,
    to: number,
    onOutput: OdeOutput,
    stats: OdeStats,
  ): void {
    const n = this.n;
    // k1..k6: stages; k7: f(t, y); ytmp: stage state; yout: stage derivative, later the dense value.
    const { k1, k2, k3, k4, k5, k6, k7: fx, ytmp, ynew, yout, jac, lu, piv, dfdt, atol, rtol } = this;
    const fy = yout; // stage derivative; yout is free until dense output, which comes after the stages
    const safe = 0.9;
    const fac1 = 5; // h may shrink by at most 5 ...
    const fac2 = 1 / 6; // ... and grow by at most 6 per step
    let first = true;
    let reject = false;
    let hold = 0;
    let errold = 0;

    f(this.t, y, fx);
    stats.rhsEvals++;
    let h = this.h > 0 ? this.h : this.initialStepSize(f, y, fx, 4, hmax, stats);

    for (;;) {
      const t = this.t;
      // Jacobian and time derivative at (t, y), reused by rejected attempts.
      if (this.jacobian) this.jacobian(t, y, jac);
      else {
        for (let j = 0; j < n; j++) {
          const yj = y[j]!;
          const delta = Math.sqrt(UROUND * Math.max(1e-5, Math.abs(yj)));
          y[j] = yj + delta;
          f(t, y, fy);
          y[j] = yj;
          for (let i = 0; i < n; i++) jac[i * n + j] = (fy[i]! - fx[i]!) / delta;
        }
        stats.rhsEvals += n;
      }
      stats.jacobianEvals++;
      if (this.autonomous) dfdt.fill(0);
      else {
        const delta = Math.sqrt(UROUND * Math.max(1e-5, Math.abs(t)));
        f(t + delta, y, fy);
        stats.rhsEvals++;
        for (let i = 0; i < n; i++) dfdt[i] = (fy[i]! - fx[i]!) / delta;
      }

      for (;;) {
        this.checkStep(h, stats);
        let last = false;
        if (t + 1.01 * h >= tEnd) {
          h = tEnd - t;
          last = true;
        }
        stats.steps++;
        const tph = last ? tEnd : t + h;
        // W = I / (gamma h) - J
        const diag = 1 / (RG * h);
        for (let i = 0; i < n * n; i++) lu[i] = -jac[i]!;
        for (let i = 0; i < n; i++) lu[i * n + i] += diag;
        stats.decompositions++;
        if (!luDecompose(lu, piv, n)) {
          stats.rejected++;
          reject = true;
          h *= 0.5;
          continue;
        }
        const hinv = 1 / h;

        for (let i = 0; i < n; i++) k1[i] = fx[i]! + h * RD1 * dfdt[i]!;
        luSolve(lu, piv, n, k1);

        for (let i = 0; i < n; i++) ytmp[i] = y[i]! + RA21 * k1[i]!;
        f(t + RC2 * h, ytmp, fy);
        for (let i = 0; i < n; i++) k2[i] = fy[i]! + h * RD2 * dfdt[i]! + RC21 * k1[i]! * hinv;
        luSolve(lu, piv, n, k2);

        for (let i = 0; i < n; i++) ytmp[i] = y[i]! + RA31 * k1[i]! + RA32 * k2[i]!;
        f(t + RC3 * h, ytmp, fy);
        for (let i = 0; i < n; i++) {
          k3[i] = fy[i]! + h * RD3 * dfdt[i]! + (RC31 * k1[i]! + RC32 * k2[i]!) * hinv;
        }
        luSolve(lu, piv, n, k3);

        for (let i = 0; i < n; i++) ytmp[i] = y[i]! + RA41 * k1[i]! + RA42 * k2[i]! + RA43 * k3[i]!;
        f(t + RC4 * h, ytmp, fy);
        for (let i = 0; i < n; i++) {
          k4[i] = fy[i]! + h * RD4 * dfdt[i]! + (RC41 * k1[i]! + RC42 * k2[i]! + RC43 * k3[i]!) * hinv;
        }
        luSolve(lu, piv, n, k4);

        for (let i = 0; i < n; i++) {
          ytmp[i] = y[i]! + RA51 * k1[i]! + RA52 * k2[i]! + RA53 * k3[i]! + RA54 * k4[i]!;
        }
        f(tph, ytmp, fy);
        for (let i = 0; i < n; i++) {
          k5[i] = fy[i]! + (RC51 * k1[i]! + RC52 * k2[i]! + RC53 * k3[i]! + RC54 * k4[i]!) * hinv;
        }
        luSolve(lu, piv, n, k5);

        for (let i = 0; i < n; i++) ytmp[i] += k5[i]!;
        f(tph, ytmp, fy);
        for (let i = 0; i < n; i++) {
          k6[i] = fy[i]! + (RC61 * k1[i]! + RC62 * k2[i]! + RC63 * k3[i]! + RC64 * k4[i]! + RC65 * k5[i]!) * hinv;
        }
        luSolve(lu, piv, n, k6);
        stats.rhsEvals += 5;

        // Stiffly accurate: the embedded solution is the last stage state, k6 the error estimate.
        let err = 0;
        for (let i = 0; i < n; i++) {
          ynew[i] = ytmp[i]! + k6[i]!;
          const sk = atol[i]! + rtol * Math.max(Math.abs(y[i]!), Math.abs(ynew[i]!));
          const e = k6[i]! / sk;
          err += e * e;
        }
        err = Math.sqrt(err / n);
        if (!Number.isFinite(err)) {
          stats.rejected++;
          reject = true;
          h *= 0.2;
          continue;
        }
        let fac = Math.max(fac2, Math.min(fac1, Math.pow(err, 0.25) / safe));
        let hnew = h / fac;
        if (err > 1) {
          stats.rejected++;
          reject = true;
          h = hnew;
          continue;
        }

        // Gustafsson's predictive controller, as in RODAS.
        if (!first) {
          let facpred = ((hold / h) * Math.pow((err * err) / errold, 0.25)) / safe;
          facpred = Math.max(fac2, Math.min(fac1, facpred));
          fac = Math.max(fac, facpred);
          hnew = h / fac;
        }
        first = false;
        hold = h;
        errold = Math.max(0.01, err);
        stats.accepted++;

        if (this.iOut < to && outTimes[this.iOut]! <= tph) {
          // Dense output y(s) = (1-s) y0 + s (y1 + (1-s) (c3 + s c4)); c3 -> k6, c4 -> ytmp (both free now).
          for (let i = 0; i < n; i++) {
            const c3 = RDD21 * k1[i]! + RDD22 * k2[i]! + RDD23 * k3[i]! + RDD24 * k4[i]! + RDD25 * k5[i]!;
            const c4 = RDD31 * k1[i]! + RDD32 * k2[i]! + RDD33 * k3[i]! + RDD34 * k4[i]! + RDD35 * k5[i]!;
            k6[i] = c3;
            ytmp[i] = c4;
          }
          while (this.iOut < to && outTimes[this.iOut]! <= tph) {
            const to_ = outTimes[this.iOut]!;
            if (to_ === tph) onOutput(this.iOut, to_, ynew);
            else {
              const s = (to_ - t) / h;
              const s1 = 1 - s;
              for (let i = 0; i < n; i++) {
                yout[i] = s1 * y[i]! + s * (ynew[i]! + s1 * (k6[i]! + s * ytmp[i]!));
              }
              onOutput(this.iOut, to_, yout);
            }
            this.iOut++;
          }
        }

        y.set(ynew);
        this.t = tph;
        if (last) return;
        if (hnew > hmax) hnew = hmax;
        if (reject) hnew = Math.min(hnew, h);
        reject = false;
        h = hnew;
        f(this.t, y, fx);
        stats.rhsEvals++;
        break;
      }
    }
  }
}

/** In-place LU with partial pivoting (row-major). Returns false when the matrix is singular. */
export function luDecompose(a: Float64Array, piv: Int32Array, n: number): boolean {
  for (let k = 0; k < n; k++) {
    let p = k;
    let max = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]!);
      if (v > max) {
        max = v;
        p = i;
      }
    }
    if (!(max > 0) || !Number.isFinite(max)) return false;
    piv[k] = p;
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const tmp = a[k * n + j]!;
        a[k * n + j] = a[p * n + j]!;
        a[p * n + j] = tmp;
      }
    }
    const inv = 1 / a[k * n + k]!;
    for (let i = k + 1; i < n; i++) {
      const m = a[i * n + k]! * inv;
      a[i * n + k] = m;
      if (m !== 0) for (let j = k + 1; j < n; j++) a[i * n + j] -= m * a[k * n + j]!;
    }
  }
  return true;
}

/** Solves (LU) x = b in place. */
export function luSolve(a: Float64Array, piv: Int32Array, n: number, b: Float64Array): void {
  for (let k = 0; k < n; k++) {
    const p = piv[k]!;
    if (p !== k) {
      const tmp = b[k]!;
      b[k] = b[p]!;
      b[p] = tmp;
    }
  }
  for (let i = 1; i < n; i++) {
    let s = b[i]!;
    for (let j = 0; j < i; j++) s -= a[i * n + j]! * b[j]!;
    b[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let j = i + 1; j < n; j++) s -= a[i * n + j]! * b[j]!;
    b[i] = s / a[i * n + i]!;
  }
}

/** Convenience: y at each of `times` (non-decreasing, >= t0), starting from y0 at t0. */
export function solveOde(
  f: OdeRhs,
  t0: number,
  y0: ArrayLike<number>,
  times: ArrayLike<number>,
  options: OdeOptions = {},
): { y: Float64Array[]; stats: OdeStats } {
  const n = y0.length;
  const y = Float64Array.from(y0 as ArrayLike<number>);
  const out: Float64Array[] = new Array(times.length);
  const tEnd = times.length > 0 ? Math.max(t0, times[times.length - 1]!) : t0;
  const stats = new OdeSolver(n, options).integrate(f, t0, y, tEnd, times, (i, _t, yi) => {
    out[i] = Float64Array.from(yi);
  });
  return { y: out, stats };
}

// Linear compartment models as exact predictions: when every equation of the
// compiled model is linear and homogeneous in the states (first-order
// transfers and eliminations, no other input), the states obey dX/dt = M(theta) X
// between doses, with M affine in the coefficients: M = M_0 + sum_j theta_j M_j.
// A dose into state s at t_d then leaves in the observed state o
//     X_o(t) = c(theta) AMT sum_i w_i e^{lambda_i (t - t_d)},   w_i = [P_i]_{o s}
// with lambda_i the eigenvalues of M and P_i = prod_{k != i} (M - lambda_k) /
// (lambda_i - lambda_k) its spectral projectors (Sylvester), and an infusion is
// the same sum integrated over its duration (latent-rows.ts dosedAmount). No
// ODE is solved: this is the closed form of the two- and three-compartment
// models (and of an oral depot in front of them), for any n of states whose
// eigenvalues are real, as they are for compartment graphs without cycles
// other than back-and-forth exchanges (mammillary and catenary models).
// M is read off the compiled model by probing it at unit states, so the
// estimator needs nothing but the generated module.
import type { CompiledModel, Env, ModelMeta } from "../model.js";
import { dosedAmount } from "./latent-rows.js";

export interface LinearSystem {
  n: number;
  /** The observed state (the one the samples measure, after the inverse of the observation). */
  observed: number;
  /** The state every dose enters, and its coefficient: the jump is amt * scale * theta[param] (or amt * scale). */
  dose: { state: number; param: number | null; scale: number };
  /** M_0 (n x n, row-major) and, per parameter j, M_j (null when theta_j is not in M). */
  m0: Float64Array;
  mj: (Float64Array | null)[];
}

/** The linear system of `model`, or null when it is not a linear compartment model with one observed state and one dosed state. */
export function linearSystemOf(model: CompiledModel, options: { withoutPeripheral?: boolean } = {}): LinearSystem | null {
  const meta = model.meta;
  const { nStates: n, nParams: p } = model;
  // A peripheral compartment (a convolution state) is what this path is for; one-compartment models, oral ones
  // included, stay on the latent-state path (fit-latent.ts), which also carries their covariate effects, unless the
  // caller asks (`withoutPeripheral`: steady-state doses, whose written-out regimens the latent path sums node by node).
  if (n < 2 || n > 5 || meta.dictionaries.length > 0 || !(options.withoutPeripheral || meta.states.some((s) => s.convolution))) return null;
  const observedStates = meta.states.map((s, k) => (s.latent ? -1 : k)).filter((k) => k >= 0);
  if (observedStates.length !== 1 || meta.observations.length !== 1) return null;
  if (meta.states.some((s) => (s.initial ?? 0) !== 0 || s.initialEstimated)) return null;
  const dose = doseOf(meta);
  if (!dose) return null;
  const probe = (x: Float64Array, t: number): { th: Float64Array; dr: Float64Array } => {
    const th = new Float64Array(n * p);
    const dr = new Float64Array(n);
    // Another dose, time since dose and covariate value at each probe: M must depend on none of them.
    const env: Env = { dose: t > 2 ? 2 : 1, sinceDose: t / 3, cov: new Float64Array(meta.covariates.length).fill(t) };
    model.dictionary(x, t, env, th);
    model.drift(x, t, env, dr);
    return { th, dr };
  };
  const m0 = new Float64Array(n * n);
  const mj: Float64Array[] = Array.from({ length: p }, () => new Float64Array(n * n));
  const unit = new Float64Array(n);
  const zero = probe(new Float64Array(n), 1.3);
  if (zero.th.some((v) => v !== 0) || zero.dr.some((v) => v !== 0)) return null;
  for (let m = 0; m < n; m++) {
    unit.fill(0);
    unit[m] = 1;
    const a = probe(unit, 1.3);
    // Linear and time-invariant: twice the state gives twice the rates, at another time the same.
    unit[m] = 2;
    const b = probe(unit, 7.9);
    for (let k = 0; k < n; k++) {
      if (Math.abs(b.dr[k]! - 2 * a.dr[k]!) > 1e-12 * (1 + Math.abs(a.dr[k]!))) return null;
      m0[k * n + m] = a.dr[k]!;
      for (let j = 0; j < p; j++) {
        const v = a.th[k * p + j]!;
        if (Math.abs(b.th[k * p + j]! - 2 * v) > 1e-12 * (1 + Math.abs(v))) return null;
        mj[j]![k * n + m] = v;
      }
    }
  }
  return { n, observed: observedStates[0]!, dose, m0, mj: mj.map((x) => (x.some((v) => v !== 0) ? x : null)) };
}

function doseOf(meta: ModelMeta): LinearSystem["dose"] | null {
  const jumps = meta.doses.filter((d) => d.kind === "jump");
  if (jumps.length === 0 || jumps.length !== meta.doses.length) return null;
  const keys = new Set(jumps.map((d) => (d.kind === "jump" ? `${d.state}:${d.amount}:${d.coefficient?.param ?? ""}:${d.coefficient?.scale ?? 1}` : "")));
  const first = jumps[0]!;
  if (keys.size !== 1 || first.kind !== "jump" || first.amount !== "amt") return null;
  return { state: first.state, param: first.coefficient?.param ?? null, scale: first.coefficient?.scale ?? 1 };
}

/** M(theta), n x n row-major. */
export function systemMatrix(sys: LinearSystem, theta: Float64Array): Float64Array {
  const M = Float64Array.from(sys.m0);
  sys.mj.forEach((mj, j) => {
    if (!mj) return;
    const t = theta[j]!;
    for (let i = 0; i < M.length; i++) M[i] += t * mj[i]!;
  });
  return M;
}

/** Coefficients of det(s I - M) = s^n + c_1 s^{n-1} + ... + c_n (Faddeev-LeVerrier), returned as [1, c_1, ..., c_n]. */
function characteristic(M: Float64Array, n: number): number[] {
  const c = [1];
  let B = new Float64Array(n * n);
  for (let k = 1; k <= n; k++) {
    // B_k = M (B_{k-1} + c_{k-1} I), c_k = -tr(M B_k) / k, with B_0 = 0, c_0 = 1.
    const prev = Float64Array.from(B);
    for (let i = 0; i < n; i++) prev[i * n + i] += c[k - 1]!;
    const next = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let l = 0; l < n; l++) {
        const v = M[i * n + l]!;
        if (v !== 0) for (let j = 0; j < n; j++) next[i * n + j] += v * prev[l * n + j]!;
      }
    let tr = 0;
    for (let i = 0; i < n; i++) tr += next[i * n + i]!;
    c.push(-tr / k);
    B = next;
  }
  return c;
}

function evalPoly(c: number[], x: number): number {
  let s = 0;
  for (const v of c) s = s * x + v;
  return s;
}

/** The root of c in [a, b] (c(a) = fa and c(b) of opposite signs): Newton steps, bisection when one leaves the bracket. */
function bracketedRoot(c: number[], a: number, b: number, fa: number): number {
  const deg = c.length - 1;
  let x = 0.5 * (a + b);
  for (let it = 0; it < 100; it++) {
    let f = 0;
    let d = 0;
    for (let i = 0; i <= deg; i++) {
      d = d * x + f;
      f = f * x + c[i]!;
    }
    if (f === 0) return x;
    if (fa * f < 0) b = x;
    else {
      a = x;
      fa = f;
    }
    const newton = x - f / d;
    const next = d !== 0 && newton > a && newton < b ? newton : 0.5 * (a + b);
    if (Math.abs(next - x) <= 1e-15 * Math.max(1e-300, Math.abs(x)) || b - a <= 1e-15 * Math.max(Math.abs(a), Math.abs(b))) return next;
    x = next;
  }
  return x;
}

/** Rounding error of evaluating c at x (Horner), a few hundred ulps of the largest term. */
function evalNoise(c: number[], x: number): number {
  let s = 0;
  for (const v of c) s = s * Math.abs(x) + Math.abs(v);
  return 256 * Number.EPSILON * s;
}

/**
 * Every real root of the polynomial c (leading coefficient first), in increasing order, with multiplicity; null when
 * some root is not real. A critical point where c is zero to rounding is a double root (coincident rates, e.g. an
 * absorption rate equal to an elimination rate); elsewhere the roots are bracketed by sign changes.
 */
export function realRoots(c: number[]): number[] | null {
  const deg = c.length - 1;
  if (deg === 0) return [];
  if (deg === 1) return [-c[1]! / c[0]!];
  // Roots of the derivative separate those of c (Rolle); when every root of c is real, so are the derivative's.
  const crit = realRoots(c.slice(0, deg).map((v, i) => v * (deg - i)));
  if (!crit) return null;
  let bound = 0;
  for (let i = 1; i <= deg; i++) bound = Math.max(bound, Math.abs(c[i]! / c[0]!));
  bound = 1 + bound;
  const ends = [-bound, ...crit, bound];
  const values = ends.map((x) => evalPoly(c, x));
  const zero = ends.map((x, i) => i > 0 && i < ends.length - 1 && Math.abs(values[i]!) <= evalNoise(c, x));
  const roots: number[] = [];
  ends.forEach((x, i) => {
    if (zero[i] && !(i > 1 && zero[i - 1] && Math.abs(ends[i - 1]! - x) <= 1e-12 * bound)) roots.push(x, x);
  });
  for (let i = 0; i + 1 < ends.length; i++) {
    if (zero[i] || zero[i + 1] || values[i]! * values[i + 1]! > 0) continue;
    roots.push(bracketedRoot(c, ends[i]!, ends[i + 1]!, values[i]!));
  }
  roots.sort((u, v) => u - v);
  return roots.length === deg ? roots : null;
}

/** Impulse response of state `to` to a unit input into state `from`: sum_i weights_i e^{-rates_i t}; null when an eigenvalue is not real. */
export function impulseResponse(M: Float64Array, n: number, from: number, to: number): { rates: number[]; weights: number[] } | null {
  const lambdas = realRoots(characteristic(M, n));
  if (!lambdas || lambdas.some((v) => !Number.isFinite(v))) return null;
  // Coincident eigenvalues make the projectors blow up; spread them apart by a negligible relative amount.
  const spread = 1e-7 * Math.max(1e-300, ...lambdas.map(Math.abs));
  for (let i = 1; i < n; i++) if (lambdas[i]! - lambdas[i - 1]! < spread) lambdas[i] = lambdas[i - 1]! + spread;
  const weights = lambdas.map((li, i) => {
    // Column `from` of prod_{k != i} (M - lambda_k I) / (lambda_i - lambda_k), then its entry `to`.
    let v = new Float64Array(n);
    v[from] = 1;
    lambdas.forEach((lk, k) => {
      if (k === i) return;
      const w = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        let s = -lk * v[r]!;
        for (let q = 0; q < n; q++) s += M[r * n + q]! * v[q]!;
        w[r] = s / (li - lk);
      }
      v = w;
    });
    return v[to]!;
  });
  return { rates: lambdas.map((l) => -l), weights };
}

/** The dose coefficient c(theta) (1/V for `C += amt / V`). */
export function doseCoefficient(sys: LinearSystem, theta: Float64Array): number {
  return sys.dose.scale * (sys.dose.param === null ? 1 : theta[sys.dose.param]!);
}

/** The observed state at `times` for the subject's doses (bolus or infusion) under theta; null when M has complex eigenvalues. */
export function predictObserved(sys: LinearSystem, theta: Float64Array, doses: readonly { time: number; amount: number; duration?: number }[], times: readonly number[]): Float64Array | null {
  const resp = impulseResponse(systemMatrix(sys, theta), sys.n, sys.dose.state, sys.observed);
  if (!resp) return null;
  const c = doseCoefficient(sys, theta);
  return Float64Array.from(times, (t) => {
    let s = 0;
    resp.rates.forEach((r, i) => (s += resp.weights[i]! * dosedAmount(doses, Number.NEGATIVE_INFINITY, t, r)));
    return c * s;
  });
}

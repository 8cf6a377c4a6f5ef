// The state just before a steady-state dose (SS=1 with interval II): the fixed point x* of the period map
// P(x) = the state one interval after the dose, starting from x just before it. Doses given every II for ever leave
// x* before each one. For a linear (affine) system P(x) = M x + m, so (I - M) x* = m: M is read off P by differences
// (exact for an affine map, whatever the step) and one Newton step lands on x*; for a nonlinear system the same
// matrix drives chord iterations to the periodic state. Closed forms (one-compartment oral: geometric series of the
// two exponentials) are a special case of this, which every compiled model gets alike.
import { luDecompose, luSolve } from "./ode.js";

/** Runs one interval: `x` holds the state just before the dose on entry and one interval later on return. */
export type PeriodMap = (x: Float64Array) => void;

/** Chord iterations allowed for a nonlinear system before the steady state is said not to exist. */
const MAX_ITERATIONS = 50;

/**
 * Sets `x` to the state just before a dose of a regimen at steady state. False when none is found: I - M is singular
 * (an eigenvalue of one: nothing eliminates the dose, the amounts grow without bound) or the iterations do not settle.
 * A map with an eigenvalue beyond one (a system that grows by itself) has a fixed point that is no steady state: the
 * caller's model is then not one a regimen settles, which this does not check.
 */
export function steadyStateBefore(period: PeriodMap, x: Float64Array, tolerance = 1e-8): boolean {
  const n = x.length;
  const y = new Float64Array(n); // from x = 0: the regimen's own response
  const p0 = Float64Array.from(y);
  period(p0);
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(p0[i]!));
  if (!(scale > 0)) {
    x.fill(0);
    return Number.isFinite(scale);
  }
  // I - M, column by column: a step of the regimen's own size keeps the solver's relative error relative.
  const a = new Float64Array(n * n);
  const pj = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    pj.fill(0);
    pj[j] = scale;
    period(pj);
    for (let i = 0; i < n; i++) a[i * n + j] = (i === j ? 1 : 0) - (pj[i]! - p0[i]!) / scale;
  }
  const piv = new Int32Array(n);
  if (!luDecompose(a, piv, n)) return false;
  const r = Float64Array.from(p0);
  const next = new Float64Array(n);
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    luSolve(a, piv, n, r); // r becomes the step
    let size = 0;
    for (let i = 0; i < n; i++) {
      y[i] += r[i]!;
      size = Math.max(size, Math.abs(y[i]!));
    }
    next.set(y);
    period(next);
    let res = 0;
    for (let i = 0; i < n; i++) {
      r[i] = next[i]! - y[i]!;
      res = Math.max(res, Math.abs(r[i]!));
    }
    if (!Number.isFinite(res)) return false;
    if (res <= tolerance * Math.max(size, scale)) {
      x.set(next); // one more period of the map: the state x* maps to, the same within the tolerance
      return true;
    }
  }
  return false;
}

// Levenberg-Marquardt on a small parameter vector with forward-difference Jacobians: the start-value fits of
// pooled-start.ts (a few typical values over every subject, or one subject's random effects).

import { solveSpd } from "../numeric/linalg.js";

/** Writes the residual vector at x into `out`; false when it cannot be evaluated (a failed solve). */
export type Residuals = (x: Float64Array, out: Float64Array) => boolean;

export interface LeastSquaresResult {
  x: Float64Array;
  /** Sum of squared residuals at x. */
  ss: number;
}

/**
 * Minimises the sum of squared residuals from x0 (`h[m]`: the difference step of x_m). Returns null when the
 * residuals cannot be evaluated at x0.
 */
export function levenbergMarquardt(x0: Float64Array, nRes: number, residuals: Residuals, h: (x: Float64Array, m: number) => number, iterations = 60): LeastSquaresResult | null {
  const P = x0.length;
  const x = Float64Array.from(x0);
  const r = new Float64Array(nRes);
  if (!residuals(x, r)) return null;
  const rTrial = new Float64Array(nRes);
  const trial = new Float64Array(P);
  const J = new Float64Array(nRes * P);
  const sumSq = (v: Float64Array) => v.reduce((a, b) => a + b * b, 0);
  let current = sumSq(r);
  let lambda = 1e-3;
  for (let it = 0; it < iterations; it++) {
    for (let m = 0; m < P; m++) {
      const step = h(x, m);
      trial.set(x);
      trial[m] = x[m]! + step;
      if (!residuals(trial, rTrial)) return { x, ss: current };
      for (let j = 0; j < nRes; j++) J[j * P + m] = (rTrial[j]! - r[j]!) / step;
    }
    const A = new Float64Array(P * P);
    const g = new Float64Array(P);
    for (let j = 0; j < nRes; j++) {
      for (let a = 0; a < P; a++) {
        const Ja = J[j * P + a]!;
        if (Ja === 0) continue;
        g[a]! -= Ja * r[j]!;
        for (let b = 0; b < P; b++) A[a * P + b]! += Ja * J[j * P + b]!;
      }
    }
    let improved = false;
    for (let attempt = 0; attempt < 12 && !improved; attempt++) {
      const M = Float64Array.from(A);
      for (let a = 0; a < P; a++) M[a * P + a] = A[a * P + a]! * (1 + lambda) + 1e-12;
      const delta = solveSpd(M, P, g);
      if (!delta) {
        lambda *= 10;
        continue;
      }
      for (let a = 0; a < P; a++) trial[a] = x[a]! + delta[a]!;
      const next = residuals(trial, rTrial) ? sumSq(rTrial) : Infinity;
      if (next < current) {
        const gain = current - next;
        x.set(trial);
        r.set(rTrial);
        current = next;
        lambda = Math.max(lambda / 3, 1e-9);
        improved = true;
        if (gain < 1e-8 * current) return { x, ss: current };
      } else lambda *= 4;
    }
    if (!improved) break;
  }
  return { x, ss: current };
}

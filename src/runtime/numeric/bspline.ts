// Cubic B-splines on equally spaced knots (the P-spline basis of Eilers & Marx):
// on [t0, t1] split into `segments` equal spans there are segments + 3 basis
// functions, and at any t exactly four of them are non-zero, so evaluation is
// O(1) and needs no allocation.

export interface UniformCubicBasis {
  t0: number;
  t1: number;
  segments: number;
  /** Number of basis functions (segments + 3). */
  size: number;
}

export function uniformCubicBasis(t0: number, t1: number, segments: number): UniformCubicBasis {
  if (!(t1 > t0)) throw new RangeError(`B-spline basis needs t1 > t0, got [${t0}, ${t1}]`);
  if (!Number.isInteger(segments) || segments < 1)
    throw new RangeError(`B-spline basis needs >= 1 segment, got ${segments}`);
  return { t0, t1, segments, size: segments + 3 };
}

/**
 * Values (and first derivatives, when `deriv` is given) of the four basis
 * functions non-zero at t; returns the index of the first one. Outside
 * [t0, t1] the end polynomial pieces are extended.
 */
export function evalBasis(basis: UniformCubicBasis, t: number, values: Float64Array, deriv?: Float64Array): number {
  const h = (basis.t1 - basis.t0) / basis.segments;
  const x = (t - basis.t0) / h;
  let j = Math.floor(x);
  if (j < 0) j = 0;
  else if (j >= basis.segments) j = basis.segments - 1;
  const u = x - j;
  const v = 1 - u;
  const u2 = u * u;
  const u3 = u2 * u;
  values[0] = (v * v * v) / 6;
  values[1] = (3 * u3 - 6 * u2 + 4) / 6;
  values[2] = (-3 * u3 + 3 * u2 + 3 * u + 1) / 6;
  values[3] = u3 / 6;
  if (deriv) {
    deriv[0] = (-0.5 * v * v) / h;
    deriv[1] = (1.5 * u2 - 2 * u) / h;
    deriv[2] = (-1.5 * u2 + u + 0.5) / h;
    deriv[3] = (0.5 * u2) / h;
  }
  return j;
}

const scratchV = new Float64Array(4);
const scratchD = new Float64Array(4);

/** Value of the spline sum_j coef[j] B_j(t). */
export function splineValue(basis: UniformCubicBasis, coef: Float64Array, t: number): number {
  const j = evalBasis(basis, t, scratchV);
  return (
    coef[j]! * scratchV[0]! + coef[j + 1]! * scratchV[1]! + coef[j + 2]! * scratchV[2]! + coef[j + 3]! * scratchV[3]!
  );
}

/** Derivative of the spline at t. */
export function splineDerivative(basis: UniformCubicBasis, coef: Float64Array, t: number): number {
  const j = evalBasis(basis, t, scratchV, scratchD);
  return (
    coef[j]! * scratchD[0]! + coef[j + 1]! * scratchD[1]! + coef[j + 2]! * scratchD[2]! + coef[j + 3]! * scratchD[3]!
  );
}

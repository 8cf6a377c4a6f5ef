// Monotone piecewise-cubic Hermite interpolation (Fritsch-Carlson, the slopes
// of MATLAB's and SciPy's pchip): through every point, no overshoot between
// them, so a sparse growth or decay curve stays within its samples. The
// integral rows use it as the data curve when a subject has too few samples
// for a smoother to tell signal from noise.

export interface Pchip {
  x: Float64Array;
  y: Float64Array;
  /** Slope at every knot. */
  d: Float64Array;
}

/**
 * The interpolant through (x, y), x non-decreasing. Replicates (samples at the same x: duplicate measurements) are
 * one knot at their mean, since no curve passes through two values at one x and a zero-width interval would make
 * the slopes 0/0.
 */
export function pchip(x: ArrayLike<number>, y: ArrayLike<number>): Pchip {
  const { X, Y } = mergeReplicates(x, y);
  const n = X.length;
  const d = new Float64Array(n);
  if (n < 2) return { x: X, y: Y, d };
  const h = new Float64Array(n - 1);
  const delta = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) {
    h[i] = X[i + 1]! - X[i]!;
    delta[i] = (Y[i + 1]! - Y[i]!) / h[i]!;
  }
  if (n === 2) {
    d[0] = d[1] = delta[0]!;
    return { x: X, y: Y, d };
  }
  for (let i = 1; i < n - 1; i++) {
    const a = delta[i - 1]!;
    const b = delta[i]!;
    if (a * b <= 0) d[i] = 0;
    else {
      const w1 = 2 * h[i]! + h[i - 1]!;
      const w2 = h[i]! + 2 * h[i - 1]!;
      d[i] = (w1 + w2) / (w1 / a + w2 / b);
    }
  }
  d[0] = endSlope(h[0]!, h[1]!, delta[0]!, delta[1]!);
  d[n - 1] = endSlope(h[n - 2]!, h[n - 3]!, delta[n - 2]!, delta[n - 3]!);
  return { x: X, y: Y, d };
}

/** The shape-preserving three-point end slope. */
function endSlope(h0: number, h1: number, del0: number, del1: number): number {
  let d = ((2 * h0 + h1) * del0 - h0 * del1) / (h0 + h1);
  if (Math.sign(d) !== Math.sign(del0)) d = 0;
  else if (Math.sign(del0) !== Math.sign(del1) && Math.abs(d) > Math.abs(3 * del0)) d = 3 * del0;
  return d;
}

/** Value at t (held constant outside the knots). */
export function pchipValue(p: Pchip, t: number): number {
  const n = p.x.length;
  if (n === 0) return Number.NaN;
  if (t <= p.x[0]!) return p.y[0]!;
  if (t >= p.x[n - 1]!) return p.y[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (p.x[mid]! <= t) lo = mid;
    else hi = mid;
  }
  const h = p.x[hi]! - p.x[lo]!;
  const s = (t - p.x[lo]!) / h;
  const s2 = s * s;
  const s3 = s2 * s;
  return (2 * s3 - 3 * s2 + 1) * p.y[lo]! + (s3 - 2 * s2 + s) * h * p.d[lo]! + (-2 * s3 + 3 * s2) * p.y[hi]! + (s3 - s2) * h * p.d[hi]!;
}

/** (x, y) with the runs of equal x replaced by one point at the mean of their y. */
function mergeReplicates(x: ArrayLike<number>, y: ArrayLike<number>): { X: Float64Array; Y: Float64Array } {
  const X = new Float64Array(x.length);
  const Y = new Float64Array(x.length);
  let m = 0;
  for (let i = 0; i < x.length; ) {
    let j = i;
    let sum = 0;
    while (j < x.length && x[j] === x[i]) sum += y[j++]!;
    X[m] = x[i]!;
    Y[m++] = sum / (j - i);
    i = j;
  }
  return { X: X.subarray(0, m), Y: Y.subarray(0, m) };
}

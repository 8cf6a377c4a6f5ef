// Converts our additive-normal random effects (theta_i = theta + b_i,
// b_i ~ N(0, s^2)) to the distribution declared for Monolix/nlmixr2, and
// keeps every starting value strictly inside its domain. Formulas and
// guards: /work/shared/research/monolix-export.md section 5 (moment
// matching for log-normal, delta method for logit-normal).
import { median } from "../numeric/summary.js";

export type Distribution = "normal" | "logNormal" | "logitNormal";

/**
 * SAEM starts poorly from a tiny omega (simulated annealing can only shrink
 * it slowly from where it starts, and a near-zero omega freezes the
 * individual parameters), and Monolix's own default start is omega = 1.
 * So omega (SD of the transformed random effect) is kept in [0.1, 2].
 */
export const OMEGA_MIN = 0.1;
export const OMEGA_MAX = 2;
/** For `normal` parameters the same floor, relative to |typical|. */
export const OMEGA_MIN_RELATIVE = 0.1;
/** Correlations are kept inside (-0.95, 0.95) and shrunk until the block is positive definite. */
export const CORR_MAX = 0.95;
/** Replacement for a non-positive estimate of a logNormal parameter when no magnitude is usable. */
export const POSITIVE_FLOOR = 1e-6;

export interface Converted {
  /** Monolix `typical` (the median for logNormal/logitNormal, the mean for normal). */
  typical: number;
  /** SD of the transformed random effect; null when the parameter has no variability. */
  omega: number | null;
  /** Unclamped transformed SD, for correlation conversion. */
  rawOmega: number | null;
  notes: string[];
}

export interface Bounds {
  min: number;
  max: number;
}

/**
 * theta: our population estimate; s: SD of the additive random effect (null: none).
 * logNormal keeps the mean: omega^2 = ln(1 + s^2/theta^2), typical = theta exp(-omega^2/2),
 * with omega clamped first so the exported distribution still has mean theta.
 */
export function convertParameter(
  name: string,
  theta: number,
  s: number | null,
  distribution: Distribution,
  bounds: Bounds = { min: 0, max: 1 },
): Converted {
  const notes: string[] = [];
  if (!Number.isFinite(theta)) throw new Error(`parameter ${name}: estimate is not finite (${theta})`);
  const sd = s === null || !Number.isFinite(s) ? null : Math.abs(s);

  if (distribution === "normal") {
    if (sd === null) return { typical: theta, omega: null, rawOmega: null, notes };
    const floor = Math.abs(theta) > 0 ? OMEGA_MIN_RELATIVE * Math.abs(theta) : OMEGA_MIN;
    const omega = Math.max(sd, floor);
    if (omega !== sd)
      notes.push(`${name}: omega raised from ${sd} to ${omega} (floor: ${OMEGA_MIN_RELATIVE} x |typical|)`);
    return { typical: theta, omega, rawOmega: sd, notes };
  }

  if (distribution === "logNormal") {
    let t = theta;
    if (!(t > 0)) {
      t = Math.abs(t) > POSITIVE_FLOOR ? Math.abs(t) : POSITIVE_FLOOR;
      notes.push(
        `${name}: estimate ${theta} is not positive but the parameter is logNormal; started at ${t} instead ` +
          `(|estimate|, floored at ${POSITIVE_FLOOR}); consider declaring it normal`,
      );
    }
    if (sd === null) return { typical: t, omega: null, rawOmega: null, notes };
    const raw = Math.sqrt(Math.log1p((sd * sd) / (t * t)));
    const omega = clampOmega(name, raw, notes);
    return { typical: t * Math.exp(-(omega * omega) / 2), omega, rawOmega: raw, notes };
  }

  // logitNormal on (min, max): typical = theta (kept strictly inside), delta-method omega.
  const { min: a, max: b } = bounds;
  const margin = 1e-3 * (b - a);
  let t = theta;
  if (!(t > a + margin && t < b - margin)) {
    t = Math.min(b - margin, Math.max(a + margin, t));
    notes.push(`${name}: estimate ${theta} is outside the logitNormal range (${a}, ${b}); started at ${t}`);
  }
  if (sd === null) return { typical: t, omega: null, rawOmega: null, notes };
  const raw = (sd * (b - a)) / ((t - a) * (b - t));
  return { typical: t, omega: clampOmega(name, raw, notes), rawOmega: raw, notes };
}

/**
 * For a parameter known only through its individual values (mapped back from a product): the log-normal
 * typical value is their median and omega the SD of their logs, robustly (1.4826 x the median absolute deviation),
 * since a ratio of two noisy estimates has heavy tails. Non-positive values are left out, with a note.
 */
export function convertFromIndividuals(name: string, values: number[], distribution: Distribution, bounds?: Bounds): Converted {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) throw new Error(`parameter ${name}: no finite individual value to export`);
  if (distribution !== "logNormal") {
    const m = median(finite);
    const sd = Math.sqrt(finite.reduce((a, v) => a + (v - m) ** 2, 0) / Math.max(1, finite.length - 1));
    return convertParameter(name, m, sd, distribution, bounds);
  }
  const notes: string[] = [];
  const positive = finite.filter((v) => v > 0);
  if (positive.length < finite.length) {
    notes.push(`${name}: ${finite.length - positive.length} of ${finite.length} individual values are not positive and were left out of the log-normal start`);
  }
  if (positive.length === 0) return convertParameter(name, median(finite), null, distribution, bounds);
  const logs = positive.map(Math.log);
  const center = median(logs);
  const raw = 1.4826 * median(logs.map((l) => Math.abs(l - center)));
  notes.push(`${name}: started from its ${positive.length} individual values: typical = their median, omega = robust SD of their logs`);
  return { typical: Math.exp(center), omega: clampOmega(name, raw, notes), rawOmega: raw, notes };
}


function clampOmega(name: string, raw: number, notes: string[]): number {
  const omega = Math.min(OMEGA_MAX, Math.max(OMEGA_MIN, raw));
  if (omega !== raw)
    notes.push(`${name}: omega ${raw.toPrecision(4)} clamped to ${omega} (range [${OMEGA_MIN}, ${OMEGA_MAX}])`);
  return omega;
}

/** d h(psi)/d psi at theta, for the delta-method covariance of mixed distributions. */
function slope(distribution: Distribution, theta: number, bounds: Bounds): number {
  if (distribution === "normal") return 1;
  if (distribution === "logNormal") return 1 / theta;
  return (bounds.max - bounds.min) / ((theta - bounds.min) * (bounds.max - theta));
}

export interface CorrelationInput {
  distribution: Distribution;
  /** Our estimate, already made valid for the distribution (|theta| for a negative logNormal). */
  theta: number;
  /** Unclamped transformed SD (Converted.rawOmega). */
  rawOmega: number;
  bounds?: Bounds;
}

/**
 * Correlation of the transformed random effects from the additive covariance c.
 * Both logNormal: exact bivariate log-normal moments, ln(1 + c/(theta1 theta2)) / (w1 w2);
 * otherwise the delta method. Clamped to (-CORR_MAX, CORR_MAX).
 */
export function convertCorrelation(p: CorrelationInput, q: CorrelationInput, cov: number): number {
  let r: number;
  if (p.rawOmega <= 0 || q.rawOmega <= 0) return 0;
  if (p.distribution === "logNormal" && q.distribution === "logNormal") {
    const arg = 1 + cov / (p.theta * q.theta);
    r = arg > 0 ? Math.log(arg) / (p.rawOmega * q.rawOmega) : -CORR_MAX;
  } else {
    const dp = slope(p.distribution, p.theta, p.bounds ?? { min: 0, max: 1 });
    const dq = slope(q.distribution, q.theta, q.bounds ?? { min: 0, max: 1 });
    r = (cov * dp * dq) / (p.rawOmega * q.rawOmega);
  }
  if (!Number.isFinite(r)) return 0;
  return Math.max(-CORR_MAX, Math.min(CORR_MAX, r));
}

/** Shrinks the off-diagonal of a correlation matrix toward 0 until it is positive definite. */
export function shrinkToPositiveDefinite(corr: number[][]): { matrix: number[][]; factor: number } {
  let factor = 1;
  for (let iter = 0; iter < 60; iter++) {
    const m = corr.map((row, i) => row.map((v, j) => (i === j ? 1 : v * factor)));
    if (isPositiveDefinite(m)) return { matrix: m, factor };
    factor *= 0.9;
  }
  return { matrix: corr.map((row, i) => row.map((_, j) => (i === j ? 1 : 0))), factor: 0 };
}

function isPositiveDefinite(m: number[][]): boolean {
  const n = m.length;
  const l = m.map((r) => r.map(() => 0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = m[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(s > 1e-10)) return false;
        l[i]![i] = Math.sqrt(s);
      } else l[i]![j] = s / l[j]![j]!;
    }
  }
  return true;
}

/** Residual error parameters must be strictly positive; a missing/zero value gets a documented fallback. */
export function positiveError(name: string, value: number | undefined, fallback: number, notes: string[]): number {
  if (value !== undefined && Number.isFinite(value) && value > 0) return value;
  notes.push(`${name}: no positive estimate (${value}); started at ${fallback}`);
  return fallback;
}

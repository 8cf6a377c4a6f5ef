// The residual error model per output, y = f + g(f) eps with eps ~ N(0, 1): constant g = a, proportional
// g = b |f|, combined g = sqrt(a^2 + b^2 f^2) (Monolix's combined2, as the exports write it). Censored
// observations (CENS) contribute P(Y <= limit) = Phi((y - f) / g), the M3 method.
import type { ObservationMeta } from "../model.js";
import type { Observations } from "./predict.js";

export type ErrorKind = ObservationMeta["error"];

export interface ResidualParams {
  kind: ErrorKind[];
  a: Float64Array;
  b: Float64Array;
}

const LOG_2PI = Math.log(2 * Math.PI);
/** Keeps g away from zero where a proportional model predicts 0 (e.g. before a dose). */
const G_FLOOR = 1e-12;

export function errorSd(res: ResidualParams, o: number, f: number): number {
  const a = res.a[o]!;
  const b = res.b[o]!;
  switch (res.kind[o]!) {
    case "constant":
      return a;
    case "proportional":
      return Math.max(b * Math.abs(f), G_FLOOR);
    case "combined":
      return Math.sqrt(a * a + b * b * f * f);
  }
}

/** log p(y | f): the subject's observation log-likelihood for predictions f. */
export function observationLogLik(obs: Observations, f: Float64Array, res: ResidualParams): number {
  let ll = 0;
  for (let i = 0; i < obs.n; i++) {
    const g = errorSd(res, obs.output[i]!, f[i]!);
    const z = (obs.y[i]! - f[i]!) / g;
    ll += obs.censored[i] ? logPhi(z) : -0.5 * (LOG_2PI + z * z) - Math.log(g);
  }
  return ll;
}

/** d log p(y | f) / d f_i, for the Gauss-Newton step of parameters without variability. */
export function observationScore(obs: Observations, f: Float64Array, res: ResidualParams, out: Float64Array): void {
  for (let i = 0; i < obs.n; i++) {
    const o = obs.output[i]!;
    const fi = f[i]!;
    const g = errorSd(res, o, fi);
    const r = obs.y[i]! - fi;
    let dg = 0;
    if (res.kind[o] === "proportional") dg = res.b[o]! * Math.sign(fi);
    else if (res.kind[o] === "combined") dg = (res.b[o]! * res.b[o]! * fi) / g;
    if (obs.censored[i]) {
      const z = r / g;
      // d/df log Phi(z), z = (y - f)/g
      out[i] = -millsRatio(z) * (1 / g + (r * dg) / (g * g));
    } else out[i] = r / (g * g) + dg * ((r * r) / (g * g * g) - 1 / g);
  }
}

/** log Phi(z), accurate in the lower tail. */
export function logPhi(z: number): number {
  if (z > -5) return Math.log(0.5 * erfc(-z / Math.SQRT2));
  // Asymptotic series of the Mills ratio.
  const z2 = z * z;
  return -0.5 * z2 - Math.log(-z) - 0.5 * LOG_2PI + Math.log(1 - 1 / z2 + 3 / (z2 * z2));
}

/** phi(z) / Phi(z). */
function millsRatio(z: number): number {
  return Math.exp(-0.5 * z * z - 0.5 * LOG_2PI - logPhi(z));
}

/** Complementary error function (Numerical Recipes erfcc, relative error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Per output, what the closed-form M-step needs from the current individual predictions. */
export interface ResidualStats {
  /** Number of uncensored observations per output. */
  n: Float64Array;
  /** Sum of squared residuals (constant) or of squared relative residuals (proportional). */
  s: Float64Array;
}

export function newResidualStats(outputs: number): ResidualStats {
  return { n: new Float64Array(outputs), s: new Float64Array(outputs) };
}

/** Adds one subject's residuals to `stats` (uncensored observations only). */
export function accumulateResidual(stats: ResidualStats, obs: Observations, f: Float64Array, res: ResidualParams): void {
  for (let i = 0; i < obs.n; i++) {
    if (obs.censored[i]) continue;
    const o = obs.output[i]!;
    const r = obs.y[i]! - f[i]!;
    stats.n[o]! += 1;
    if (res.kind[o] === "proportional") {
      const fi = Math.max(Math.abs(f[i]!), G_FLOOR);
      stats.s[o]! += (r / fi) ** 2;
    } else stats.s[o]! += r * r;
  }
}

/**
 * Combined error has no closed-form M-step: minimise sum log g + r^2 / (2 g^2) over (log a, log b) for one
 * output, given residuals and predictions, by a few Newton steps on a 2-parameter problem (Monolix also
 * optimises numerically here).
 */
export function combinedMStep(r: ArrayLike<number>, f: ArrayLike<number>, a0: number, b0: number): [number, number] {
  let la = Math.log(Math.max(a0, 1e-12));
  let lb = Math.log(Math.max(b0, 1e-12));
  const obj = (x: number, y: number) => {
    const a2 = Math.exp(2 * x);
    const b2 = Math.exp(2 * y);
    let s = 0;
    for (let i = 0; i < r.length; i++) {
      const g2 = a2 + b2 * f[i]! * f[i]!;
      s += 0.5 * Math.log(g2) + (r[i]! * r[i]!) / (2 * g2);
    }
    return s;
  };
  // Derivative-free: coordinate search with shrinking steps is enough for two well-scaled log parameters.
  let step = 0.5;
  let best = obj(la, lb);
  while (step > 1e-4) {
    let moved = false;
    for (const [dx, dy] of [[step, 0], [-step, 0], [0, step], [0, -step]] as const) {
      const v = obj(la + dx, lb + dy);
      if (v < best) {
        best = v;
        la += dx;
        lb += dy;
        moved = true;
        break;
      }
    }
    if (!moved) step /= 2;
  }
  return [Math.exp(la), Math.exp(lb)];
}

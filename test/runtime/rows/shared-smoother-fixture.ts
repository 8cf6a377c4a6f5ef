// Seeded growth populations with their noise-free curves, and the errors of the per-subject and the shared
// smoother against them (test/runtime/rows/shared-smoother.test.ts, scripts/shared-smoother-accuracy.ts).
import { createRng } from "../../../src/runtime/numeric/random.js";
import { smoothSeries, type SmoothFit } from "../../../src/runtime/rows/smooth.js";
import { smoothShared, type SharedSeries } from "../../../src/runtime/rows/shared-smoother.js";
import { splineDerivative, splineValue } from "../../../src/runtime/numeric/bspline.js";
import { pchip, pchipValue } from "../../../src/runtime/numeric/pchip.js";

export interface GrowthSubject {
  kA: number;
  k: number;
  times: Float64Array;
  values: Float64Array;
}

export const GROWTH_TIMES = [2, 4, 8, 12, 16, 22];
export const GROWTH_B = 0.03;

export function growthTruth(s: { kA: number; k: number }, t: number): { h: number; dh: number } {
  const a = s.kA / s.k;
  const h = a + (1 - a) * Math.exp(-s.k * t);
  return { h, dh: s.kA - s.k * h };
}

export function growthPopulation(seed: number, subjects = 14): GrowthSubject[] {
  const rng = createRng(seed);
  return Array.from({ length: subjects }, () => {
    const kA = 4.8 * Math.exp(0.1 * rng.normal());
    const k = 0.08 * Math.exp(0.05 * rng.normal());
    const times = Float64Array.from(GROWTH_TIMES);
    const values = times.map((t) => growthTruth({ kA, k }, t).h * (1 + GROWTH_B * rng.normal()));
    return { kA, k, times, values };
  });
}

/** Weights 1/fitted^2 (no smaller than half the observation), mean 1: the proportional refit of rows/curves.ts. */
function relativeWeights(fitted: Float64Array, values: Float64Array): Float64Array {
  const w = fitted.map((f, i) => 1 / Math.max(f, 0.5 * Math.abs(values[i]!)) ** 2);
  const mean = w.reduce((a, b) => a + b, 0) / w.length;
  return w.map((x) => x / mean);
}

export function perSubjectFits(pop: GrowthSubject[], undersmooth = 0.1): SmoothFit[] {
  return pop.map((s) => {
    const pilot = smoothSeries(s.times, s.values, { undersmooth, coarse: true });
    return smoothSeries(s.times, s.values, { undersmooth, weights: relativeWeights(pilot.noise.fitted, s.values), lambdaHint: pilot.noise.lambda });
  });
}

export function sharedFits(pop: GrowthSubject[], undersmooth = 1): { fits: SmoothFit[]; b: number } {
  const series: SharedSeries[] = pop.map((s) => ({ times: s.times, values: s.values }));
  const pilot = smoothShared(series);
  const weighted = series.map((s, i) => ({ ...s, weights: relativeWeights(pilot.subjects[i]!.noise.fitted, s.values) }));
  const fit = smoothShared(weighted, { undersmooth });
  // Relative residuals: weights are 1/level^2 up to their mean, so rss / (n - edf) is b^2 up to that scale.
  let ss = 0;
  fit.subjects.forEach((f, i) => f.noise.residuals.forEach((r, j) => (ss += (r / Math.max(f.noise.fitted[j]!, 0.5 * Math.abs(pop[i]!.values[j]!))) ** 2)));
  return { fits: fit.subjects, b: Math.sqrt(ss / (fit.n - fit.edf)) };
}

/** Relative RMSE of value and derivative over [first, last sample] (201 points per subject), pooled over subjects. */
function curveErrors(pop: GrowthSubject[], value: (i: number, t: number) => number, deriv: ((i: number, t: number) => number) | null): { value: number; deriv: number } {
  let sv = 0;
  let sd = 0;
  let n = 0;
  pop.forEach((s, i) => {
    const t0 = s.times[0]!;
    const t1 = s.times[s.times.length - 1]!;
    for (let g = 0; g <= 200; g++) {
      const t = t0 + ((t1 - t0) * g) / 200;
      const tr = growthTruth(s, t);
      sv += (value(i, t) / tr.h - 1) ** 2;
      if (deriv) sd += (deriv(i, t) / tr.dh - 1) ** 2;
      n++;
    }
  });
  return { value: Math.sqrt(sv / n), deriv: deriv ? Math.sqrt(sd / n) : Number.NaN };
}

export function smootherErrors(pop: GrowthSubject[]): Record<string, number> {
  const own = perSubjectFits(pop);
  const shared = sharedFits(pop);
  const sharedUnder = sharedFits(pop, 0.1);
  const ip = pop.map((s) => pchip(s.times, s.values));
  const e = (fits: SmoothFit[]) => curveErrors(pop, (i, t) => splineValue(fits[i]!.basis, fits[i]!.coef, t), (i, t) => splineDerivative(fits[i]!.basis, fits[i]!.coef, t));
  const o = e(own);
  const sh = e(shared.fits);
  const su = e(sharedUnder.fits);
  const pc = curveErrors(pop, (i, t) => pchipValue(ip[i]!, t), null);
  return { ownValue: o.value, ownDeriv: o.deriv, sharedValue: sh.value, sharedDeriv: sh.deriv, sharedUnderValue: su.value, sharedUnderDeriv: su.deriv, pchipValue: pc.value, sharedB: shared.b };
}

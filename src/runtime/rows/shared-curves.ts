// Which outputs are smoothed by borrowing strength across subjects, and their
// curve pieces (rows/shared-smoother.ts). The rule: an observed state's output
// is smoothed with the shared smoother when
//   - no dose makes that state jump (one piece per subject, on one time axis),
//   - at least SHARED_MIN_SUBJECTS subjects have 2 samples or more,
//   - at least half of them are sparse: their sampling allows fewer than
//     MIN_LEVELS_FOR_TESTS levels of test functions (the subjects that get
//     integral rows, see rows/integral-rows.ts chooseRowForm), and
//   - the design is common enough: the median subject spans at least half of
//     the union of the spans (subjects observed over the same stretch of time,
//     so that a population curve means something at every subject's samples).
// Measured on seeded growth_sparse populations (scripts/shared-smoother-accuracy.ts,
// 10 seeds, median relative RMSE against the noise-free curves): value 1.8%
// against 2.4% for the per-subject P-spline, derivative 9.0% against 22%; the
// noise estimate b 0.028 (truth 0.03). Dense designs keep the per-subject
// smoother, which GCV already serves well there.
import type { CompiledModel } from "../model.js";
import type { Dataset } from "../data/dataset.js";
import { chooseWarp, type OutputNoise } from "./curves.js";
import { jumpTimes, observationOfState, warpTime, type CurvePiece, type TimeWarp } from "./weak-form.js";
import { levelsFor, medianSpacing, type TestFunctionOptions } from "./test-functions.js";
import { MIN_LEVELS_FOR_TESTS } from "./integral-rows.js";
import { smoothShared, type SharedSeries } from "./shared-smoother.js";
import { median } from "../numeric/summary.js";

export const SHARED_MIN_SUBJECTS = 8;

/** "auto": the rule above; "subject": the per-subject P-spline everywhere; "shared": the shared smoother wherever it can be used (no jumps, 2 subjects). */
export type SmootherChoice = "auto" | "subject" | "shared";

/** The samples of state k's output per subject (censored values left out), or null when a dose makes the state jump. */
function seriesOf(model: CompiledModel, data: Dataset, k: number): { series: (SharedSeries | null)[]; censored: number } | null {
  const o = observationOfState(model)[k]!;
  if (o < 0) return null;
  let censored = 0;
  const series: (SharedSeries | null)[] = [];
  for (const subject of data.subjects) {
    if (jumpTimes(model, subject, k).length > 0) return null;
    const s = subject.series[o];
    if (!s) {
      series.push(null);
      continue;
    }
    const keep: number[] = [];
    s.times.forEach((_, i) => (s.censored && s.censored[i] !== 0 ? censored++ : keep.push(i)));
    const times = Float64Array.from(keep, (i) => s.times[i]!);
    const ok = times.length >= 2 && times[times.length - 1]! > times[0]!;
    series.push(ok ? { times, values: Float64Array.from(keep, (i) => s.values[i]!) } : null);
  }
  return { series, censored };
}

/** The rule of the module header, on one output's series. */
export function sharedSmoothingApplies(series: (SharedSeries | null)[], tests?: TestFunctionOptions): boolean {
  return ruleHolds(series.flatMap((s) => (s ? [s.times] : [])), tests);
}

/**
 * The rule on the sample times of the series that have two distinct times or
 * more. Consecutive subjects sampled alike (the usual study) share one
 * sparseness verdict instead of a sort each.
 */
function ruleHolds(present: readonly Float64Array[], tests?: TestFunctionOptions): boolean {
  if (present.length < SHARED_MIN_SUBJECTS) return false;
  let sparse = 0;
  let previous: Float64Array | undefined;
  let previousSparse = false;
  for (const times of present) {
    if (!previous || !sameValues(previous, times)) {
      previousSparse = times.length < 4 || levelsFor(times[times.length - 1]! - times[0]!, medianSpacing(times), tests) < MIN_LEVELS_FOR_TESTS;
      previous = times;
    }
    if (previousSparse) sparse++;
  }
  if (2 * sparse < present.length) return false;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const t of present) {
    lo = Math.min(lo, t[0]!);
    hi = Math.max(hi, t[t.length - 1]!);
  }
  return median(present.map((t) => (t[t.length - 1]! - t[0]!) / (hi - lo))) >= 0.5;
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The rule read off the data without copying a series (a copy is made only of
 * a censored one): most designs fail it, and copying every subject's series to
 * learn that cost a tenth of the smoothing. False when a dose makes the state jump.
 */
function mayShare(model: CompiledModel, data: Dataset, k: number, tests?: TestFunctionOptions): boolean {
  const o = observationOfState(model)[k]!;
  if (o < 0) return false;
  const present: Float64Array[] = [];
  for (const subject of data.subjects) {
    if (jumpTimes(model, subject, k).length > 0) return false;
    const s = subject.series[o];
    if (!s) continue;
    const c = s.censored;
    const times = c && c.some((x) => x !== 0) ? s.times.filter((_, i) => c[i] === 0) : s.times;
    if (times.length >= 2 && times[times.length - 1]! > times[0]!) present.push(times);
  }
  return ruleHolds(present, tests);
}

/** Weights 1/level^2 (the level no smaller than half the observation, as rows/curves.ts), mean 1; undefined when a level is not positive. */
function relativeWeights(fitted: Float64Array, values: Float64Array): Float64Array | undefined {
  const w = new Float64Array(fitted.length);
  let mean = 0;
  for (let i = 0; i < w.length; i++) {
    const s = Math.max(fitted[i]!, 0.5 * Math.abs(values[i]!));
    if (!(s > 0)) return undefined;
    mean += w[i] = 1 / (s * s);
  }
  mean /= w.length;
  return w.map((x) => x / mean);
}

export interface SharedCurves {
  /** Per regressed state smoothed with the shared smoother: each subject's pieces (empty when it has too few samples). */
  byState: Map<number, CurvePiece[][]>;
  /** Names of the outputs so smoothed. */
  outputs: string[];
  censoredDropped: number;
}

/**
 * The shared curves of every output the rule (or `choice`) selects, with
 * their residuals added to the pooled noise (`noise`, per output) as
 * rows/curves.ts smoothState does for the per-subject smoother. Proportional
 * outputs are refitted with weights 1/level^2 when `weighted`, and their b
 * comes from the relative residuals over the pooled residual degrees of freedom.
 */
export function sharedCurves(
  model: CompiledModel,
  data: Dataset,
  weighted: boolean,
  noise: OutputNoise[],
  choice: SmootherChoice = "auto",
  tests?: TestFunctionOptions,
  /** Dose times per subject index: the curves may then live on a log time warp from the doses (curves.ts chooseWarp), one warp for all. */
  warpOrigins?: (subject: number) => number[],
): SharedCurves {
  const out: SharedCurves = { byState: new Map(), outputs: [], censoredDropped: 0 };
  if (choice === "subject") return out;
  const obsOf = observationOfState(model);
  for (let k = 0; k < model.nStates; k++) {
    if (choice === "auto" && !mayShare(model, data, k, tests)) continue;
    const got = seriesOf(model, data, k);
    if (!got) continue;
    const present = got.series.filter((s): s is SharedSeries => s !== null);
    if (choice !== "auto" && present.length < 2) continue;
    const warp = warpOrigins ? commonWarp(got.series, warpOrigins) : undefined;
    if (warp === null) continue;
    const axis = (s: SharedSeries): SharedSeries => (warp ? { ...s, times: s.times.map((t) => warpTime(warp, t)) } : s);
    const o = obsOf[k]!;
    const error = model.meta.observations[o]!.error;
    let fit = smoothShared(present.map(axis));
    if (weighted && error !== "constant") {
      const w = present.map((s, i) => relativeWeights(fit.subjects[i]!.noise.fitted, s.values));
      if (w.every((x) => x !== undefined)) fit = smoothShared(present.map((s, i) => ({ ...axis(s), weights: w[i] })));
    }
    const acc = noise[o]!;
    const dfShare = (fit.n - fit.edf) / fit.n;
    let at = 0;
    const pieces = got.series.map((s): CurvePiece[] => {
      if (!s) return [];
      const f = fit.subjects[at++]!;
      addResiduals(acc, f.noise.fitted, f.noise.residuals, s.values, dfShare);
      return [{ start: s.times[0]!, end: s.times[s.times.length - 1]!, times: s.times, values: s.values, fit: f, ...(warp ? { warp } : {}) }];
    });
    out.byState.set(k, pieces);
    out.outputs.push(model.meta.observations[o]!.name);
    out.censoredDropped += got.censored;
  }
  return out;
}

/** The one time warp every subject's series would get (undefined: none for all; null: they differ, so no common axis). */
function commonWarp(series: (SharedSeries | null)[], origins: (subject: number) => number[]): TimeWarp | undefined | null {
  let first: TimeWarp | undefined | null = null;
  const key = (w: TimeWarp | undefined): string => (w ? JSON.stringify([w.origin, w.shift, w.kinks ?? []]) : "none");
  for (let i = 0; i < series.length; i++) {
    const s = series[i];
    if (!s) continue;
    const w = chooseWarp(s.times, origins(i));
    if (first === null) first = w;
    else if (key(first) !== key(w)) return null;
  }
  return first ?? undefined;
}

/** Which outputs were smoothed by borrowing strength across subjects (the fit's note). */
export function sharedSmoothingNote(outputs: string[]): string {
  return `Curves of ${outputs.join(", ")}: shared smoother (a population P-spline plus each subject's penalised deviation, lambdas by pooled GCV; rows/shared-curves.ts), chosen because most subjects are sampled too sparsely for a curve of their own on a common design; the other outputs: per-subject P-splines.`;
}

/**
 * One subject's residuals into the pooled noise of its output. The residual
 * degrees of freedom are the pooled n - edf shared in proportion to the
 * samples; the relative residuals stand for the log-scale ones that b of a
 * proportional output is read from (rows/curves.ts residualErrors).
 */
function addResiduals(acc: OutputNoise, fitted: Float64Array, residuals: Float64Array, values: Float64Array, dfShare: number): void {
  const n = fitted.length;
  acc.df += n * dfShare;
  acc.dfLog += n * dfShare;
  acc.n += n;
  for (let i = 0; i < n; i++) {
    const r = residuals[i]!;
    const fi = fitted[i]!;
    const scale = Math.max(Math.abs(fi), 0.5 * Math.abs(values[i]!));
    acc.ss += r * r;
    if (scale > 0) {
      acc.ssRel += (r / scale) ** 2;
      acc.ssLog += (r / scale) ** 2;
    }
    acc.sf2 += fi * fi;
    acc.sf4 += fi ** 4;
    acc.sr2 += r * r;
    acc.sr2f2 += r * r * fi * fi;
  }
}

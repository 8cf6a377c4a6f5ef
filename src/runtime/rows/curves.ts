// Per-subject curve estimates shared by the dense and latent-state fitters:
// smoothing of each observed output between jumps, with the pooled smoothing
// residuals that give the residual error model and the row scales.
import type { CompiledModel } from "../model.js";
import type { Dataset } from "../data/dataset.js";
import type { ResidualError } from "../fit-result.js";
import type { SmoothFit, SmoothOptions } from "./smooth.js";
import { smoothSeries } from "./smooth.js";
import { observationOfState, smoothOutput, warpTime, weightedFit, type CurvePiece, type TimeWarp } from "./weak-form.js";

/** Pooled smoothing residuals of one output (see `residualErrors`). */
export interface OutputNoise {
  ss: number;
  ssRel: number;
  df: number;
  n: number;
  /** For the combined model: sums for res^2 ~ a^2 + b^2 f^2. */
  sf2: number;
  sf4: number;
  sr2: number;
  sr2f2: number;
  /** Proportional outputs: residual sum of squares and degrees of freedom of the smoothing of log(y) (see `smoothState`). */
  ssLog: number;
  dfLog: number;
}

/** The sums of `OutputNoise`, in its order. */
export const NOISE_KEYS = ["ss", "ssRel", "df", "n", "sf2", "sf4", "sr2", "sr2f2", "ssLog", "dfLog"] as const satisfies readonly (keyof OutputNoise)[];
// Every sum listed: a field added to OutputNoise and not to NOISE_KEYS does not compile here.
const everySumListed: Record<Exclude<keyof OutputNoise, (typeof NOISE_KEYS)[number]>, never> = {};
void everySumListed;

/** An empty accumulator per output, for `smoothState`. */
export function newNoise(model: CompiledModel): OutputNoise[] {
  return model.meta.observations.map<OutputNoise>(() => ({ ss: 0, ssRel: 0, df: 0, n: 0, sf2: 0, sf4: 0, sr2: 0, sr2f2: 0, ssLog: 0, dfLog: 0 }));
}

/**
 * Smooth the output that observes state k, split at `jumps`, leaving out
 * censored values; pooled residuals go into `noise` (per output). Weighted
 * (1/fitted^2) refit for proportional/combined outputs when `weighted`.
 */
export function smoothState(
  model: CompiledModel,
  subject: Dataset["subjects"][number],
  k: number,
  jumps: number[],
  smoothing: SmoothOptions,
  weighted: boolean,
  noise: OutputNoise[],
  /** Dose times: when given, each piece may be smoothed on a log time warp from its latest dose (see `chooseWarp`). */
  warpOrigins?: number[],
): { pieces: CurvePiece[]; censoredDropped: number } {
  const meta = model.meta;
  const o = observationOfState(model)[k]!;
  const series = o >= 0 ? subject.series[o] : undefined;
  if (!series || series.times.length < 2) return { pieces: [], censoredDropped: 0 };
  let times = series.times;
  let values = series.values;
  let censoredDropped = 0;
  if (series.censored && series.censored.some((c) => c !== 0)) {
    const keep: number[] = [];
    series.censored.forEach((c, i) => {
      if (c === 0) keep.push(i);
    });
    censoredDropped += times.length - keep.length;
    times = Float64Array.from(keep, (i) => series.times[i]!);
    values = Float64Array.from(keep, (i) => series.values[i]!);
  }
  const error = meta.observations[o]!.error;
  const weightsFor = weighted && error !== "constant" ? relativeWeights : undefined;
  const pieces = smoothOutput(times, values, jumps, smoothing, weightsFor);
  if (warpOrigins)
    for (const piece of pieces) {
      const w = chooseWarp(piece.times, warpOrigins);
      if (!w) continue;
      const u = piece.times.map((t) => warpTime(w, t));
      piece.fit = weightedFit(u, piece.values, smoothing, weightsFor ? { ...smoothing, coarse: true } : smoothing, weightsFor);
      piece.warp = w;
    }
  for (const piece of pieces) {
    const f = piece.fit.noise;
    const acc = noise[o]!;
    if (error === "proportional") addLogResiduals(piece, smoothing, acc);
    acc.df += Math.max(0, piece.times.length - f.edf);
    acc.n += piece.times.length;
    for (let i = 0; i < piece.times.length; i++) {
      const r = f.residuals[i]!;
      const fi = f.fitted[i]!;
      acc.ss += r * r;
      // Relative to the fitted value, but no smaller than half the observation
      // (as the smoothing weights): a fitted value near 0 where the data are
      // not would otherwise let one point dominate the pooled b.
      const scale = Math.max(Math.abs(fi), 0.5 * Math.abs(fi + r));
      if (scale > 0) acc.ssRel += (r / scale) ** 2;
      acc.sf2 += fi * fi;
      acc.sf4 += fi ** 4;
      acc.sr2 += r * r;
      acc.sr2f2 += r * r * fi * fi;
    }
  }
  return { pieces, censoredDropped };
}

/** Weights 1/level^2 from a pilot fit, mean 1; undefined when a level is not positive (the level: inside). */
function relativeWeights(f: Pick<SmoothFit, "noise">): Float64Array | undefined {
  const fitted = f.noise.fitted;
  const w = new Float64Array(fitted.length);
  let mean = 0;
  for (let i = 0; i < w.length; i++) {
    // The pilot fit is unweighted, so where a proportional output spans
    // decades its troughs are fitted to the noise of its peaks and may
    // dip to 0 or below: the scale is then taken no smaller than half
    // the observation (y = fitted + residual), rather than giving up the
    // weighting, which left such a subject's troughs off by 100% and
    // its relative residuals inflating the pooled error b (issue 17).
    const s = Math.max(fitted[i]!, 0.5 * Math.abs(fitted[i]! + f.noise.residuals[i]!));
    if (!(s > 0)) return undefined;
    mean += w[i] = 1 / (s * s);
  }
  mean /= w.length;
  for (let i = 0; i < w.length; i++) w[i] = w[i]! / mean;
  return w;
}

/**
 * A proportional error y = f (1 + b e) is an additive one on the log scale,
 * log y = log f + b e (to first order), where the curve is also far smoother:
 * a population whose outputs swing over decades (predator-prey cycles, a
 * concentration after a dose) has troughs that a curve on the natural scale
 * follows only roughly, and its relative residuals there measure that misfit,
 * not the noise (issue 17: b came out 1.3 to 8 times the truth). So b is
 * measured on log(y), by the same GCV smoother, unweighted. A piece with a
 * value <= 0 has no log and is left out of b; an output with no such piece at
 * all keeps the relative residuals of its natural-scale curves.
 */
function addLogResiduals(piece: CurvePiece, smoothing: SmoothOptions, acc: OutputNoise): void {
  const n = piece.values.length;
  for (let i = 0; i < n; i++) if (!(piece.values[i]! > 0)) return;
  let times = piece.times;
  if (piece.warp) {
    times = new Float64Array(n);
    for (let i = 0; i < n; i++) times[i] = warpTime(piece.warp, piece.times[i]!);
  }
  // Loops rather than Float64Array.from(..., map): the mapped form is many times slower in V8.
  const logs = new Float64Array(n);
  for (let i = 0; i < n; i++) logs[i] = Math.log(piece.values[i]!);
  const logFit = smoothSeries(times, logs, smoothing.maxSegments !== undefined ? { maxSegments: smoothing.maxSegments } : {});
  let ss = 0;
  for (let i = 0; i < n; i++) ss += logFit.noise.residuals[i]! ** 2;
  acc.ssLog += ss;
  // The residual degrees of freedom proper: n - edf overstates them on the few points of a sparse design.
  acc.dfLog += Math.max(0, logFit.residualDf ? logFit.residualDf() : n - logFit.noise.edf);
}

/** Residual error per output from the pooled smoothing residuals, and the absolute noise SD per output. */
export function residualErrors(model: CompiledModel, noise: OutputNoise[]): { residual: Record<string, ResidualError>; absSd: Float64Array } {
  const meta = model.meta;
  const residual: Record<string, ResidualError> = {};
  const absSd = new Float64Array(meta.observations.length);
  meta.observations.forEach((o, i) => {
    const acc = noise[i]!;
    const df = Math.max(acc.df, 1);
    const a = Math.sqrt(acc.ss / df);
    const b = acc.dfLog > 0 ? Math.sqrt(acc.ssLog / acc.dfLog) : Math.sqrt(acc.ssRel / df);
    absSd[i] = a;
    if (o.error === "constant") residual[o.name] = { error: "constant", a };
    else if (o.error === "proportional") residual[o.name] = { error: "proportional", b };
    else {
      // res^2 ~ a^2 + b^2 f^2 by least squares (a crude split, rescaled for the degrees of freedom).
      const n = Math.max(acc.n, 1);
      const det = n * acc.sf4 - acc.sf2 * acc.sf2;
      let a2 = det !== 0 ? (acc.sr2 * acc.sf4 - acc.sf2 * acc.sr2f2) / det : acc.sr2 / n;
      let b2 = det !== 0 ? (n * acc.sr2f2 - acc.sf2 * acc.sr2) / det : 0;
      if (a2 < 0) a2 = 0;
      if (b2 < 0) b2 = 0;
      const c = n / df;
      residual[o.name] = { error: "combined", a: Math.sqrt(a2 * c), b: Math.sqrt(b2 * c) };
    }
  });
  return { residual, absSd };
}

/** Coefficient of variation of the gaps between consecutive values. */
function gapCv(u: ArrayLike<number>): number {
  const gaps: number[] = [];
  for (let i = 1; i < u.length; i++) if (u[i]! > u[i - 1]!) gaps.push(u[i]! - u[i - 1]!);
  if (gaps.length < 2) return 0;
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const v = gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length;
  return Math.sqrt(v) / mean;
}

/**
 * A log time warp u = log(t - origin + shift) from the latest dose at or
 * before the piece (the origin), restarting at later doses inside it (see TimeWarp), when it makes the sampling gaps more even
 * than they are in t: after a dose, samples are usually log-spaced (hours,
 * then days, then weeks) while a P-spline on uniform knots spends its knots
 * evenly, so without the warp the fast early phase falls inside one knot span.
 * The shift is chosen among multiples of the first sampling offset after the
 * origin by the same criterion (even gaps); deterministic.
 */
export function chooseWarp(times: Float64Array, origins: number[]): TimeWarp | undefined {
  if (times.length < 3) return undefined;
  const t0 = times[0]!;
  let origin = Number.NaN;
  for (const o of origins) if (o <= t0) origin = o;
  if (!Number.isFinite(origin)) return undefined;
  let first = Number.NaN;
  for (const t of times)
    if (t > origin) {
      first = t - origin;
      break;
    }
  if (!(first > 0)) return undefined;
  const t1 = times[times.length - 1]!;
  const kinks = origins.filter((o) => o > t0 && o < t1);
  let best = gapCv(times);
  let chosen: TimeWarp | undefined;
  for (const f of [0.25, 0.5, 1, 2, 4, 8]) {
    const w: TimeWarp = kinks.length > 0 ? { origin, shift: f * first, kinks } : { origin, shift: f * first };
    if (!(t0 - origin + w.shift > 0)) continue;
    const score = gapCv(Array.from(times, (t) => warpTime(w, t)));
    if (score < best) {
      best = score;
      chosen = w;
    }
  }
  return chosen;
}

// Per-subject curve estimates shared by the dense and latent-state fitters:
// smoothing of each observed output between jumps, with the pooled smoothing
// residuals that give the residual error model and the row scales.
import type { CompiledModel } from "./model.js";
import type { Dataset } from "./dataset.js";
import type { ResidualError } from "./fit-result.js";
import type { SmoothFit, SmoothOptions } from "./smooth.js";
import { observationOfState, smoothOutput, type CurvePiece } from "./weak-form.js";

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
}

/** An empty accumulator per output, for `smoothState`. */
export function newNoise(model: CompiledModel): OutputNoise[] {
  return model.meta.observations.map<OutputNoise>(() => ({ ss: 0, ssRel: 0, df: 0, n: 0, sf2: 0, sf4: 0, sr2: 0, sr2f2: 0 }));
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
  const weightsFor =
    weighted && error !== "constant"
      ? (f: SmoothFit): Float64Array | undefined => {
          let min = Number.POSITIVE_INFINITY;
          for (const v of f.noise.fitted) min = Math.min(min, v);
          if (!(min > 0)) return undefined;
          const w = new Float64Array(f.noise.fitted.length);
          let mean = 0;
          for (let i = 0; i < w.length; i++) mean += (w[i] = 1 / (f.noise.fitted[i]! * f.noise.fitted[i]!));
          mean /= w.length;
          for (let i = 0; i < w.length; i++) w[i] = w[i]! / mean;
          return w;
        }
      : undefined;
  const pieces = smoothOutput(times, values, jumps, smoothing, weightsFor);
  for (const piece of pieces) {
    const f = piece.fit.noise;
    const acc = noise[o]!;
    acc.df += Math.max(0, piece.times.length - f.edf);
    acc.n += piece.times.length;
    for (let i = 0; i < piece.times.length; i++) {
      const r = f.residuals[i]!;
      const fi = f.fitted[i]!;
      acc.ss += r * r;
      if (fi !== 0) acc.ssRel += (r / fi) ** 2;
      acc.sf2 += fi * fi;
      acc.sf4 += fi ** 4;
      acc.sr2 += r * r;
      acc.sr2f2 += r * r * fi * fi;
    }
  }
  return { pieces, censoredDropped };
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
    const b = Math.sqrt(acc.ssRel / df);
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

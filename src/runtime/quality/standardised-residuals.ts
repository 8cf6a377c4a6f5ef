// How far a subject's individual prediction is from its data, in units of the
// residual error the fit reports: IWRES = (y - f) / sd(f), with sd(f) = a,
// b |f| or sqrt(a^2 + b^2 f^2) for constant, proportional and combined error
// (Monolix's conventions). When the model and the error model hold, IWRES is
// about N(0, 1): RMS near 1, |IWRES| > 3 for 0.27% of the observations.
import type { Subject } from "../data/dataset.js";
import type { FitResult } from "../fit-result.js";
import type { CompiledModel } from "../model.js";

export interface ResidualFigures {
  /** Sum of IWRES^2 and counts, so subjects can be pooled. */
  n: number;
  sumSq: number;
  above3: number;
  maxAbs: number;
  /** The prediction left the data's range (see `diverges`). */
  diverges: boolean;
}

/** A prediction this far outside the data has run away (an unstable ODE), whatever the residual error says. */
export const DIVERGENCE_FACTOR = 10;

export function residualFigures(model: CompiledModel, fit: FitResult, subject: Subject, predicted: Float64Array[]): ResidualFigures {
  const out: ResidualFigures = { n: 0, sumSq: 0, above3: 0, maxAbs: 0, diverges: false };
  model.meta.observations.forEach((ob, o) => {
    const s = subject.series[o];
    const f = predicted[o];
    if (!s || !f || s.values.length === 0) return;
    const err = fit.residual[ob.name];
    const a = err?.a ?? 0;
    const b = err?.b ?? 0;
    let yMax = Number.NEGATIVE_INFINITY;
    let fMax = Number.NEGATIVE_INFINITY;
    let yAbs = 0;
    let fAbs = 0;
    for (let i = 0; i < s.values.length; i++) {
      const y = s.values[i]!;
      const fi = f[i]!;
      if (!Number.isFinite(fi)) {
        out.diverges = true;
        continue;
      }
      fMax = Math.max(fMax, fi);
      fAbs = Math.max(fAbs, Math.abs(fi));
      if (s.censored?.[i] || !Number.isFinite(y)) continue;
      yMax = Math.max(yMax, y);
      yAbs = Math.max(yAbs, Math.abs(y));
      const sd = Math.sqrt(a * a + b * b * fi * fi);
      if (!(sd > 0)) continue;
      const r = (y - fi) / sd;
      out.n++;
      out.sumSq += r * r;
      if (Math.abs(r) > 3) out.above3++;
      out.maxAbs = Math.max(out.maxAbs, Math.abs(r));
    }
    // On a log scale "ten times the data" is a shift; elsewhere a ratio.
    const shift = ob.transform === "log10" ? Math.log10(DIVERGENCE_FACTOR) : ob.transform === "log" ? Math.log(DIVERGENCE_FACTOR) : undefined;
    if (shift !== undefined ? fMax > yMax + shift : fAbs > DIVERGENCE_FACTOR * yAbs && yAbs > 0) out.diverges = true;
  });
  return out;
}

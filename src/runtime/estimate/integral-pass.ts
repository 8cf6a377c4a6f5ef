// The second pass of the integral rows: each integral subject's rows are
// rebuilt whitened (rows/integral-rows.ts whitenedIntegralRows) at its
// individual parameters from the first pass, with every sample's noise SD
// from the residual error model, then profiled and summed again. Without it
// the rows count as independent with equal noise, which overstates what 6
// samples say about a subject's rate, and the population step reads the
// spread of the individual estimates as between-subject variability (growth_sparse:
// omega of k 0.10 against 0.05).
import type { CompiledModel } from "../model.js";
import type { Dataset } from "../data/dataset.js";
import type { FitResult } from "../fit-result.js";
import type { FitOptions } from "./options.js";
import type { DenseSubject } from "./log-scale.js";
import { whitenedIntegralRows } from "../rows/integral-rows.js";
import { observationOfState } from "../rows/weak-form.js";
import { gramSums, profileNuisance } from "../population/subject-rows.js";

export function whitenIntegralSubjects(model: CompiledModel, data: Dataset, kept: DenseSubject[], individual: FitResult["individual"], residual: FitResult["residual"], options: FitOptions): void {
  const meta = model.meta;
  const d = model.nStates;
  const obsOf = observationOfState(model);
  for (const sub of kept) {
    const ind = individual[sub.id];
    const subject = data.subjects[sub.index];
    if (sub.form !== "integral" || !sub.curves || !ind || !subject) continue;
    const theta = Float64Array.from(meta.parameters, (x) => ind[x.name] ?? Number.NaN);
    if (!theta.every(Number.isFinite)) continue;
    const curves = sub.curves;
    const noiseSd = (k: number, m: number, i: number): number => {
      const ob = meta.observations[obsOf[k]!]!;
      const r = residual[ob.name];
      const f = Math.abs(curves[k]![m]!.fit.noise.fitted[i]!);
      if (!r) return 0;
      return r.error === "constant" ? (r.a ?? 0) : r.error === "proportional" ? (r.b ?? 0) * f : Math.hypot(r.a ?? 0, (r.b ?? 0) * f);
    };
    const rows = whitenedIntegralRows(model, subject, curves, theta, noiseSd, { curve: options.integralCurve });
    if (!rows) continue;
    const all = gramSums(profileNuisance(rows, rows.nuisance.map((x) => x.column)));
    const p = model.nParams;
    const empty = { n: 0, gtg: new Float64Array(p * p), gty: new Float64Array(p), yty: 0 };
    sub.perState = Array.from({ length: d }, (_, k) => (k === 0 ? all : empty));
    sub.form = "whitened";
  }
}

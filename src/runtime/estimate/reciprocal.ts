// A parameter estimated as its reciprocal (`estimatedAs: "reciprocal"`: a volume
// used only as a divisor, `C += amt / V`) is a coefficient c = 1/V of the rows;
// the user reads V. This maps a FitResult written in coefficients to one in
// parameters: V_i = 1/c_i per subject, the population value 1/c, and the
// spread by the delta method (dV = -dc / c^2) when the effect is additive; a
// log-scale effect only changes sign (log V = -log c), so its omega stays.
// Derived quantities are left as computed: the compiled `derived` takes
// coefficients (the contract of model.ts).
import type { ModelMeta } from "../model.js";
import type { FitResult } from "../fit-result.js";

export function reportReciprocals(meta: ModelMeta, result: FitResult): FitResult {
  const reciprocal = meta.parameters.filter((p) => p.estimatedAs === "reciprocal").map((p) => p.name);
  if (reciprocal.length === 0) return result;
  const slope = new Map<string, number>();
  for (const name of reciprocal) {
    const est = result.parameters[name];
    if (!est || !(est.estimate !== 0)) continue;
    const c = est.estimate;
    const g = 1 / (c * c);
    slope.set(name, est.scale === "log" ? 1 : g);
    result.parameters[name] = {
      ...est,
      estimate: 1 / c,
      se: est.se === null ? null : est.se * g,
      omega: est.omega === null ? null : est.scale === "log" ? est.omega : est.omega * g,
    };
  }
  for (const row of Object.values(result.individual))
    for (const name of reciprocal) if (row[name] !== undefined && row[name] !== 0) row[name] = 1 / row[name]!;
  // Omega: the covariance of (V, others) is -cov(c, others) / c^2 (additive); on the log scale only the sign changes.
  const names = result.omega.names;
  const sign = names.map((n) => (slope.has(n) ? -1 : 1));
  const factor = names.map((n) => slope.get(n) ?? 1);
  result.omega.matrix = result.omega.matrix.map((row, a) => row.map((v, b) => (a === b ? v * factor[a]! ** 2 : v * sign[a]! * sign[b]! * factor[a]! * factor[b]!)));
  for (const key of Object.keys(result.omegaCorrelation)) {
    const [a, b] = key.split(",");
    if (slope.has(a!) !== slope.has(b!)) result.omegaCorrelation[key] = -result.omegaCorrelation[key]!;
  }
  reciprocalEffects(result, slope);
  const logScale = reciprocal.some((n) => result.parameters[n]?.scale === "log");
  result.notes.push(
    `${reciprocal.join(", ")} ${reciprocal.length > 1 ? "were" : "was"} estimated as the coefficient 1/${reciprocal.length > 1 ? "x" : reciprocal[0]} (it divides the doses, so the rows are linear in its reciprocal) and reported as its reciprocal: per subject exactly, the population value as 1 / (typical coefficient), ${logScale ? "omega unchanged (log V = -log c)" : "an additive omega"} and the standard error by the delta method (d${reciprocal[0]} = -dc / c^2).`,
  );
  return result;
}

/**
 * Covariate effects estimated on a reciprocal's coefficient: on the log scale log V = -log c, so the effect only
 * changes sign; an additive effect on c is carried to V by the tangent at the reference (dV = -dc / c^2).
 */
function reciprocalEffects(result: FitResult, slope: Map<string, number>): void {
  for (const e of Object.values(result.covariateEffects ?? {})) {
    const g = slope.get(e.parameter);
    if (g === undefined) continue;
    const f = e.scale === "log" ? -1 : -g;
    e.estimate = e.estimate * f;
    if (e.se !== null) e.se = e.se * Math.abs(f);
  }
}

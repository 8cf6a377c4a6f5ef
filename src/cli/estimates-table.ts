// The terminal view of a fit: what a modeller reads first.
import { paint } from "./colors.js";
import { fmt, rse, table } from "./text-table.js";
import type { FitResult } from "../runtime/fit-result.js";

export function estimatesTable(fit: FitResult): string {
  const pc = paint.out;
  // A log-scale omega is the SD of log(theta_i) (Monolix's omega), marked so it is not read as an additive SD.
  const rows = Object.entries(fit.parameters).map(([name, p]) => [name, fmt(p.estimate), fmt(p.se), rse(p.estimate, p.se), p.scale === "log" && p.omega !== null ? `${fmt(p.omega)} (log)` : fmt(p.omega)]);
  const parts = [
    `${pc.bold(fit.model)}: ${fit.subjects} subjects, fitted in ${(fit.seconds * 1000).toFixed(1)} ms`,
  ];
  // A dictionary model has hundreds of coefficients, mostly zero: its selected terms are the table to read.
  if (!fit.terms) parts.push("", table(["parameter", "estimate", "s.e.", "r.s.e.", "omega (SD)"], rows));
  const effects = Object.entries(fit.covariateEffects ?? {});
  if (effects.length > 0) {
    // On the parameter's transformed scale (log for a log-normal parameter), as the spec writes the effect.
    const rowsCov = effects.map(([name, e]) => [name, fmt(e.estimate), fmt(e.se), e.scale === "log" ? `log ${e.parameter}` : e.parameter]);
    parts.push("", table(["covariate effect", "estimate", "s.e.", "on"], rowsCov));
    const levels = Object.entries(fit.covariateLevels ?? {});
    for (const [c, lv] of levels) parts.push(`${pc.dim(`${c}:`)} levels ${lv.join(", ")} (reference ${lv[0]})`);
  }
  const initial = Object.entries(fit.initialStates ?? {});
  if (initial.length > 0)
    parts.push("", table(["initial state", "estimate", "omega (SD)"], initial.map(([n, x]) => [`${n}(0)`, fmt(x.estimate), x.scale === "log" ? `${fmt(x.omega)} (log)` : fmt(x.omega)])));
  const derived = Object.entries(fit.derived);
  if (derived.length > 0) parts.push("", table(["derived", "estimate"], derived.map(([n, v]) => [n, fmt(v)])));
  const corr = Object.entries(fit.omegaCorrelation);
  if (corr.length > 0) parts.push("", table(["correlation", "value"], corr.map(([n, v]) => [n, fmt(v)])));
  const residual = Object.entries(fit.residual).map(([n, r]) => [n, r.error, fmt(r.a), fmt(r.b)]);
  if (residual.length > 0) parts.push("", table(["output", "error model", "a", "b"], residual));
  if (fit.terms && fit.terms.length > 0) {
    parts.push("", table(["equation", "term", "estimate", "omega", "stability"], fit.terms.map((t) => [t.equation, t.term, fmt(t.estimate), fmt(t.omega), fmt(t.stability)])));
  }
  for (const u of fit.unidentifiable) parts.push("", pc.yellow(`not identifiable: ${u.note}`));
  for (const note of fit.notes) parts.push(`${pc.dim("note:")} ${note}`);
  return `${parts.join("\n")}\n`;
}

// The terminal view of a refined fit: SAEM's estimates beside the weak-form first guess they started from.
import { paint } from "./colors.js";
import { fmt, rse, table } from "./text-table.js";
import type { RefinedFit } from "../runtime/fit-result.js";
import { branchesSentence } from "../runtime/refine/branches-text.js";

export function refinedTable(r: RefinedFit): string {
  const pc = paint.out;
  const rows = Object.entries(r.parameters).map(([name, p]) => [name + (p.distribution === "logNormal" ? " (log-normal)" : ""), fmt(p.start), fmt(p.estimate), fmt(p.se), rse(p.estimate, p.se), fmt(p.startOmega), fmt(p.omega), fmt(p.omegaSe)]);
  const parts = [
    `${pc.bold("refined by SAEM")} (seed ${r.seed}, ${r.trace.iteration.length} iterations, ${r.seconds.toFixed(1)} s), from the ${r.startedFrom}`,
    "",
    table(["parameter", "start", "refined", "s.e.", "r.s.e.", "omega start", "omega", "s.e."], rows),
  ];
  const effects = Object.entries(r.covariateEffects ?? {});
  if (effects.length > 0)
    parts.push("", table(["covariate effect", "first guess", "refined", "s.e.", "on", "scale"], effects.map(([n, e]) => [n, fmt(e.start), fmt(e.estimate), fmt(e.se), e.parameter, e.scale])));
  const corr = Object.entries(r.omegaCorrelation);
  if (corr.length > 0) parts.push("", table(["correlation", "refined"], corr.map(([n, v]) => [n, fmt(v)])));
  parts.push("", table(["output", "error model", "a", "s.e.", "b", "s.e."], Object.entries(r.residual).map(([n, e]) => [n, e.error, fmt(e.a), fmt(e.aSe), fmt(e.b), fmt(e.bSe)])));
  const ll = r.logLikelihood;
  parts.push("", `log-likelihood ${ll.value.toFixed(2)} (importance sampling, Monte Carlo s.e. ${ll.mcSe.toFixed(2)}, ${ll.samples} samples per subject); AIC ${r.aic.toFixed(2)}, BIC ${r.bic.toFixed(2)}`);
  const branches = branchesSentence(r);
  if (branches) parts.push(pc.dim(branches));
  parts.push(pc.dim("typical values: the median of a log-normal parameter; omega: SD of its log (Monolix's convention)"));
  const omegaStart = "omega start at least 0.3 (log scale; relative for normal parameters) so that the chains explore";
  const startLegend =
    r.startedFrom === "first guess"
      ? `start: SAEM's start, the mean of the first guess's transformed individual values; ${omegaStart}`
      : r.branches?.some((b) => b.kept && b.startedFrom === r.startedFrom && b !== r.branches![0])
        ? `start: SAEM's second run, from the ${r.startedFrom}; the first started from ${origin(r.branches[0]!.startedFrom)}; ${omegaStart}`
        : r.startedFrom === "naive" || r.startedFrom === "given"
        ? `start: SAEM's start (${r.startedFrom}); ${omegaStart}`
        : `start: the mean of the first guess's transformed individual values; SAEM itself started from a ${r.startedFrom} (see the notes)`;
  parts.push(pc.dim(startLegend));
  for (const note of r.notes) parts.push(`${pc.dim("note:")} ${note}`);
  return `${parts.join("\n")}\n`;
}

/** A start as the object of "started from". */
function origin(startedFrom: string): string {
  return startedFrom === "given" || startedFrom === "naive" ? `a ${startedFrom} start` : `the ${startedFrom}`;
}

// The terminal view of a refined fit: SAEM's estimates beside the weak-form first guess they started from.
import pc from "picocolors";
import type { RefinedFit } from "../runtime/fit-result.js";

function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "-";
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(3) : x.toPrecision(4);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [pc.bold(line(header)), ...rows.map(line)].join("\n");
}

export function refinedTable(r: RefinedFit): string {
  const rows = Object.entries(r.parameters).map(([name, p]) => {
    const rse = p.se !== null && p.estimate !== 0 ? `${((100 * p.se) / Math.abs(p.estimate)).toFixed(1)}%` : "-";
    return [name + (p.distribution === "logNormal" ? " (log-normal)" : ""), fmt(p.start), fmt(p.estimate), fmt(p.se), rse, fmt(p.startOmega), fmt(p.omega), fmt(p.omegaSe)];
  });
  const parts = [
    `${pc.bold("refined by SAEM")} (seed ${r.seed}, ${r.trace.iteration.length} iterations, ${r.seconds.toFixed(1)} s), from the ${r.startedFrom}`,
    "",
    table(["parameter", "first guess", "refined", "s.e.", "r.s.e.", "omega guess", "omega", "s.e."], rows),
  ];
  const corr = Object.entries(r.omegaCorrelation);
  if (corr.length > 0) parts.push("", table(["correlation", "refined"], corr.map(([n, v]) => [n, fmt(v)])));
  parts.push("", table(["output", "error model", "a", "s.e.", "b", "s.e."], Object.entries(r.residual).map(([n, e]) => [n, e.error, fmt(e.a), fmt(e.aSe), fmt(e.b), fmt(e.bSe)])));
  const ll = r.logLikelihood;
  parts.push("", `log-likelihood ${ll.value.toFixed(2)} (importance sampling, Monte Carlo s.e. ${ll.mcSe.toFixed(2)}, ${ll.samples} samples per subject); AIC ${r.aic.toFixed(2)}, BIC ${r.bic.toFixed(2)}`);
  parts.push(pc.dim("typical values: the median of a log-normal parameter; omega: SD of its log (Monolix's convention)"));
  for (const note of r.notes) parts.push(`${pc.dim("note:")} ${note}`);
  return `${parts.join("\n")}\n`;
}

// The report's SAEM section: first guess beside the refined estimates, and the convergence trace (each
// population value per iteration, a rule where the decreasing steps start), as Monolix shows it.
import type { RefinedFit } from "../fit-result.js";
import { escapeHtml as esc, formatNumber as num, formatPercent } from "./format.js";
import { extent, pad, plotSvg } from "./svg-plot.js";
import { branchesSentence } from "../refine/branches-text.js";

export function refinedSection(r: RefinedFit, clip: () => string): string {
  const rows = Object.entries(r.parameters).map(([name, p]) => [
    `<code>${esc(name)}</code>`,
    esc(p.distribution === "logNormal" ? "log-normal" : "normal"),
    num(p.start),
    num(p.estimate),
    num(p.se),
    formatPercent(p.se !== null && p.estimate !== 0 ? p.se / Math.abs(p.estimate) : null),
    num(p.startOmega),
    num(p.omega),
  ]);
  const head = ["parameter", "distribution", "start", "refined", "s.e.", "r.s.e.", "omega start", "omega"];
  const tableHtml =
    `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.map((row) => `<tr>${row.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
  const ll = r.logLikelihood;
  const summary = `<p>SAEM (seed ${r.seed}, ${r.trace.iteration.length} iterations, ${r.trace.exploration} with step 1, ${num(r.seconds)} s) from the ${esc(r.startedFrom)}. Log-likelihood ${num(ll.value)} by importance sampling (Monte Carlo s.e. ${num(ll.mcSe)}), AIC ${num(r.aic)}, BIC ${num(r.bic)}. Typical values are medians of log-normal parameters; omega is the SD of the log.</p>` + (branchesSentence(r) ? `<p>${esc(branchesSentence(r)!)}</p>` : "");
  const it = r.trace.iteration;
  const series: [string, number[]][] = [
    ...Object.entries(r.trace.parameters).map(([n, v]) => [n, v] as [string, number[]]),
    ...Object.entries(r.trace.omega).map(([n, v]) => [`omega ${n}`, v] as [string, number[]]),
    ...Object.entries(r.trace.residual).map(([n, v]) => [n, v] as [string, number[]]),
    ["complete log-likelihood", r.trace.completeLogLik],
  ];
  const plots = series.map(([name, v]) => {
    const y = extent(v);
    return plotSvg({
      width: 260,
      height: 170,
      title: name,
      xLabel: "iteration",
      marks: [{ kind: "line", x: it, y: v, color: "#2166ac" }],
      xDomain: [it[0] ?? 0, it[it.length - 1] ?? 1],
      ...(y ? { yDomain: pad(y) } : {}),
      vRules: [r.trace.exploration],
      clipId: clip(),
      ticks: 4,
    });
  });
  const notes = r.notes.length ? `<ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : "";
  return `${summary}\n${tableHtml}\n<div class="grid">${plots.join("\n")}</div>\n${notes}`;
}

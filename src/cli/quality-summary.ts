// The terminal view of a fit's quality check: a short summary under the
// estimates table (stdout), and one `warning:` per warning on stderr with
// what to try, so that a fit that does not describe its data is never silent.
import { paint } from "./colors.js";
import type { FitResult } from "../runtime/fit-result.js";
import { qualityWarnings } from "../runtime/quality/check-fit.js";

function fmt(x: number | null): string {
  return x === null || !Number.isFinite(x) ? "-" : x.toPrecision(3);
}

/** Lines for under the estimates table (empty when the fit was not checked). */
export function qualitySummary(fit: FitResult): string {
  const pc = paint.out;
  const q = fit.quality;
  if (!q) return "";
  const s = q.summary;
  const lines = [
    "",
    `${pc.bold("quality")}: ${s.predicted} of ${s.subjects} subjects predicted (ODE solved with their estimates); ` +
      `standardised residuals: median RMS ${fmt(s.medianRmsIwres)} (about 1 expected), ` +
      `${s.shareAbove3 === null ? "-" : `${(100 * s.shareAbove3).toFixed(1)}%`} beyond 3 SD` +
      (s.rowsPerParameter !== null ? `; ${fmt(s.rowsPerParameter)} rows per coefficient and subject` : "") +
      ` (checked in ${(q.seconds * 1000).toFixed(0)} ms)`,
    s.verdict === "ok"
      ? `${pc.green("quality: ok")}${q.findings.length > 0 ? ` (${q.findings.length} note(s) below)` : ""}`
      : pc.yellow(`quality: ${q.findings.filter((f) => f.severity === "warning").length} warning(s): the fit may not describe the data (see stderr)`),
  ];
  for (const f of q.findings.filter((x) => x.severity === "note")) lines.push(`${pc.dim("quality note:")} ${f.message}`);
  return `${lines.join("\n")}\n`;
}

/** `warning[code]: message` + `help:` per warning, for stderr. */
export function qualityWarningText(fit: FitResult): string {
  const pc = paint.err;
  return qualityWarnings(fit)
    .map((w) => `${pc.yellow(`warning[${w.code}]`)}: ${w.message}\n  help: ${w.hint} (nlme explain ${w.code})\n`)
    .join("");
}

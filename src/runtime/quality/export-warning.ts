// The quality warnings of a fit as a comment block for the top of an exported
// file (Mlxtran comments start with `;`, R's with `#`), so that whoever opens
// the Monolix project or the nlmixr2 script sees them before using the values.
import type { FitResult } from "../fit-result.js";

export function qualityWarningComment(fit: FitResult, marker: ";" | "#"): string {
  const warnings = fit.quality?.findings.filter((f) => f.severity === "warning") ?? [];
  if (warnings.length === 0) return "";
  const lines = [
    `WARNING: the weak-form fit these initial values come from did not pass its quality check (${warnings.length} warning(s)):`,
    ...warnings.flatMap((w) => [`- [${w.code}] ${w.message}`, `  try: ${w.hint}`]),
    "Check the estimates before using them as a first guess.",
  ];
  return `${lines.map((l) => `${marker} ${l.replace(/\r?\n/g, " ")}`).join("\n")}\n`;
}

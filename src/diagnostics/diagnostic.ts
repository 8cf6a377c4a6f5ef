// Diagnostics are data. Passes create them; `render.ts` is the only place that
// turns them into text (terminal) or JSON, so every message looks the same.
import type { Span } from "../syntax/ast.js";

export type Severity = "error" | "warning" | "note";

export interface Label {
  span: Span;
  message: string;
}

export interface Diagnostic {
  severity: Severity;
  /** Stable code from `codes.ts`, e.g. `N1002`. Tests assert codes, not wording. */
  code: string;
  /** One lowercase sentence in domain words, no trailing period. */
  message: string;
  span: Span;
  /** Short text under the primary carets. */
  label?: string;
  /** Secondary locations, e.g. "first declared here". */
  labels?: Label[];
  /** `= note:` lines: why. */
  notes?: string[];
  /** `help:` line: the fix. */
  help?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

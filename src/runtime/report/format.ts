// Text helpers shared by the report's HTML and SVG: every string that comes
// from a spec or a data file goes through `escapeHtml` (SVG inlined in HTML
// uses the same rules), and numbers print the way a modeller reads them.

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Safe for text content and for double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** 4 significant digits, exponent notation outside [1e-3, 1e5); "–" for null / non-finite. */
export function formatNumber(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a >= 1e5 || a < 1e-3) return x.toExponential(digits - 1).replace(/\.?0+e/, "e");
  return trimZeros(x.toPrecision(digits));
}

/** A percentage with 1 decimal, "–" when not available. */
export function formatPercent(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  return `${(100 * x).toFixed(1)}%`;
}

/** Compact number for attribute values (SVG coordinates): 2 decimals, no trailing zeros. */
export function coord(x: number): string {
  return trimZeros(x.toFixed(2));
}

function trimZeros(s: string): string {
  return s.includes(".") && !s.includes("e") ? s.replace(/\.?0+$/, "") : s;
}

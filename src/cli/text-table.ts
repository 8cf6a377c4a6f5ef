// The number format and column layout every terminal table of the CLI shares.
import { paint } from "./colors.js";

/** Four significant digits; exponent form for very small or large magnitudes; "-" for what is not available. */
export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "-";
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5)
    ? x.toExponential(3)
    : x.toPrecision(4);
}

/** Relative standard error in percent, or "-". */
export function rse(estimate: number, se: number | null | undefined): string {
  return se !== null && se !== undefined && estimate !== 0
    ? `${((100 * se) / Math.abs(estimate)).toFixed(1)}%`
    : "-";
}

/** First column left-aligned, the others right-aligned, header in bold. */
export function table(header: string[], rows: string[][]): string {
  const pc = paint.out;
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => r[i]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ");
  return [pc.bold(line(header)), ...rows.map(line)].join("\n");
}

// What a cell of the data file means, shared by the general loader
// (load-data.ts) and its one-pass reader of plain observation files
// (plain-observations.ts), so that both read a value alike.

/** Cells that stand for a missing value (`.`, empty, R's `NA`). */
export const MISSING = new Set(["", ".", "NA"]);

/** Values past this overflow once squared and summed; rejected like infinity. */
export const MAX_MAGNITUDE = 1e100;

/** Second characters of 0x, 0o, 0b (either case), which Number() reads and the loader's number syntax does not. */
const RADIX_PREFIX = new Set([..."xXoObB"].map((c) => c.charCodeAt(0)));

/**
 * A plain decimal number (almost every cell), or undefined for anything else
 * (missing, malformed, non-finite, too large, a radix prefix), which the
 * loader then reads on its checked path. Number() reads what the loader's
 * number syntax accepts and rejects the rest, except "" and the prefixes.
 */
export function plainNumber(raw: string): number | undefined {
  if (raw.length === 0 || (raw.charCodeAt(0) === 48 && raw.length > 1 && RADIX_PREFIX.has(raw.charCodeAt(1)))) return undefined;
  const v = Number(raw);
  return Number.isFinite(v) && Math.abs(v) <= MAX_MAGNITUDE ? v : undefined;
}

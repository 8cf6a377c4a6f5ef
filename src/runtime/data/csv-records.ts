// CSV text -> records with their 1-based line numbers. csv-parse handles quoted
// fields; files without any quote (most NLME data) take a plain one-pass
// reader, which gives the same records many times faster on large files and
// streams them: a caller that consumes records as they come never holds every
// line's fields at once (for 10,000 subjects that array was most of the memory).
import { createRequire } from "node:module";
import type * as CsvParse from "csv-parse/sync";
import { dataError } from "./problems.js";

export interface RawRecord {
  /** 1-based line where the record starts. */
  line: number;
  fields: string[];
}

/**
 * Records of `src` (line endings already `\n`), fields trimmed. Blank lines and
 * lines of empty fields only (spreadsheet leftovers) are dropped.
 */
export function readRecords(src: string, file: string): RawRecord[] {
  return Array.from(iterateRecords(src, file));
}

/** The same records one at a time (see the header: the plain path streams). */
export function iterateRecords(src: string, file: string): Iterable<RawRecord> {
  return src.includes('"') ? readWithCsvParse(src, file) : plainRecords(src);
}

/** Exported for the test that checks both paths agree. */
export function readPlain(src: string): RawRecord[] {
  return Array.from(plainRecords(src));
}

function* plainRecords(src: string): Generator<RawRecord> {
  let pos = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let line = 1; pos <= src.length; line++) {
    let end = src.indexOf("\n", pos);
    if (end < 0) end = src.length;
    const text = src.slice(pos, end);
    pos = end + 1;
    const fields = text.split(",");
    let blank = true;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      // trim() only where an end may be white space: most fields have none.
      const a = f.length > 0 ? f.charCodeAt(0) : 33;
      const b = f.length > 0 ? f.charCodeAt(f.length - 1) : 33;
      const t = a <= 32 || a >= 128 || b <= 32 || b >= 128 ? f.trim() : f;
      fields[i] = t;
      if (t !== "") blank = false;
    }
    if (!blank) yield { line, fields };
  }
}

/**
 * csv-parse, loaded by the first file with a quote: its ES entry is ten modules, which every `fit` of a plain file
 * loaded for nothing.
 */
function csvParse(): typeof CsvParse.parse {
  return (createRequire(import.meta.url)("csv-parse/sync") as typeof CsvParse).parse;
}

export function readWithCsvParse(src: string, file: string): RawRecord[] {
  let parsed: { info: { lines: number }; record: string[] }[];
  try {
    parsed = csvParse()(src, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as typeof parsed;
  } catch (e) {
    const lines = (e as { lines?: unknown }).lines;
    const code = (e as { code?: string }).code ?? "";
    const what =
      code === "CSV_QUOTE_NOT_CLOSED"
        ? "a quoted field is never closed"
        : (e as Error).message.replace(/ at line \d+.*$/s, "").replace(/^[^:]*: /, "");
    throw dataError(
      "csv-syntax",
      `not valid CSV: ${what}`,
      file,
      typeof lines === "number" ? recordStart(src, lines) : undefined,
      undefined,
      'check the quotes on this line: a quoted field starts and ends with " and a " inside it is written ""',
    );
  }
  const out: RawRecord[] = [];
  for (const { info, record } of parsed) {
    if (record.every((f) => f.trim() === "")) continue;
    // info.lines is the line where the record ends; quoted newlines move its start up.
    const newlines = record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
    out.push({ line: info.lines - newlines, fields: record });
  }
  return out;
}

/**
 * csv-parse reports the line where it gave up, which for a quote left open is
 * where the quoted field ends, not where it starts: find the start of the record
 * (by quote parity) that spans `line`.
 */
function recordStart(src: string, line: number): number {
  let current = 1;
  let start = 1;
  let inQuote = false;
  for (let i = 0; i < src.length && current < line; i++) {
    const ch = src[i];
    if (ch === '"') inQuote = !inQuote;
    else if (ch === "\n") {
      current++;
      if (!inQuote) start = current;
    }
  }
  return start;
}

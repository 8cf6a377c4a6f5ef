// The data file of `fit`, `refine` and `export`. A plain observation file (ID, TIME, DV, OBSID, nothing else to
// check: most large files) is read block by block straight into the subjects' arrays, never held whole, neither as
// bytes nor as text: for 10,000 Lotka-Volterra subjects (38 MB) the whole file as a Buffer and then as a string
// cost about as much time (page faults of two 38 MB allocations, the decoding) as reading its numbers, and its
// memory. Any other file, and any surprise in a plain one (a byte outside ASCII, a quote, a ragged line, ...), is
// read whole by `loadData`, which gives the same Dataset, with every check and message it has.
import { closeSync, openSync, readSync } from "node:fs";
import { isAscii } from "node:buffer";
import type { Dataset } from "../runtime/data/dataset.js";
import type { DataMeta, LoadOptions } from "../runtime/data/load-data.js";
import { checkInputFile, readTextFile } from "./read-spec.js";

/** Far past any population data set (the largest bundled is well under 1 MB), short of exhausting memory. */
const MAX_DATA_BYTES = 500_000_000;
const SIZE_HELP = "split the data, or fit a subset of the subjects";

/** Bytes read at a time: small enough that each block's text is an ordinary young string (1 MB blocks went to V8's large-object space, a third of the reading time); a line longer than this sends the file to the whole-file reader. */
export const BLOCK_BYTES = 1 << 16;

const NEWLINE = 10;

type LoadData = typeof import("../runtime/data/load-data.js");

export async function readDataFile(path: string, meta: DataMeta, columns?: Record<string, string>, blockBytes = BLOCK_BYTES): Promise<Dataset> {
  const load = await import("../runtime/data/load-data.js");
  const options: LoadOptions = columns ? { columns } : {};
  checkInputFile(path, "data", MAX_DATA_BYTES, SIZE_HELP);
  const streamed = readPlainBlocks(path, meta, options, load.plainReaderFor, blockBytes);
  if (streamed) return streamed;
  return load.loadData(readTextFile(path, "data", MAX_DATA_BYTES, SIZE_HELP), path, meta, options);
}

/** The file read block by block as a plain observation file, or null when it is not one (or cannot be read so); exported for its test. */
export function readPlainBlocks(path: string, meta: DataMeta, options: LoadOptions, plainReaderFor: LoadData["plainReaderFor"], blockBytes: number): Dataset | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null; // the whole-file reader says why
  }
  try {
    const buffer = Buffer.allocUnsafe(blockBytes);
    let filled = 0;
    let plain: ReturnType<LoadData["plainReaderFor"]> = null;
    for (;;) {
      const n = readSync(fd, buffer, filled, blockBytes - filled, null);
      filled += n;
      const atEnd = n === 0;
      // Whole lines only: the rest waits for the next block.
      const end = atEnd ? filled : buffer.lastIndexOf(NEWLINE, filled - 1) + 1;
      if (end === 0) {
        if (atEnd && plain !== null) break;
        return null; // a line longer than a block, or an empty file
      }
      const bytes = buffer.subarray(0, end);
      if (!isAscii(bytes)) return null;
      let text = bytes.toString("latin1");
      if (text.includes("\r")) text = text.replace(/\r\n?/g, "\n");
      if (plain === null) {
        plain = plainReaderFor(text, path, meta, options);
        if (plain === null || !plain.reader.read(text, plain.start)) return null;
      } else if (!plain.reader.read(text, 0)) return null;
      if (atEnd) break;
      buffer.copyWithin(0, end, filled);
      filled -= end;
    }
    return { file: path, outputs: meta.observations.map((o) => o.name), covariates: [...meta.covariates], subjects: plain.reader.finish() };
  } catch (error) {
    // A read that fails half way (the file shrank, an I/O error): the whole-file reader says what it finds.
    if ((error as NodeJS.ErrnoException).code !== undefined) return null;
    throw error;
  } finally {
    closeSync(fd);
  }
}

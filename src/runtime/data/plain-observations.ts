// The common data file read in one pass: observation rows only (ID, TIME, DV
// and OBSID columns, others ignored), no quotes, every used cell a clean value,
// subjects contiguous and in time order. Such a file is most large simulated
// or exported data sets, and the general reader (load-data.ts) spends most of
// its time on it splitting lines into field arrays it then reads four cells
// of. This reader scans the characters once and reads the four cells in place.
// It never reports a problem: at the first thing it does not handle (a missing
// or malformed value, a ragged line, a split subject, white space around a
// cell, ...) it gives up and the general reader reads the file, with every
// check and DataError it has. What it returns is what that reader returns.
import type { ColumnMap } from "./columns.js";
import type { Series, Subject } from "./dataset.js";
import { MISSING, plainNumber } from "./cells.js";

/** Numbers per slab of subjects' series (64 kB): some 50 Lotka-Volterra subjects. */
const SLAB_VALUES = 8192;


/** One output's samples of the subject being read, in buffers reused from subject to subject. */
class SeriesBuffer {
  t = new Float64Array(64);
  v = new Float64Array(64);
  n = 0;
  push(time: number, value: number): void {
    if (this.n === this.t.length) {
      const t = new Float64Array(2 * this.n);
      const v = new Float64Array(2 * this.n);
      t.set(this.t);
      v.set(this.v);
      this.t = t;
      this.v = v;
    }
    this.t[this.n] = time;
    this.v[this.n++] = value;
  }
}

/** A used cell may not start or end with white space (or anything outside ASCII): the general reader trims it. */
function clean(src: string, a: number, b: number): boolean {
  if (b <= a) return false;
  const c0 = src.charCodeAt(a);
  const c1 = src.charCodeAt(b - 1);
  return c0 > 32 && c0 < 128 && c1 > 32 && c1 < 128;
}

/**
 * The subjects of `src` (line endings `\n`) read after the header at line
 * `headerLine` (already resolved into `cols`, with at least one row after it),
 * or null when the file is not a plain observation file (see the header).
 */
export function readPlainObservations(
  src: string,
  headerLine: number,
  cols: ColumnMap,
  outputs: readonly string[],
  obsIndex: (raw: string) => number | undefined,
): Subject[] | null {
  const reader = PlainObservationReader.for(cols, outputs, obsIndex);
  const pos = afterLines(src, headerLine);
  return reader && pos >= 0 && reader.read(src, pos) ? reader.finish() : null;
}

/** Where line `lines + 1` of `src` starts (past a byte-order mark), or -1 when it has fewer lines. */
export function afterLines(src: string, lines: number): number {
  let pos = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let line = 1; line <= lines; line++) {
    const end = src.indexOf("\n", pos);
    if (end < 0) return -1;
    pos = end + 1;
  }
  return pos;
}

/**
 * The reader itself, fed the rows as text in one piece or in several (a file read block by block, each block whole
 * lines): `read` for each, then `finish`. Once `read` has said false the file is not a plain observation file.
 */
export class PlainObservationReader {
  private readonly nFields: number;
  private readonly idCol: number;
  private readonly timeCol: number;
  private readonly dvCol: number;
  private readonly obsCol: number;
  /** bounds[f] is where field f starts; it ends one before bounds[f + 1]. */
  private readonly bounds: Int32Array;
  private readonly buffers: SeriesBuffer[];
  private readonly subjects: Subject[] = [];
  private readonly seen = new Set<string>();
  private id = "";
  private lastTime = Number.NEGATIVE_INFINITY;
  /** The last TIME cell read, and its value. */
  private timeText = "";
  private timeValue = 0;
  private slab = new Float64Array(0);
  private slabUsed = 0;

  private constructor(
    cols: ColumnMap,
    private readonly outputs: readonly string[],
    private readonly obsIndex: (raw: string) => number | undefined,
  ) {
    const roles = cols.roles;
    this.nFields = cols.header.length;
    this.idCol = roles.ID!.index;
    this.timeCol = roles.TIME!.index;
    this.dvCol = roles.DV!.index;
    this.obsCol = roles.OBSID ? roles.OBSID.index : -1;
    this.bounds = new Int32Array(this.nFields + 1);
    this.buffers = outputs.map(() => new SeriesBuffer());
  }

  /** A reader for a file with these columns, or null when they are not those of a plain observation file. */
  static for(cols: ColumnMap, outputs: readonly string[], obsIndex: (raw: string) => number | undefined): PlainObservationReader | null {
    const roles = cols.roles;
    for (const role of Object.keys(roles)) if (role !== "ID" && role !== "TIME" && role !== "DV" && role !== "OBSID") return null;
    if (cols.covariates.length > 0) return null;
    if (!roles.OBSID && outputs.length !== 1) return null;
    return new PlainObservationReader(cols, outputs, obsIndex);
  }

  /** Reads the rows of `src` from `pos` on (whole lines: a row never continues in the next text); false: give up. */
  read(src: string, pos: number): boolean {
    if (src.includes('"')) return false;
    const { nFields, idCol, timeCol, dvCol, obsCol, bounds, buffers, outputs, obsIndex } = this;
    const len = src.length;
    while (pos < len) {
      // The line's end and its commas by indexOf, which searches natively: a loop over every character took a
      // third of the reading.
      let end = src.indexOf("\n", pos);
      if (end < 0) end = len;
      if (end === pos) {
        pos = end + 1; // a blank line
        continue;
      }
      bounds[0] = pos;
      let from = pos;
      for (let f = 1; f < nFields; f++) {
        const comma = src.indexOf(",", from);
        if (comma < 0 || comma >= end) return false; // too few fields
        bounds[f] = comma + 1;
        from = comma + 1;
      }
      const extra = src.indexOf(",", from);
      if (extra >= 0 && extra < end) return false; // too many
      bounds[nFields] = end + 1;
      pos = end + 1;
      const ia = bounds[idCol]!;
      const ib = bounds[idCol + 1]! - 1;
      if (!clean(src, ia, ib)) return false;
      if (ib - ia !== this.id.length || !src.startsWith(this.id, ia)) {
        const nextId = src.slice(ia, ib);
        if (MISSING.has(nextId) || this.seen.has(nextId)) return false;
        this.endSubject();
        this.id = nextId;
        this.seen.add(nextId);
        this.lastTime = Number.NEGATIVE_INFINITY;
      }
      const time = this.timeAt(src, bounds[timeCol]!, bounds[timeCol + 1]! - 1);
      const dv = cell(src, bounds[dvCol]!, bounds[dvCol + 1]! - 1);
      if (time === undefined || dv === undefined || time < this.lastTime) return false;
      this.lastTime = time;
      const o = obsCol < 0 ? 0 : output(src, bounds[obsCol]!, bounds[obsCol + 1]! - 1, outputs, obsIndex);
      if (o === undefined) return false;
      buffers[o]!.push(time, dv);
    }
    return true;
  }

  /**
   * The TIME cell [a, b). Outputs measured together repeat the time on consecutive rows (Lotka-Volterra's prey and
   * predator): the same text as the row before is the same number, without reading it again (a quarter of all the
   * numbers of such a file).
   */
  private timeAt(src: string, a: number, b: number): number | undefined {
    if (b > a && b - a === this.timeText.length && src.startsWith(this.timeText, a)) return this.timeValue;
    if (!clean(src, a, b)) return undefined;
    const text = src.slice(a, b);
    const value = plainNumber(text);
    if (value !== undefined) {
      this.timeText = text;
      this.timeValue = value;
    }
    return value;
  }

  /** The subjects read. */
  finish(): Subject[] {
    this.endSubject();
    this.id = "";
    return this.subjects;
  }

  /**
   * The subject read so far, its series views of a slab shared with the subjects read before and after it: an
   * array buffer per series (four per Lotka-Volterra subject) cost more than reading the numbers. A worker sent
   * some subjects is sent their slabs (a subject's numbers and its neighbours', SLAB_VALUES at most), each once.
   */
  private endSubject(): void {
    if (this.id === "") return;
    let total = 0;
    for (const b of this.buffers) total += 2 * b.n;
    if (this.slab.length - this.slabUsed < total) {
      this.slab = new Float64Array(Math.max(total, SLAB_VALUES));
      this.slabUsed = 0;
    }
    const block = this.slab.subarray(this.slabUsed, this.slabUsed + total);
    this.slabUsed += total;
    let at = 0;
    const series = this.buffers.map((b, o): Series => {
      const times = block.subarray(at, at + b.n);
      const values = block.subarray(at + b.n, at + 2 * b.n);
      for (let i = 0; i < b.n; i++) {
        times[i] = b.t[i]!;
        values[i] = b.v[i]!;
      }
      at += 2 * b.n;
      b.n = 0;
      return { output: this.outputs[o]!, times, values };
    });
    this.subjects.push({ id: this.id, series, doses: [], covariates: new Float64Array(0) });
  }
}

function cell(src: string, a: number, b: number): number | undefined {
  return clean(src, a, b) ? plainNumber(src.slice(a, b)) : undefined;
}

/** The output an OBSID cell names: an output's exact name compared in place, else the general rules (`obsIndex`). */
function output(src: string, a: number, b: number, outputs: readonly string[], obsIndex: (raw: string) => number | undefined): number | undefined {
  if (!clean(src, a, b)) return undefined;
  for (let o = 0; o < outputs.length; o++) if (outputs[o]!.length === b - a && src.startsWith(outputs[o]!, a)) return o;
  const raw = src.slice(a, b);
  return MISSING.has(raw) ? undefined : obsIndex(raw);
}

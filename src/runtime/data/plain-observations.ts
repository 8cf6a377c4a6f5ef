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

const COMMA = 44;
const NEWLINE = 10;

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
  take(output: string): Series {
    const out = { output, times: this.t.slice(0, this.n), values: this.v.slice(0, this.n) };
    this.n = 0;
    return out;
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
  const roles = cols.roles;
  for (const role of Object.keys(roles)) if (role !== "ID" && role !== "TIME" && role !== "DV" && role !== "OBSID") return null;
  if (cols.covariates.length > 0 || src.includes('"')) return null;
  const nFields = cols.header.length;
  const idCol = roles.ID!.index;
  const timeCol = roles.TIME!.index;
  const dvCol = roles.DV!.index;
  const obsCol = roles.OBSID ? roles.OBSID.index : -1;
  if (obsCol < 0 && outputs.length !== 1) return null;
  let pos = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let line = 1; line <= headerLine; line++) {
    const end = src.indexOf("\n", pos);
    if (end < 0) return null;
    pos = end + 1;
  }
  const len = src.length;
  // bounds[f] is where field f starts; it ends one before bounds[f + 1].
  const bounds = new Int32Array(nFields + 1);
  const buffers = outputs.map(() => new SeriesBuffer());
  const subjects: Subject[] = [];
  const seen = new Set<string>();
  let id = "";
  let lastTime = Number.NEGATIVE_INFINITY;
  const finish = (): void => {
    if (id !== "") subjects.push({ id, series: buffers.map((b, o) => b.take(outputs[o]!)), doses: [], covariates: new Float64Array(0) });
  };
  while (pos < len) {
    let f = 0;
    bounds[0] = pos;
    let i = pos;
    for (; i < len; i++) {
      const c = src.charCodeAt(i);
      if (c === NEWLINE) break;
      if (c === COMMA) {
        if (++f >= nFields) return null;
        bounds[f] = i + 1;
      }
    }
    const next = i + 1;
    if (i === pos) {
      pos = next; // a blank line
      continue;
    }
    if (f !== nFields - 1) return null;
    bounds[nFields] = i + 1;
    pos = next;
    const ia = bounds[idCol]!;
    const ib = bounds[idCol + 1]! - 1;
    if (!clean(src, ia, ib)) return null;
    if (ib - ia !== id.length || !src.startsWith(id, ia)) {
      const nextId = src.slice(ia, ib);
      if (MISSING.has(nextId) || seen.has(nextId)) return null;
      finish();
      id = nextId;
      seen.add(id);
      lastTime = Number.NEGATIVE_INFINITY;
    }
    const time = cell(src, bounds[timeCol]!, bounds[timeCol + 1]! - 1);
    const dv = cell(src, bounds[dvCol]!, bounds[dvCol + 1]! - 1);
    if (time === undefined || dv === undefined || time < lastTime) return null;
    lastTime = time;
    const o = obsCol < 0 ? 0 : output(src, bounds[obsCol]!, bounds[obsCol + 1]! - 1, outputs, obsIndex);
    if (o === undefined) return null;
    buffers[o]!.push(time, dv);
  }
  finish();
  return subjects;
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

// What crosses between the main thread and a stage worker (fit-async.ts, stage-worker.ts), packed into a few typed
// arrays. Structured cloning sends every subject as a dozen objects and typed arrays, and every stage back as as
// many: for 10,000 Lotka-Volterra subjects that cost the main thread some 0.4 s each way (measured with
// structuredClone on a loaded 2-core machine), as long as the stage itself took on the worker. Packed, a chunk of
// subjects is one number array, its outputs' lengths and its ids, and its stages one number array, moved (not copied)
// back. The numbers are copied exactly, so a stage gives the same result bit for bit wherever it ran.
import type { Dose, Series, Subject } from "../data/dataset.js";
import { NOISE_KEYS, type OutputNoise } from "../rows/curves.js";
import type { SubjectStats } from "../population/subject-rows.js";
import type { SubjectStage } from "./subject-stage.js";

/** A chunk of subjects, packed. */
export interface PackedSubjects {
  ids: string[];
  /** The output of each series, the same for every subject of the chunk. */
  outputs: string[];
  /** Per subject and output, the series' length. */
  lengths: Int32Array;
  /** Per subject and output in turn, its times then its values. */
  numbers: Float64Array;
  /** Covariates, `covariateCount` per subject. */
  covariates: Float64Array;
  covariateCount: number;
  /** Only the subjects that have doses (by position in the chunk): few data sets have any. */
  doses: Record<number, Dose[]>;
  /** The optional parts of a series (censoring, limits), by "subject:output", only where present. */
  extras: Record<string, Pick<Series, "censored" | "limit">>;
}

/** Packs subjects for a worker, or null when their series do not all name the same outputs in the same order. */
export function packSubjects(subjects: readonly Subject[]): PackedSubjects | null {
  const first = subjects[0];
  if (!first) return null;
  const outputs = first.series.map((s) => s.output);
  const o = outputs.length;
  const covariateCount = first.covariates.length;
  const lengths = new Int32Array(subjects.length * o);
  let total = 0;
  for (let i = 0; i < subjects.length; i++) {
    const s = subjects[i]!;
    if (s.series.length !== o || s.covariates.length !== covariateCount) return null;
    for (let k = 0; k < o; k++) {
      const series = s.series[k]!;
      if (series.output !== outputs[k] || series.values.length !== series.times.length) return null;
      lengths[i * o + k] = series.times.length;
      total += 2 * series.times.length;
    }
  }
  const numbers = new Float64Array(total);
  const covariates = new Float64Array(subjects.length * covariateCount);
  const doses: Record<number, Dose[]> = {};
  const extras: PackedSubjects["extras"] = {};
  let at = 0;
  subjects.forEach((s, i) => {
    s.series.forEach((series, k) => {
      numbers.set(series.times, at);
      numbers.set(series.values, at + series.times.length);
      at += 2 * series.times.length;
      if (series.censored || series.limit)
        extras[`${i}:${k}`] = { ...(series.censored ? { censored: series.censored } : {}), ...(series.limit ? { limit: series.limit } : {}) };
    });
    covariates.set(s.covariates, i * covariateCount);
    if (s.doses.length > 0) doses[i] = s.doses;
  });
  return { ids: subjects.map((s) => s.id), outputs, lengths, numbers, covariates, covariateCount, doses, extras };
}

/** The buffers a packed chunk can move rather than copy. */
export function subjectTransfers(p: PackedSubjects): ArrayBuffer[] {
  return [p.lengths.buffer as ArrayBuffer, p.numbers.buffer as ArrayBuffer, p.covariates.buffer as ArrayBuffer];
}

/** The subjects of a packed chunk (their arrays are views of its buffers). */
export function unpackSubjects(p: PackedSubjects): Subject[] {
  const o = p.outputs.length;
  const out: Subject[] = [];
  let at = 0;
  for (let i = 0; i < p.ids.length; i++) {
    const series: Series[] = [];
    for (let k = 0; k < o; k++) {
      const len = p.lengths[i * o + k]!;
      const s: Series = { output: p.outputs[k]!, times: p.numbers.subarray(at, at + len), values: p.numbers.subarray(at + len, at + 2 * len) };
      const extra = p.extras[`${i}:${k}`];
      if (extra?.censored) s.censored = extra.censored;
      if (extra?.limit) s.limit = extra.limit;
      series.push(s);
      at += 2 * len;
    }
    out.push({ id: p.ids[i]!, series, doses: p.doses[i] ?? [], covariates: p.covariates.subarray(i * p.covariateCount, (i + 1) * p.covariateCount) });
  }
  return out;
}

/** Shape of the packed stages: d states, p parameters, `outputs` observations. */
export interface StageShape {
  d: number;
  p: number;
  outputs: number;
}

/** A subject's record: kind (0 = do it again in the main thread, 1 = no rows, 2 = weak-form Gram sums), censored dropped, noise, then per state n, G'G, G'y, y'y. */
function recordSize({ d, p, outputs }: StageShape): number {
  return 2 + outputs * NOISE_KEYS.length + d * (2 + p * p + p);
}

/**
 * Packs a chunk's stages. Only what a worker can send back exactly is packed: a subject whose stage kept curves or
 * integral rows (`null`, or a stage with `curves` or another form) is marked to be done again in the main thread.
 */
export function packStages(stages: readonly (SubjectStage | null)[], shape: StageShape): Float64Array {
  const size = recordSize(shape);
  const out = new Float64Array(stages.length * size);
  stages.forEach((st, i) => {
    let at = i * size;
    const kept = st?.kept;
    if (!st || st.curves || st.system || (kept && (kept.form !== "weak" || kept.perState.length !== shape.d))) return; // kind 0
    out[at++] = kept ? 2 : 1;
    out[at++] = st.censoredDropped;
    for (let o = 0; o < shape.outputs; o++) for (const key of NOISE_KEYS) out[at++] = st.noise[o]![key];
    if (!kept) return;
    for (const s of kept.perState) {
      out[at++] = s.n;
      out.set(s.gtg, at);
      at += shape.p * shape.p;
      out.set(s.gty, at);
      at += shape.p;
      out[at++] = s.yty;
    }
  });
  return out;
}

/**
 * The stages of a packed chunk whose first subject is `offset` in `subjects` (undefined: do it again here).
 * The Gram sums are views of the packed array.
 */
export function unpackStages(packed: Float64Array, shape: StageShape, subjects: readonly Subject[], offset: number): (SubjectStage | undefined)[] {
  const size = recordSize(shape);
  const count = packed.length / size;
  const out: (SubjectStage | undefined)[] = [];
  const pp = shape.p * shape.p;
  for (let i = 0; i < count; i++) {
    let at = i * size;
    const kind = packed[at++]!;
    if (kind === 0) {
      out.push(undefined);
      continue;
    }
    const censoredDropped = packed[at++]!;
    const noise: OutputNoise[] = [];
    for (let o = 0; o < shape.outputs; o++) {
      const acc = {} as OutputNoise;
      for (const key of NOISE_KEYS) acc[key] = packed[at++]!;
      noise.push(acc);
    }
    if (kind === 1) {
      out.push({ noise, censoredDropped });
      continue;
    }
    const perState: SubjectStats[] = [];
    for (let k = 0; k < shape.d; k++) {
      const n = packed[at++]!;
      const gtg = packed.subarray(at, at + pp);
      at += pp;
      const gty = packed.subarray(at, at + shape.p);
      at += shape.p;
      perState.push({ n, gtg, gty, yty: packed[at++]! });
    }
    const index = offset + i;
    out.push({ kept: { id: subjects[index]!.id, index, form: "weak", perState }, noise, censoredDropped });
  }
  return out;
}

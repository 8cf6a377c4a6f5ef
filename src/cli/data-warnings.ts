// What a user should hear about their data before trusting a fit: the
// loader's own warnings (rows skipped, subjects dropped, changing covariates),
// then values that load fine but are probably mistakes: negative observations
// or dose amounts, and observations far outside the rest of their output.
import type { Dataset } from "../runtime/data/dataset.js";
import { InputError } from "./exit.js";
import { medianInPlace } from "../runtime/numeric/summary.js";

/** Robust z-score past which one observation is called outlying (|x - median| / (1.4826 MAD)). */
const OUTLIER_Z = 10;
/** Examples quoted per warning. */
const SHOWN = 3;


function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Past this ratio between an observation and the median of its output, the numbers cannot be fitted together. */
const MAX_SPREAD = 1e12;

/** One output's observations, flat: values, and where each came from (subject index, time). */
interface OutputPoints {
  v: Float64Array;
  t: Float64Array;
  subject: Int32Array;
}

/** The points of output k (without censored ones when `uncensored`): typed arrays, since files reach millions of rows. */
function outputPoints(data: Dataset, k: number, uncensored: boolean): OutputPoints {
  let n = 0;
  for (const s of data.subjects) n += s.series[k]?.values.length ?? 0;
  const out = { v: new Float64Array(n), t: new Float64Array(n), subject: new Int32Array(n) };
  let u = 0;
  data.subjects.forEach((s, i) => {
    const series = s.series[k];
    if (!series) return;
    for (let j = 0; j < series.values.length; j++) {
      if (uncensored && series.censored?.[j]) continue;
      out.v[u] = series.values[j]!;
      out.t[u] = series.times[j]!;
      out.subject[u++] = i;
    }
  });
  return { v: out.v.subarray(0, u), t: out.t.subarray(0, u), subject: out.subject.subarray(0, u) };
}

/** f applied to every element, as a new array (a plain loop: `Float64Array.from` with a map function is slow). */
function mapped(x: Float64Array, f: (v: number) => number): Float64Array {
  const out = new Float64Array(x.length);
  for (let u = 0; u < x.length; u++) out[u] = f(x[u]!);
  return out;
}

/** The first `SHOWN` points that pass `keep`, quoted, and how many pass. */
function quoted(data: Dataset, pts: OutputPoints, keep: (u: number) => boolean): { count: number; examples: string } {
  let count = 0;
  const shown: string[] = [];
  for (let u = 0; u < pts.v.length; u++) {
    if (!keep(u)) continue;
    if (count++ < SHOWN) shown.push(`${pts.v[u]} (subject ${data.subjects[pts.subject[u]!]!.id}, time ${pts.t[u]})`);
  }
  return { count, examples: shown.join(", ") };
}

/**
 * Values that load (finite, within ±1e100) but that no fit can use together:
 * one observation a trillion times its output's median makes the estimator's
 * matrices numerically meaningless. Refused before fitting, naming the value.
 */
export function checkDataScale(data: Dataset): void {
  const tinyTime = (t: number) => t !== 0 && Math.abs(t) < 1e-100;
  for (const s of data.subjects) {
    let tiny: number | undefined;
    for (const x of s.series) for (let i = 0; i < x.times.length && tiny === undefined; i++) if (tinyTime(x.times[i]!)) tiny = x.times[i]!;
    for (const d of s.doses) if (tiny === undefined && tinyTime(d.time)) tiny = d.time;
    if (tiny !== undefined) {
      throw new InputError(`${data.file}: subject ${s.id} has a time of ${tiny}`, "rescale TIME (other units): the smoother cannot resolve times this small");
    }
  }
  data.outputs.forEach((output, k) => {
    const pts = outputPoints(data, k, false);
    if (pts.v.length === 0) return;
    let worst = 0;
    for (let u = 1; u < pts.v.length; u++) if (Math.abs(pts.v[u]!) > Math.abs(pts.v[worst]!)) worst = u;
    const m = medianInPlace(mapped(pts.v, Math.abs));
    if (m > 0 && m < 1e-100) {
      throw new InputError(`${data.file}: the values of ${output} are of the order of ${m.toExponential(1)}`, "rescale them (other units): values this small underflow once squared");
    }
    const w = pts.v[worst]!;
    if (m > 0 && Math.abs(w) / m > MAX_SPREAD) {
      throw new InputError(
        `${data.file}: ${output} = ${w} (subject ${data.subjects[pts.subject[worst]!]!.id}, time ${pts.t[worst]}) is ${(Math.abs(w) / m).toExponential(0)} times the output's median ${m.toPrecision(3)}`,
        "no fit can use such values together: fix or remove the observation (a typo or a unit error?)",
      );
    }
  });
}

export function dataWarnings(data: Dataset): string[] {
  const warnings = [...(data.warnings ?? [])];
  data.outputs.forEach((output, k) => {
    const pts = outputPoints(data, k, true);
    const n = pts.v.length;
    if (n === 0) return;
    const negative = quoted(data, pts, (u) => pts.v[u]! < 0);
    if (negative.count > 0) {
      warnings.push(
        `${data.file}: ${plural(negative.count, "negative value")} of ${output} out of ${n}, e.g. ${negative.examples}: ` +
          `concentrations, counts and sizes cannot be negative; check the data (or the output's units and baseline)`,
      );
    }
    // Positive outputs often span decades (a PK curve): judge them on the log scale, where a peak is not an outlier.
    const logScale = negative.count === 0 && pts.v.every((v) => v > 0);
    const scaled = mapped(pts.v, logScale ? Math.log10 : (v) => v);
    const m = medianInPlace(Float64Array.from(scaled));
    const mad = 1.4826 * medianInPlace(mapped(scaled, (v) => Math.abs(v - m)));
    if (mad > 0) {
      const outlying = quoted(data, pts, (u) => Math.abs(scaled[u]! - m) / mad > OUTLIER_Z);
      if (outlying.count > 0 && outlying.count <= n / 10) {
        warnings.push(
          `${data.file}: ${plural(outlying.count, "observation")} of ${output} far outside the others (median ${(logScale ? 10 ** m : m).toPrecision(4)}), e.g. ${outlying.examples}: ` +
            `a typo or a unit error moves every estimate; check ${outlying.count === 1 ? "it" : "them"}`,
        );
      }
    }
  });
  const negativeDoses = data.subjects.flatMap((s) => s.doses.filter((d) => d.amount < 0).map((d) => ({ id: s.id, d })));
  if (negativeDoses.length > 0) {
    warnings.push(
      `${data.file}: ${plural(negativeDoses.length, "negative dose amount")}, e.g. ${negativeDoses
        .slice(0, SHOWN)
        .map(({ id, d }) => `${d.amount} (subject ${id}, time ${d.time})`)
        .join(", ")}: an amount given cannot be negative; check AMT`,
    );
  }
  return warnings;
}

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

/** Output k's observations in file order, flat (without censored ones when `uncensored`): files reach millions of rows. */
function flatValues(data: Dataset, k: number, uncensored: boolean): Float64Array {
  let n = 0;
  for (const s of data.subjects) n += s.series[k]?.values.length ?? 0;
  const out = new Float64Array(n);
  let u = 0;
  // Plain loops: a callback per point cost more than the checks themselves (10,000 subjects, 800,000 points).
  for (const s of data.subjects) {
    const series = s.series[k];
    if (!series) continue;
    const values = series.values;
    const censored = uncensored ? series.censored : undefined;
    if (censored === undefined) {
      // A builtin copy: the first run of a loop over 400,000 values is interpreted until V8 has compiled it.
      out.set(values, u);
      u += values.length;
    } else for (let j = 0; j < values.length; j++) if (!censored[j]) out[u++] = values[j]!;
  }
  return out.subarray(0, u);
}

/** Point u of `flatValues(data, k, uncensored)`: its value, subject and time. */
function pointAt(data: Dataset, k: number, uncensored: boolean, u: number): { value: number; id: string; time: number } {
  for (const s of data.subjects) {
    const series = s.series[k];
    if (!series) continue;
    for (let j = 0; j < series.values.length; j++) {
      if (uncensored && series.censored?.[j]) continue;
      if (u-- === 0) return { value: series.values[j]!, id: s.id, time: series.times[j]! };
    }
  }
  throw new Error(`internal error: no point ${u} of output ${k}`);
}

/** Point u as quoted in a message. */
function quote(data: Dataset, k: number, uncensored: boolean, u: number): string {
  const p = pointAt(data, k, uncensored, u);
  return `${p.value} (subject ${p.id}, time ${p.time})`;
}

/** Up to `SHOWN` indices of points, quoted and joined. */
function examples(data: Dataset, k: number, indices: number[]): string {
  return indices.map((u) => quote(data, k, true, u)).join(", ");
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
    const v = flatValues(data, k, false);
    if (v.length === 0) return;
    let worst = 0;
    let negative = v[0]! < 0;
    for (let u = 1; u < v.length; u++) {
      if (Math.abs(v[u]!) > Math.abs(v[worst]!)) worst = u;
      if (v[u]! < 0) negative = true;
    }
    const w = v[worst]!;
    // `v` is this function's own copy: made absolute (when it has negatives) and reordered by the median's selection.
    if (negative) for (let u = 0; u < v.length; u++) v[u] = Math.abs(v[u]!);
    const m = medianInPlace(v);
    if (m > 0 && m < 1e-100) {
      throw new InputError(`${data.file}: the values of ${output} are of the order of ${m.toExponential(1)}`, "rescale them (other units): values this small underflow once squared");
    }
    if (m > 0 && Math.abs(w) / m > MAX_SPREAD) {
      throw new InputError(
        `${data.file}: ${output} = ${quote(data, k, false, worst)} is ${(Math.abs(w) / m).toExponential(0)} times the output's median ${m.toPrecision(3)}`,
        "no fit can use such values together: fix or remove the observation (a typo or a unit error?)",
      );
    }
  });
}

export function dataWarnings(data: Dataset): string[] {
  const warnings = [...(data.warnings ?? [])];
  data.outputs.forEach((output, k) => {
    const v = flatValues(data, k, true);
    const n = v.length;
    if (n === 0) return;
    const negative: number[] = [];
    let negatives = 0;
    let positive = true;
    for (let u = 0; u < n; u++) {
      if (v[u]! < 0 && negatives++ < SHOWN) negative.push(u);
      if (!(v[u]! > 0)) positive = false;
    }
    if (negatives > 0) {
      warnings.push(
        `${data.file}: ${plural(negatives, "negative value")} of ${output} out of ${n}, e.g. ${examples(data, k, negative)}: ` +
          `concentrations, counts and sizes cannot be negative; check the data (or the output's units and baseline)`,
      );
    }
    // Positive outputs often span decades (a PK curve): judge them on the log scale, where a peak is not an outlier.
    const logScale = negatives === 0 && positive;
    // `v` is this function's own copy: on the log scale its values become their logarithms.
    const scaled = v;
    if (logScale) for (let u = 0; u < n; u++) scaled[u] = Math.log10(v[u]!);
    // The selections of the median and the MAD reorder their array: they get a copy (a logarithm costs more).
    const set = scaled.slice();
    const m = medianInPlace(set);
    for (let u = 0; u < n; u++) set[u] = Math.abs(set[u]! - m);
    const mad = 1.4826 * medianInPlace(set);
    if (mad > 0) {
      const outlying: number[] = [];
      let count = 0;
      for (let u = 0; u < n; u++) if (Math.abs(scaled[u]! - m) / mad > OUTLIER_Z && count++ < SHOWN) outlying.push(u);
      if (count > 0 && count <= n / 10) {
        warnings.push(
          `${data.file}: ${plural(count, "observation")} of ${output} far outside the others (median ${(logScale ? 10 ** m : m).toPrecision(4)}), e.g. ${examples(data, k, outlying)}: ` +
            `a typo or a unit error moves every estimate; check ${count === 1 ? "it" : "them"}`,
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

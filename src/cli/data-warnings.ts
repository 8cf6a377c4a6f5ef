// What a user should hear about their data before trusting a fit: the
// loader's own warnings (rows skipped, subjects dropped, changing covariates),
// then values that load fine but are probably mistakes: negative observations
// or dose amounts, and observations far outside the rest of their output.
import type { Dataset } from "../runtime/data/dataset.js";
import { InputError } from "./exit.js";
import { median } from "../runtime/numeric/summary.js";

/** Robust z-score past which one observation is called outlying (|x - median| / (1.4826 MAD)). */
const OUTLIER_Z = 10;
/** Examples quoted per warning. */
const SHOWN = 3;


function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Past this ratio between an observation and the median of its output, the numbers cannot be fitted together. */
const MAX_SPREAD = 1e12;

/**
 * Values that load (finite, within ±1e100) but that no fit can use together:
 * one observation a trillion times its output's median makes the estimator's
 * matrices numerically meaningless. Refused before fitting, naming the value.
 */
export function checkDataScale(data: Dataset): void {
  for (const s of data.subjects) {
    const tiny = [...s.series.flatMap((x) => [...x.times]), ...s.doses.map((d) => d.time)].find((t) => t !== 0 && Math.abs(t) < 1e-100);
    if (tiny !== undefined) {
      throw new InputError(`${data.file}: subject ${s.id} has a time of ${tiny}`, "rescale TIME (other units): the smoother cannot resolve times this small");
    }
  }
  data.outputs.forEach((output, k) => {
    const values: { id: string; t: number; v: number }[] = [];
    for (const s of data.subjects) {
      const series = s.series[k];
      if (series) for (let i = 0; i < series.values.length; i++) values.push({ id: s.id, t: series.times[i]!, v: series.values[i]! });
    }
    if (values.length === 0) return;
    const m = median(values.map((p) => Math.abs(p.v)).sort((a, b) => a - b));
    const worst = values.reduce((a, b) => (Math.abs(b.v) > Math.abs(a.v) ? b : a));
    if (m > 0 && m < 1e-100) {
      throw new InputError(`${data.file}: the values of ${output} are of the order of ${m.toExponential(1)}`, "rescale them (other units): values this small underflow once squared");
    }
    if (m > 0 && Math.abs(worst.v) / m > MAX_SPREAD) {
      throw new InputError(
        `${data.file}: ${output} = ${worst.v} (subject ${worst.id}, time ${worst.t}) is ${(Math.abs(worst.v) / m).toExponential(0)} times the output's median ${m.toPrecision(3)}`,
        "no fit can use such values together: fix or remove the observation (a typo or a unit error?)",
      );
    }
  });
}

export function dataWarnings(data: Dataset): string[] {
  const warnings = [...(data.warnings ?? [])];
  data.outputs.forEach((output, k) => {
    const points: { id: string; t: number; v: number }[] = [];
    for (const s of data.subjects) {
      const series = s.series[k];
      if (!series) continue;
      for (let i = 0; i < series.values.length; i++) {
        if (!series.censored?.[i]) points.push({ id: s.id, t: series.times[i]!, v: series.values[i]! });
      }
    }
    if (points.length === 0) return;
    const where = (p: { id: string; t: number; v: number }) => `${p.v} (subject ${p.id}, time ${p.t})`;
    const negative = points.filter((p) => p.v < 0);
    if (negative.length > 0) {
      warnings.push(
        `${data.file}: ${plural(negative.length, "negative value")} of ${output} out of ${points.length}, e.g. ${negative.slice(0, SHOWN).map(where).join(", ")}: ` +
          `concentrations, counts and sizes cannot be negative; check the data (or the output's units and baseline)`,
      );
    }
    // Positive outputs often span decades (a PK curve): judge them on the log scale, where a peak is not an outlier.
    const logScale = negative.length === 0 && points.every((p) => p.v > 0);
    const scale = (v: number) => (logScale ? Math.log10(v) : v);
    const sorted = points.map((p) => scale(p.v)).sort((a, b) => a - b);
    const m = median(sorted);
    const mad = 1.4826 * median(sorted.map((v) => Math.abs(v - m)).sort((a, b) => a - b));
    if (mad > 0) {
      const outlying = points.filter((p) => Math.abs(scale(p.v) - m) / mad > OUTLIER_Z);
      if (outlying.length > 0 && outlying.length <= points.length / 10) {
        warnings.push(
          `${data.file}: ${plural(outlying.length, "observation")} of ${output} far outside the others (median ${(logScale ? 10 ** m : m).toPrecision(4)}), e.g. ${outlying
            .slice(0, SHOWN)
            .map(where)
            .join(", ")}: a typo or a unit error moves every estimate; check ${outlying.length === 1 ? "it" : "them"}`,
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

// The data checks run on every fit, over every observation (800,000 for 10,000 Lotka-Volterra subjects), so they
// are written as flat loops over typed arrays. Here they are held to the plain statement of the rules (a point
// list, sort-based medians), on random data sets with negatives, outliers, censored values and empty series.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkDataScale, dataWarnings } from "../../src/cli/data-warnings.js";
import type { Dataset, Series } from "../../src/runtime/data/dataset.js";

interface Point {
  v: number;
  id: string;
  t: number;
}

function points(data: Dataset, k: number, uncensored: boolean): Point[] {
  return data.subjects.flatMap((s) => {
    const x = s.series[k];
    if (!x) return [];
    return Array.from(x.values, (v, j) => ({ v, id: s.id, t: x.times[j]!, censored: x.censored?.[j] === 1 }))
      .filter((p) => !(uncensored && p.censored))
      .map(({ v, id, t }) => ({ v, id, t }));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
}

const quote = (ps: Point[]) => ps.slice(0, 3).map((p) => `${p.v} (subject ${p.id}, time ${p.t})`).join(", ");
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;

/** The rules of src/cli/data-warnings.ts, stated plainly. */
function expectedWarnings(data: Dataset): string[] {
  const out: string[] = [];
  data.outputs.forEach((output, k) => {
    const ps = points(data, k, true);
    if (ps.length === 0) return;
    const negative = ps.filter((p) => p.v < 0);
    if (negative.length > 0)
      out.push(`${data.file}: ${plural(negative.length, "negative value")} of ${output} out of ${ps.length}, e.g. ${quote(negative)}: concentrations, counts and sizes cannot be negative; check the data (or the output's units and baseline)`);
    const log = negative.length === 0 && ps.every((p) => p.v > 0);
    const scaled = ps.map((p) => (log ? Math.log10(p.v) : p.v));
    const m = median(scaled);
    const mad = 1.4826 * median(scaled.map((x) => Math.abs(x - m)));
    if (!(mad > 0)) return;
    const far = ps.filter((_, u) => Math.abs(scaled[u]! - m) / mad > 10);
    if (far.length > 0 && far.length <= ps.length / 10)
      out.push(`${data.file}: ${plural(far.length, "observation")} of ${output} far outside the others (median ${(log ? 10 ** m : m).toPrecision(4)}), e.g. ${quote(far)}: a typo or a unit error moves every estimate; check ${far.length === 1 ? "it" : "them"}`);
  });
  return out;
}

/** checkDataScale's verdict on the spread of values, stated plainly (null: accepted). */
function expectedScaleError(data: Dataset): string | null {
  for (let k = 0; k < data.outputs.length; k++) {
    const ps = points(data, k, false);
    if (ps.length === 0) continue;
    const m = median(ps.map((p) => Math.abs(p.v)));
    if (m > 0 && m < 1e-100) return `${data.file}: the values of ${data.outputs[k]} are of the order of ${m.toExponential(1)}`;
    const worst = ps.reduce((w, p) => (Math.abs(p.v) > Math.abs(w.v) ? p : w));
    if (m > 0 && Math.abs(worst.v) / m > 1e12)
      return `${data.file}: ${data.outputs[k]} = ${worst.v} (subject ${worst.id}, time ${worst.t}) is ${(Math.abs(worst.v) / m).toExponential(0)} times the output's median ${m.toPrecision(3)}`;
  }
  return null;
}

const value = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 0.5, max: 2, noNaN: true }) },
  { weight: 1, arbitrary: fc.double({ min: -2, max: 2, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1e3, 1e13, -1e13, 1e-105, 5) },
);

const series = (output: string): fc.Arbitrary<Series> =>
  fc.array(fc.tuple(value, fc.boolean()), { maxLength: 12 }).chain((cells) =>
    fc.boolean().map((withCensoring): Series => {
      const s: Series = { output, times: Float64Array.from(cells, (_, j) => j * 0.5), values: Float64Array.from(cells, ([v]) => v) };
      if (withCensoring) s.censored = Uint8Array.from(cells, ([, c]) => (c ? 1 : 0));
      return s;
    }),
  );

// One data set in ten has output A in units so small that its median underflows once squared.
const dataset: fc.Arbitrary<Dataset> = fc
  .tuple(fc.array(fc.tuple(series("A"), series("B")), { minLength: 1, maxLength: 25 }), fc.integer({ min: 0, max: 9 }))
  .map(([subjects, units]) => ({
    file: "d.csv",
    outputs: ["A", "B"],
    covariates: [],
    subjects: subjects.map(([a, b], i) => {
      if (units === 0) a.values = a.values.map((v) => v * 1e-104);
      return { id: i % 7 === 3 ? `s(${i + 1})` : `s${i + 1}`, series: [a, b], doses: [], covariates: new Float64Array(0) };
    }),
  }));

describe("data checks", () => {
  it("dataWarnings says what the plain rules say (negatives, outliers on the log scale for positive outputs)", () => {
    fc.assert(
      fc.property(dataset, (data) => {
        expect(dataWarnings(data)).toEqual(expectedWarnings(data));
      }),
      { numRuns: 400, seed: 17 },
    );
  });

  it("checkDataScale refuses what the plain rules refuse, naming the same value", () => {
    fc.assert(
      fc.property(dataset, (data) => {
        const expected = expectedScaleError(data);
        let got: string | null = null;
        try {
          checkDataScale(data);
        } catch (error) {
          got = (error as Error).message;
        }
        expect(got).toBe(expected);
      }),
      { numRuns: 400, seed: 17 },
    );
  });

  it("the generator reaches every rule: negatives, outliers and refusals occur", () => {
    const samples = fc.sample(dataset, { numRuns: 400, seed: 17 });
    const warned = samples.flatMap(expectedWarnings);
    expect(warned.some((w) => w.includes("negative value"))).toBe(true);
    expect(warned.some((w) => w.includes("far outside"))).toBe(true);
    expect(samples.some((d) => expectedScaleError(d)?.includes("times the output's median"))).toBe(true);
    expect(samples.some((d) => expectedScaleError(d)?.includes("of the order of"))).toBe(true);
  });
});

// The Gram sums the fit keeps of a subject (assembleStats) against the sums of the rows it would otherwise build
// (assembleSubject, gramSums per state), bit for bit, on sampling every subject has to itself (an interval met once
// gets a transient test-function set in work space, the second meeting a kept one) and on a grid they all share.
import { describe, expect, it } from "vitest";
import type { Subject } from "../../../src/runtime/data/dataset.js";
import { createRng } from "../../../src/runtime/numeric/random.js";
import { gramSums } from "../../../src/runtime/population/subject-rows.js";
import { assembleStats, assembleSubject, smoothOutput, WeakFormWorkspace, type CurvePiece } from "../../../src/runtime/rows/weak-form.js";
import { lotkaVolterraModel } from "../models/lotka-volterra.js";

const model = lotkaVolterraModel();

function subject(id: string, times: Float64Array, rng: ReturnType<typeof createRng>): Subject {
  const prey = Float64Array.from(times, (t) => (1.5 + Math.sin(0.7 * t)) * (1 + 0.05 * rng.normal()));
  const predator = Float64Array.from(times, (t) => (1.2 + Math.cos(0.5 * t)) * (1 + 0.05 * rng.normal()));
  return {
    id,
    series: [
      { output: "prey", times, values: prey },
      { output: "predator", times, values: predator },
    ],
    doses: [],
    covariates: new Float64Array(0),
  };
}

const curvesOf = (s: Subject): CurvePiece[][] => s.series.map((x) => smoothOutput(x.times, x.values, [], { undersmooth: 0.1 }));
const plain = (x: unknown) => JSON.parse(JSON.stringify(x, (_, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v))) as unknown;

/** Per state, gramSums of the subject's rows (unit row scales). */
function fromRows(ws: WeakFormWorkspace, s: Subject, curves: CurvePiece[][]) {
  const sys = assembleSubject(ws, s, 0, curves, new Float64Array(model.nStates).fill(1))!;
  return Array.from({ length: model.nStates }, (_, k) => gramSums(sys, { labels: sys.rowState, label: k }));
}

describe("a subject's weak-form Gram sums", () => {
  it("irregular sampling (an interval per subject): the sums of the rows, at the first meeting and after", () => {
    const rng = createRng(41);
    const ws = new WeakFormWorkspace(model);
    for (let i = 0; i < 6; i++) {
      const times = new Float64Array(30);
      times[0] = rng.uniform();
      for (let j = 1; j < times.length; j++) times[j] = times[j - 1]! + 0.2 + 0.6 * rng.uniform();
      const s = subject(`s${i}`, times, rng);
      const curves = curvesOf(s);
      const expected = plain(fromRows(new WeakFormWorkspace(model), s, curves));
      expect(plain(assembleStats(ws, s, curves))).toEqual(expected); // first meeting: transient set
      expect(plain(assembleStats(ws, s, curves))).toEqual(expected); // second: the set is built and kept
      expect(plain(assembleStats(ws, s, curves))).toEqual(expected); // third: the kept set
    }
  });

  it("a grid every subject shares: the same sums for every subject whatever came before", () => {
    const rng = createRng(43);
    const times = Float64Array.from({ length: 40 }, (_, i) => (i * 20) / 39);
    const subjects = Array.from({ length: 5 }, (_, i) => subject(`g${i}`, times, rng));
    const ws = new WeakFormWorkspace(model);
    for (const s of subjects) {
      const curves = curvesOf(s);
      expect(plain(assembleStats(ws, s, curves))).toEqual(plain(fromRows(new WeakFormWorkspace(model), s, curves)));
    }
  });
});

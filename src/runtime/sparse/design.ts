// The weak-form design of a dictionary model, per equation and per subject, as
// Gram statistics. Same construction as the dense estimator (smooth each
// output, multi-scale bumps, Gauss-Legendre quadrature), but each row only
// keeps the columns of its own equation (`meta.equationParams[k]`) and is
// summed into that equation's Gram at once: with 50 genes the dense design
// would be 2550 columns wide for rows that have 51 non-zeros.
import type { CompiledModel, Env } from "../model.js";
import { DataError, type Dataset, type Subject } from "../data/dataset.js";
import type { ResidualError } from "../fit-result.js";
import type { SmoothFit, SmoothOptions } from "../rows/smooth.js";
import { commonSpans, jumpTimes, observationOfState, setDoseContext, smoothOutput, type CurvePiece } from "../rows/weak-form.js";
import { buildTestFunctions, levelsFor, medianSpacing, type TestFunctionOptions } from "../rows/test-functions.js";
import { splineValue } from "../numeric/bspline.js";
import { emptyGram, type Gram } from "./gram.js";

export interface DesignOptions {
  smoothing?: SmoothOptions;
  tests?: TestFunctionOptions;
  /** Refit proportional/combined outputs with weights 1/fitted^2 (default true, as the dense estimator). */
  weightedSmoothing?: boolean;
}

export interface EquationDesign {
  /** Regressed state. */
  state: number;
  /** Parameter indices of this equation's columns (into meta.parameters). */
  params: number[];
  /** Canonical term name of each column (`1`, `g3`, `g1*g7`). */
  terms: string[];
  /** Column of the constant term, -1 when the dictionary has none. */
  constant: number;
  /** Per subject (in `subjects` order). */
  grams: Gram[];
  /**
   * Per subject: effective degrees of freedom of the smoothed curve of this
   * equation's state. The weak-form rows are linear functionals of that curve,
   * so they carry at most this many independent pieces of information (eBIC's n).
   */
  edf: number[];
}

export interface SparseDesign {
  /** Ids of the subjects with at least one weak-form row. */
  subjects: string[];
  /** Index of each kept subject in the data set. */
  subjectIndex: number[];
  equations: EquationDesign[];
  residual: Record<string, ResidualError>;
  skipped: string[];
}

export function buildSparseDesign(model: CompiledModel, data: Dataset, options: DesignOptions = {}): SparseDesign {
  const meta = model.meta;
  const d = model.nStates;
  const p = model.nParams;
  const obsOf = observationOfState(model);
  for (let k = 0; k < d; k++)
    if (obsOf[k]! < 0) throw new Error(`model ${meta.name}: state ${meta.states[k]!.name} has no observation`);
  if (data.subjects.length === 0) throw new DataError("the data set has no subjects", data.file);

  const eqParams = meta.equationParams.map((ps, k) =>
    ps.filter((j) => meta.parameters[j]!.dictionaryTerm === undefined || meta.parameters[j]!.dictionaryTerm!.state === k),
  );
  const equations: EquationDesign[] = eqParams.map((params, k) => {
    const terms = params.map((j) => meta.parameters[j]!.dictionaryTerm?.term ?? meta.parameters[j]!.name);
    return { state: k, params, terms, constant: terms.indexOf("1"), grams: [], edf: [] };
  });

  const noise = meta.observations.map(() => ({ ss: 0, ssRel: 0, df: 0 }));
  const weighted = options.weightedSmoothing ?? true;
  const theta = new Float64Array(d * p);
  const drift = new Float64Array(d);
  const xs = new Float64Array(d);
  const env: Env = { sinceDose: 0, dose: 0, cov: new Float64Array(meta.covariates.length) };
  const subjects: string[] = [];
  const subjectIndex: number[] = [];
  const skipped: string[] = [];

  data.subjects.forEach((subject, index) => {
    const curves: CurvePiece[][] = [];
    for (let k = 0; k < d; k++) {
      const o = obsOf[k]!;
      const series = subject.series[o];
      if (!series || series.times.length < 2) {
        curves.push([]);
        continue;
      }
      let times = series.times;
      let values = series.values;
      if (series.censored && series.censored.some((c) => c !== 0)) {
        const keep = [...series.censored.keys()].filter((i) => series.censored![i] === 0);
        times = Float64Array.from(keep, (i) => series.times[i]!);
        values = Float64Array.from(keep, (i) => series.values[i]!);
      }
      const error = meta.observations[o]!.error;
      const weightsFor = weighted && error !== "constant" ? inverseSquareWeights : undefined;
      const pieces = smoothOutput(times, values, jumpTimes(model, subject, k), options.smoothing, weightsFor);
      for (const piece of pieces) {
        const f = piece.fit.noise;
        const acc = noise[o]!;
        acc.df += Math.max(0, piece.times.length - f.edf);
        for (let i = 0; i < piece.times.length; i++) {
          const r = f.residuals[i]!;
          acc.ss += r * r;
          if (f.fitted[i] !== 0) acc.ssRel += (r / f.fitted[i]!) ** 2;
        }
      }
      curves.push(pieces);
    }
    const grams = assembleGrams(model, subject, curves, equations, obsOf, options.tests, { theta, drift, xs, env });
    if (!grams) {
      skipped.push(subject.id);
      return;
    }
    subjects.push(subject.id);
    subjectIndex.push(index);
    grams.forEach((g, k) => {
      equations[k]!.grams.push(g);
      equations[k]!.edf.push(curves[k]!.reduce((acc, piece) => acc + piece.fit.edf, 0));
    });
  });
  if (subjects.length === 0)
    throw new DataError(
      "no subject has enough observations for a weak-form test function",
      data.file,
      undefined,
      undefined,
      "each subject needs at least 4 distinct sampling times of every observed output",
    );

  const residual: Record<string, ResidualError> = {};
  meta.observations.forEach((o, i) => {
    const acc = noise[i]!;
    const df = Math.max(acc.df, 1);
    const a = Math.sqrt(acc.ss / df);
    const b = Math.sqrt(acc.ssRel / df);
    residual[o.name] = o.error === "constant" ? { error: "constant", a } : o.error === "proportional" ? { error: "proportional", b } : { error: "combined", a, b };
  });
  return { subjects, subjectIndex, equations, residual, skipped };
}

function inverseSquareWeights(f: Pick<SmoothFit, "noise">): Float64Array | undefined {
  let min = Number.POSITIVE_INFINITY;
  for (const v of f.noise.fitted) min = Math.min(min, v);
  if (!(min > 0)) return undefined;
  const w = new Float64Array(f.noise.fitted.length);
  let mean = 0;
  for (let i = 0; i < w.length; i++) mean += w[i] = 1 / (f.noise.fitted[i]! * f.noise.fitted[i]!);
  mean /= w.length;
  for (let i = 0; i < w.length; i++) w[i] = w[i]! / mean;
  return w;
}

interface Buffers {
  theta: Float64Array;
  drift: Float64Array;
  xs: Float64Array;
  env: Env;
}

/** One subject's per-equation Grams, or null when no interval carries a test function. */
function assembleGrams(
  model: CompiledModel,
  subject: Subject,
  curves: CurvePiece[][],
  equations: EquationDesign[],
  obsOf: Int32Array,
  testOptions: TestFunctionOptions | undefined,
  buf: Buffers,
): Gram[] | null {
  const d = model.nStates;
  const p = model.nParams;
  const { theta, drift, xs, env } = buf;
  const doseTimes = subject.doses.map((x) => x.time);
  env.cov.set(subject.covariates.subarray(0, env.cov.length));
  const grams = equations.map((e) => emptyGram(e.params.length));
  const rows = equations.map((e) => new Float64Array(e.params.length));
  let any = false;
  for (const { pieces: chosen, start, end, inside } of commonSpans(curves, jumpTimes(model, subject))) {
    const levels = levelsFor(end - start, medianSpacing(inside), testOptions);
    if (levels < 1) continue;
    const tests = buildTestFunctions(start, end, levels, testOptions);
    const nNodes = tests.nodes.length;
    // Per node: the observed-scale curves, and each equation's own dictionary columns.
    const z = new Float64Array(nNodes * d);
    const feats = new Float64Array(nNodes * p);
    const c = new Float64Array(nNodes * d);
    for (let n = 0; n < nNodes; n++) {
      const t = tests.nodes[n]!;
      for (let k = 0; k < d; k++) {
        const zk = splineValue(chosen[k]!.fit.basis, chosen[k]!.fit.coef, t);
        z[n * d + k] = zk;
        xs[k] = model.invert(obsOf[k]!, zk);
      }
      setDoseContext(env, doseTimes, t);
      model.observedDictionary(xs, t, env, theta);
      model.observedDrift(xs, t, env, drift);
      let off = n * p;
      for (let k = 0; k < d; k++) {
        const ps = equations[k]!.params;
        const base = k * p;
        for (let j = 0; j < ps.length; j++) feats[off++] = theta[base + ps[j]!]!;
        c[n * d + k] = drift[k]!;
      }
    }
    const tw = tests.weights;
    const tphi = tests.phi;
    const tdphi = tests.dphi;
    for (const f of tests.functions) {
      let eqOff = 0;
      for (let k = 0; k < d; k++) {
        const m = equations[k]!.params.length;
        const row = rows[k]!;
        const y = weakRow(f.firstNode, f.nodeCount, f.offset, tw, tphi, tdphi, z, c, feats, d, k, p, eqOff, m, row);
        accumulate(grams[k]!, row, y);
        eqOff += m;
      }
      any = true;
    }
  }
  if (!any) return null;
  for (const g of grams) {
    const m = g.m;
    for (let j = 0; j < m; j++) for (let l = 0; l < j; l++) g.xx[l * m + j] = g.xx[j * m + l]!;
  }
  return grams;
}

/** One weak-form row of equation k: fills `row` (its columns) and returns y. Kept monomorphic on typed arrays: it is the hot loop. */
function weakRow(
  first: number,
  count: number,
  offset: number,
  weights: Float64Array,
  phi: Float64Array,
  dphi: Float64Array,
  z: Float64Array,
  c: Float64Array,
  feats: Float64Array,
  d: number,
  k: number,
  p: number,
  eqOff: number,
  m: number,
  row: Float64Array,
): number {
  row.fill(0);
  let y = 0;
  for (let i = 0; i < count; i++) {
    const n = first + i;
    const w = weights[n]!;
    const ph = w * phi[offset + i]!;
    y -= w * dphi[offset + i]! * z[n * d + k]! + ph * c[n * d + k]!;
    if (ph === 0) continue;
    const base = n * p + eqOff;
    for (let j = 0; j < m; j++) row[j] = row[j]! + ph * feats[base + j]!;
  }
  return y;
}

function accumulate(g: Gram, row: Float64Array, y: number): void {
  const m = g.m;
  const xx = g.xx;
  const xy = g.xy;
  g.n++;
  g.yy += y * y;
  for (let j = 0; j < m; j++) {
    const rj = row[j]!;
    if (rj === 0) continue;
    xy[j] = xy[j]! + rj * y;
    const off = j * m;
    for (let l = 0; l <= j; l++) xx[off + l] = xx[off + l]! + rj * row[l]!;
  }
}

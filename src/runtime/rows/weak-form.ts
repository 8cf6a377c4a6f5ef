// Per-subject weak-form assembly: smooth each output between the doses that
// make its state jump, place test functions inside every between-jump
// interval the subject's outputs cover, and integrate
//     y_lk = -int(phi_l' z_k) - int(phi_l c_k),   G_lk = int(phi_l Theta_k)
// on the observed scale (z_k = h(x_k), Theta and c from the model's
// observed-scale dynamics). The result is a small linear regression per subject.
import type { CompiledModel, Env } from "../model.js";
import type { Subject } from "../data/dataset.js";
import { smoothNoise, smoothSeries, type SmoothFit, type SmoothOptions } from "./smooth.js";
import { buildTestFunctions, levelsFor, medianSpacing, type TestFunctionOptions, type TestFunctionSet } from "./test-functions.js";
import { splineDerivative, splineValue } from "../numeric/bspline.js";
import type { SubjectRows } from "../population/subject-rows.js";

/** One smoothed stretch of one output between jumps of its state. */
export interface CurvePiece {
  start: number;
  end: number;
  times: Float64Array;
  values: Float64Array;
  fit: SmoothFit;
  /**
   * When set, the spline lives on u = log(t - origin + shift) (a smooth,
   * monotone time warp that spreads log-spaced samples after a dose evenly);
   * evaluate with `curveValue`.
   */
  warp?: TimeWarp;
}

/**
 * u(t) = log(t - origin + shift) + sum_k H(t - kink_k) log((t - kink_k + shift) / shift):
 * log-spaced from the latest dose before the piece, restarting its fast phase
 * at each later dose inside it (`kinks`). u is continuous and increasing; at a
 * kink its slope jumps, so a spline in u may have a kink in t there: the
 * derivative of a state that is continuous across a dose may jump (Ab when
 * the latent S jumps), its value may not.
 */
export interface TimeWarp {
  origin: number;
  shift: number;
  kinks?: number[];
}

export function warpTime(w: TimeWarp, t: number): number {
  let u = Math.log(t - w.origin + w.shift);
  if (w.kinks) for (const k of w.kinks) if (t > k) u += Math.log1p((t - k) / w.shift);
  return u;
}

/** dt/du at t. */
export function warpStretch(w: TimeWarp, t: number): number {
  let du = 1 / (t - w.origin + w.shift);
  if (w.kinks) for (const k of w.kinks) if (t > k) du += 1 / (t - k + w.shift);
  return 1 / du;
}

export function unwarpTime(w: TimeWarp, u: number): number {
  const t0 = Math.exp(u) + w.origin - w.shift;
  if (!w.kinks || w.kinks.length === 0) return t0;
  // Monotone: bisection between the kink-free inverse (an upper bound) and a lower bound.
  let hi = t0;
  let lo = w.origin - w.shift + 1e-300;
  if (warpTime(w, hi) < u) return hi;
  for (let it = 0; it < 200 && hi - lo > 1e-13 * Math.max(1, Math.abs(hi)); it++) {
    const mid = 0.5 * (lo + hi);
    if (warpTime(w, mid) < u) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** The smoothed curve of a piece at time t (through its warp, if any). */
export function curveValue(piece: CurvePiece, t: number): number {
  return splineValue(piece.fit.basis, piece.fit.coef, piece.warp ? warpTime(piece.warp, t) : t);
}

export interface OutputCurves {
  output: number;
  pieces: CurvePiece[];
}

/** One between-jump interval with its test functions and the curves evaluated at its quadrature nodes. */
export interface WeakInterval {
  tests: TestFunctionSet;
  /** For each regressed state, the curve piece used (index into that output's pieces). */
  pieces: CurvePiece[];
  /** States at the nodes, node-major (node * d + k). */
  x: Float64Array;
  /** Observed-scale curves at the nodes (node * d + k). */
  z: Float64Array;
  /** First row of this interval in the subject's system. */
  firstRow: number;
}

/** A subject's weak-form rows (cols = the model's parameters) with what re-weighting and the diagnostics need to trace them back. */
export interface SubjectSystem extends SubjectRows {
  id: string;
  index: number;
  /** Regressed state of each row. */
  rowState: Int32Array;
  /** Test function of each row (index within its interval). */
  rowTest: Int32Array;
  intervals: WeakInterval[];
}

export interface WeakFormOptions {
  smoothing?: SmoothOptions;
  tests?: TestFunctionOptions;
}

/** The observation index that carries each state (-1 when the state is not observed). */
export function observationOfState(model: CompiledModel): Int32Array {
  const out = new Int32Array(model.nStates).fill(-1);
  model.meta.observations.forEach((o, i) => {
    if (out[o.state] === -1) out[o.state] = i;
  });
  return out;
}

/** Times of administrations that make state `state` jump (all of them when any jump dose targets it). */
export function jumpTimes(model: CompiledModel, subject: Subject, state?: number): number[] {
  const jumps = model.meta.doses.filter((d) => d.kind === "jump" && (state === undefined || d.state === state));
  if (jumps.length === 0) return [];
  return [...new Set(subject.doses.map((d) => d.time))].sort((a, b) => a - b);
}

/**
 * Split a series at jump times (a sample at a dose time is taken as pre-dose,
 * the NONMEM trough convention) and smooth every piece with at least 2 points.
 */
export function smoothOutput(
  times: Float64Array,
  values: Float64Array,
  jumps: number[],
  options: SmoothOptions = {},
  weightsFor?: (fit: Pick<SmoothFit, "noise">) => Float64Array | undefined,
): CurvePiece[] {
  const pieces: CurvePiece[] = [];
  const coarse = weightsFor ? { ...options, coarse: true } : options;
  const bounds = [Number.NEGATIVE_INFINITY, ...jumps, Number.POSITIVE_INFINITY];
  let i = 0;
  for (let b = 0; b + 1 < bounds.length; b++) {
    const hiBound = bounds[b + 1]!;
    const startIdx = i;
    while (i < times.length && (times[i]! <= hiBound || b + 1 === bounds.length - 1)) i++;
    const t = times.subarray(startIdx, i);
    const v = values.subarray(startIdx, i);
    if (t.length < 2 || !(t[t.length - 1]! > t[0]!)) continue;
    pieces.push({ start: t[0]!, end: t[t.length - 1]!, times: t, values: v, fit: weightedFit(t, v, options, coarse, weightsFor) });
  }
  return pieces;
}

/**
 * The curve of one piece: with `weightsFor`, a coarse pilot (its GCV fit
 * only: the undersmoothed curve of a pilot would be thrown away) sets the
 * weights of the refit; without weights, or when it gives none, the
 * unweighted fit (`coarse` when there is a pilot, as it then was).
 */
export function weightedFit(
  t: Float64Array,
  v: Float64Array,
  options: SmoothOptions,
  coarse: SmoothOptions,
  weightsFor?: (fit: Pick<SmoothFit, "noise">) => Float64Array | undefined,
): SmoothFit {
  if (!weightsFor) return smoothSeries(t, v, options);
  const noise = smoothNoise(t, v, coarse);
  const w = weightsFor({ noise });
  return w ? smoothSeries(t, v, { ...options, weights: w, lambdaHint: noise.lambda }) : smoothSeries(t, v, coarse);
}

/** A test-function set with its quadrature weights folded in: w * phi and w * phi' at each function's nodes. */
interface WeightedTests {
  start: number;
  end: number;
  levels: number;
  options: TestFunctionOptions | undefined;
  tests: TestFunctionSet;
  wphi: Float64Array;
  wdphi: Float64Array;
}

/** Sets remembered per workspace: subjects sampled alike have the same intervals. */
const TEST_CACHE = 4;

/** The reusable buffers of one assembly (one per thread of work). */
export class WeakFormWorkspace {
  readonly theta: Float64Array;
  readonly drift: Float64Array;
  readonly xs: Float64Array;
  readonly env: Env;
  readonly obsOf: Int32Array;
  /** Theta and c at every node of an interval (grown as needed). */
  thetaAt = new Float64Array(0);
  driftAt = new Float64Array(0);
  zAt = new Float64Array(0);
  private readonly tests: WeightedTests[] = [];
  private nextTest = 0;
  constructor(readonly model: CompiledModel) {
    const d = model.nStates;
    const p = model.nParams;
    this.theta = new Float64Array(d * p);
    this.drift = new Float64Array(d);
    this.xs = new Float64Array(d);
    this.env = { sinceDose: 0, dose: 0, cov: new Float64Array(model.meta.covariates.length) };
    this.obsOf = observationOfState(model);
  }

  /** The test functions on [start, end], shared with earlier subjects whose interval was the same (read-only). */
  testsFor(start: number, end: number, levels: number, options: TestFunctionOptions | undefined): WeightedTests {
    for (const c of this.tests) if (c.start === start && c.end === end && c.levels === levels && c.options === options) return c;
    const tests = buildTestFunctions(start, end, levels, options);
    const wphi = new Float64Array(tests.phi.length);
    const wdphi = new Float64Array(tests.phi.length);
    for (const f of tests.functions)
      for (let i = 0; i < f.nodeCount; i++) {
        const w = tests.weights[f.firstNode + i]!;
        wphi[f.offset + i] = w * tests.phi[f.offset + i]!;
        wdphi[f.offset + i] = w * tests.dphi[f.offset + i]!;
      }
    const entry = { start, end, levels, options, tests, wphi, wdphi };
    if (this.tests.length < TEST_CACHE) this.tests.push(entry);
    else {
      this.tests[this.nextTest] = entry;
      this.nextTest = (this.nextTest + 1) % TEST_CACHE;
    }
    return entry;
  }
}

/** Set env.dose / env.sinceDose for time t given sorted dose times. */
export function setDoseContext(env: Env, doseTimes: ArrayLike<number>, t: number): void {
  let k = 0;
  while (k < doseTimes.length && doseTimes[k]! <= t) k++;
  env.dose = k;
  env.sinceDose = k === 0 ? 0 : t - doseTimes[k - 1]!;
}

/** Where every curve has a piece inside one between-jump interval: the pieces, their common span and the samples in it. */
export interface CommonSpan {
  pieces: CurvePiece[];
  start: number;
  end: number;
  /** Sorted distinct sampling times of all the pieces inside [start, end]. */
  inside: number[];
}

/**
 * For each interval between consecutive `jumps`, the span every curve covers there (one piece per curve, none
 * crossing a jump), with at least 4 distinct samples in it: where test functions can be placed.
 */
export function commonSpans(curves: readonly CurvePiece[][], jumps: readonly number[]): CommonSpan[] {
  const bounds = [Number.NEGATIVE_INFINITY, ...jumps, Number.POSITIVE_INFINITY];
  const spans: CommonSpan[] = [];
  for (let b = 0; b + 1 < bounds.length; b++) {
    const lo = bounds[b]!;
    const hi = bounds[b + 1]!;
    let start = Number.NEGATIVE_INFINITY;
    let end = Number.POSITIVE_INFINITY;
    const pieces: CurvePiece[] = [];
    let count = 0;
    for (const list of curves) {
      const piece = list.find((c) => c.start >= lo && c.end <= hi && c.start < hi);
      if (!piece) break;
      pieces.push(piece);
      start = Math.max(start, piece.start);
      end = Math.min(end, piece.end);
      count += piece.times.length;
    }
    if (pieces.length < curves.length || !(end > start)) continue;
    // Sorted distinct times inside: a typed array sorts numerically without a comparator call per pair.
    const all = new Float64Array(count);
    let k = 0;
    for (const piece of pieces) for (const t of piece.times) if (t >= start && t <= end) all[k++] = t;
    const sorted = all.subarray(0, k).sort();
    const inside: number[] = [];
    for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) inside.push(sorted[i]!);
    if (inside.length < 4) continue;
    spans.push({ pieces, start, end, inside });
  }
  return spans;
}

/**
 * Assemble the weak-form rows of one subject from its smoothed curves
 * (`curves[k]` for regressed state k). `rowScale[k]` multiplies state k's rows
 * (inverse noise scale of its output). Returns null when no interval supports
 * a test function.
 */
export function assembleSubject(
  ws: WeakFormWorkspace,
  subject: Subject,
  index: number,
  curves: CurvePiece[][],
  rowScale: Float64Array,
  options: WeakFormOptions = {},
): SubjectSystem | null {
  const model = ws.model;
  const d = model.nStates;
  const p = model.nParams;
  const obsOf = ws.obsOf;
  const doseTimes = subject.doses.map((x) => x.time);
  const jumps = jumpTimes(model, subject);
  ws.env.cov.set(subject.covariates.subarray(0, ws.env.cov.length));
  const intervals: WeakInterval[] = [];
  const weighted: WeightedTests[] = [];
  let rows = 0;
  for (const { pieces: chosen, start, end, inside } of commonSpans(curves, jumps)) {
    const levels = levelsFor(end - start, medianSpacing(inside), options.tests);
    if (levels < 1) continue;
    const wt = ws.testsFor(start, end, levels, options.tests);
    const tests = wt.tests;
    const nNodes = tests.nodes.length;
    const x = new Float64Array(nNodes * d);
    const z = new Float64Array(nNodes * d);
    for (let k = 0; k < d; k++) {
      const { basis, coef } = chosen[k]!.fit;
      for (let n = 0; n < nNodes; n++) {
        const zk = splineValue(basis, coef, tests.nodes[n]!);
        z[n * d + k] = zk;
        x[n * d + k] = model.invert(obsOf[k]!, zk);
      }
    }
    intervals.push({ tests, pieces: chosen, x, z, firstRow: rows });
    weighted.push(wt);
    rows += tests.functions.length * d;
  }
  if (rows === 0) return null;

  const g = new Float64Array(rows * p);
  const y = new Float64Array(rows);
  const rowState = new Int32Array(rows);
  const rowTest = new Int32Array(rows);
  const { theta, drift, xs, env } = ws;
  // The entries of Theta that are not zero at every node (a state's equation
  // involves few parameters), and whether c is: the row sums skip the rest,
  // which adds nothing to them. Theta, c and z are laid out entry-major (one
  // contiguous run of nodes per entry), so each row entry is one dot product
  // over the bump's support, summed node by node in the same order as before.
  const dp = d * p;
  const active = new Int32Array(dp);
  const hasDrift = new Uint8Array(d);
  const gAcc = new Float64Array(dp);
  const nonZero = new Uint8Array(dp);
  intervals.forEach((iv, v) => {
    const { tests, z } = iv;
    const { wphi, wdphi } = weighted[v]!;
    const nNodes = tests.nodes.length;
    // Theta and c at every node once; the bumps then only re-weight them.
    if (ws.thetaAt.length < nNodes * dp) ws.thetaAt = new Float64Array(nNodes * dp);
    if (ws.driftAt.length < nNodes * d) ws.driftAt = new Float64Array(nNodes * d);
    if (ws.zAt.length < nNodes * d) ws.zAt = new Float64Array(nNodes * d);
    const { thetaAt, driftAt, zAt } = ws;
    nonZero.fill(0);
    hasDrift.fill(0);
    for (let n = 0; n < nNodes; n++) {
      const t = tests.nodes[n]!;
      setDoseContext(env, doseTimes, t);
      for (let k = 0; k < d; k++) xs[k] = iv.x[n * d + k]!;
      model.observedDictionary(xs, t, env, theta);
      model.observedDrift(xs, t, env, drift);
      for (let k = 0; k < dp; k++) {
        thetaAt[k * nNodes + n] = theta[k]!;
        if (theta[k] !== 0) nonZero[k] = 1;
      }
      for (let k = 0; k < d; k++) {
        driftAt[k * nNodes + n] = drift[k]!;
        zAt[k * nNodes + n] = z[n * d + k]!;
        if (drift[k] !== 0) hasDrift[k] = 1;
      }
    }
    let nActive = 0;
    for (let a = 0; a < dp; a++) if (nonZero[a]) active[nActive++] = a;
    let anyDrift = false;
    for (let k = 0; k < d; k++) if (hasDrift[k]) anyDrift = true;
    const functions = tests.functions;
    for (let l = 0; l < functions.length; l++) {
      const f = functions[l]!;
      const first = f.firstNode;
      const offset = f.offset;
      const count = f.nodeCount;
      gAcc.fill(0);
      for (let a = 0; a < nActive; a++) {
        const e = active[a]!;
        const base = e * nNodes + first;
        let acc = 0;
        for (let i = 0; i < count; i++) acc += wphi[offset + i]! * thetaAt[base + i]!;
        gAcc[e] = acc;
      }
      for (let k = 0; k < d; k++) {
        const base = k * nNodes + first;
        let acc = 0;
        if (anyDrift) for (let i = 0; i < count; i++) acc -= wdphi[offset + i]! * zAt[base + i]! + wphi[offset + i]! * driftAt[base + i]!;
        else for (let i = 0; i < count; i++) acc -= wdphi[offset + i]! * zAt[base + i]!;
        const row = iv.firstRow + l * d + k;
        rowState[row] = k;
        rowTest[row] = l;
        const s = rowScale[k]!;
        y[row] = acc * s;
        for (let j = 0; j < p; j++) g[row * p + j] = gAcc[k * p + j]! * s;
      }
    }
  });
  return { id: subject.id, index, rows, cols: p, g, y, rowState, rowTest, intervals };
}

/** The curve derivative, for diagnostics (finite-difference-free). */
export function curveSlope(piece: CurvePiece, t: number): number {
  return splineDerivative(piece.fit.basis, piece.fit.coef, t);
}

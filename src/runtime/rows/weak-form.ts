// Per-subject weak-form assembly: smooth each output between the doses that
// make its state jump, place test functions inside every between-jump
// interval the subject's outputs cover, and integrate
//     y_lk = -int(phi_l' z_k) - int(phi_l c_k),   G_lk = int(phi_l Theta_k)
// on the observed scale (z_k = h(x_k), Theta and c from the model's
// observed-scale dynamics). The result is a small linear regression per subject.
import type { CompiledModel, Env } from "../model.js";
import type { Subject } from "../data/dataset.js";
import { smoothNoise, smoothSeries, type SmoothFit, type SmoothOptions } from "./smooth.js";
import { buildTestFunctions, levelsFor, medianSpacing, testFunctionSize, weightedTestFunctionsInto, type TestFunction, type TestFunctionOptions, type TestFunctionSet } from "./test-functions.js";
import { evalBasis, splineDerivative, splineValue, type UniformCubicBasis } from "../numeric/bspline.js";
import type { SubjectRows, SubjectStats } from "../population/subject-rows.js";

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
  /**
   * Work space of one subject's interval, valid until the next subject: only its nodes and the functions' node
   * ranges (`weightedTestFunctionsInto`), no phi, weights or centres (see `testsFor`).
   */
  transient?: boolean;
}

/** Sets remembered per workspace: subjects sampled alike have the same intervals. */
const TEST_CACHE = 4;
/** Intervals met once and not kept, remembered so that a second meeting keeps its set. */
const MET_ONCE = 8;
const EMPTY = new Float64Array(0);

/** The reusable buffers of one assembly (one per thread of work). */
export class WeakFormWorkspace {
  readonly theta: Float64Array;
  readonly drift: Float64Array;
  readonly xs: Float64Array;
  /** The right-hand sides of one test function's rows, one per state. */
  readonly ys: Float64Array;
  readonly env: Env;
  readonly obsOf: Int32Array;
  /** Theta and c at every node of an interval (grown as needed). */
  thetaAt = new Float64Array(0);
  driftAt = new Float64Array(0);
  zAt = new Float64Array(0);
  private readonly tests: WeightedTests[] = [];
  private nextTest = 0;
  /** Basis values at the nodes of the cached test sets, per basis (see `nodeBasis`). */
  private readonly nodeBases = new Map<WeightedTests, { basis: UniformCubicBasis; first: Int32Array; bv: Float64Array }[]>();
  private buffers?: { active: Int32Array; hasDrift: Uint8Array; gAcc: Float64Array; nonZero: Uint8Array };
  private readonly nodeBuffers: { x: Float64Array; z: Float64Array }[] = [];
  private readonly metOnce: { start: number; end: number; levels: number; options: TestFunctionOptions | undefined }[] = [];
  private nextMet = 0;
  /** Per interval of a subject, the arrays of its transient set; and the basis at its nodes, one state at a time. */
  private readonly transientSets: { nodes: Float64Array; wphi: Float64Array; wdphi: Float64Array }[] = [];
  private transientBasis = { first: new Int32Array(0), bv: new Float64Array(0) };
  private readonly basisTmp = new Float64Array(4);
  constructor(readonly model: CompiledModel) {
    const d = model.nStates;
    const p = model.nParams;
    this.theta = new Float64Array(d * p);
    this.drift = new Float64Array(d);
    this.xs = new Float64Array(d);
    this.ys = new Float64Array(d);
    this.env = { sinceDose: 0, dose: 0, cov: new Float64Array(model.meta.covariates.length) };
    this.obsOf = observationOfState(model);
  }

  /**
   * The test functions on [start, end], shared with earlier subjects whose interval was the same (read-only). With
   * `slot` (a subject's interval whose rows are summed, not kept), an interval met for the first time gets a
   * transient set in work space instead: where every subject has an interval of its own (irregular sampling), a set
   * built and kept per subject was a fifth of a logistic fit. The second meeting builds the set and keeps it.
   */
  testsFor(start: number, end: number, levels: number, options: TestFunctionOptions | undefined, slot?: number): WeightedTests {
    for (const c of this.tests) if (c.start === start && c.end === end && c.levels === levels && c.options === options) return c;
    if (slot !== undefined && !this.metBefore(start, end, levels, options)) return this.transientTests(slot, start, end, levels, options);
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
      this.nodeBases.delete(this.tests[this.nextTest]!);
      this.tests[this.nextTest] = entry;
      this.nextTest = (this.nextTest + 1) % TEST_CACHE;
    }
    return entry;
  }

  /** Whether this interval was met before (and remember it if not). */
  private metBefore(start: number, end: number, levels: number, options: TestFunctionOptions | undefined): boolean {
    for (const m of this.metOnce) if (m.start === start && m.end === end && m.levels === levels && m.options === options) return true;
    const entry = { start, end, levels, options };
    if (this.metOnce.length < MET_ONCE) this.metOnce.push(entry);
    else {
      this.metOnce[this.nextMet] = entry;
      this.nextMet = (this.nextMet + 1) % MET_ONCE;
    }
    return false;
  }

  /** A set valid until the next subject (see `testsFor`), in the work space of the subject's interval `slot`. */
  private transientTests(slot: number, start: number, end: number, levels: number, options: TestFunctionOptions | undefined): WeightedTests {
    const size = testFunctionSize(levels, options);
    while (this.transientSets.length <= slot) this.transientSets.push({ nodes: EMPTY, wphi: EMPTY, wdphi: EMPTY });
    const b = this.transientSets[slot]!;
    if (b.nodes.length < size.nodes) b.nodes = new Float64Array(size.nodes);
    if (b.wphi.length < size.values) {
      b.wphi = new Float64Array(size.values);
      b.wdphi = new Float64Array(size.values);
    }
    const out = { nodes: b.nodes.subarray(0, size.nodes), wphi: b.wphi.subarray(0, size.values), wdphi: b.wdphi.subarray(0, size.values) };
    const functions = weightedTestFunctionsInto(start, end, levels, options ?? {}, out);
    const tests: TestFunctionSet = { t0: start, t1: end, nodes: out.nodes, weights: EMPTY, functions, phi: EMPTY, dphi: EMPTY, levels };
    return { start, end, levels, options, tests, wphi: out.wphi, wdphi: out.wdphi, transient: true };
  }

  /** The four non-zero basis functions at every node of `wt` (evalBasis's), for curves on `basis`: subjects sampled alike share them. */
  nodeBasis(wt: WeightedTests, basis: UniformCubicBasis): { first: Int32Array; bv: Float64Array } {
    if (wt.transient) {
      // Read at once, one state at a time: one work space serves.
      const nodes = wt.tests.nodes;
      if (this.transientBasis.first.length < nodes.length) this.transientBasis = { first: new Int32Array(nodes.length), bv: new Float64Array(4 * nodes.length) };
      const { first, bv } = this.transientBasis;
      const tmp = this.basisTmp;
      for (let n = 0; n < nodes.length; n++) {
        first[n] = evalBasis(basis, nodes[n]!, tmp);
        bv[4 * n] = tmp[0]!;
        bv[4 * n + 1] = tmp[1]!;
        bv[4 * n + 2] = tmp[2]!;
        bv[4 * n + 3] = tmp[3]!;
      }
      return this.transientBasis;
    }
    let list = this.nodeBases.get(wt);
    if (!list) this.nodeBases.set(wt, (list = []));
    for (const e of list) if (e.basis.t0 === basis.t0 && e.basis.t1 === basis.t1 && e.basis.segments === basis.segments) return e;
    const nodes = wt.tests.nodes;
    const first = new Int32Array(nodes.length);
    const bv = new Float64Array(4 * nodes.length);
    const tmp = new Float64Array(4);
    for (let n = 0; n < nodes.length; n++) {
      first[n] = evalBasis(basis, nodes[n]!, tmp);
      bv.set(tmp, 4 * n);
    }
    const entry = { basis, first, bv };
    // A few bases per set (one per output's sampling span): a bounded list.
    if (list.length >= TEST_CACHE) list.shift();
    list.push(entry);
    return entry;
  }

  /** Work space for the curves at the nodes of a subject's interval `v` (`weakLayout` when the system is not kept). */
  nodeValues(v: number, size: number): { x: Float64Array; z: Float64Array } {
    while (this.nodeBuffers.length <= v) this.nodeBuffers.push({ x: new Float64Array(0), z: new Float64Array(0) });
    const b = this.nodeBuffers[v]!;
    if (b.x.length < size) {
      b.x = new Float64Array(size);
      b.z = new Float64Array(size);
    }
    return { x: b.x.subarray(0, size), z: b.z.subarray(0, size) };
  }

  /** Per-row work space of `weakRows`. */
  rowBuffers(): { active: Int32Array; hasDrift: Uint8Array; gAcc: Float64Array; nonZero: Uint8Array } {
    const d = this.model.nStates;
    const dp = d * this.model.nParams;
    return (this.buffers ??= { active: new Int32Array(dp), hasDrift: new Uint8Array(d), gAcc: new Float64Array(dp), nonZero: new Uint8Array(dp) });
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

let spanTimes = new Float64Array(64);

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
      let piece: CurvePiece | undefined;
      for (const c of list)
        if (c.start >= lo && c.end <= hi && c.start < hi) {
          piece = c;
          break;
        }
      if (!piece) break;
      pieces.push(piece);
      start = Math.max(start, piece.start);
      end = Math.min(end, piece.end);
      count += piece.times.length;
    }
    if (pieces.length < curves.length || !(end > start)) continue;
    // Sorted distinct times inside: a typed array sorts numerically without a comparator call per pair (work
    // space kept between calls: see GridSeries.curveAt).
    if (spanTimes.length < count) spanTimes = new Float64Array(Math.max(count, 2 * spanTimes.length));
    const all = spanTimes;
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

/** A subject's intervals with their weighted test functions, and the number of rows they give. */
interface WeakLayout {
  intervals: WeakInterval[];
  weighted: WeightedTests[];
  rows: number;
}

/**
 * Where the subject's test functions go, and its curves (observed scale z,
 * states x) at their quadrature nodes. The basis values at the nodes are the
 * same for every subject whose curves share a basis and an interval, so they
 * come from the workspace (`nodeBasis`).
 */
function weakLayout(ws: WeakFormWorkspace, subject: Subject, curves: CurvePiece[][], options: WeakFormOptions, keep: boolean): WeakLayout {
  const model = ws.model;
  const d = model.nStates;
  const obsOf = ws.obsOf;
  const out: WeakLayout = { intervals: [], weighted: [], rows: 0 };
  for (const { pieces: chosen, start, end, inside } of commonSpans(curves, jumpTimes(model, subject))) {
    const levels = levelsFor(end - start, medianSpacing(inside), options.tests);
    if (levels < 1) continue;
    const wt = ws.testsFor(start, end, levels, options.tests, keep ? undefined : out.intervals.length);
    const tests = wt.tests;
    const nNodes = tests.nodes.length;
    // Curves at the nodes: the subject's own arrays when its system is kept, else work space.
    const { x, z } = keep ? { x: new Float64Array(nNodes * d), z: new Float64Array(nNodes * d) } : ws.nodeValues(out.intervals.length, nNodes * d);
    for (let k = 0; k < d; k++) {
      const { basis, coef } = chosen[k]!.fit;
      const { first, bv } = ws.nodeBasis(wt, basis);
      const o = obsOf[k]!;
      for (let n = 0; n < nNodes; n++) {
        // splineValue's sum, term for term, on basis values computed once per interval and basis.
        const j = first[n]!;
        const zk = coef[j]! * bv[4 * n]! + coef[j + 1]! * bv[4 * n + 1]! + coef[j + 2]! * bv[4 * n + 2]! + coef[j + 3]! * bv[4 * n + 3]!;
        z[n * d + k] = zk;
        x[n * d + k] = model.invert(o, zk);
      }
    }
    out.intervals.push({ tests, pieces: chosen, x, z, firstRow: out.rows });
    out.weighted.push(wt);
    out.rows += tests.functions.length * d;
  }
  return out;
}

/**
 * Receives the rows of a subject one at a time: row `row` regresses state k
 * on test function l, y = `y`, and G's row is `g[gOffset .. gOffset + p)`
 * (unscaled, a buffer reused for the next row).
 */
interface RowSink {
  row(row: number, k: number, l: number, y: number, g: Float64Array, gOffset: number): void;
}

/**
 * The rows of every interval of a layout, into `sink`:
 *     y_lk = -int(phi_l' z_k) - int(phi_l c_k),   G_lk = int(phi_l Theta_k).
 */
function weakRows(ws: WeakFormWorkspace, subject: Subject, layout: WeakLayout, sink: RowSink): void {
  const model = ws.model;
  const d = model.nStates;
  const p = model.nParams;
  const doseTimes = subject.doses.map((x) => x.time);
  ws.env.cov.set(subject.covariates.subarray(0, ws.env.cov.length));
  const { theta, drift, xs, env } = ws;
  // The entries of Theta that are not zero at every node (a state's equation
  // involves few parameters), and whether c is: the row sums skip the rest,
  // which adds nothing to them. Theta, c and z are laid out entry-major (one
  // contiguous run of nodes per entry), so each row entry is one dot product
  // over the bump's support, summed node by node in the same order as before.
  const dp = d * p;
  const { active, hasDrift, gAcc, nonZero } = ws.rowBuffers();
  for (let v = 0; v < layout.intervals.length; v++) {
    const iv = layout.intervals[v]!;
    const { tests, z } = iv;
    const { wphi, wdphi } = layout.weighted[v]!;
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
    const sums: BumpSums = { nNodes, nActive, anyDrift, wphi, wdphi };
    for (let l = 0; l < functions.length; l++) {
      bumpSums(ws, sums, functions[l]!);
      for (let k = 0; k < d; k++) sink.row(iv.firstRow + l * d + k, k, l, ws.ys[k]!, gAcc, k * p);
    }
  }
}

/** What `bumpSums` reads of an interval: its node count, active entries of Theta, whether c is used, w phi and w phi'. */
interface BumpSums {
  nNodes: number;
  nActive: number;
  anyDrift: boolean;
  wphi: Float64Array;
  wdphi: Float64Array;
}

/**
 * One test function's integrals over its nodes, from the interval's Theta, c and z at every node (the workspace's
 * entry-major `thetaAt`, `driftAt`, `zAt`): G's entries into `gAcc` (the active ones), the rows' right-hand sides
 * into `ys`, one per state.
 */
function bumpSums(ws: WeakFormWorkspace, sums: BumpSums, f: TestFunction): void {
  const d = ws.model.nStates;
  const { nNodes, nActive, anyDrift, wphi, wdphi } = sums;
  const { thetaAt, driftAt, zAt } = ws;
  const { active, gAcc } = ws.rowBuffers();
  const first = f.firstNode;
  const offset = f.offset;
  const count = f.nodeCount;
  gAcc.fill(0);
  // Four or two entries per pass: independent sums (each over the nodes in order, as one at a time would) keep the
  // processor busy where one waits on its own additions.
  let a = 0;
  for (; a + 3 < nActive; a += 4) {
    const e0 = active[a]!;
    const e1 = active[a + 1]!;
    const e2 = active[a + 2]!;
    const e3 = active[a + 3]!;
    const b0 = e0 * nNodes + first;
    const b1 = e1 * nNodes + first;
    const b2 = e2 * nNodes + first;
    const b3 = e3 * nNodes + first;
    let acc0 = 0;
    let acc1 = 0;
    let acc2 = 0;
    let acc3 = 0;
    for (let i = 0; i < count; i++) {
      const w = wphi[offset + i]!;
      acc0 += w * thetaAt[b0 + i]!;
      acc1 += w * thetaAt[b1 + i]!;
      acc2 += w * thetaAt[b2 + i]!;
      acc3 += w * thetaAt[b3 + i]!;
    }
    gAcc[e0] = acc0;
    gAcc[e1] = acc1;
    gAcc[e2] = acc2;
    gAcc[e3] = acc3;
  }
  for (; a + 1 < nActive; a += 2) {
    const e0 = active[a]!;
    const e1 = active[a + 1]!;
    const b0 = e0 * nNodes + first;
    const b1 = e1 * nNodes + first;
    let acc0 = 0;
    let acc1 = 0;
    for (let i = 0; i < count; i++) {
      const w = wphi[offset + i]!;
      acc0 += w * thetaAt[b0 + i]!;
      acc1 += w * thetaAt[b1 + i]!;
    }
    gAcc[e0] = acc0;
    gAcc[e1] = acc1;
  }
  if (a < nActive) {
    const e = active[a]!;
    const base = e * nNodes + first;
    let acc = 0;
    for (let i = 0; i < count; i++) acc += wphi[offset + i]! * thetaAt[base + i]!;
    gAcc[e] = acc;
  }
  const ys = ws.ys;
  let k = 0;
  if (!anyDrift)
    for (; k + 1 < d; k += 2) {
      const b0 = k * nNodes + first;
      const b1 = b0 + nNodes;
      let acc0 = 0;
      let acc1 = 0;
      for (let i = 0; i < count; i++) {
        const w = wdphi[offset + i]!;
        acc0 -= w * zAt[b0 + i]!;
        acc1 -= w * zAt[b1 + i]!;
      }
      ys[k] = acc0;
      ys[k + 1] = acc1;
    }
  for (; k < d; k++) {
    const base = k * nNodes + first;
    let acc = 0;
    if (anyDrift) for (let i = 0; i < count; i++) acc -= wdphi[offset + i]! * zAt[base + i]! + wphi[offset + i]! * driftAt[base + i]!;
    else for (let i = 0; i < count; i++) acc -= wdphi[offset + i]! * zAt[base + i]!;
    ys[k] = acc;
  }
}

/** Rows written out, scaled by their state's `rowScale`: a SubjectSystem's arrays. */
class SystemRows implements RowSink {
  constructor(
    readonly g: Float64Array,
    readonly y: Float64Array,
    readonly rowState: Int32Array,
    readonly rowTest: Int32Array,
    readonly rowScale: Float64Array,
    readonly p: number,
  ) {}
  row(row: number, k: number, l: number, y: number, g: Float64Array, gOffset: number): void {
    const { p } = this;
    this.rowState[row] = k;
    this.rowTest[row] = l;
    const s = this.rowScale[k]!;
    this.y[row] = y * s;
    for (let j = 0; j < p; j++) this.g[row * p + j] = g[gOffset + j]! * s;
  }
}

/**
 * Rows summed straight into each state's Gram sums, as `gramSums` of the
 * system's rows of that state with unit row scales would sum them (the same
 * terms in the same order, so the same sums bit for bit), without the rows.
 */
class GramRows implements RowSink {
  readonly stats: SubjectStats[];
  constructor(d: number, readonly p: number) {
    // One store for every state's sums (see GridSeries.curveAt).
    const slab = new Float64Array(d * (p * p + p));
    this.stats = Array.from({ length: d }, (_, k) => {
      const at = k * (p * p + p);
      return { n: 0, gtg: slab.subarray(at, at + p * p), gty: slab.subarray(at + p * p, at + p * p + p), yty: 0 };
    });
  }
  row(_row: number, k: number, _l: number, y: number, g: Float64Array, gOffset: number): void {
    const { p } = this;
    const st = this.stats[k]!;
    const { gtg, gty } = st;
    st.n++;
    st.yty += y * y;
    for (let j = 0; j < p; j++) {
      const gj = g[gOffset + j]!;
      if (gj === 0) continue;
      gty[j] += gj * y;
      for (let c = 0; c <= j; c++) gtg[j * p + c] += gj * g[gOffset + c]!;
    }
  }
  finish(): SubjectStats[] {
    const p = this.p;
    for (const { gtg } of this.stats) for (let j = 0; j < p; j++) for (let c = 0; c < j; c++) gtg[c * p + j] = gtg[j * p + c]!;
    return this.stats;
  }
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
  const p = ws.model.nParams;
  const layout = weakLayout(ws, subject, curves, options, true);
  const rows = layout.rows;
  if (rows === 0) return null;
  const sink = new SystemRows(new Float64Array(rows * p), new Float64Array(rows), new Int32Array(rows), new Int32Array(rows), rowScale, p);
  weakRows(ws, subject, layout, sink);
  return { id: subject.id, index, rows, cols: p, g: sink.g, y: sink.y, rowState: sink.rowState, rowTest: sink.rowTest, intervals: layout.intervals };
}

/**
 * The Gram sums of one subject's weak-form rows per regressed state (unit row
 * scales), equal to `gramSums` of `assembleSubject`'s rows of each state but
 * without building them: what the fit keeps of a subject when it does not
 * re-weight. Null when no interval supports a test function.
 */
export function assembleStats(ws: WeakFormWorkspace, subject: Subject, curves: CurvePiece[][], options: WeakFormOptions = {}): SubjectStats[] | null {
  const layout = weakLayout(ws, subject, curves, options, false);
  if (layout.rows === 0) return null;
  const sink = new GramRows(ws.model.nStates, ws.model.nParams);
  weakRows(ws, subject, layout, sink);
  return sink.finish();
}

/** The curve derivative, for diagnostics (finite-difference-free). */
export function curveSlope(piece: CurvePiece, t: number): number {
  return splineDerivative(piece.fit.basis, piece.fit.coef, t);
}

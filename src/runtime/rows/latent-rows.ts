// Rows of a latent-state model's observed equations, per subject: smooth the
// observed outputs, place test functions (bumps, or the sample-to-sample
// indicators of the integral form), tabulate the observed equations at every
// node once (prepareSubject), then write the rows for given searched rates
// (assembleRows). Three row forms, chosen by the estimator:
// - weak: bump test functions, on the observed scale or divided by the local level;
// - integral: x(t_k) = x(t_0) + int f, one row per sample, on the natural scale;
// - exponential: the integral form with the observed state's own linear decay
//   integrated exactly (e^{-delta (t_k - s)}), so no curve estimate enters the rows.
import type { CompiledModel, Env } from "../model.js";
import type { Subject } from "../data/dataset.js";
import type { SmoothOptions } from "./smooth.js";
import { newNoise, smoothState } from "./curves.js";
import { commonSpans, curveValue, jumpTimes, observationOfState, setDoseContext, unwarpTime, warpStretch, warpTime, type CurvePiece, type TimeWarp } from "./weak-form.js";
import { buildTestFunctionsWithBreaks, levelsFor, medianSpacing, type TestFunctionOptions, type TestFunctionSet } from "./test-functions.js";
import { latentValues, rateOf, type LatentValues } from "./latent.js";
import type { LatentDesign } from "./latent-design.js";
import type { SubjectRows } from "../population/subject-rows.js";
import { gaussLegendre } from "../numeric/quadrature.js";
import { median } from "../numeric/summary.js";

/** How the rows of a latent-state model are written (the estimator's options of the same names). */
export interface LatentRowOptions {
  tests?: TestFunctionOptions;
  /**
   * Also split the curves and test functions of observed states at every
   * dose, not only where their own state jumps (default false: see the notes
   * of fitLatent for the measurements).
   */
  splitAtDoses?: boolean;
  /**
   * Write the weak form on the observed scale (default, "observed") or on the
   * states' natural scale with each row divided by the local level of its
   * state ("natural": for log-observed states the latent regressors then enter
   * without the noisy 1/x factor).
   */
  weakScale?: "observed" | "natural";
  /**
   * "weak" (bump test functions), "integral" (one row per sample:
   * x(t_k) = x(t_0) + integral of the dynamics, on the natural scale; see
   * integralGrid) or "exponential" (default: the integral form with the
   * observed state's own linear decay integrated exactly and searched, so no
   * curve estimate enters the rows; models without such a decay, or with a
   * searched latent rate, fall back to "weak").
   */
  form?: "weak" | "integral" | "exponential";
  /**
   * Integral and exponential forms: start the integrals at time 0 from the spec's known X(0) of an observed
   * state that cannot jump before its first sample, instead of a nuisance X(t_0) (default false; the log-scale
   * population step turns it on).
   */
  knownStart?: boolean;
  /** Smooth on a log time warp from the latest dose where it evens the sampling gaps (default true; see curves.ts chooseWarp). */
  warpTime?: boolean;
}

export interface SubjectContext {
  subject: Subject;
  index: number;
  doseTimes: number[];
  doseAmounts: number[];
  nodes: Float64Array;
  weights: Float64Array;
  tests: { set: TestFunctionSet; firstNode: number }[];
  rows: number;
  /** Per node and observed state: z, A row (p), c0; per latent: B row (p), cB. */
  z: Float64Array;
  a: Float64Array;
  c0: Float64Array;
  b: Float64Array;
  cb: Float64Array;
  /** Rows written on the natural scale (z holds the states), scaled by the local level. */
  natural: boolean;
  /**
   * Integral form: per observed state, its samples (time, natural-scale value,
   * row scale) and, per sample, the node index up to which the integral runs
   * (nodes are a composite grid cut at every sample and dose).
   */
  integral?: {
    times: Float64Array;
    values: Float64Array;
    scale: Float64Array;
    upTo: Int32Array;
    relative: boolean;
    /**
     * The spec's known X(0) when the state cannot jump before its first sample: the integrals then run from
     * time 0 (node 0) and X(0) is known, not a nuisance coefficient.
     */
    origin?: { time: number; value: number };
  }[];
  /** Integral form: divides each observed state's samples (the bias of 10^z under log-normal noise); set once the noise is known. */
  yCorrection?: Float64Array;
  /** Sampling-based bounds of a searched rate. */
  rateLo: number;
  rateHi: number;
  /** Latent values of states whose rate is known (fixed for the fit). */
  fixedLatent: (LatentValues | null)[];
  /** Columns and drift at every node, kept when no latent rate is searched (they then never change; the exponential form's decay search re-reads them). */
  columnCache?: { col: Float64Array; drift: Float64Array };
}

/**
 * Integral form, iteratively re-weighted: each sample's row is divided by the
 * predicted level at that sample (multiplicative noise on the natural scale).
 * The first pass takes the level from the GCV curve; a curve that nearly
 * interpolates would make the weight track the sample's own noise and
 * flatten every row, hence later passes use the fitted model's prediction.
 */
export function updateLevels(
  model: CompiledModel,
  design: LatentDesign,
  contexts: SubjectContext[],
  rowScale: Float64Array,
  rates: Float64Array,
  coefficientsOf: (i: number) => Float64Array,
  decays?: Float64Array,
  /** When given, collects per observed state the log residuals ln(sample / model median) of the subjects in `use`. */
  logResiduals?: { values: number[][]; use: (i: number) => boolean; bySubject: number[][] },
): void {
  const P = design.coefficients.length;
  contexts.forEach((ctx, i) => {
    if (!ctx.integral) return;
    const c = coefficientsOf(i);
    if (!c.every((v) => Number.isFinite(v))) return;
    const saved = ctx.integral.map((smp) => smp.scale);
    ctx.integral.forEach((smp) => (smp.scale = new Float64Array(smp.times.length).fill(1)));
    const r = assembleRows(model, design, ctx, rowScale, rates[i]!, decays?.[i]);
    let row = 0;
    ctx.integral.forEach((smp, o) => {
      const rs = rowScale[design.plan.observed[o]!]!;
      const corr = ctx.yCorrection?.[o] ?? 1;
      const next = Float64Array.from(saved[o]!);
      for (let k = 0; k < smp.times.length; k++, row++) {
        let gc = 0;
        for (let j = 0; j < P; j++) gc += r.g[row * P + j]! * c[j]!;
        const level = ((gc - r.y[row]!) / rs + smp.values[k]! / corr) * corr;
        if (smp.relative && level > 0 && Number.isFinite(level)) next[k] = 1 / level;
        if (logResiduals && level > 0 && smp.values[k]! > 0) {
          const lr = Math.log(smp.values[k]! / (level / corr));
          if (logResiduals.use(i)) logResiduals.values[o]!.push(lr);
          logResiduals.bySubject[i]!.push(lr);
        }
      }
      if (smp.relative) floorScale(next);
      smp.scale = next;
    });
  });
}

/**
 * Relative weights 1/level, with the level floored at 1e-3 of the subject's
 * median level: a titre at the numerical floor (log10 = -12) would otherwise
 * weigh 10^14 times more than the rest and decide the population fit alone.
 */
function floorScale(scale: Float64Array): void {
  const levels = Array.from(scale, (s) => 1 / s).filter((l) => l > 0 && Number.isFinite(l));
  if (levels.length === 0) return;
  const cap = 1 / (1e-3 * median(levels));
  for (let i = 0; i < scale.length; i++) if (!(scale[i]! <= cap)) scale[i] = cap;
}

/** Panels per subject span of the integral-form grid, and Gauss nodes per panel. */
const INTEGRAL_PANELS = 128;
const INTEGRAL_NODES = 4;

/**
 * The integral form (integral matching): x(t_k) = x(t_0) + int_{t0}^{tk} f, one
 * row per sample, the test function being the indicator of [t0, tk]. The
 * left-hand side is the sample itself, so the curve estimate enters only
 * inside the integrals (where the latent states, known in closed form, carry
 * most of the weight); a sparse design's unresolved fast phases after doses
 * then cost little. Uses the first curve piece of each observed state.
 */
function integralGrid(
  model: CompiledModel,
  curves: CurvePiece[][],
  doseTimes: number[],
  obs: number[],
  obsOf: Int32Array,
  /** Per observed state: its known X(0) when it cannot jump before its first sample (see SubjectContext.integral). */
  known: (number | undefined)[] = [],
): { interval: { set: TestFunctionSet; pieces: CurvePiece[] }; samples: NonNullable<SubjectContext["integral"]> } | null {
  const pieces: CurvePiece[] = [];
  for (let o = 0; o < obs.length; o++) {
    const piece = curves[o]![0];
    if (!piece || piece.times.length < 3) return null;
    pieces.push(piece);
  }
  const fromOrigin = pieces.map((pc, o) => known[o] !== undefined && pc.times[0]! >= 0);
  const t0 = Math.min(...pieces.map((pc, o) => (fromOrigin[o] ? 0 : pc.start)));
  const t1 = Math.max(...pieces.map((pc) => pc.end));
  if (!(t1 > t0)) return null;
  const { nodes, weights, edgeNode } = gridNodes(t0, t1, [...pieces.flatMap((pc) => Array.from(pc.times)), ...doseTimes]);
  const samples = pieces.map((pc, o) => {
    const k = obs[o]!;
    const relative = (() => {
      const ob = model.meta.observations[obsOf[k]!]!;
      return ob.transform === "log" || ob.transform === "log10" || ob.error !== "constant";
    })();
    const n = pc.times.length;
    const values = new Float64Array(n);
    const scale = new Float64Array(n);
    const upTo = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const t = pc.times[i]!;
      values[i] = model.invert(obsOf[k]!, pc.values[i]!);
      const level = Math.abs(model.invert(obsOf[k]!, pc.fit.noise.fitted[i]!));
      scale[i] = relative ? (level > 0 ? 1 / level : 0) : 1;
      upTo[i] = edgeNode.get(t) ?? 0;
    }
    if (relative) floorScale(scale);
    return { times: Float64Array.from(pc.times), values, scale, upTo, relative, ...(fromOrigin[o] ? { origin: { time: 0, value: known[o]! } } : {}) };
  });
  return { interval: { set: gridSet(t0, t1, nodes, weights), pieces }, samples };
}

/** Composite Gauss nodes over [t0, t1], cut at every break inside it; edgeNode maps a break to the first node after it. */
function gridNodes(t0: number, t1: number, cuts: number[]): { nodes: number[]; weights: number[]; edgeNode: Map<number, number> } {
  const breaks = [...new Set([t0, ...cuts.filter((t) => t > t0 && t <= t1), t1])].sort((a, b) => a - b);
  const hMax = (t1 - t0) / INTEGRAL_PANELS;
  const rule = gaussLegendre(INTEGRAL_NODES);
  const nodes: number[] = [];
  const weights: number[] = [];
  const edgeNode = new Map<number, number>([[breaks[0]!, 0]]);
  for (let b = 0; b + 1 < breaks.length; b++) {
    const a = breaks[b]!;
    const e = breaks[b + 1]!;
    const cells = Math.max(1, Math.ceil((e - a) / hMax));
    const h = (e - a) / cells;
    for (let c = 0; c < cells; c++)
      for (let g = 0; g < INTEGRAL_NODES; g++) {
        nodes.push(a + c * h + 0.5 * h * (1 + rule.nodes[g]!));
        weights.push(0.5 * h * rule.weights[g]!);
      }
    edgeNode.set(e, nodes.length);
  }
  return { nodes, weights, edgeNode };
}

function gridSet(t0: number, t1: number, nodes: number[], weights: number[]): TestFunctionSet {
  return { t0, t1, nodes: Float64Array.from(nodes), weights: Float64Array.from(weights), functions: [], phi: new Float64Array(0), dphi: new Float64Array(0), levels: 0 };
}

/**
 * Exponential form with dose regressors (`C += amt / V` into an observed state): every sample of the subject, across
 * the doses, in one series from the spec's known X(0) at time 0 (or from the first sample, X(t_0) a nuisance). The
 * curve is not split at the doses, so a trough between two doses keeps its row however sparse the design (1-3
 * samples per interval); the first pass weighs relative rows by the subject's median level, later passes by the
 * fitted model's prediction (updateLevels).
 */
function sampleGrid(
  model: CompiledModel,
  subject: Subject,
  doseTimes: number[],
  obs: number[],
  obsOf: Int32Array,
): { interval: { set: TestFunctionSet; pieces: CurvePiece[] }; samples: NonNullable<SubjectContext["integral"]> } | null {
  const series = obs.map((k) => {
    const s = subject.series[obsOf[k]!];
    const keep: number[] = [];
    if (s) for (let i = 0; i < s.times.length; i++) if (!s.censored?.[i] && Number.isFinite(s.values[i]!)) keep.push(i);
    return { times: keep.map((i) => s!.times[i]!), values: keep.map((i) => model.invert(obsOf[k]!, s!.values[i]!)) };
  });
  if (series.some((s) => s.times.length === 0)) return null;
  const known = obs.map((k) => model.meta.states[k]!.initial);
  const fromOrigin = series.map((s, o) => known[o] !== undefined && s.times[0]! >= 0);
  if (series.some((s, o) => !fromOrigin[o] && s.times.length < 2)) return null;
  const t0 = Math.min(...series.map((s, o) => (fromOrigin[o] ? 0 : s.times[0]!)));
  const t1 = Math.max(...series.map((s) => s.times[s.times.length - 1]!));
  if (!(t1 > t0)) return null;
  const { nodes, weights, edgeNode } = gridNodes(t0, t1, [...series.flatMap((s) => s.times), ...doseTimes]);
  const samples = series.map((s, o) => {
    const ob = model.meta.observations[obsOf[obs[o]!]!]!;
    const relative = ob.transform === "log" || ob.transform === "log10" || ob.error !== "constant";
    const level = median(s.values.map(Math.abs).filter((v) => v > 0));
    const n = s.times.length;
    return {
      times: Float64Array.from(s.times),
      values: Float64Array.from(s.values),
      scale: new Float64Array(n).fill(relative && level > 0 ? 1 / level : 1),
      upTo: Int32Array.from(s.times, (t) => edgeNode.get(t) ?? 0),
      relative,
      ...(fromOrigin[o] ? { origin: { time: 0, value: known[o]! } } : {}),
    };
  });
  return { interval: { set: gridSet(t0, t1, nodes, weights), pieces: [] }, samples };
}

/** Observed states whose doses are regressors of the exponential form (see sampleGrid). */
export function doseRegressed(design: LatentDesign): boolean {
  return design.coefficients.some((c) => c.contributions.some((ct) => ct.kind === "dose"));
}

/**
 * Test functions built on the warped axis u, carried back to t:
 * phi_t(t) = phi_u(u(t)) is still smooth and compactly supported; the
 * quadrature weights take dt/du and phi' takes du/dt.
 */
function warpedTests(set: TestFunctionSet, warp: TimeWarp): TestFunctionSet {
  const nodes = set.nodes.map((u) => unwarpTime(warp, u));
  const weights = set.weights.map((w, i) => w * warpStretch(warp, nodes[i]!));
  const dphi = Float64Array.from(set.dphi);
  for (const f of set.functions) for (let i = 0; i < f.nodeCount; i++) dphi[f.offset + i] = dphi[f.offset + i]! / warpStretch(warp, nodes[f.firstNode + i]!);
  const functions = set.functions.map((f) => ({ ...f, center: unwarpTime(warp, f.center), halfWidth: Number.NaN }));
  return { ...set, t0: unwarpTime(warp, set.t0), t1: unwarpTime(warp, set.t1), nodes, weights, dphi, functions };
}

type Interval = { set: TestFunctionSet; pieces: CurvePiece[] };

/** Smooth every observed output (split at its jumps) and place bump test functions on the spans all of them cover. */
function smoothAndPlace(
  model: CompiledModel,
  subject: Subject,
  obs: number[],
  doseTimes: number[],
  smoothing: SmoothOptions,
  weighted: boolean,
  options: LatentRowOptions,
  noise: ReturnType<typeof newNoise>,
  counters: { censored: number },
  shared?: Map<number, CurvePiece[]>,
): { curves: CurvePiece[][]; intervals: Interval[] } {
  const split = options.splitAtDoses ? [...new Set(doseTimes)].sort((a, b) => a - b) : [];
  const curves: CurvePiece[][] = [];
  const allBounds = new Set<number>();
  for (const k of obs) {
    const jumps = [...new Set([...jumpTimes(model, subject, k), ...split])].sort((a, b) => a - b);
    jumps.forEach((t) => allBounds.add(t));
    // Curves smoothed across subjects (rows/shared-curves.ts) come whole.
    const own = shared?.get(k);
    if (own) {
      curves.push(own);
      continue;
    }
    const sm = smoothState(model, subject, k, jumps, smoothing, weighted, noise, options.warpTime === false ? undefined : doseTimes);
    counters.censored += sm.censoredDropped;
    curves.push(sm.pieces);
  }
  const intervals: Interval[] = [];
  for (const { pieces: chosen, start, end, inside } of commonSpans(curves, [...allBounds].sort((a, b) => a - b))) {
    const warp = chosen[0]!.warp;
    if (warp) {
      // Bumps placed and scaled on the warped axis: narrow where samples are dense.
      const u = inside.map((t) => warpTime(warp, t));
      const levels = levelsFor(u[u.length - 1]! - u[0]!, medianSpacing(u), options.tests);
      if (levels < 1) continue;
      intervals.push({ set: warpedTests(buildTestFunctionsWithBreaks(u[0]!, u[u.length - 1]!, levels, doseTimes.map((t) => warpTime(warp, t)), options.tests), warp), pieces: chosen });
      continue;
    }
    const levels = levelsFor(end - start, medianSpacing(inside), options.tests);
    if (levels < 1) continue;
    intervals.push({ set: buildTestFunctionsWithBreaks(start, end, levels, doseTimes, options.tests), pieces: chosen });
  }
  return { curves, intervals };
}

type NodeTable = Pick<SubjectContext, "nodes" | "weights" | "tests" | "rows" | "z" | "a" | "c0" | "b" | "cb">;

/** The observed equations at every node: z, the A rows and c0 with the latent states at 0, and each latent state's B row and cB. */
function tabulateNodes(model: CompiledModel, design: LatentDesign, subject: Subject, intervals: Interval[], doseTimes: number[], natural: boolean): NodeTable {
  const { plan } = design;
  const { nStates: d, nParams: p } = model;
  const obs = plan.observed;
  const obsOf = observationOfState(model);
  const nO = obs.length;
  const nL = plan.latent.length;
  const nNodes = intervals.reduce((s, iv) => s + iv.set.nodes.length, 0);
  const nodes = new Float64Array(nNodes);
  const weights = new Float64Array(nNodes);
  const z = new Float64Array(nNodes * nO);
  const a = new Float64Array(nNodes * nO * p);
  const c0 = new Float64Array(nNodes * nO);
  const b = new Float64Array(nL * nNodes * nO * p);
  const cb = new Float64Array(nL * nNodes * nO);
  const x = new Float64Array(d);
  const th0 = new Float64Array(d * p);
  const th1 = new Float64Array(d * p);
  const dr0 = new Float64Array(d);
  const dr1 = new Float64Array(d);
  const env: Env = { dose: 0, sinceDose: 0, cov: new Float64Array(model.meta.covariates.length) };
  env.cov.set(subject.covariates.subarray(0, env.cov.length));
  const tests: SubjectContext["tests"] = [];
  let n0 = 0;
  let rows = 0;
  for (const iv of intervals) {
    tests.push({ set: iv.set, firstNode: n0 });
    rows += iv.set.functions.length * nO;
    for (let i = 0; i < iv.set.nodes.length; i++) {
      const n = n0 + i;
      const t = iv.set.nodes[i]!;
      nodes[n] = t;
      weights[n] = iv.set.weights[i]!;
      x.fill(0);
      obs.forEach((k, o) => {
        // No curve (sampleGrid): the exponential form reads the observed state only through its exact decay.
        const piece = iv.pieces[o];
        const zk = piece ? curveValue(piece, t) : 0;
        x[k] = model.invert(obsOf[k]!, zk);
        z[n * nO + o] = natural ? x[k]! : zk;
      });
      setDoseContext(env, doseTimes, t);
      (natural ? model.dictionary : model.observedDictionary)(x, t, env, th0);
      (natural ? model.drift : model.observedDrift)(x, t, env, dr0);
      obs.forEach((k, o) => {
        for (let j = 0; j < p; j++) a[(n * nO + o) * p + j] = th0[k * p + j]!;
        c0[n * nO + o] = dr0[k]!;
      });
      plan.latent.forEach((l, s) => {
        x[l.state] = 1;
        (natural ? model.dictionary : model.observedDictionary)(x, t, env, th1);
        (natural ? model.drift : model.observedDrift)(x, t, env, dr1);
        x[l.state] = 0;
        obs.forEach((k, o) => {
          for (let j = 0; j < p; j++) b[((s * nNodes + n) * nO + o) * p + j] = th1[k * p + j]! - th0[k * p + j]!;
          cb[(s * nNodes + n) * nO + o] = dr1[k]! - dr0[k]!;
        });
      });
    }
    n0 += iv.set.nodes.length;
  }
  return { nodes, weights, tests, rows, z, a, c0, b, cb };
}

/**
 * Rate bounds from the sampling: a rate slower than a tenth of the observed
 * span or faster than ten times the shortest gap (dose to first sample
 * included) leaves no trace the samples could resolve.
 */
function rateBounds(subject: Subject, obs: number[], obsOf: Int32Array, doseTimes: number[]): { rateLo: number; rateHi: number } {
  const times = [...new Set(obs.flatMap((k) => Array.from(subject.series[obsOf[k]!]?.times ?? [])).concat(doseTimes))].sort((u, v) => u - v);
  let minGap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++) if (times[i]! > times[i - 1]!) minGap = Math.min(minGap, times[i]! - times[i - 1]!);
  const span = times.length > 1 ? times[times.length - 1]! - times[0]! : 1;
  return { rateLo: 0.1 / span, rateHi: 10 / (Number.isFinite(minGap) ? minGap : span) };
}

/** Smooth the observed outputs, place test functions, and tabulate the observed rows at every node. */
export function prepareSubject(
  model: CompiledModel,
  design: LatentDesign,
  subject: Subject,
  index: number,
  smoothing: SmoothOptions,
  weighted: boolean,
  options: LatentRowOptions,
  noise: ReturnType<typeof newNoise>,
  counters: { censored: number },
  /** Per observed state, this subject's pieces from the shared smoother (rows/shared-curves.ts), when it was chosen. */
  shared?: Map<number, CurvePiece[]>,
): SubjectContext | null {
  const { plan } = design;
  const obs = plan.observed;
  const integralForm = options.form === "integral" || design.decay !== null;
  const natural = integralForm || options.weakScale === "natural";
  const doseTimes = subject.doses.map((x) => x.time);
  const doseAmounts = subject.doses.map((x) => x.amount);
  const { curves, intervals } = smoothAndPlace(model, subject, obs, doseTimes, smoothing, weighted, options, noise, counters, shared);
  const obsOf = observationOfState(model);
  let integral: SubjectContext["integral"];
  if (integralForm) {
    intervals.length = 0;
    // A known X(0) pins the curve where the state cannot jump before its first sample (C(0) = 0 before an oral dose).
    const known = options.knownStart
      ? obs.map((k, o) => {
          const first = curves[o]?.[0]?.times[0] ?? Number.NaN;
          return jumpTimes(model, subject, k).some((t) => t <= first) ? undefined : model.meta.states[k]!.initial;
        })
      : [];
    // The exponential form reads no curve, only the samples: a subject too sparse for a curve piece (1-2 troughs
    // between many oral doses, quinidine) still gives its rows from the known X(0) (sampleGrid).
    const built = doseRegressed(design)
      ? sampleGrid(model, subject, doseTimes, obs, obsOf)
      : (integralGrid(model, curves, doseTimes, obs, obsOf, known) ?? (design.decay !== null && options.knownStart ? sampleGrid(model, subject, doseTimes, obs, obsOf) : null));
    if (!built) return null;
    intervals.push(built.interval);
    integral = built.samples;
  }
  if (intervals.length === 0) return null;
  const table = tabulateNodes(model, design, subject, intervals, doseTimes, natural);
  if (integral) table.rows = integral.reduce((acc, x) => acc + x.times.length, 0);
  const ctx: SubjectContext = {
    subject,
    index,
    doseTimes,
    doseAmounts,
    ...table,
    natural,
    ...(integral ? { integral } : {}),
    ...rateBounds(subject, obs, obsOf, doseTimes),
    fixedLatent: [],
  };
  ctx.fixedLatent = plan.latent.map((l, s) =>
    l.rate.kind === "known" ? latentValues(model, l, l.rate.value, ctx, design.latentCoefs[s]!, table.nodes) : null,
  );
  return ctx;
}

/** Columns (per coefficient) and drift of the observed equations at every node, given the latent values; cached when they cannot change. */
function nodeColumns(model: CompiledModel, design: LatentDesign, ctx: SubjectContext, rateParamValue: number): { col: Float64Array; drift: Float64Array } {
  const { plan, coefficients, latentCoefs } = design;
  const p = model.nParams;
  const P = coefficients.length;
  const nO = plan.observed.length;
  const nN = ctx.nodes.length;
  const lat = plan.latent.map(
    (l, s) => ctx.fixedLatent[s] ?? latentValues(model, l, rateOf(l, rateParamValue), ctx, latentCoefs[s]!, ctx.nodes),
  );
  const cacheable = ctx.fixedLatent.every((v) => v !== null);
  const cached = cacheable ? ctx.columnCache : undefined;
  if (cached) return cached;
  const col = new Float64Array(nN * nO * P);
  const drift = new Float64Array(nN * nO);
  if (cacheable) ctx.columnCache = { col, drift };
  for (let n = 0; n < nN; n++)
    for (let o = 0; o < nO; o++) {
      const no = n * nO + o;
      let dr = ctx.c0[no]!;
      for (let s = 0; s < lat.length; s++) dr += lat[s]!.known[n]! * ctx.cb[s * nN * nO + no]!;
      drift[no] = dr;
      for (let c = 0; c < P; c++) {
        let v = 0;
        for (const ct of coefficients[c]!.contributions) {
          if (ct.kind === "base") {
            v += ctx.a[no * p + ct.param]!;
            for (let s = 0; s < lat.length; s++) v += lat[s]!.known[n]! * ctx.b[(s * nN + n) * nO * p + o * p + ct.param]!;
          } else if (ct.kind === "prod") v += lat[ct.latent]!.basis[ct.coef]![n]! * ctx.b[(ct.latent * nN + n) * nO * p + o * p + ct.param]!;
          else if (ct.kind === "pure") v += lat[ct.latent]!.basis[ct.coef]![n]! * ctx.cb[ct.latent * nN * nO + no]!;
        }
        col[no * P + c] = v;
      }
    }
  return { col, drift };
}

/** Where one subject's rows are written: node columns and drift in, rows out. */
interface RowWriter {
  design: LatentDesign;
  ctx: SubjectContext;
  rowScale: Float64Array;
  col: Float64Array;
  drift: Float64Array;
  g: Float64Array;
  y: Float64Array;
}

/**
 * Exponential form: X(t_k) = X(t_0) e^{-delta (t_k - t_0)} + int e^{-delta (t_k - s)} (rest of f)(s) ds.
 * The decay term -delta X is integrated exactly, so the curve estimate
 * enters nowhere: the regressors are the latent states' closed forms.
 */
function exponentialRows({ design, ctx, rowScale, col, drift, g, y }: RowWriter, delta: number): number {
  const { plan, coefficients } = design;
  const P = coefficients.length;
  const nO = plan.observed.length;
  const dc = design.decay!.coef;
  const acc = new Float64Array(P);
  const doseCols = plan.observed.map((_, o) =>
    coefficients.flatMap((c, coef) => c.contributions.flatMap((ct) => (ct.kind === "dose" && ct.observed === o ? [{ coef, scale: ct.scale }] : []))),
  );
  let row = 0;
  ctx.integral!.forEach((smp, o) => {
    const startCoef = coefficients.findIndex((c) => c.contributions.some((ct) => ct.kind === "start" && ct.observed === o));
    const corr = ctx.yCorrection?.[o] ?? 1;
    let n = smp.origin ? 0 : smp.upTo[0]!;
    let dr = smp.origin ? smp.origin.value : 0;
    let tc = smp.origin ? smp.origin.time : smp.times[0]!;
    acc.fill(0);
    for (let k = 0; k < smp.times.length; k++) {
      for (; n < smp.upTo[k]!; n++) {
        const s = ctx.nodes[n]!;
        const e = Math.exp(-delta * (s - tc));
        tc = s;
        dr *= e;
        for (let c = 0; c < P; c++) acc[c] = acc[c]! * e;
        const w = ctx.weights[n]!;
        const no = n * nO + o;
        dr += w * drift[no]!;
        for (let c = 0; c < P; c++) if (c !== dc) acc[c] += w * col[no * P + c]!;
      }
      const tk = smp.times[k]!;
      const e = Math.exp(-delta * (tk - tc));
      const sc = smp.scale[k]! * rowScale[plan.observed[o]!]!;
      y[row] = (smp.values[k]! / corr - dr * e) * sc;
      for (let c = 0; c < P; c++) g[row * P + c] = acc[c]! * e * sc;
      if (startCoef >= 0 && !smp.origin) g[row * P + startCoef] = Math.exp(-delta * (tk - smp.times[0]!)) * sc;
      for (const { coef, scale } of doseCols[o]!) g[row * P + coef] += scale * dosedAmount(ctx.subject.doses, smp.origin ? smp.origin.time : smp.times[0]!, tk, delta) * sc;
      row++;
    }
  });
  return row;
}

/**
 * What the doses given from `from` on (a sample at a dose time is pre-dose) leave at `t` of a state that decays at
 * rate delta, per unit coefficient: AMT e^{-delta (t - t_d)} for a bolus, and for an infusion of AMT over DUR the
 * integral of (AMT / DUR) e^{-delta (t - s)} over the part of [t_d, t_d + DUR] before t.
 */
export function dosedAmount(doses: readonly { time: number; amount: number; duration?: number }[], from: number, t: number, delta: number): number {
  let sum = 0;
  for (const d of doses) {
    if (d.time < from || d.time >= t) continue;
    const dur = d.duration;
    if (dur === undefined || !(dur > 0)) {
      sum += d.amount * Math.exp(-delta * (t - d.time));
      continue;
    }
    const end = Math.min(t, d.time + dur);
    // (e^{-delta (t - end)} - e^{-delta (t - t_d)}) / delta, written stably for small delta (end - t_d) via expm1.
    const span = end - d.time;
    const x = delta * span;
    const frac = Math.abs(x) < 1e-8 ? span * (1 - x / 2) : -Math.expm1(-x) / delta;
    sum += (d.amount / dur) * Math.exp(-delta * (t - end)) * frac;
  }
  return sum;
}

/** Integral form: x(t_k) - x(t_0) = int_{t0}^{tk} f, one row per sample. */
function integralRows({ design, ctx, rowScale, col, drift, g, y }: RowWriter): number {
  const { plan, coefficients } = design;
  const P = coefficients.length;
  const nO = plan.observed.length;
  const acc = new Float64Array(P);
  let row = 0;
  ctx.integral!.forEach((smp, o) => {
    const startCoef = coefficients.findIndex((c) => c.contributions.some((ct) => ct.kind === "start" && ct.observed === o));
    const corr = ctx.yCorrection?.[o] ?? 1;
    let n = smp.origin ? 0 : smp.upTo[0]!;
    let dr = smp.origin ? smp.origin.value : 0;
    acc.fill(0);
    for (let k = 0; k < smp.times.length; k++) {
      for (; n < smp.upTo[k]!; n++) {
        const w = ctx.weights[n]!;
        const no = n * nO + o;
        dr += w * drift[no]!;
        for (let c = 0; c < P; c++) acc[c] += w * col[no * P + c]!;
      }
      const sc = smp.scale[k]! * rowScale[plan.observed[o]!]!;
      y[row] = (smp.values[k]! / corr - dr) * sc;
      for (let c = 0; c < P; c++) g[row * P + c] = acc[c]! * sc;
      if (startCoef >= 0 && !smp.origin) g[row * P + startCoef] = sc;
      row++;
    }
  });
  return row;
}

/** Weak form: one row per bump and observed state, divided by the local level on the natural scale. */
function weakRows({ design, ctx, rowScale, col, drift, g, y }: RowWriter): number {
  const { plan, coefficients } = design;
  const P = coefficients.length;
  const nO = plan.observed.length;
  let row = 0;
  for (const { set, firstNode } of ctx.tests) {
    for (const f of set.functions) {
      for (let o = 0; o < nO; o++) {
        let acc = 0;
        for (let i = 0; i < f.nodeCount; i++) {
          const n = firstNode + f.firstNode + i;
          const w = ctx.weights[n]!;
          const ph = w * set.phi[f.offset + i]!;
          const no = n * nO + o;
          acc -= w * set.dphi[f.offset + i]! * ctx.z[no]! + ph * drift[no]!;
          for (let c = 0; c < P; c++) g[row * P + c] += ph * col[no * P + c]!;
        }
        let sc = rowScale[plan.observed[o]!]!;
        if (ctx.natural) {
          let num = 0;
          let den = 0;
          for (let i = 0; i < f.nodeCount; i++) {
            const n = firstNode + f.firstNode + i;
            const ph = Math.abs(set.phi[f.offset + i]!) * ctx.weights[n]!;
            num += ph * Math.abs(ctx.z[n * nO + o]!);
            den += ph;
          }
          if (num > 0) sc /= num / den;
        }
        y[row] = acc * sc;
        for (let c = 0; c < P; c++) g[row * P + c] *= sc;
        row++;
      }
    }
  }
  return row;
}

/** The subject's rows for given latent rate parameter value (ignored when every rate is known). */
export function assembleRows(
  model: CompiledModel,
  design: LatentDesign,
  ctx: SubjectContext,
  rowScale: Float64Array,
  rateParamValue: number,
  /** Exponential form: the observed state's decay rate (design.decay). */
  decayValue = Number.NaN,
): SubjectRows {
  const P = design.coefficients.length;
  const { col, drift } = nodeColumns(model, design, ctx, rateParamValue);
  const g = new Float64Array(ctx.rows * P);
  const y = new Float64Array(ctx.rows);
  const writer: RowWriter = { design, ctx, rowScale, col, drift, g, y };
  const rows = ctx.integral && design.decay ? exponentialRows(writer, decayValue) : ctx.integral ? integralRows(writer) : weakRows(writer);
  return { rows, cols: P, g, y };
}

/**
 * Integral and exponential forms: every sample's natural-scale prediction
 * X(t_k) at the full coefficient vector c (nuisance X(t_0) included), in row
 * order. The exponential form integrates the model exactly, so on a
 * log-observed output the residual log(sample) - log(prediction) is the
 * model's own (the rows' relative residual is only its first-order version,
 * poor at a log SD of 0.5).
 */
export function samplePredictions(model: CompiledModel, design: LatentDesign, ctx: SubjectContext, rateParamValue: number, decayValue: number, c: Float64Array): Float64Array {
  return predictionsFrom(ctx, predictionRows(model, design, ctx, rateParamValue, decayValue), c);
}

/** The unscaled rows behind `samplePredictions` at one rate and decay (they do not depend on c, so callers may keep them). */
export function predictionRows(model: CompiledModel, design: LatentDesign, ctx: SubjectContext, rateParamValue: number, decayValue: number): SubjectRows {
  if (!ctx.integral) throw new Error("samplePredictions: the subject has no integral-form samples");
  const saved = ctx.integral.map((smp) => smp.scale);
  const savedCorr = ctx.yCorrection;
  ctx.integral.forEach((smp) => (smp.scale = new Float64Array(smp.times.length).fill(1)));
  ctx.yCorrection = undefined;
  const r = assembleRows(model, design, ctx, new Float64Array(model.nStates).fill(1), rateParamValue, decayValue);
  ctx.integral.forEach((smp, o) => (smp.scale = saved[o]!));
  ctx.yCorrection = savedCorr;
  return r;
}

/** Every sample's prediction at coefficients c from `predictionRows`. */
export function predictionsFrom(ctx: SubjectContext, r: SubjectRows, c: Float64Array): Float64Array {
  const P = r.cols;
  const pred = new Float64Array(r.rows);
  let row = 0;
  for (const smp of ctx.integral!)
    for (let k = 0; k < smp.times.length; k++, row++) {
      let gc = 0;
      for (let j = 0; j < P; j++) gc += r.g[row * P + j]! * c[j]!;
      pred[row] = smp.values[k]! - r.y[row]! + gc;
    }
  return pred;
}

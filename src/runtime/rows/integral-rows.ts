// Integral rows for observed states (the dense path's rows for sparse
// subjects): for every sample of a curve piece,
//     X(t_k) = X(t_0) + int_{t_0}^{t_k} (Theta(X) theta + c(X)) ds   (+ jumps in (t_0, t_k])
// on the state's natural scale (samples through the observation's inverse),
// with X(t_0) of each piece (the first sample, or the value after a dose) a
// nuisance column estimated with the rest, so a piece of 6 samples gives 6
// rows of which 5 are left once X(t_0) is profiled out. The integrands read
// the data curve of every state: a monotone piecewise-cubic interpolant of
// the samples ("pchip") or the subject's smoother ("smoother"). Rows of
// outputs with relative noise (proportional, or log-observed) are divided by
// the level of the sample so that all rows of an output share one noise
// scale. A test-function row needs a span of samples to average the noise
// over; an integral row needs two samples, so sparse subjects keep all their
// information (see chooseRowForm for the rule).
import type { CompiledModel, Env } from "../model.js";
import type { Subject } from "../data/dataset.js";
import type { SubjectRows } from "../population/subject-rows.js";
import { curveValue, observationOfState, setDoseContext, type CurvePiece } from "./weak-form.js";
import { gaussLegendre } from "../numeric/quadrature.js";
import { levelsFor, medianSpacing, type TestFunctionOptions } from "./test-functions.js";
import { pchip, pchipValue, type Pchip } from "../numeric/pchip.js";

/**
 * A dose as a regressor of the integral rows, for forms that do not split the
 * curve at it: `amount` is added to the state at `time`, times the coefficient
 * of column `column` (e.g. amt * (1/V)), or as a known jump when column is -1.
 */
export interface DoseRegressor {
  time: number;
  state: number;
  amount: number;
  column: number;
}

export interface IntegralRowsOptions {
  /** The data curve inside the integrals (default "pchip": measured in test/runtime/rows/integral-rows.test.ts). */
  curve?: "pchip" | "smoother";
  /** Gauss cells per sampling interval (4 nodes each; default 4). */
  cells?: number;
  doseRegressors?: DoseRegressor[];
}

/** A subject's integral rows: columns are the model's parameters, then one X(t_0) per (state, piece). */
export interface IntegralRows extends SubjectRows {
  /** State of each row. */
  rowState: Int32Array;
  /** Per nuisance column (index p + i): its state, the piece's first sample time. */
  nuisance: { state: number; column: number; t0: number }[];
}

/**
 * The row form a subject gets. Test-function rows average the noise over a
 * span of samples; with one level of bumps on every interval of an output
 * (too few samples for two: levelsFor), the whole curve collapses into one
 * row per interval whose regressors are mostly noise, and the subject gets
 * integral rows instead (one per sample). Measured (population values
 * against the truth file / the R nlme reference): growth_sparse.csv (6
 * samples, 1 level) k -0.039 -> 0.078 (truth 0.08); orange.csv (7 samples, 2
 * levels) r, q +1.6%, +5.1% (test functions) against -10%, -15% (integral);
 * logistic.csv (8 samples, 2 levels) +0.4%, -0.6% against -1.4%, -2.8%.
 */
export const MIN_LEVELS_FOR_TESTS = 2;

export function chooseRowForm(perState: CurvePiece[][], tests?: TestFunctionOptions): "weak" | "integral" {
  // Loops rather than spreads of mapped arrays: this runs for every subject of every fit.
  let worst = Number.POSITIVE_INFINITY;
  for (const pieces of perState) {
    let most = 0;
    for (const pc of pieces) most = Math.max(most, pc.times.length < 4 ? 0 : levelsFor(pc.end - pc.start, medianSpacing(pc.times), tests));
    worst = Math.min(worst, most);
  }
  return worst >= MIN_LEVELS_FOR_TESTS ? "weak" : "integral";
}

/** The natural-scale data curve of one piece. */
type Curve = { start: number; end: number; value: (t: number) => number };

function curvesOf(model: CompiledModel, perState: CurvePiece[][], obsOf: Int32Array, form: "pchip" | "smoother"): Curve[][] {
  return perState.map((pieces, k) =>
    pieces.map((pc): Curve => {
      if (form === "smoother") return { start: pc.start, end: pc.end, value: (t) => model.invert(obsOf[k]!, curveValue(pc, t)) };
      const ip: Pchip = pchip(pc.times, Array.from(pc.values, (v) => model.invert(obsOf[k]!, v)));
      return { start: pc.start, end: pc.end, value: (t) => pchipValue(ip, t) };
    }),
  );
}

/** The value of state k's data curve at t: the piece covering t, else the nearest one. */
function stateAt(curves: Curve[], t: number): number {
  let best: Curve | undefined;
  let gap = Number.POSITIVE_INFINITY;
  for (const c of curves) {
    const g = t < c.start ? c.start - t : t > c.end ? t - c.end : 0;
    if (g < gap || (g === 0 && gap === 0 && t > c.start)) {
      gap = g;
      best = c;
    }
  }
  return best ? best.value(t) : 0;
}

/** Integral rows of every observed state of a subject (null when no piece has 2 samples). */
export function integralRows(model: CompiledModel, subject: Subject, perState: CurvePiece[][], options: IntegralRowsOptions = {}): IntegralRows | null {
  const { nStates: d, nParams: p } = model;
  const meta = model.meta;
  const obsOf = observationOfState(model);
  const curves = curvesOf(model, perState, obsOf, options.curve ?? "pchip");
  const cells = options.cells ?? 4;
  const rule = gaussLegendre(4);
  const doseTimes = subject.doses.map((x) => x.time);
  const env: Env = { dose: 0, sinceDose: 0, cov: new Float64Array(meta.covariates.length) };
  env.cov.set(subject.covariates.subarray(0, env.cov.length));
  const nuisance: IntegralRows["nuisance"] = [];
  perState.forEach((pieces, k) => pieces.forEach((pc) => pc.times.length >= 2 && nuisance.push({ state: k, column: p + nuisance.length, t0: pc.times[0]! })));
  if (nuisance.length === 0) return null;
  const cols = p + nuisance.length;
  const rows = perState.reduce((s, pieces) => s + pieces.reduce((a, pc) => a + (pc.times.length >= 2 ? pc.times.length : 0), 0), 0);
  const g = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  const rowState = new Int32Array(rows);
  const x = new Float64Array(d);
  const theta = new Float64Array(d * p);
  const drift = new Float64Array(d);
  const acc = new Float64Array(p);
  let row = 0;
  let nu = 0;
  perState.forEach((pieces, k) => {
    const ob = meta.observations[obsOf[k]!]!;
    const relative = ob.error !== "constant" || ob.transform === "log" || ob.transform === "log10";
    for (const pc of pieces) {
      if (pc.times.length < 2) continue;
      const col = nuisance[nu++]!.column;
      acc.fill(0);
      let dr = 0;
      for (let i = 0; i < pc.times.length; i++) {
        if (i > 0) {
          const a = pc.times[i - 1]!;
          const h = (pc.times[i]! - a) / cells;
          for (let c = 0; c < cells; c++)
            for (let q = 0; q < rule.nodes.length; q++) {
              const t = a + c * h + 0.5 * h * (1 + rule.nodes[q]!);
              const w = 0.5 * h * rule.weights[q]!;
              for (let l = 0; l < d; l++) x[l] = stateAt(curves[l]!, t);
              setDoseContext(env, doseTimes, t);
              model.dictionary(x, t, env, theta);
              model.drift(x, t, env, drift);
              for (let j = 0; j < p; j++) acc[j] += w * theta[k * p + j]!;
              dr += w * drift[k]!;
            }
        }
        const xk = model.invert(obsOf[k]!, pc.values[i]!);
        // The level that sets the noise of a relative row: the smoother's, not the sample's own (noisy) value.
        const level = Math.abs(model.invert(obsOf[k]!, pc.fit.noise.fitted[i]!));
        const scale = relative ? (level > 0 && Number.isFinite(level) ? 1 / level : 0) : 1;
        let known = 0;
        for (const dz of options.doseRegressors ?? [])
          if (dz.state === k && dz.time > pc.times[0]! && dz.time <= pc.times[i]!) {
            if (dz.column < 0) known += dz.amount;
            else g[row * cols + dz.column] += dz.amount * scale;
          }
        y[row] = (xk - dr - known) * scale;
        for (let j = 0; j < p; j++) g[row * cols + j] = acc[j]! * scale;
        g[row * cols + col] = scale;
        rowState[row] = k;
        row++;
      }
    }
  });
  return { rows, cols, g, y, rowState, nuisance };
}

/** The rows of one state (nuisance columns of other states dropped), for per-state scaling and profiling. */
export function rowsOfState(r: IntegralRows, k: number, p: number): { rows: SubjectRows; nuisance: number[] } {
  const idx: number[] = [];
  for (let i = 0; i < r.rows; i++) if (r.rowState[i] === k) idx.push(i);
  const mine = r.nuisance.filter((n) => n.state === k).map((n) => n.column);
  const colsKept = [...Array(p).keys(), ...mine];
  const cols = colsKept.length;
  const g = new Float64Array(idx.length * cols);
  const y = new Float64Array(idx.length);
  idx.forEach((i, m) => {
    y[m] = r.y[i]!;
    colsKept.forEach((c, j) => (g[m * cols + j] = r.g[i * r.cols + c]!));
  });
  return { rows: { rows: idx.length, cols, g, y }, nuisance: mine.map((_, i) => p + i) };
}

/**
 * Integral rows whitened by the covariance of their errors: every sample's
 * noise enters its own row and, through the data curve, the integrals of its
 * neighbours (errors in the regressors, correlated between rows). At the
 * subject's current parameters theta, the residual's derivative with respect
 * to each sample (finite differences of the rows) times the sample's noise SD
 * (`noiseSd(state, piece, i)`, observed scale) gives the covariance
 * A D A'; the rows are multiplied by L^-1 (L L' = A D A'), so each has unit
 * noise and the subject's information is no longer overstated (a WENDy-style
 * pass for integral rows). Columns as in `integralRows`.
 */
export function whitenedIntegralRows(
  model: CompiledModel,
  subject: Subject,
  perState: CurvePiece[][],
  theta: Float64Array,
  noiseSd: (state: number, piece: number, sample: number) => number,
  options: IntegralRowsOptions = {},
): IntegralRows | null {
  const base = integralRows(model, subject, perState, options);
  if (!base) return null;
  const p = model.nParams;
  const n = base.rows;
  const residual = (r: IntegralRows): Float64Array =>
    Float64Array.from({ length: n }, (_, i) => {
      let s = r.y[i]!;
      for (let j = 0; j < p; j++) s -= r.g[i * r.cols + j]! * theta[j]!;
      return s;
    });
  const r0 = residual(base);
  const cov = new Float64Array(n * n);
  perState.forEach((pieces, k) =>
    pieces.forEach((pc, m) => {
      if (pc.times.length < 2) return;
      for (let i = 0; i < pc.times.length; i++) {
        const sd = noiseSd(k, m, i);
        if (!(sd > 0)) continue;
        const h = 1e-3 * sd;
        const saved = pc.values[i]!;
        pc.values[i] = saved + h;
        const r1 = integralRows(model, subject, perState, options);
        pc.values[i] = saved;
        if (!r1) continue;
        const d = residual(r1);
        for (let a = 0; a < n; a++) d[a] = ((d[a]! - r0[a]!) / h) * sd;
        for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) cov[a * n + b] += d[a]! * d[b]!;
      }
    }),
  );
  // Cholesky with a small ridge (a row no sample moves would make it singular).
  let tr = 0;
  for (let a = 0; a < n; a++) tr += cov[a * n + a]!;
  for (let a = 0; a < n; a++) cov[a * n + a] += 1e-8 * (tr / n) + 1e-300;
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = cov[j * n + j]!;
    for (let k = 0; k < j; k++) s -= L[j * n + k]! ** 2;
    if (!(s > 0)) return base;
    const ljj = Math.sqrt(s);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = cov[i * n + j]!;
      for (let k = 0; k < j; k++) t -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = t / ljj;
    }
  }
  const cols = base.cols;
  const solveL = (v: (i: number) => number, out: (i: number, x: number) => void): void => {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = v(i);
      for (let k = 0; k < i; k++) s -= L[i * n + k]! * x[k]!;
      x[i] = s / L[i * n + i]!;
      out(i, x[i]!);
    }
  };
  const g = new Float64Array(n * cols);
  const y = new Float64Array(n);
  for (let c = 0; c < cols; c++) solveL((i) => base.g[i * cols + c]!, (i, x) => (g[i * cols + c] = x));
  solveL((i) => base.y[i]!, (i, x) => (y[i] = x));
  return { ...base, g, y };
}

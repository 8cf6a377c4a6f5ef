// Initial states the spec does not fix, from the integral rows' nuisance
// coefficients: each subject's X(t_0) of its first curve piece is the least-
// squares value given its individual parameters, then carried back to time 0
// by integrating the model backwards (all states of the dense path are
// observed, so each starts from its own X(t_0)). Reported per subject and as a
// population value: geometric mean and SD of the log when the spec declares
// `X(0) ~ lognormal` or `X(0) positive`, else mean and SD.
import type { CompiledModel, Env } from "../model.js";
import type { Dataset } from "../data/dataset.js";
import type { FitResult, InitialStateEstimate } from "../fit-result.js";
import type { DenseSubject } from "./log-scale.js";
import { setDoseContext } from "../rows/weak-form.js";

/** X(t_0) of each state's first piece given the coefficients c (LS on that piece's nuisance column). */
function startValues(sub: DenseSubject, theta: Float64Array, p: number): { value: number; t0: number }[] | null {
  if (!sub.byState) return null;
  return sub.byState.map(({ rows, nuisance }) => {
    const col = nuisance[0];
    if (col === undefined) return { value: Number.NaN, t0: Number.NaN };
    let num = 0;
    let den = 0;
    for (let i = 0; i < rows.rows; i++) {
      const gi = rows.g[i * rows.cols + col]!;
      if (gi === 0) continue;
      // Only the rows of the first piece carry this column; others are 0 there.
      let fit = 0;
      for (let j = 0; j < p; j++) fit += rows.g[i * rows.cols + j]! * theta[j]!;
      for (const other of nuisance.slice(1)) if (rows.g[i * rows.cols + other] !== 0) fit = Number.NaN;
      if (!Number.isFinite(fit)) continue;
      num += gi * (rows.y[i]! - fit);
      den += gi * gi;
    }
    return { value: den > 0 ? num / den : Number.NaN, t0: Number.NaN };
  });
}

/** Integrate dx/dt = f(x, theta) from t1 back to t0 < t1 (fixed-step RK4, 200 steps: the span is at most a few sampling gaps). */
function integrateBack(model: CompiledModel, theta: Float64Array, x1: Float64Array, t1: number, t0: number, env: Env, doseTimes: number[]): Float64Array {
  const d = model.nStates;
  const steps = 200;
  const h = (t0 - t1) / steps;
  const x = Float64Array.from(x1);
  const k1 = new Float64Array(d);
  const k2 = new Float64Array(d);
  const k3 = new Float64Array(d);
  const k4 = new Float64Array(d);
  const tmp = new Float64Array(d);
  const f = (t: number, xx: Float64Array, out: Float64Array): void => {
    setDoseContext(env, doseTimes, t);
    model.rhs(xx, theta, t, env, out);
  };
  let t = t1;
  for (let s = 0; s < steps; s++) {
    f(t, x, k1);
    for (let i = 0; i < d; i++) tmp[i] = x[i]! + 0.5 * h * k1[i]!;
    f(t + 0.5 * h, tmp, k2);
    for (let i = 0; i < d; i++) tmp[i] = x[i]! + 0.5 * h * k2[i]!;
    f(t + 0.5 * h, tmp, k3);
    for (let i = 0; i < d; i++) tmp[i] = x[i]! + h * k3[i]!;
    f(t + h, tmp, k4);
    for (let i = 0; i < d; i++) x[i] = x[i]! + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
    t += h;
  }
  return x;
}

export function initialStates(model: CompiledModel, data: Dataset, kept: DenseSubject[], individual: FitResult["individual"]): FitResult["initialStates"] | undefined {
  const meta = model.meta;
  const p = model.nParams;
  const d = model.nStates;
  const estimated = meta.states.map((s) => s.initialEstimated === true || (s.initial === undefined && !s.latent));
  if (!estimated.some((x) => x)) return undefined;
  const values: Record<string, number>[] = meta.states.map(() => ({}));
  const env: Env = { dose: 0, sinceDose: 0, cov: new Float64Array(meta.covariates.length) };
  let backFrom = Number.NaN;
  for (const sub of kept) {
    const ind = individual[sub.id];
    const subject = data.subjects[sub.index];
    if (!ind || !subject || !sub.byState) continue;
    const theta = Float64Array.from(meta.parameters, (x) => ind[x.name] ?? Number.NaN);
    const starts = startValues(sub, theta, p);
    if (!starts) continue;
    // Every state's first sample time; integrate back from the latest of them only when all share it.
    const t0s = meta.observations.map((o) => subject.series[meta.observations.indexOf(o)]?.times[0] ?? Number.NaN);
    const t1 = Math.min(...meta.states.map((_, k) => t0s[meta.observations.findIndex((o) => o.state === k)] ?? Number.NaN));
    const x1 = Float64Array.from(starts, (s) => s.value);
    if (!x1.every(Number.isFinite) || !Number.isFinite(t1)) continue;
    env.cov.set(subject.covariates.subarray(0, env.cov.length));
    const doseTimes = subject.doses.map((x) => x.time);
    const x0 = t1 > 0 && subject.doses.every((x) => x.time >= t1) ? integrateBack(model, theta, x1, t1, 0, env, doseTimes) : t1 === 0 ? x1 : null;
    if (!x0) continue;
    backFrom = Number.isFinite(backFrom) ? Math.max(backFrom, t1) : t1;
    for (let k = 0; k < d; k++) if (estimated[k] && Number.isFinite(x0[k]!)) values[k]![sub.id] = x0[k]!;
  }
  const out: Record<string, InitialStateEstimate> = {};
  meta.states.forEach((s, k) => {
    const v = Object.values(values[k]!);
    if (!estimated[k] || v.length === 0) return;
    // The declared variability (`H(0) ~ lognormal`) sets the scale; undeclared: additive, as the spec's default.
    const positive = s.initialVariability?.distribution === "logNormal" && v.every((x) => x > 0);
    const t = positive ? v.map(Math.log) : v;
    const mean = t.reduce((a, b) => a + b, 0) / t.length;
    const sd = t.length > 1 ? Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) / (t.length - 1)) : 0;
    out[s.name] = {
      estimate: positive ? Math.exp(mean) : mean,
      omega: sd,
      scale: positive ? "log" : "additive",
      individual: values[k]!,
      note: `each subject's ${s.name} at its first sample (the integral rows' X(t_0), least squares given its parameters)${backFrom > 0 ? `, integrated back to time 0 with its parameters (from up to t = ${backFrom})` : ""}; SD between subjects${positive ? " of the log" : ""}, sampling error included`,
    };
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

// A starting value for a linear compartment model without a per-subject
// closed form (three compartments, an oral depot before two): one theta for
// all subjects (a pooled fit). The rates of the system matrix are tried on a
// grid in log scale spanning the sampling (a rate between 0.5 / span and
// 0.5 / shortest gap), the dose coefficient (1/V) profiled out in closed form
// at each point (the prediction is proportional to it), and the best few
// points refined by Levenberg-Marquardt on log theta. The grid guards against
// the local optima of sums of exponentials (an absorption rate close to a
// disposition rate mimics it). Deterministic, no seed needed.
import type { Dataset } from "../data/dataset.js";
import { solveSpd } from "../numeric/linalg.js";
import { median } from "../numeric/summary.js";
import { predictObserved, type LinearSystem } from "../rows/compartment-response.js";
import type { CompartmentLayout, SubjectSamples } from "./compartment-layout.js";

/** Grid points per rate, by the number of rates (the grid has points^rates nodes). */
function pointsPerRate(rates: number): number {
  return rates <= 3 ? 5 : rates <= 5 ? 4 : 3;
}

/** The sampling's scales: the median span from the first dose to the last sample, and the median shortest gap. */
function timeScales(data: Dataset, smp: SubjectSamples[]): { lo: number; hi: number } {
  const spans: number[] = [];
  const gaps: number[] = [];
  data.subjects.forEach((s, i) => {
    const times = [...new Set([...smp[i]!.times, ...s.doses.map((d) => d.time)])].sort((a, b) => a - b);
    if (times.length < 2) return;
    spans.push(times[times.length - 1]! - times[0]!);
    let gap = Number.POSITIVE_INFINITY;
    for (let k = 1; k < times.length; k++) gap = Math.min(gap, times[k]! - times[k - 1]!);
    gaps.push(gap);
  });
  const span = spans.length ? median(spans) : 1;
  const gap = gaps.length ? median(gaps) : span / 10;
  return { lo: 0.5 / span, hi: Math.max(0.5 / gap, 2 / span) };
}

/** Pooled residuals at theta with the dose coefficient's parameter profiled out (theta is updated in place). */
function profiledResiduals(sys: LinearSystem, data: Dataset, smp: SubjectSamples[], theta: Float64Array, profile: boolean): Float64Array {
  const j = sys.dose.param;
  const inM = j !== null && sys.mj[j] !== null;
  if (profile && j !== null && !inM) theta[j] = 1;
  const preds = data.subjects.map((s, i) => predictObserved(sys, theta, s.doses, smp[i]!.times));
  const n = smp.reduce((a, x) => a + x.values.length, 0);
  if (preds.some((x) => x === null)) return new Float64Array(n).fill(Number.NaN);
  if (profile && j !== null && !inM) {
    // log C = log c + log shape: log c is the mean log ratio; on the natural scale, least squares.
    let num = 0;
    let den = 0;
    smp.forEach((x, i) =>
      x.values.forEach((y, k) => {
        const f = preds[i]![k]!;
        if (x.log) {
          if (f > 0) {
            num += y - Math.log(f);
            den += 1;
          }
        } else {
          num += y * f;
          den += f * f;
        }
      }),
    );
    const c = smp.some((x) => x.log) ? Math.exp(num / Math.max(den, 1)) : num / den;
    if (!(c > 0) || !Number.isFinite(c)) return new Float64Array(n).fill(Number.NaN);
    theta[j] = c;
    preds.forEach((pr) => pr!.forEach((v, k) => (pr![k] = v * c)));
  }
  const out = new Float64Array(n);
  let r = 0;
  smp.forEach((x, i) => x.values.forEach((y, k) => (out[r++] = x.log ? (preds[i]![k]! > 0 ? y - Math.log(preds[i]![k]!) : Number.NaN) : y - preds[i]![k]!)));
  return out;
}

function sumSq(r: Float64Array): number {
  let s = 0;
  for (const v of r) s += v * v;
  return Number.isFinite(s) ? s : Number.POSITIVE_INFINITY;
}

/** Levenberg-Marquardt on the pooled residuals over psi (log theta where the layout says). */
function refine(f: (psi: Float64Array) => Float64Array, psi0: Float64Array): { psi: Float64Array; rss: number } {
  const dim = psi0.length;
  const psi = Float64Array.from(psi0);
  let r = f(psi);
  let rss = sumSq(r);
  let lambda = 1e-2;
  for (let it = 0; it < 60 && Number.isFinite(rss); it++) {
    const n = r.length;
    const J = new Float64Array(n * dim);
    for (let a = 0; a < dim; a++) {
      const h = 1e-5 * Math.max(1, Math.abs(psi[a]!));
      const x = Float64Array.from(psi);
      x[a] += h;
      const rp = f(x);
      for (let i = 0; i < n; i++) J[i * dim + a] = Number.isFinite(rp[i]!) ? (rp[i]! - r[i]!) / h : 0;
    }
    const A = new Float64Array(dim * dim);
    const g = new Float64Array(dim);
    for (let i = 0; i < n; i++)
      for (let a = 0; a < dim; a++) {
        const v = J[i * dim + a]!;
        if (v === 0) continue;
        g[a] += v * r[i]!;
        for (let b = 0; b < dim; b++) A[a * dim + b] += v * J[i * dim + b]!;
      }
    let improved = false;
    for (let tries = 0; tries < 10; tries++) {
      const M = Float64Array.from(A);
      for (let a = 0; a < dim; a++) M[a * dim + a] += lambda * (A[a * dim + a]! + 1e-9);
      const d = solveSpd(M, dim, Float64Array.from(g, (v) => -v));
      if (!d) {
        lambda *= 10;
        continue;
      }
      const trial = Float64Array.from(psi, (v, a) => v + Math.max(-2, Math.min(2, d[a]!)));
      const rt = f(trial);
      const st = sumSq(rt);
      if (st < rss) {
        const gain = (rss - st) / rss;
        psi.set(trial);
        r = rt;
        rss = st;
        lambda = Math.max(1e-9, lambda / 3);
        improved = true;
        if (gain < 1e-10) return { psi, rss };
        break;
      }
      lambda *= 5;
    }
    if (!improved) break;
  }
  return { psi, rss };
}

/** One theta (coefficient scale) for all subjects: a grid over the rates, then Levenberg-Marquardt from the best nodes. */
export function pooledStart(sys: LinearSystem, data: Dataset, smp: SubjectSamples[], layout: CompartmentLayout): Float64Array {
  const p = layout.log.length;
  const rates = sys.mj.map((m, j) => (m !== null && j !== sys.dose.param ? j : -1)).filter((j) => j >= 0);
  const { lo, hi } = timeScales(data, smp);
  const k = pointsPerRate(rates.length);
  const grid = Array.from({ length: k }, (_, i) => lo * (hi / lo) ** (i / (k - 1)));
  const theta = new Float64Array(p).fill(1);
  const nodes: { theta: Float64Array; rss: number }[] = [];
  const total = k ** rates.length;
  for (let node = 0; node < total; node++) {
    let rest = node;
    for (const j of rates) {
      theta[j] = grid[rest % k]!;
      rest = Math.floor(rest / k);
    }
    const rss = sumSq(profiledResiduals(sys, data, smp, theta, true));
    if (Number.isFinite(rss)) nodes.push({ theta: Float64Array.from(theta), rss });
  }
  nodes.sort((a, b) => a.rss - b.rss);
  const toPsi = (th: Float64Array): Float64Array => Float64Array.from(th, (v, j) => (layout.log[j] ? Math.log(v) : v));
  const toTheta = (psi: Float64Array): Float64Array => Float64Array.from(psi, (v, j) => (layout.log[j] ? Math.exp(v) : v));
  let best: { psi: Float64Array; rss: number } | null = null;
  for (const nd of nodes.slice(0, 4)) {
    const res = refine((psi) => profiledResiduals(sys, data, smp, toTheta(psi), false), toPsi(nd.theta));
    if (!best || res.rss < best.rss) best = res;
  }
  return best ? toTheta(best.psi) : new Float64Array(p).fill(Number.NaN);
}

// A start for SAEM when the first guess does not describe the data. SAEM's chains explore around the current
// population values by proposals of the size of Omega, so from typical values far off (with an Omega shaped by
// them) they crawl, and the M-step follows them only as far as they move: on Spruce the weak-form k was 12x too
// small and SAEM ended there (k -98% against R nlme, seed 1), and from Monolix's naive omegas (1) at k 0.002 it
// stayed at 0.0023: simulated annealing keeps the chains wide but does not cross that valley. Monolix starts such
// runs from its "auto-init", a pooled fit of the typical values with the ODE solved. Ours: when the individual
// predictions at the start are off the data by more than the quality check's poor-fit line, a Levenberg-Marquardt
// fit of the typical values and covariate effects (transformed scale) to every subject's observations, each
// subject keeping its own deviation from the typical values (from the first guess, or its first observation for an
// estimated initial value), by iteratively re-weighted least squares under the residual error model; the residual
// error then in closed form; then rounds of individual fits (two-stage.ts).
import type { SubjectChain } from "./chain.js";
import { subjectMean } from "./effects.js";
import type { Layout } from "./layout.js";
import { levenbergMarquardt } from "./least-squares.js";
import { twoStageRounds } from "./two-stage.js";
import { naturalParams, type Population } from "./population.js";
import { combinedMStep, errorSd, type ResidualParams } from "./residual.js";

/**
 * Median over subjects of the RMS standardised residual above which the start does not describe the data: the
 * quality check's poor-fit line (quality/thresholds.ts medianRms; refine may not import quality). Right models
 * gave 0.8-3.6 there, wrong ones 18-58.
 */
export const POOR_START_RMS = 5;

const IRLS_ROUNDS = 4;

export interface PooledStart {
  /** Median RMS standardised residual of the subjects at the start, and after the pooled fit. */
  rmsBefore: number;
  rmsAfter: number;
  /** -2 log-likelihood of the observations with the residual error in closed form, before and after. */
  objectiveBefore: number;
  objectiveAfter: number;
}

/** Median over subjects of sqrt(mean ((y - f) / g)^2) at the chains' current predictions. */
export function medianStandardisedRms(chains: SubjectChain[], residual: ResidualParams): number {
  const rms: number[] = [];
  for (const ch of chains) {
    const obs = ch.predictor.obs;
    let s = 0;
    let n = 0;
    for (let j = 0; j < obs.n; j++) {
      if (obs.censored[j]) continue;
      const f = ch.pred[j]!;
      if (!Number.isFinite(f) || !Number.isFinite(ch.llObs)) {
        s = Infinity;
        n = 1;
        break;
      }
      const z = (obs.y[j]! - f) / errorSd(residual, obs.output[j]!, f);
      s += z * z;
      n++;
    }
    if (n > 0) rms.push(Math.sqrt(s / n));
  }
  if (rms.length === 0) return 0;
  rms.sort((a, b) => a - b);
  const m = rms.length >> 1;
  return rms.length % 2 ? rms[m]! : 0.5 * (rms[m - 1]! + rms[m]!);
}

/**
 * The pooled fit then the two-stage rounds (two-stage.ts), in place: `pop.mu`, `pop.beta`, `pop.residual`, the
 * diagonal of `pop.omega` (the subjects' spread, which the caller floors) and each `startPhi[i]` (the subject's
 * own fit) move there, and the chains restart there. `deviation(i, c)`, when given, is subject i's starting
 * deviation of component c (the first observation of an estimated initial value that the first guess has no
 * individual value for). Returns null, with the population unchanged, when the pooled fit does not improve the
 * observations' likelihood or a prediction fails.
 */
export function pooledStart(
  layout: Layout,
  chains: SubjectChain[],
  pop: Population,
  startPhi: Float64Array[],
  deviation?: (subject: number, component: number) => number | undefined,
): PooledStart | null {
  const nC = layout.components.length;
  const nE = layout.effects.length;
  const P = nC + nE;
  const nR = layout.random.length;
  const m0 = new Float64Array(nC);
  // Each subject's deviation from its mean on the transformed scale (random positions).
  const eta = chains.map((ch, i) => {
    subjectMean(layout.effects, pop.mu, pop.beta, ch.covariates, m0);
    return Float64Array.from(layout.random, (c, r) => {
      const d = deviation?.(i, c);
      return d !== undefined && Number.isFinite(d) ? d : startPhi[i]![r]! - m0[c]!;
    });
  });
  const x0 = new Float64Array(P);
  x0.set(pop.mu);
  x0.set(pop.beta, nC);
  const res: ResidualParams = { kind: [...pop.residual.kind], a: Float64Array.from(pop.residual.a), b: Float64Array.from(pop.residual.b) };
  const rmsBefore = medianStandardisedRms(chains, pop.residual);

  const n = chains.reduce((a, ch) => a + ch.predictor.obs.n, 0);
  const mean = new Float64Array(nC);
  const phi = new Float64Array(nR);
  const psi = new Float64Array(nC);
  /** Predictions of every subject at x (concatenated), or null when a solve fails. */
  const predictAll = (x: Float64Array, out: Float64Array): boolean => {
    let at = 0;
    const mu = x.subarray(0, nC);
    const beta = x.subarray(nC);
    for (let i = 0; i < chains.length; i++) {
      const ch = chains[i]!;
      subjectMean(layout.effects, mu, beta, ch.covariates, mean);
      for (let r = 0; r < nR; r++) phi[r] = mean[layout.random[r]!]! + eta[i]![r]!;
      naturalParams(layout, mean, phi, psi);
      const f = out.subarray(at, at + ch.predictor.obs.n);
      if (!ch.predictor.predict(psi, f, true)) return false;
      for (let j = 0; j < f.length; j++) if (!Number.isFinite(f[j]!)) return false;
      at += ch.predictor.obs.n;
    }
    return true;
  };
  const y = new Float64Array(n);
  const output = new Int32Array(n);
  const use = new Uint8Array(n);
  {
    let at = 0;
    for (const ch of chains) {
      const o = ch.predictor.obs;
      for (let j = 0; j < o.n; j++) {
        y[at + j] = o.y[j]!;
        output[at + j] = o.output[j]!;
        use[at + j] = o.censored[j] ? 0 : 1;
      }
      at += o.n;
    }
  }
  const f0 = new Float64Array(n);
  if (!predictAll(x0, f0)) return null;
  closedFormResidual(res, y, f0, output, use);
  const objectiveBefore = minus2LogLik(res, y, f0, output, use);

  let x: Float64Array = Float64Array.from(x0);
  const f = Float64Array.from(f0);
  const w = new Float64Array(n);
  const step = (v: Float64Array, m: number) => {
    const c = m < nC ? m : layout.effects[m - nC]!.component;
    return 1e-5 * Math.max(Math.abs(v[m]!), layout.components[c]!.scale === "logNormal" ? 1e-2 : 1e-3 * Math.abs(v[c]!), 1e-10);
  };
  for (let round = 0; round < IRLS_ROUNDS; round++) {
    for (let j = 0; j < n; j++) w[j] = use[j] ? 1 / errorSd(res, output[j]!, f[j]!) : 0;
    const fit = levenbergMarquardt(x, n, (v, out) => {
      if (!predictAll(v, out)) return false;
      for (let j = 0; j < n; j++) out[j] = w[j]! * (y[j]! - out[j]!);
      return true;
    }, step);
    if (!fit || !predictAll(fit.x, f)) return null;
    x = fit.x;
    closedFormResidual(res, y, f, output, use);
  }
  const objectiveAfter = minus2LogLik(res, y, f, output, use);
  if (!(objectiveAfter < objectiveBefore)) return null;

  // Then the subjects' own fits around the pooled values (two-stage.ts), under a broad prior: an SD of 2 on the
  // log scale (a factor 7), twice the value on the natural scale. (With half the value, Spruce's growth input a,
  // which must move with k, stayed at the pooled 0.015 against R's 0.060.)
  const priorSd = Float64Array.from(layout.random, (c, r) => {
    const s = Math.sqrt(pop.omega[r * nR + r]!);
    return layout.components[c]!.scale === "logNormal" ? Math.max(2, s) : Math.max(s, 2 * Math.abs(x[c]!), 1e-8);
  });
  const spread = twoStageRounds(layout, chains, x.subarray(0, nC), x.subarray(nC), eta, res, priorSd);
  if (predictAll(x, f)) closedFormResidual(res, y, f, output, use);

  pop.mu.set(x.subarray(0, nC));
  pop.beta.set(x.subarray(nC));
  pop.residual.a.set(res.a);
  pop.residual.b.set(res.b);
  for (let r = 0; r < nR; r++) for (let q = 0; q < nR; q++) pop.omega[r * nR + q] = r === q ? spread[r]! ** 2 : 0;
  chains.forEach((ch, i) => {
    subjectMean(layout.effects, pop.mu, pop.beta, ch.covariates, mean);
    for (let r = 0; r < nR; r++) startPhi[i]![r] = mean[layout.random[r]!]! + eta[i]![r]!;
    ch.start(pop, startPhi[i]!);
  });
  return { rmsBefore, rmsAfter: medianStandardisedRms(chains, pop.residual), objectiveBefore, objectiveAfter };
}

/** The residual error's maximum-likelihood parameters for predictions f (per output). */
function closedFormResidual(res: ResidualParams, y: Float64Array, f: Float64Array, output: Int32Array, use: Uint8Array): void {
  for (let o = 0; o < res.kind.length; o++) {
    const r: number[] = [];
    const fo: number[] = [];
    for (let j = 0; j < y.length; j++)
      if (use[j] && output[j] === o) {
        r.push(y[j]! - f[j]!);
        fo.push(f[j]!);
      }
    if (r.length === 0) continue;
    const kind = res.kind[o]!;
    if (kind === "constant") res.a[o] = Math.sqrt(r.reduce((s, v) => s + v * v, 0) / r.length);
    else if (kind === "proportional") res.b[o] = Math.sqrt(r.reduce((s, v, k) => s + (v / Math.max(Math.abs(fo[k]!), 1e-12)) ** 2, 0) / r.length);
    else [res.a[o], res.b[o]] = combinedMStep(r, fo, res.a[o]!, res.b[o]!);
  }
}

function minus2LogLik(res: ResidualParams, y: Float64Array, f: Float64Array, output: Int32Array, use: Uint8Array): number {
  let s = 0;
  for (let j = 0; j < y.length; j++) {
    if (!use[j]) continue;
    const g = errorSd(res, output[j]!, f[j]!);
    const z = (y[j]! - f[j]!) / g;
    s += z * z + 2 * Math.log(g) + Math.log(2 * Math.PI);
  }
  return s;
}

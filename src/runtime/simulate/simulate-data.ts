// Synthetic population data sets from a compiled model, in the long CSV layout
// the loader reads (ID, TIME, OBSID, DV [, AMT, EVID, MDV] [, covariates]).
// One seeded stream drives every draw in a fixed order, so the same spec and
// seed give a byte-identical file.

import { toCoefficients } from "./coefficients.js";
import type { Dose } from "../data/dataset.js";
import type { CompiledModel } from "../model.js";
import type { OdeOptions } from "./ode.js";
import { createRng } from "../numeric/random.js";
import { SimulationError, simulateSubject } from "./simulate.js";
import { drawCovariates, individualWithCovariates, type CovariateDistribution } from "./covariate-draws.js";

/** additive: theta_i = theta + eta; lognormal: theta_i = theta * exp(eta) (omega is the SD of the log, as Monolix's). */
export type RandomEffectKind = "additive" | "lognormal";

export interface DatasetSpec {
  /** Population value of every parameter, by name. */
  theta: Record<string, number>;
  /** SD of each random effect, by parameter name; parameters left out (or 0) are the same for everyone. */
  omega?: Record<string, number>;
  /** How random effects enter: one kind for all, or per parameter. Default "additive". */
  re?: RandomEffectKind | Record<string, RandomEffectKind>;
  /** Correlations between random effects: [name, name, rho]; the others are independent. */
  correlation?: [string, string, number][];
  /** Initial states the model does not fix, by state name. */
  x0?: Record<string, number>;
  /** Sampling times, each output measured at each. */
  times: number[];
  /** Administrations, the same for every subject; with `duration`, an infusion over it (written as a DUR column). */
  doses?: { time: number; amount: number; duration?: number; steadyState?: { interval: number } }[];
  /** Per-dose amounts for `+= unknown` jumps, by state name. */
  doseAmounts?: Record<string, number[]>;
  /**
   * Covariate values: one for all subjects or one per subject; a categorical covariate's values are its level
   * labels (text or numbers), written to the file as they are.
   */
  covariates?: Record<string, number | string | (number | string)[]>;
  /** Covariates drawn per subject instead (see CovariateDistribution); a covariate is given here or in `covariates`. */
  covariateDistribution?: Record<string, CovariateDistribution>;
  /**
   * Covariate coefficients by name (`beta_V_WT`, `beta_r_DIET_D2`: the categorical level as in the data), on the
   * parameter's transformed scale: log theta_i = log theta + beta z for a positive parameter, theta_i = theta + beta z
   * otherwise. Every coefficient of the spec's covariate effects needs a value.
   */
  beta?: Record<string, number>;
  /**
   * Residual error per output: a alone is constant (y + a e), b alone proportional (y (1 + b e)),
   * both combined (y + sqrt(a^2 + b^2 y^2) e, Monolix "combined2" / nlmixr2 add + prop). {} is noise-free.
   */
  noise: Record<string, { a?: number; b?: number }>;
  subjects: number;
  seed: number;
  /** Significant digits of DV (default 6). */
  digits?: number;
  ode?: OdeOptions;
}

export interface SimulatedDataset {
  csv: string;
  /** Each subject's parameters (ID i+1 at index i), in `meta.parameters` order by name. */
  individual: Record<string, number>[];
}

export function simulateDataset(model: CompiledModel, spec: DatasetSpec): string {
  return simulateDatasetWithTruth(model, spec).csv;
}

export function simulateDatasetWithTruth(model: CompiledModel, spec: DatasetSpec): SimulatedDataset {
  const { meta, nParams: p } = model;
  if (!Number.isInteger(spec.subjects) || spec.subjects < 1) {
    throw new SimulationError(`subjects must be a positive integer, got ${spec.subjects}`);
  }
  const digits = spec.digits ?? 6;
  const names = meta.parameters.map((q) => q.name);
  const index = new Map(names.map((nm, i) => [nm, i]));

  const theta = new Float64Array(p);
  for (const [nm, v] of Object.entries(spec.theta)) {
    const i = index.get(nm);
    if (i === undefined)
      throw new SimulationError(`theta: ${nm} is not a parameter of ${meta.name} (${names.join(", ")})`);
    if (!Number.isFinite(v)) throw new SimulationError(`theta: ${nm} = ${v} is not a finite number`);
    theta[i] = v;
  }
  const missing = names.filter((nm) => !(nm in spec.theta));
  if (missing.length > 0) throw new SimulationError(`theta: no value for ${missing.join(", ")}`);

  const effects = randomEffects(spec, index, theta, names);

  const x0 = new Float64Array(model.nStates).fill(NaN);
  for (const [nm, v] of Object.entries(spec.x0 ?? {})) {
    const k = meta.states.findIndex((s) => s.name === nm);
    if (k < 0) throw new SimulationError(`x0: ${nm} is not a state of ${meta.name}`);
    x0[k] = v;
  }

  const outputs = meta.observations.map((o) => o.name);
  for (const nm of Object.keys(spec.noise)) {
    if (!outputs.includes(nm))
      throw new SimulationError(`noise: ${nm} is not an output of ${meta.name} (${outputs.join(", ")})`);
  }
  const noise = outputs.map((nm) => {
    const e = spec.noise[nm];
    if (!e) throw new SimulationError(`noise: no entry for output ${nm} (give {} for noise-free values)`);
    const a = e.a ?? 0;
    const b = e.b ?? 0;
    if (!(a >= 0 && b >= 0)) throw new SimulationError(`noise: ${nm} needs non-negative a and b`);
    return { a, b };
  });

  const covNames = meta.covariates;
  // Codes (levels for categorical ones) and the text written, per subject; drawn on a stream of their own.
  const covs = drawCovariates(meta, spec.covariates, spec.covariateDistribution, spec.subjects, spec.seed, (v) => formatNumber(v, 10));

  const doseList = [...(spec.doses ?? [])].sort((a, b) => a.time - b.time);
  const doses: Dose[] = doseList.map((d) => ({
    ...(d.duration !== undefined && d.duration > 0
      ? { time: d.time, amount: d.amount, adm: 1, rate: d.amount / d.duration, duration: d.duration }
      : { time: d.time, amount: d.amount, adm: 1 }),
    ...(d.steadyState ? { steadyState: { interval: d.steadyState.interval } } : {}),
  }));
  const infusions = doses.some((d) => d.duration !== undefined);
  const steady = doses.some((d) => d.steadyState !== undefined);
  const times = [...spec.times].sort((a, b) => a - b);
  for (const t of times) if (!Number.isFinite(t)) throw new SimulationError(`times: ${t} is not a finite number`);
  const hasDoses = doses.length > 0;

  const header = ["ID", "TIME", "OBSID", "DV"];
  if (hasDoses) header.push("AMT", "EVID", "MDV");
  if (infusions) header.push("DUR");
  if (steady) header.push("SS", "II");
  header.push(...covNames);
  const lines: string[] = [header.join(",")];
  const individual: Record<string, number>[] = [];
  const rng = createRng(spec.seed);
  const z = new Float64Array(effects.params.length);
  const eta = new Float64Array(effects.params.length);

  for (let s = 0; s < spec.subjects; s++) {
    const id = String(s + 1);
    // Draw order is part of the file format's reproducibility: random effects, then one normal per observation row.
    for (let r = 0; r < z.length; r++) z[r] = rng.normal();
    lowerTimes(effects.chol, z, eta);
    const th = individualWithCovariates(meta, theta, spec.beta, covs, s);
    const typical = Float64Array.from(th);
    effects.params.forEach((j, r) => {
      th[j] = effects.kinds[r] === "lognormal" ? typical[j]! * Math.exp(eta[r]!) : typical[j]! + eta[r]!;
    });
    const ind: Record<string, number> = {};
    names.forEach((nm, j) => (ind[nm] = th[j]!));
    individual.push(ind);

    const cov = covs.codes[s]!;
    const covText = covNames.map((_, c) => "," + covs.text[s]![c]!).join("");
    // The spec gives the model's parameters (V); the compiled functions take coefficients (1/V).
    const sim = simulateSubject(model, toCoefficients(meta, th), {
      x0,
      doses,
      times,
      cov,
      doseAmounts: spec.doseAmounts,
      ode: spec.ode,
    });

    let di = 0;
    for (let i = 0; i < times.length; i++) {
      const t = times[i]!;
      for (; di < doses.length && doses[di]!.time <= t; di++) lines.push(doseRow(id, doses[di]!, covText, infusions, steady));
      const tText = formatNumber(t, 10);
      for (let o = 0; o < outputs.length; o++) {
        const y = sim.outputs[i]![o]!;
        if (!Number.isFinite(y)) {
          throw new SimulationError(
            `subject ${id}: output ${outputs[o]} is ${y} at time ${t} (parameters ${names
              .map((nm) => `${nm}=${formatNumber(ind[nm]!, 6)}`)
              .join(", ")}); smaller or log-normal random effects keep states in range`,
          );
        }
        const { a, b } = noise[o]!;
        const e = rng.normal();
        const v = a === 0 ? y * (1 + b * e) : b === 0 ? y + a * e : y + Math.sqrt(a * a + b * b * y * y) * e;
        lines.push(`${id},${tText},${outputs[o]},${formatNumber(v, digits)}${hasDoses ? ",.,0,0" : ""}${infusions ? ",." : ""}${steady ? ",.,." : ""}${covText}`);
      }
    }
    for (; di < doses.length; di++) lines.push(doseRow(id, doses[di]!, covText, infusions, steady));
  }
  return { csv: lines.join("\n") + "\n", individual };
}

function doseRow(id: string, d: Dose, covText: string, infusions: boolean, steady: boolean): string {
  const dur = infusions ? `,${d.duration === undefined ? "." : formatNumber(d.duration, 10)}` : "";
  const ss = steady ? (d.steadyState ? `,1,${formatNumber(d.steadyState.interval, 10)}` : ",0,.") : "";
  return `${id},${formatNumber(d.time, 10)},.,.,${formatNumber(d.amount, 10)},1,1${dur}${ss}${covText}`;
}

interface Effects {
  /** Parameter index of each random effect. */
  params: number[];
  kinds: RandomEffectKind[];
  /** Lower Cholesky factor of the random-effect covariance, row-major. */
  chol: Float64Array;
}

function randomEffects(spec: DatasetSpec, index: Map<string, number>, theta: Float64Array, names: string[]): Effects {
  const params: number[] = [];
  const sds: number[] = [];
  const kinds: RandomEffectKind[] = [];
  for (const [nm, sd] of Object.entries(spec.omega ?? {})) {
    const j = index.get(nm);
    if (j === undefined) throw new SimulationError(`omega: ${nm} is not a parameter (${names.join(", ")})`);
    if (!(sd >= 0)) throw new SimulationError(`omega: ${nm} needs a non-negative SD, got ${sd}`);
    if (sd === 0) continue;
    const kind = typeof spec.re === "string" ? spec.re : (spec.re?.[nm] ?? "additive");
    if (kind !== "additive" && kind !== "lognormal") throw new SimulationError(`re: unknown kind ${kind} for ${nm}`);
    if (kind === "lognormal" && !(theta[j]! > 0)) {
      throw new SimulationError(`re: ${nm} is log-normal, its population value must be positive (got ${theta[j]})`);
    }
    params.push(j);
    sds.push(sd);
    kinds.push(kind);
  }
  // Parameter order, not the spec's key order, fixes the draw order.
  const perm = params.map((_, r) => r).sort((a, b) => params[a]! - params[b]!);
  const P = perm.map((r) => params[r]!);
  const S = perm.map((r) => sds[r]!);
  const K = perm.map((r) => kinds[r]!);
  const m = P.length;
  const cov = new Float64Array(m * m);
  for (let r = 0; r < m; r++) cov[r * m + r] = S[r]! * S[r]!;
  for (const [a, b, rho] of spec.correlation ?? []) {
    const ra = P.indexOf(index.get(a) ?? -1);
    const rb = P.indexOf(index.get(b) ?? -1);
    if (ra < 0 || rb < 0) throw new SimulationError(`correlation: ${a} and ${b} both need a positive omega`);
    if (ra === rb || !(Math.abs(rho) < 1))
      throw new SimulationError(`correlation: ${a}, ${b}: rho must lie in (-1, 1), got ${rho}`);
    cov[ra * m + rb] = cov[rb * m + ra] = rho * S[ra]! * S[rb]!;
  }
  const chol = cholesky(cov, m);
  if (!chol)
    throw new SimulationError(`correlation: the random-effect correlations do not form a positive definite matrix`);
  return { params: P, kinds: K, chol };
}

function cholesky(a: Float64Array, m: number): Float64Array | undefined {
  const l = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * m + j]!;
      for (let k = 0; k < j; k++) s -= l[i * m + k]! * l[j * m + k]!;
      if (i === j) {
        if (!(s > 0)) return undefined;
        l[i * m + i] = Math.sqrt(s);
      } else l[i * m + j] = s / l[j * m + j]!;
    }
  }
  return l;
}

function lowerTimes(l: Float64Array, z: Float64Array, out: Float64Array): void {
  const m = z.length;
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let k = 0; k <= i; k++) s += l[i * m + k]! * z[k]!;
    out[i] = s;
  }
}

/**
 * C's %g with `digits` significant digits: fixed notation for exponents in [-4, digits),
 * otherwise d.ddde[+-]XX; trailing zeros dropped. Locale-free, so output is deterministic.
 */
export function formatNumber(x: number, digits: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const expText = x.toExponential(digits - 1);
  const ePos = expText.indexOf("e");
  const exp = Number(expText.slice(ePos + 1));
  if (exp < -4 || exp >= digits) {
    const mant = stripZeros(expText.slice(0, ePos));
    const ae = Math.abs(exp);
    return `${mant}e${exp < 0 ? "-" : "+"}${ae < 10 ? "0" : ""}${ae}`;
  }
  return stripZeros(x.toFixed(Math.max(0, digits - 1 - exp)));
}

function stripZeros(s: string): string {
  if (!s.includes(".")) return s;
  return s.replace(/0+$/, "").replace(/\.$/, "");
}

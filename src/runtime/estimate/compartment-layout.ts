// How the population step of linear compartment models sees a subject: psi
// (the model's coefficients, on the log scale unless the spec declares an
// additive normal random effect), its samples on the residual scale, and its
// residuals at a given theta (compartment-population.ts, compartment-start.ts).
import type { CompiledModel } from "../model.js";
import type { Dataset } from "../data/dataset.js";
import { predictObserved, type LinearSystem } from "../rows/compartment-response.js";
import { samplesOf, type Samples } from "./fit-compartments.js";
import type { CovariateCoefficient } from "../data/covariate-coefficients.js";

/**
 * How psi maps to the model's coefficients: log scale unless the spec declares an additive normal random effect.
 * psi is the p parameters followed by one covariate coefficient per entry of `effects` (fixed effects, no random
 * effect): log theta_ij = psi_j + sign_j sum_c beta_c z_ic, sign_j = -1 for a parameter estimated as its reciprocal
 * (log(1/V) = -log V: the spec's effect on log V changes sign on the coefficient's scale).
 */
export interface CompartmentLayout {
  p: number;
  log: boolean[];
  random: boolean[];
  effects: { param: number; sign: number }[];
}

export function layoutOf(model: CompiledModel, coefs: CovariateCoefficient[] = []): CompartmentLayout {
  const meta = model.meta;
  return {
    p: meta.parameters.length,
    // A rate or volume of a compartment model is positive; only an explicit `~ normal` keeps the natural scale.
    log: meta.parameters.map((par) => par.estimatedAs === "reciprocal" || par.positive === true || !(par.variability !== "fixed" && par.distribution === "normal")),
    random: meta.parameters.map((par) => par.variability !== "fixed"),
    effects: coefs.map((c) => ({ param: c.param, sign: meta.parameters[c.param]!.estimatedAs === "reciprocal" ? -1 : 1 })),
  };
}

/** The model's coefficients at psi for a subject whose covariate terms are z (none: the reference subject). */
export function thetaOf(layout: CompartmentLayout, psi: Float64Array, z?: Float64Array): Float64Array {
  const v = Float64Array.from(psi.subarray(0, layout.p));
  if (z) layout.effects.forEach((e, c) => (v[e.param] += e.sign * psi[layout.p + c]! * z[c]!));
  return Float64Array.from(v, (x, j) => (layout.log[j] ? Math.exp(x) : x));
}

/** One subject's samples on the residual scale: logs for relative errors (positive samples only). */
export interface SubjectSamples {
  times: number[];
  values: number[];
  log: boolean;
}

export function subjectSamples(model: CompiledModel, data: Dataset, sys: LinearSystem): SubjectSamples[] {
  return data.subjects.map((s) => {
    const smp: Samples = samplesOf(model, s, sys.observed);
    const keep = smp.values.map((v) => !smp.relative || v > 0);
    return {
      times: smp.times.filter((_, i) => keep[i]),
      values: smp.values.filter((_, i) => keep[i]).map((v) => (smp.relative ? Math.log(v) : v)),
      log: smp.relative,
    };
  });
}

/** Residuals of one subject at theta (NaN where the prediction leaves the model's domain). */
export function residualsAt(sys: LinearSystem, doses: Dataset["subjects"][number]["doses"], smp: SubjectSamples, theta: Float64Array): Float64Array {
  const pred = predictObserved(sys, theta, doses, smp.times);
  if (!pred) return new Float64Array(smp.values.length).fill(Number.NaN);
  return Float64Array.from(smp.values, (y, i) => (smp.log ? (pred[i]! > 0 ? y - Math.log(pred[i]!) : Number.NaN) : y - pred[i]!));
}


// How the population step of linear compartment models sees a subject: psi
// (the model's coefficients, on the log scale unless the spec declares an
// additive normal random effect), its samples on the residual scale, and its
// residuals at a given theta (compartment-population.ts, compartment-start.ts).
import type { CompiledModel } from "../model.js";
import type { Dataset } from "../data/dataset.js";
import { predictObserved, type LinearSystem } from "../rows/compartment-response.js";
import { samplesOf, type Samples } from "./fit-compartments.js";

/**
 * How psi maps to the model's coefficients: log scale unless the spec declares an additive normal random effect.
 * Covariate effects are not part of psi: the population step centres each subject's psi on them
 * (compartment-population.ts).
 */
export interface CompartmentLayout {
  p: number;
  log: boolean[];
  random: boolean[];
}

export function layoutOf(model: CompiledModel): CompartmentLayout {
  const meta = model.meta;
  return {
    p: meta.parameters.length,
    // A rate or volume of a compartment model is positive; only an explicit `~ normal` keeps the natural scale.
    log: meta.parameters.map((par) => par.estimatedAs === "reciprocal" || par.positive === true || !(par.variability !== "fixed" && par.distribution === "normal")),
    random: meta.parameters.map((par) => par.variability !== "fixed"),
  };
}

/** The model's coefficients at psi. */
export function thetaOf(layout: CompartmentLayout, psi: Float64Array): Float64Array {
  return Float64Array.from(psi, (x, j) => (layout.log[j] ? Math.exp(x) : x));
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


// The model's parameters (as the user gives and reads them) and the linear
// coefficients the compiled functions take: they differ only for a parameter
// estimated as its reciprocal (`estimatedAs: "reciprocal"`, a volume used only
// as a divisor), whose coefficient is 1/V.
import type { ModelMeta } from "../model.js";

/** Coefficients from parameter values (1/V in place of V). */
export function toCoefficients(meta: Pick<ModelMeta, "parameters">, params: Float64Array): Float64Array {
  // A loop, not `params.map`: the quality check converts 10,000 subjects' parameters.
  const out = new Float64Array(params.length);
  for (let j = 0; j < params.length; j++) out[j] = meta.parameters[j]?.estimatedAs === "reciprocal" ? 1 / params[j]! : params[j]!;
  return out;
}

/** Parameter values from coefficients (V = 1 / coefficient). The map is its own inverse. */
export function fromCoefficients(meta: Pick<ModelMeta, "parameters">, coefficients: Float64Array): Float64Array {
  return toCoefficients(meta, coefficients);
}

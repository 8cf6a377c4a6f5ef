// Hand-written stand-in for the generated logistic module: dC/dt = r C - q C^2,
// observed as `circumference` with proportional error, r and q random, K = r/q.
import type { CompiledModel, ModelMeta } from "../../../src/runtime/model.js";

const meta: ModelMeta = {
  name: "logistic",
  time: { name: "t", unit: "day" },
  states: [{ name: "C", latent: false }],
  parameters: ["r", "q"].map((name) => ({ name, variability: "random" as const, distribution: "normal" as const })),
  constants: {},
  covariates: [],
  observations: [{ name: "circumference", state: 0, transform: "identity", error: "proportional" }],
  derived: [{ name: "K" }],
  covariance: [],
  doses: [],
  dictionaries: [],
  equationParams: [[0, 1]],
  equations: ["r*C - q*C^2"],
};

export function logisticModel(overrides: Partial<ModelMeta> = {}): CompiledModel {
  const m: ModelMeta = { ...meta, ...overrides };
  const dictionary = (x: Float64Array, _t: number, _env: unknown, out: Float64Array): void => {
    out[0] = x[0]!;
    out[1] = -x[0]! * x[0]!;
  };
  const drift = (_x: Float64Array, _t: number, _env: unknown, out: Float64Array): void => {
    out[0] = 0;
  };
  return {
    meta: m,
    nStates: 1,
    nParams: 2,
    dictionary,
    drift,
    dictionaryJacobian(x, _t, _env, out) {
      out[0] = 1;
      out[1] = -2 * x[0]!;
    },
    driftJacobian(_x, _t, _env, out) {
      out[0] = 0;
    },
    observedDictionary: dictionary,
    observedDrift: drift,
    rhs(x, theta, _t, _env, out) {
      out[0] = theta[0]! * x[0]! - theta[1]! * x[0]! * x[0]!;
    },
    observe(x, out) {
      out[0] = x[0]!;
    },
    invert(_o, y) {
      return y;
    },
    derived(theta, out) {
      out[0] = theta[0]! / theta[1]!;
    },
  };
}

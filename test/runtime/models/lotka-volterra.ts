// Hand-written stand-in for the generated Lotka-Volterra module (the code
// generator replaces it later): dx = a x - b x y, dy = c x y - d y, both states
// observed with proportional error, all parameters random.
import type { CompiledModel, ModelMeta } from "../../../src/runtime/model.js";

const meta: ModelMeta = {
  name: "lotka_volterra",
  time: { name: "t" },
  states: [
    { name: "x", latent: false },
    { name: "y", latent: false },
  ],
  parameters: ["a", "b", "c", "d"].map((name) => ({ name, variability: "random" as const, distribution: "normal" as const })),
  constants: {},
  covariates: [],
  observations: [
    { name: "prey", state: 0, transform: "identity", error: "proportional" },
    { name: "predator", state: 1, transform: "identity", error: "proportional" },
  ],
  derived: [],
  covariance: [],
  doses: [],
  dictionaries: [],
  equationParams: [
    [0, 1],
    [2, 3],
  ],
  equations: ["a*x - b*x*y", "c*x*y - d*y"],
};

export function lotkaVolterraModel(overrides: Partial<ModelMeta> = {}): CompiledModel {
  const m: ModelMeta = { ...meta, ...overrides };
  const dictionary = (x: Float64Array, _t: number, _env: unknown, out: Float64Array): void => {
    const u = x[0]!;
    const v = x[1]!;
    out[0] = u;
    out[1] = -u * v;
    out[2] = 0;
    out[3] = 0;
    out[4] = 0;
    out[5] = 0;
    out[6] = u * v;
    out[7] = -v;
  };
  const drift = (_x: Float64Array, _t: number, _env: unknown, out: Float64Array): void => {
    out[0] = 0;
    out[1] = 0;
  };
  return {
    meta: m,
    nStates: 2,
    nParams: 4,
    dictionary,
    drift,
    dictionaryJacobian(x, _t, _env, out) {
      out.fill(0);
      const d = 2;
      const p = 4;
      const at = (k: number, j: number, l: number): number => (k * p + j) * d + l;
      out[at(0, 0, 0)] = 1;
      out[at(0, 1, 0)] = -x[1]!;
      out[at(0, 1, 1)] = -x[0]!;
      out[at(1, 2, 0)] = x[1]!;
      out[at(1, 2, 1)] = x[0]!;
      out[at(1, 3, 1)] = -1;
    },
    driftJacobian(_x, _t, _env, out) {
      out.fill(0);
    },
    observedDictionary: dictionary,
    observedDrift: drift,
    rhs(x, theta, _t, _env, out) {
      out[0] = theta[0]! * x[0]! - theta[1]! * x[0]! * x[1]!;
      out[1] = theta[2]! * x[0]! * x[1]! - theta[3]! * x[1]!;
    },
    observe(x, out) {
      out[0] = x[0]!;
      out[1] = x[1]!;
    },
    invert(_o, y) {
      return y;
    },
    derived() {},
  };
}

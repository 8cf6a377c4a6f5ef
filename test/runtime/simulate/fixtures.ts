// Hand-written CompiledModels for the simulator tests: small enough to check
// by eye, with closed-form solutions, independent of the compiler.

import type { CompiledModel, Env, ModelMeta } from "../../../src/runtime/model.js";

function baseMeta(
  partial: Partial<ModelMeta> & Pick<ModelMeta, "name" | "states" | "parameters" | "observations">,
): ModelMeta {
  return {
    time: { name: "t" },
    constants: {},
    covariates: [],
    derived: [],
    covariance: [],
    doses: [],
    dictionaries: [],
    equationParams: partial.states.map(() => []),
    equations: [],
    ...partial,
  };
}

/** One compartment, dX/dt = -k X, each dose adds to X (AMT, or an unknown amount). Observed as X; X(0) = 0 unless not fixed. */
export function oneCompartment(amount: "amt" | "unknown" = "amt", fixesInitial = true): CompiledModel {
  const meta = baseMeta({
    name: "one_compartment",
    states: [fixesInitial ? { name: "X", latent: false, initial: 0 } : { name: "X", latent: false }],
    parameters: [{ name: "k", variability: "random", distribution: "normal" }],
    observations: [{ name: "amount", state: 0, transform: "identity", error: "proportional" }],
    doses: [{ kind: "jump", state: 0, amount }],
    equationParams: [[0]],
    equations: ["-k * X"],
  });
  return {
    meta,
    nStates: 1,
    nParams: 1,
    dictionary: (x, _t, _e, out) => {
      out[0] = -x[0]!;
    },
    drift: (_x, _t, _e, out) => {
      out[0] = 0;
    },
    dictionaryJacobian: (_x, _t, _e, out) => {
      out[0] = -1;
    },
    driftJacobian: (_x, _t, _e, out) => {
      out[0] = 0;
    },
    observedDictionary: (x, _t, _e, out) => {
      out[0] = -x[0]!;
    },
    observedDrift: (_x, _t, _e, out) => {
      out[0] = 0;
    },
    rhs: (x, theta, _t, _e, out) => {
      out[0] = -theta[0]! * x[0]!;
    },
    observe: (x, out) => {
      out[0] = x[0]!;
    },
    invert: (_o, y) => y,
    derived: () => {},
  };
}

export const CLAIRON = { deltaV: 2.7, deltaS: 0.01, S0: 1, Ab0: 0.5 };

/**
 * Clairon-like humoral response: the dose vector [1, fM2] only switches a forcing term,
 * dS/dt = f_k exp(-delta_V (t - t_k)) - delta_S S, dAb/dt = theta S - delta_Ab Ab;
 * parameters (theta, fM2, delta_Ab); observed as log10(Ab). No forcing before the first dose.
 */
export function clairon(): CompiledModel {
  const { deltaV, deltaS, S0, Ab0 } = CLAIRON;
  const meta = baseMeta({
    name: "clairon_like",
    states: [
      { name: "S", latent: true, initial: S0 },
      { name: "Ab", latent: false, initial: Ab0 },
    ],
    parameters: [
      { name: "theta", variability: "random", distribution: "normal" },
      { name: "fM2", variability: "random", distribution: "normal" },
      { name: "delta_Ab", variability: "fixed", distribution: "normal" },
    ],
    observations: [{ name: "log10_Ab", state: 1, transform: "log10", error: "constant" }],
    doses: [{ kind: "vector", name: "strength", length: 2 }],
    equationParams: [[1], [0, 2]],
    equations: ["strength * exp(-delta_V * since_dose) - delta_S * S", "theta * S - delta_Ab * Ab"],
  });
  const forcing = (env: Env) => Math.exp(-deltaV * env.sinceDose);
  // Theta (2 x 3): S row carries fM2 on the second dose; the first dose's strength 1 is in c.
  const dictionary = (x: Float64Array, _t: number, env: Env, out: Float64Array) => {
    out.fill(0);
    if (env.dose === 2) out[1] = forcing(env);
    out[3] = x[0]!;
    out[5] = -x[1]!;
  };
  const drift = (x: Float64Array, _t: number, env: Env, out: Float64Array) => {
    out[0] = (env.dose === 1 ? forcing(env) : 0) - deltaS * x[0]!;
    out[1] = 0;
  };
  return {
    meta,
    nStates: 2,
    nParams: 3,
    dictionary,
    drift,
    dictionaryJacobian: (_x, _t, _e, out) => {
      // out[(k*p + j)*d + l]
      out.fill(0);
      out[(1 * 3 + 0) * 2 + 0] = 1; // d(S)/dS in row Ab, theta
      out[(1 * 3 + 2) * 2 + 1] = -1; // d(-Ab)/dAb in row Ab, delta_Ab
    },
    driftJacobian: (_x, _t, _e, out) => {
      out.fill(0);
      out[0] = -deltaS;
    },
    observedDictionary: dictionary,
    observedDrift: drift,
    rhs: (x, theta, _t, env, out) => {
      const strength = env.dose === 1 ? 1 : env.dose === 2 ? theta[1]! : 0;
      out[0] = strength * forcing(env) - deltaS * x[0]!;
      out[1] = theta[0]! * x[0]! - theta[2]! * x[1]!;
    },
    observe: (x, out) => {
      out[0] = Math.log10(x[1]!);
    },
    invert: (_o, y) => Math.pow(10, y),
    derived: () => {},
  };
}

/** Clairon-like S and Ab in closed form, piecewise between doses (fM_1 = 1, fM_2 = fM2). */
export function claironExact(theta: number, fM2: number, a: number, doseTimes: number[], t: number): [number, number] {
  const { deltaV: dV, deltaS: dS, S0, Ab0 } = CLAIRON;
  let S = S0;
  let Ab = Ab0;
  let t0 = 0;
  let f = 0;
  const advance = (tau: number) => {
    const c = f / (dS - dV);
    const A = S - c;
    const Sn = A * Math.exp(-dS * tau) + c * Math.exp(-dV * tau);
    const Abn =
      Ab * Math.exp(-a * tau) +
      (theta * A * (Math.exp(-dS * tau) - Math.exp(-a * tau))) / (a - dS) +
      (theta * c * (Math.exp(-dV * tau) - Math.exp(-a * tau))) / (a - dV);
    S = Sn;
    Ab = Abn;
  };
  doseTimes.forEach((td, k) => {
    if (td > t) return;
    advance(td - t0);
    t0 = td;
    f = k === 0 ? 1 : fM2;
  });
  advance(t - t0);
  return [S, Ab];
}

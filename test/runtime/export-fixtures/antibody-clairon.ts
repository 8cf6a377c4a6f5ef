// specs/antibody_clairon.nlme; values near data/antibody_clairon.truth.json.
// S is latent (eliminated by the estimator) and comes back as an ODE state;
// the forcing restarts at each dose with strength [1, fM2].
import { baseFit, baseMeta, est, type ExportFixture } from "./fixture.js";

const meta = baseMeta({
  name: "antibody_clairon",
  time: { name: "t", unit: "days" },
  states: [
    { name: "S", latent: true, doc: "antibody-secreting cells", initial: 1 },
    { name: "Ab", latent: false, doc: "neutralising antibodies", initial: 0.5 },
  ],
  constants: { delta_V: 2.7, delta_S: 0.01 },
  parameters: [
    { name: "theta", variability: "random", distribution: "logNormal", doc: "antibody production per cell" },
    {
      name: "fM2",
      variability: "random",
      distribution: "logNormal",
      doc: "strength of the second dose, relative to the first",
    },
    { name: "delta_Ab", variability: "fixed", distribution: "normal", doc: "antibody decay, 1/day" },
  ],
  doses: [{ kind: "vector", name: "strength", length: 2, values: ["1", "fM2"] }],
  observations: [{ name: "log10_Ab", state: 1, transform: "log10", error: "constant" }],
  equationParams: [[1], [0, 2]],
  equations: ["strength * exp(-delta_V * since_dose) - delta_S * S", "theta * S - delta_Ab * Ab"],
});

// The estimator works on the additive scale: SDs here are additive (theta ~ CV 0.5, fM2 ~ CV 0.8).
const fit = baseFit(
  "antibody_clairon",
  100,
  { theta: est(21.2, 11.5), fM2: est(6.1, 4.6), delta_Ab: est(0.0302, null) },
  { log10_Ab: { a: 0.104, error: "constant" } },
);
fit.notes = ["theta * fM2 was estimated as one coefficient and mapped back per subject"];

export const antibodyClairon: ExportFixture = {
  meta,
  fit,
  dataFile: "antibody_clairon.csv",
  step: 0.02,
  rhs(x, th, _t, env, out) {
    const strength = env.dose === 1 ? 1 : env.dose === 2 ? th[1]! : 0;
    out[0] = strength * Math.exp(-2.7 * env.sinceDose) - 0.01 * x[0]!;
    out[1] = th[0]! * x[0]! - th[2]! * x[1]!;
  },
};

/**
 * The same model as the code generator writes it: the dose vector expanded
 * into `value_k * (dose == k)` terms (src/check/linearise.ts) and no value text.
 */
export const antibodyClaironExpanded: ExportFixture = {
  ...antibodyClairon,
  meta: {
    ...meta,
    doses: [{ kind: "vector", name: "strength", length: 2 }],
    equations: [
      "(1 * (dose == 1) + fM2 * (dose == 2)) * exp(-delta_V * since_dose) - delta_S * S",
      "theta * S - delta_Ab * Ab",
    ],
  },
};

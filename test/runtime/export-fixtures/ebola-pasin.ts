// specs/ebola_pasin.nlme; values near data/ebola_pasin.truth.json (additive RE,
// theta_L has CV 0.4: some subjects' theta_L are negative, and the full
// covariance block exercises the correlation conversion).
import { baseFit, baseMeta, est, type ExportFixture } from "./fixture.js";

const meta = baseMeta({
  name: "ebola_pasin",
  time: { name: "t", unit: "days" },
  states: [
    { name: "S", latent: true, doc: "short-lived antibody-secreting cells" },
    { name: "L", latent: true, doc: "long-lived antibody-secreting cells" },
    { name: "Ab", latent: false, doc: "binding antibodies" },
  ],
  constants: { delta_S: 0.231, delta_L: 0.000152 },
  parameters: [
    { name: "theta_S", variability: "random", distribution: "logNormal" },
    { name: "theta_L", variability: "random", distribution: "logNormal" },
    { name: "delta_Ab", variability: "fixed", distribution: "normal" },
  ],
  covariance: [{ structure: "full", params: [0, 1] }],
  doses: [
    { kind: "jump", state: 0, amount: "amt" },
    { kind: "jump", state: 1, amount: "amt" },
  ],
  observations: [{ name: "log10_titre", state: 2, transform: "log10", error: "constant" }],
  equationParams: [[], [], [0, 1, 2]],
  equations: ["-delta_S * S", "-delta_L * L", "theta_S * S + theta_L * L - delta_Ab * Ab"],
});

const fit = baseFit(
  "ebola_pasin",
  60,
  { theta_S: est(598, 205), theta_L: est(3.62, 1.31), delta_Ab: est(0.0247, null) },
  { log10_titre: { a: 0.112, error: "constant" } },
);
fit.omegaCorrelation = { "theta_S,theta_L": 0.35 };
fit.omega = {
  names: ["theta_S", "theta_L"],
  matrix: [
    [205 ** 2, 0.35 * 205 * 1.31],
    [0.35 * 205 * 1.31, 1.31 ** 2],
  ],
};

export const ebolaPasin: ExportFixture = {
  meta,
  fit,
  dataFile: "ebola_pasin.csv",
  step: 0.05,
  rhs(x, th, _t, _env, out) {
    out[0] = -0.231 * x[0]!;
    out[1] = -0.000152 * x[1]!;
    out[2] = th[0]! * x[0]! + th[1]! * x[1]! - th[2]! * x[2]!;
  },
};

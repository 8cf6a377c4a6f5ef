// specs/pk_oral.nlme; values near data/pk_oral.truth.json. The depot Ad is latent
// and receives each dose (bolus); C has no declared initial value.
import { baseFit, baseMeta, est, type ExportFixture } from "./fixture.js";

const meta = baseMeta({
  name: "pk_oral",
  time: { name: "t", unit: "hours" },
  states: [
    { name: "Ad", latent: true, doc: "amount in the gut depot, mg" },
    { name: "C", latent: false, doc: "plasma concentration, mg/L" },
  ],
  parameters: [
    { name: "ka", variability: "random", distribution: "logNormal", doc: "absorption rate, 1/h" },
    {
      name: "ka_over_V",
      variability: "random",
      distribution: "logNormal",
      doc: "absorption rate over volume, 1/(h L)",
    },
    { name: "ke", variability: "random", distribution: "logNormal", doc: "elimination rate, 1/h" },
  ],
  doses: [{ kind: "jump", state: 0, amount: "amt" }],
  observations: [{ name: "conc", state: 1, transform: "identity", error: "proportional" }],
  equationParams: [[0], [1, 2]],
  equations: ["-ka * Ad", "ka_over_V * Ad - ke * C"],
});

const fit = baseFit(
  "pk_oral",
  24,
  { ka: est(1.46, 0.43), ka_over_V: est(3.08, 0.93), ke: est(0.081, 0.0118) },
  { conc: { b: 0.098, error: "proportional" } },
);

export const pkOral: ExportFixture = {
  meta,
  fit,
  dataFile: "pk_oral.csv",
  step: 0.002,
  rhs(x, th, _t, _env, out) {
    out[0] = -th[0]! * x[0]!;
    out[1] = th[1]! * x[0]! - th[2]! * x[1]!;
  },
};

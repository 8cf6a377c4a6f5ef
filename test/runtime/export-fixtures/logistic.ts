// specs/logistic.nlme; values near data/logistic.truth.json.
import { baseFit, baseMeta, est, type ExportFixture } from "./fixture.js";

const meta = baseMeta({
  name: "logistic",
  time: { name: "age", unit: "days" },
  states: [{ name: "C", latent: false, doc: "trunk circumference, mm" }],
  parameters: [
    { name: "r", variability: "random", distribution: "logNormal", doc: "intrinsic growth rate, 1/day" },
    { name: "q", variability: "random", distribution: "logNormal", doc: "crowding, 1/(mm day)" },
  ],
  observations: [{ name: "circumference", state: 0, transform: "identity", error: "proportional" }],
  derived: [{ name: "K", doc: "carrying capacity, mm" }],
  equationParams: [[0, 1]],
  equations: ["r * C - q * C^2"],
});

const fit = baseFit(
  "logistic",
  30,
  { r: est(0.0031, 0.00062), q: est(1.6e-5, 3.1e-6) },
  { circumference: { b: 0.031, error: "proportional" } },
);
fit.derived = { K: 193.75 };

export const logistic: ExportFixture = {
  meta,
  fit,
  dataFile: "logistic.csv",
  step: 0.5,
  rhs(x, th, _t, _env, out) {
    out[0] = th[0]! * x[0]! - th[1]! * x[0]! ** 2;
  },
};

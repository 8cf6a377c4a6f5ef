// specs/lotka_volterra.nlme; values near data/lotka_volterra.truth.json.
import { baseFit, baseMeta, est, type ExportFixture } from "./fixture.js";

const meta = baseMeta({
  name: "lotka_volterra",
  time: { name: "t", unit: "days" },
  states: [
    { name: "x", latent: false, doc: "prey" },
    { name: "y", latent: false, doc: "predator" },
  ],
  parameters: [
    { name: "a", variability: "random", distribution: "logNormal" },
    { name: "b", variability: "random", distribution: "logNormal" },
    { name: "c", variability: "random", distribution: "logNormal" },
    { name: "d", variability: "random", distribution: "logNormal" },
  ],
  observations: [
    { name: "prey", state: 0, transform: "identity", error: "proportional" },
    { name: "predator", state: 1, transform: "identity", error: "proportional" },
  ],
  equationParams: [
    [0, 1],
    [2, 3],
  ],
  equations: ["a * x - b * x * y", "c * x * y - d * y"],
});

const fit = baseFit(
  "lotka_volterra",
  50,
  { a: est(0.71, 0.102), b: est(0.296, 0.047), c: est(0.252, 0.036), d: est(0.605, 0.088) },
  { prey: { b: 0.05, error: "proportional" }, predator: { b: 0.052, error: "proportional" } },
);

export const lotkaVolterra: ExportFixture = {
  meta,
  fit,
  dataFile: "lotka_volterra.csv",
  step: 0.002,
  rhs(x, th, _t, _env, out) {
    out[0] = th[0]! * x[0]! - th[1]! * x[0]! * x[1]!;
    out[1] = th[2]! * x[0]! * x[1]! - th[3]! * x[1]!;
  },
};

// Seeded simulation of the two bench models with a fixed-step RK4 (bench only:
// the product never integrates an ODE inside the estimator). Designs mirror the
// bundled data sets: Lotka-Volterra 40 points on [0, 20], logistic 8 points.
import { createRng } from "../src/runtime/numeric/random.js";
import type { Dataset, Subject } from "../src/runtime/data/dataset.js";

export interface SimulationSpec {
  subjects: number;
  seed: number;
  /** Proportional noise level (SD of the relative error). */
  noise: number;
}

type Rhs = (x: Float64Array, th: Float64Array, out: Float64Array) => void;

function rk4(rhs: Rhs, x0: Float64Array, th: Float64Array, times: number[], steps: number): Float64Array[] {
  const d = x0.length;
  const x = Float64Array.from(x0);
  const k1 = new Float64Array(d);
  const k2 = new Float64Array(d);
  const k3 = new Float64Array(d);
  const k4 = new Float64Array(d);
  const tmp = new Float64Array(d);
  const out: Float64Array[] = [];
  let t = times[0]!;
  out.push(Float64Array.from(x));
  for (let i = 1; i < times.length; i++) {
    const h = (times[i]! - t) / steps;
    for (let s = 0; s < steps; s++) {
      rhs(x, th, k1);
      for (let j = 0; j < d; j++) tmp[j] = x[j]! + 0.5 * h * k1[j]!;
      rhs(tmp, th, k2);
      for (let j = 0; j < d; j++) tmp[j] = x[j]! + 0.5 * h * k2[j]!;
      rhs(tmp, th, k3);
      for (let j = 0; j < d; j++) tmp[j] = x[j]! + h * k3[j]!;
      rhs(tmp, th, k4);
      for (let j = 0; j < d; j++) x[j] = x[j]! + (h / 6) * (k1[j]! + 2 * k2[j]! + 2 * k3[j]! + k4[j]!);
    }
    t = times[i]!;
    out.push(Float64Array.from(x));
  }
  return out;
}

const lvRhs: Rhs = (x, th, out) => {
  out[0] = th[0]! * x[0]! - th[1]! * x[0]! * x[1]!;
  out[1] = th[2]! * x[0]! * x[1]! - th[3]! * x[1]!;
};

const logisticRhs: Rhs = (x, th, out) => {
  out[0] = th[0]! * x[0]! - th[1]! * x[0]! * x[0]!;
};

export const LV_TRUTH = { theta: [0.7, 0.3, 0.25, 0.6], omega: [0.105, 0.045, 0.0375, 0.09] };
export const LOGISTIC_TRUTH = { theta: [0.003, 1.5789473684210526e-5], omega: [0.0006, 3.157894736842105e-6] };

function simulate(
  spec: SimulationSpec,
  outputs: string[],
  rhs: Rhs,
  truth: { theta: number[]; omega: number[] },
  design: (rng: ReturnType<typeof createRng>) => { times: number[]; x0: number[] },
): Dataset {
  const rng = createRng(spec.seed);
  const subjects: Subject[] = [];
  const th = new Float64Array(truth.theta.length);
  for (let i = 0; i < spec.subjects; i++) {
    for (let j = 0; j < th.length; j++) th[j] = truth.theta[j]! + truth.omega[j]! * rng.normal();
    const { times, x0 } = design(rng);
    const states = rk4(rhs, Float64Array.from(x0), th, times, 8);
    subjects.push({
      id: String(i + 1),
      series: outputs.map((output, k) => ({
        output,
        times: Float64Array.from(times),
        values: Float64Array.from(states, (x) => x[k]! * (1 + spec.noise * rng.normal())),
      })),
      doses: [],
      covariates: new Float64Array(0),
    });
  }
  return { file: "simulated", outputs, covariates: [], subjects };
}

export function simulateLotkaVolterra(spec: SimulationSpec): Dataset {
  return simulate(spec, ["prey", "predator"], lvRhs, LV_TRUTH, (rng) => ({
    times: Array.from({ length: 40 }, (_, i) => (20 * i) / 39),
    x0: [1.5 * Math.exp(0.2 * rng.normal()), 1 * Math.exp(0.2 * rng.normal())],
  }));
}

export function simulateLogistic(spec: SimulationSpec): Dataset {
  return simulate(spec, ["circumference"], logisticRhs, LOGISTIC_TRUTH, (rng) => {
    const times = [118, 250, 484, 664, 1004, 1231, 1372, 1582].map((t) => t + Math.round(20 * (rng.uniform() - 0.5)));
    return { times, x0: [30 * Math.exp(0.1 * rng.normal())] };
  });
}

// Seeded simulation of a sparse linear gene network over many subjects, in the
// design of the bundled gene_network data: each gene decays and is driven by
// two regulators; subjects differ in their production rates (additive random
// effect on the constant term) and start from different states. Used by tests
// and the bench (the estimator never integrates an ODE).
import type { Dataset, Subject } from "../data/dataset.js";
import { createRng } from "../numeric/random.js";

export interface NetworkSpec {
  genes: number;
  subjects: number;
  seed: number;
  /** Sampling times (default 30 points on [0, 4]). */
  times?: number[];
  /** Proportional noise SD (default 0.05). */
  noise?: number;
  /** Relative SD of the subjects' production rates (default 0.2). */
  productionCv?: number;
}

export interface SimulatedNetwork {
  data: Dataset;
  /** Population coefficients keyed `d_g3/dt:g7` (absent terms are 0). */
  theta: Record<string, number>;
  /** The spec text of the matching model (linear dictionary). */
  spec: string;
}

export function simulateNetwork(spec: NetworkSpec): SimulatedNetwork {
  const n = spec.genes;
  const rng = createRng(spec.seed);
  const times = spec.times ?? Array.from({ length: 30 }, (_, i) => (4 * i) / 29);
  const noise = spec.noise ?? 0.05;
  const cv = spec.productionCv ?? 0.2;
  const k = new Float64Array(n);
  const a = new Float64Array(n * n);
  const theta: Record<string, number> = {};
  const name = (i: number): string => `g${i + 1}`;
  for (let i = 0; i < n; i++) {
    k[i] = 0.5 + rng.uniform();
    // Off-diagonal weights sum to at most 0.74 < the smallest decay 0.8: the network is stable (Gershgorin).
    a[i * n + i] = -(0.8 + 0.4 * rng.uniform());
    const regs = new Set<number>();
    while (regs.size < Math.min(2, n - 1)) {
      const j = Math.floor(rng.uniform() * n);
      if (j !== i) regs.add(j);
    }
    for (const j of regs) a[i * n + j] = (rng.uniform() < 0.5 ? -1 : 1) * (0.2 + 0.17 * rng.uniform());
    theta[`d_${name(i)}/dt:1`] = k[i]!;
    for (let j = 0; j < n; j++) if (a[i * n + j] !== 0) theta[`d_${name(i)}/dt:${name(j)}`] = a[i * n + j]!;
  }
  const outputs = Array.from({ length: n }, (_, i) => name(i));
  const subjects: Subject[] = [];
  const x = new Float64Array(n);
  const ki = new Float64Array(n);
  for (let s = 0; s < spec.subjects; s++) {
    for (let i = 0; i < n; i++) {
      ki[i] = k[i]! * (1 + cv * rng.normal());
      x[i] = 0.2 + 3 * rng.uniform();
    }
    const values = outputs.map(() => new Float64Array(times.length));
    const record = (t: number): void => {
      for (let i = 0; i < n; i++) values[i]![t] = x[i]! * (1 + noise * rng.normal());
    };
    record(0);
    for (let t = 1; t < times.length; t++) {
      rk4(a, ki, x, times[t - 1]!, times[t]!, 10);
      record(t);
    }
    subjects.push({
      id: String(s + 1),
      series: outputs.map((o, i) => ({ output: o, times: Float64Array.from(times), values: values[i]! })),
      doses: [],
      covariates: new Float64Array(0),
    });
  }
  const text = [
    `model network_${n}`,
    "time t in hours",
    `states {\n  g[1..${n}]\n}`,
    "dictionary Phi = polynomial(g, degree = 1)",
    "parameters {\n  W[g, Phi] ~ random(selected)\n}",
    `dynamics {\n  d/dt g[i] = W[i, :] . Phi  for i in 1..${n}\n}`,
    `observe {\n  g[i] = g[i]  ~ proportional  for i in 1..${n}\n}`,
    "penalty lasso(W, lambda = cv)",
    "",
  ].join("\n");
  return { data: { file: `simulated-network-${n}`, outputs, covariates: [], subjects }, theta, spec: text };
}

/** x' = k + A x from t0 to t1 in `steps` RK4 steps (in place). */
function rk4(a: Float64Array, k: Float64Array, x: Float64Array, t0: number, t1: number, steps: number): void {
  const n = x.length;
  const h = (t1 - t0) / steps;
  const f = (y: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      let acc = k[i]!;
      for (let j = 0; j < n; j++) acc += a[i * n + j]! * y[j]!;
      out[i] = acc;
    }
  };
  const k1 = new Float64Array(n);
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const y = new Float64Array(n);
  for (let s = 0; s < steps; s++) {
    f(x, k1);
    for (let i = 0; i < n; i++) y[i] = x[i]! + 0.5 * h * k1[i]!;
    f(y, k2);
    for (let i = 0; i < n; i++) y[i] = x[i]! + 0.5 * h * k2[i]!;
    f(y, k3);
    for (let i = 0; i < n; i++) y[i] = x[i]! + h * k3[i]!;
    f(y, k4);
    for (let i = 0; i < n; i++) x[i] = x[i]! + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
  }
}

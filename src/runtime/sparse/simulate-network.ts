// Seeded simulation of a sparse gene network over many subjects, in the
// design of the bundled gene_network data: each gene decays and is driven by
// two regulators (and, with `degree: 2`, a few genes by a product of two
// genes); subjects differ in their production rates (additive random effect on
// the constant term), optionally in every other coefficient too (`termCv`), and
// start from different states. Used by tests and the bench (the estimator
// never integrates an ODE).
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
  /** Library of the matching spec: 1 (linear, default) or 2 (every product of two genes); with 2 the network has product terms. */
  degree?: 1 | 2;
  /** Product terms in the network when `degree` is 2 (default genes / 2 + 1, on distinct genes). */
  products?: number;
  /** Relative SD of the subjects' variation of every non-constant coefficient (default 0: shared wiring). */
  termCv?: number;
}

export interface SimulatedNetwork {
  data: Dataset;
  /** Population coefficients keyed `d_g3/dt:g7` (absent terms are 0). */
  theta: Record<string, number>;
  /** The spec text of the matching model (linear dictionary). */
  spec: string;
}

export function simulateNetwork(spec: NetworkSpec): SimulatedNetwork {
  // A degree-2 network can escape to infinity from some starting states: such a draw is replaced by the next seed's.
  for (let attempt = 0; attempt < 100; attempt++) {
    const sim = drawNetwork(spec, spec.seed + 7919 * attempt);
    if (sim) return sim;
  }
  throw new Error(`simulateNetwork: no bounded network in 100 draws from seed ${spec.seed}`);
}

/** Largest simulated value accepted: the bundled designs stay below 10. */
const BOUND = 50;

interface Product {
  gene: number;
  a: number;
  b: number;
  value: number;
}

function drawNetwork(spec: NetworkSpec, seed: number): SimulatedNetwork | null {
  const n = spec.genes;
  const rng = createRng(seed);
  const times = spec.times ?? Array.from({ length: 30 }, (_, i) => (4 * i) / 29);
  const noise = spec.noise ?? 0.05;
  const cv = spec.productionCv ?? 0.2;
  const termCv = spec.termCv ?? 0;
  const degree = spec.degree ?? 1;
  const k = new Float64Array(n);
  const a = new Float64Array(n * n);
  const theta: Record<string, number> = {};
  const name = (i: number): string => `g${i + 1}`;
  for (let i = 0; i < n; i++) {
    k[i] = 0.5 + rng.uniform();
    // Off-diagonal weights sum to at most 0.74 < the smallest decay 0.8: the linear network is stable (Gershgorin).
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
  const products: Product[] = [];
  if (degree === 2) {
    const count = Math.min(n, spec.products ?? Math.floor(n / 2) + 1);
    const genes = new Set<number>();
    while (genes.size < count) genes.add(Math.floor(rng.uniform() * n));
    for (const gene of genes) {
      const x = Math.floor(rng.uniform() * n);
      let y = Math.floor(rng.uniform() * (n - 1));
      if (y >= x) y++;
      const [p, q] = x < y ? [x, y] : [y, x];
      // Self-inhibiting when the gene is a factor (bounded), either sign otherwise, sized as in the bundled quadratic data.
      const sign = p === gene || q === gene ? -1 : rng.uniform() < 0.5 ? -1 : 1;
      const value = sign * (0.12 + 0.1 * rng.uniform());
      products.push({ gene, a: p, b: q, value });
      theta[`d_${name(gene)}/dt:${name(p)}*${name(q)}`] = value;
    }
  }
  const outputs = Array.from({ length: n }, (_, i) => name(i));
  const subjects: Subject[] = [];
  const x = new Float64Array(n);
  const ki = new Float64Array(n);
  const ai = Float64Array.from(a);
  const pi = products.map((p) => ({ ...p }));
  for (let s = 0; s < spec.subjects; s++) {
    for (let i = 0; i < n; i++) {
      ki[i] = k[i]! * (1 + cv * rng.normal());
      x[i] = 0.2 + 3 * rng.uniform();
    }
    if (termCv > 0) {
      for (let j = 0; j < n * n; j++) ai[j] = a[j] === 0 ? 0 : a[j]! * (1 + termCv * rng.normal());
      products.forEach((p, q) => (pi[q]!.value = p.value * (1 + termCv * rng.normal())));
    }
    const values = outputs.map(() => new Float64Array(times.length));
    const record = (t: number): void => {
      for (let i = 0; i < n; i++) values[i]![t] = x[i]! * (1 + noise * rng.normal());
    };
    record(0);
    for (let t = 1; t < times.length; t++) {
      rk4(ai, ki, pi, x, times[t - 1]!, times[t]!, 10);
      for (let i = 0; i < n; i++) if (!(Math.abs(x[i]!) < BOUND)) return null;
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
    `model network_${n}${degree === 2 ? "_quadratic" : ""}`,
    "time t in hours",
    `states {\n  g[1..${n}]\n}`,
    `dictionary Phi = polynomial(g, degree = ${degree})`,
    "parameters {\n  W[g, Phi] ~ random(selected)\n}",
    `dynamics {\n  d/dt g[i] = W[i, :] . Phi  for i in 1..${n}\n}`,
    `observe {\n  g[i] = g[i]  ~ proportional  for i in 1..${n}\n}`,
    "penalty lasso(W, lambda = cv)",
    "",
  ].join("\n");
  return { data: { file: `simulated-network-${n}`, outputs, covariates: [], subjects }, theta, spec: text };
}

/** x' = k + A x + products from t0 to t1 in `steps` RK4 steps (in place). */
function rk4(a: Float64Array, k: Float64Array, products: Product[], x: Float64Array, t0: number, t1: number, steps: number): void {
  const n = x.length;
  const h = (t1 - t0) / steps;
  const f = (y: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      let acc = k[i]!;
      for (let j = 0; j < n; j++) acc += a[i * n + j]! * y[j]!;
      out[i] = acc;
    }
    for (const p of products) out[p.gene] = out[p.gene]! + p.value * y[p.a]! * y[p.b]!;
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

// The linear test model of the refine tests (linear.nlme: X(t) = a t + b t^2/2, a normal random slope) and its
// seeded simulation: a linear mixed model whose likelihood is known in closed form (saem-exact.test.ts), and cheap
// enough to run SAEM in worker threads (workers.test.ts).
import type { Dataset } from "../../../src/runtime/data/dataset.js";
import { createRng } from "../../../src/runtime/numeric/random.js";

export const TIMES = [1, 2, 3, 4, 5, 6];
export const TRUTH = { a: 2, omega: 0.5, b: 0.4, sigma: 0.3 };

export function simulateLinear(subjects: number, seed: number): Dataset {
  const rng = createRng(seed);
  return {
    file: "linear (simulated)",
    outputs: ["y"],
    covariates: [],
    subjects: Array.from({ length: subjects }, (_, i) => {
      const a = TRUTH.a + TRUTH.omega * rng.normal();
      return {
        id: String(i + 1),
        doses: [],
        covariates: new Float64Array(0),
        series: [
          {
            output: "y",
            times: Float64Array.from(TIMES),
            values: Float64Array.from(TIMES, (t) => a * t + (TRUTH.b * t * t) / 2 + TRUTH.sigma * rng.normal()),
          },
        ],
      };
    }),
  };
}

// The residual error model of the refinement: densities, the censored (M3) term and the combined M-step.
import { describe, expect, it } from "vitest";
import { combinedMStep, erfc, logPhi, observationLogLik, observationScore } from "../../../src/runtime/refine/residual.js";

describe("residual error model", () => {
  it("erfc and log Phi match reference values (R: pnorm(z, log.p = TRUE))", () => {
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(1)).toBeCloseTo(0.157299207, 7);
    expect(logPhi(0)).toBeCloseTo(Math.log(0.5), 7);
    expect(logPhi(-3)).toBeCloseTo(-6.6077262, 5);
    expect(logPhi(-10)).toBeCloseTo(-53.2312851, 3);
  });

  it("the score is the derivative of the log-likelihood for every error model, censored or not", () => {
    const obs = { n: 3, y: Float64Array.of(1.2, 0.4, 2.0), output: Int32Array.of(0, 0, 0), censored: Uint8Array.of(0, 0, 1) };
    for (const kind of ["constant", "proportional", "combined"] as const) {
      const res = { kind: [kind], a: Float64Array.of(0.3), b: Float64Array.of(0.2) };
      const f = Float64Array.of(1.0, 0.5, 2.3);
      const score = new Float64Array(3);
      observationScore(obs, f, res, score);
      for (let i = 0; i < 3; i++) {
        const h = 1e-6;
        const up = Float64Array.from(f);
        const down = Float64Array.from(f);
        up[i]! += h;
        down[i]! -= h;
        const numeric = (observationLogLik(obs, up, res) - observationLogLik(obs, down, res)) / (2 * h);
        expect(score[i]!).toBeCloseTo(numeric, 5);
      }
    }
  });

  it("the combined M-step recovers a and b from residuals simulated with them", () => {
    // Deterministic quantiles of N(0, 1) as the standardised residuals, so the expected answer is exact-ish.
    const f: number[] = [];
    const r: number[] = [];
    const z = [-1.5, -0.8, -0.3, 0, 0.3, 0.8, 1.5, -1.1, 1.1, -0.5, 0.5, 0];
    for (let k = 0; k < 200; k++) {
      const fk = 0.1 + (k % 20) * 0.5;
      f.push(fk);
      r.push(Math.sqrt(0.2 ** 2 + 0.1 ** 2 * fk * fk) * z[k % z.length]! * 1.16);
    }
    const [a, b] = combinedMStep(r, f, 1, 1);
    expect(a).toBeGreaterThan(0.1);
    expect(a).toBeLessThan(0.3);
    expect(b).toBeGreaterThan(0.07);
    expect(b).toBeLessThan(0.13);
  });
});

// The vaccine antibody models through the latent-state fitter, against
// data/antibody_clairon.truth.json and data/ebola_pasin.truth.json (median of
// the individual estimates vs the true typical value), and a seeded
// simulation (simulateDataset) for the sampling-density comparison.
// `it.fails` marks done-when checks the method does not meet yet (measured
// values in the comments): they turn red, i.e. must be promoted, once met.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fit } from "../../src/runtime/estimate.js";
import { loadData } from "../../src/runtime/load-data.js";
import { simulateDataset } from "../../src/runtime/simulate-data.js";
import type { CompiledModel } from "../../src/runtime/model.js";
import type { FitResult } from "../../src/runtime/fit-result.js";
import { model as clairon } from "../../generated/antibody_clairon.js";
import { model as pasin } from "../../generated/ebola_pasin.js";

const dataDir = fileURLToPath(new URL("../../data/", import.meta.url));
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
};
const errors = (result: FitResult, theta: Record<string, number>): Record<string, number> =>
  Object.fromEntries(
    Object.keys(theta).map((n) => [n, Math.abs(median(Object.values(result.individual).map((r) => r[n]!)) / theta[n]! - 1)]),
  );
const fitFile = (model: CompiledModel, name: string): { result: FitResult; theta: Record<string, number> } => {
  const data = loadData(readFileSync(`${dataDir}${name}.csv`, "utf8"), `data/${name}.csv`, model.meta);
  return { result: fit(model, data), theta: JSON.parse(readFileSync(`${dataDir}${name}.truth.json`, "utf8")).theta };
};

describe("antibody_clairon.csv", () => {
  const { result, theta } = fitFile(clairon, "antibody_clairon");
  const err = errors(result, theta);

  it("estimates theta*fM2 as one coefficient and maps fM2 back per subject, saying so", () => {
    expect(Object.keys(result.settings.coefficients as object).sort()).toEqual(["delta_Ab", "theta", "theta*fM2"]);
    expect(result.notes.some((n) => n.includes("fM2_i = (theta*fM2)_i / theta_i"))).toBe(true);
    const [id, row] = Object.entries(result.individual)[0]!;
    expect(Object.keys(row).sort()).toEqual(["delta_Ab", "fM2", "theta"]);
    expect(id).toBe("1");
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it("theta and delta_Ab within 20% of the truth (median of individual estimates)", () => {
    // measured: theta +1.5%, delta_Ab -18.9%
    expect(err.theta).toBeLessThan(0.2);
    expect(err.delta_Ab).toBeLessThan(0.2);
  });

  it.fails("fM2 within 20% of the truth (measured -26%: not met yet)", () => {
    expect(err.fM2).toBeLessThan(0.2);
  });
});

describe("ebola_pasin.csv", () => {
  const { result, theta } = fitFile(pasin, "ebola_pasin");
  const err = errors(result, theta);

  it("leaves out the subjects whose titres collapse to the numerical floor, with a note", () => {
    expect(result.notes.some((n) => n.includes("left out of the population step (1, 4)"))).toBe(true);
    expect(Object.keys(result.individual)).toHaveLength(60);
  });

  it.fails("theta_L and delta_Ab within 15%, theta_S within 25% (measured -43%, -27%, -28%: not met yet)", () => {
    expect(err.theta_L).toBeLessThan(0.15);
    expect(err.delta_Ab).toBeLessThan(0.15);
    expect(err.theta_S).toBeLessThan(0.25);
  });
});

describe("sampling density (seeded Clairon simulations, 100 subjects, residual SD 0.1 on log10)", () => {
  const theta = { theta: 18.7, fM2: 4.5, delta_Ab: 0.03 };
  const simulate = (times: number[]): FitResult => {
    const csv = simulateDataset(clairon, {
      theta,
      omega: { theta: 0.5, fM2: 0.8 },
      re: "lognormal",
      times,
      doses: [
        { time: 0, amount: 1 },
        { time: 21, amount: 1 },
      ],
      noise: { log10_Ab: { a: 0.1 } },
      subjects: 100,
      seed: 5,
    });
    return fit(clairon, loadData(csv, "sim", clairon.meta));
  };
  // measured (seed 5): base (-4.4%, -14.5%, -11.4%) -> dense (+0.7%, -32%, -37%) for (theta, fM2, delta_Ab):
  // denser early samples buy narrow bumps in the fast phase, whose errors-in-variables bias dominates.
  it.fails("denser early sampling lowers the summed relative error of theta, fM2 and delta_Ab", () => {
    const sum = (e: Record<string, number>): number => Object.values(e).reduce((a, b) => a + b, 0);
    const base = errors(simulate([0, 2, 7, 14, 21, 28, 35, 60, 90, 120]), theta);
    const dense = errors(simulate([0, 1, 2, 3, 5, 7, 10, 14, 21, 22, 23, 25, 28, 35, 60, 90, 120]), theta);
    expect(sum(dense)).toBeLessThan(sum(base));
  });
});

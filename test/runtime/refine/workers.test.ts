// The refinement's per-subject work in worker threads gives the numbers of the in-thread run: every subject draws
// from its own stream (seed, phase, iteration, subject) and sums run in subject order, so the split of the
// subjects over threads cannot show. Two models: the linear one (a fixed b: the Newton step's sensitivities and
// Louis' samples of the values without variability run in the workers too) and oral PK with a covariate effect
// (refined from both branches of the flip-flop).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadModel } from "../../../src/cli/load-model.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import type { RefinedFit } from "../../../src/runtime/fit-result.js";
import { estimate } from "../../../src/runtime/model-entry.js";
import { streamRng } from "../../../src/runtime/numeric/random.js";
import { pays, refineAsync } from "../../../src/runtime/refine/refine-async.js";
import { refine } from "../../../src/runtime/refine/refine.js";
import { simulateLinear } from "./linear-model.js";

const root = resolve(import.meta.dirname, "../../..");

/** Everything but the clocks and the thread count. */
const numbers = (r: RefinedFit) =>
  JSON.stringify({ ...r, seconds: 0, settings: { ...r.settings, phaseSeconds: null, workers: null }, branches: r.branches?.map((b) => ({ ...b, seconds: 0 })) });

describe("refinement in worker threads", () => {
  it("gives the in-thread numbers with 2 workers (linear model: fixed b stepped in the workers)", async () => {
    const loaded = await loadModel(join(import.meta.dirname, "linear.nlme"));
    const data = simulateLinear(9, 5);
    const guess = estimate(loaded.model, data);
    const options = { seed: 3, exploration: 15, smoothing: 10, maxExploration: 15, maxSmoothing: 10, posteriorIterations: 6, importanceSamples: 20 };
    const inThread = refine(loaded.model, data, guess, options);
    const one = await refineAsync(loaded.model, data, guess, { ...options, workers: 1, modelModule: loaded.moduleUrl });
    const two = await refineAsync(loaded.model, data, guess, { ...options, workers: 2, modelModule: loaded.moduleUrl });
    expect(inThread.settings.workers).toBe(0);
    expect(one.settings.workers).toBe(0);
    expect(two.settings.workers).toBe(2);
    expect(numbers(one)).toBe(numbers(inThread));
    expect(numbers(two)).toBe(numbers(inThread));
    // The solves are counted in the workers too.
    expect(two.settings.solves).toBe(inThread.settings.solves);
  }, 120_000);

  it("gives the in-thread numbers with 3 workers on oral PK with a weight effect (uneven ranges)", async () => {
    const loaded = await loadModel(join(root, "specs/pk_oral_wt.nlme"));
    const path = join(root, "data/pk_oral_wt.csv");
    const all = loadData(readFileSync(path, "utf8"), path, loaded.model.meta);
    const data = { ...all, subjects: all.subjects.slice(0, 8) };
    const options = { seed: 2, start: { ka: 1, V: 20, ke: 0.2 }, exploration: 10, smoothing: 6, maxExploration: 10, maxSmoothing: 6, posteriorIterations: 4, importanceSamples: 10 };
    const inThread = refine(loaded.model, data, undefined, options);
    const three = await refineAsync(loaded.model, data, undefined, { ...options, workers: 3, modelModule: loaded.moduleUrl });
    expect(three.settings.workers).toBe(3);
    // Both runs of the flip-flop (meta.absorption), the second from the twin of the first's estimate.
    expect(inThread.branches?.length).toBe(2);
    expect(numbers(three)).toBe(numbers(inThread));
  }, 120_000);
});

describe("when workers pay", () => {
  it("needs enough work per iteration and in all", () => {
    expect(pays({ solveSeconds: 0.0005, solvesPerIteration: 6, iterations: 305 })).toBe(false); // 3 ms an iteration
    expect(pays({ solveSeconds: 0.01, solvesPerIteration: 6, iterations: 305 })).toBe(true); // 60 ms, 18 s in all
    expect(pays({ solveSeconds: 0.01, solvesPerIteration: 6, iterations: 20 })).toBe(false); // 1.2 s in all
  });
});

describe("streamRng", () => {
  it("depends on its keys only, and differs with any key", () => {
    const draws = (...keys: number[]) => Array.from({ length: 4 }, ((r) => () => r.normal())(streamRng(1, ...keys)));
    expect(draws(1, 2, 3)).toEqual(draws(1, 2, 3));
    const base = draws(1, 2, 3);
    for (const other of [draws(1, 2, 4), draws(1, 3, 3), draws(2, 2, 3), Array.from({ length: 4 }, ((r) => () => r.normal())(streamRng(2, 1, 2, 3)))]) expect(other).not.toEqual(base);
  });
});

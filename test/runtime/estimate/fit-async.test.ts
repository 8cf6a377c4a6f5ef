// The dense fit with its per-subject stage in worker threads gives the in-thread fit bit for bit (every number of
// the result but the clocks): Lotka-Volterra (test-function rows, two outputs), growth_sparse (integral rows:
// those subjects come back to this thread) and growth_diet (covariate effects).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { FitResult } from "../../../src/runtime/fit-result.js";
import type { CompiledModel } from "../../../src/runtime/model.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { fitAsync, stagesPay } from "../../../src/runtime/estimate/fit-async.js";
import { fit } from "../../../src/runtime/estimate/fit.js";
import { estimate, estimateAsync } from "../../../src/runtime/model-entry.js";

const root = resolve(import.meta.dirname, "../../..");
const numbers = (r: FitResult) => JSON.stringify({ ...r, seconds: 0, settings: { ...r.settings, phaseSeconds: null } });

async function generated(name: string): Promise<{ model: CompiledModel; url: string }> {
  const url = new URL(`../../../generated/${name}.ts`, import.meta.url).href;
  return { model: ((await import(url)) as { model: CompiledModel }).model, url };
}

function data(model: CompiledModel, file: string) {
  const path = join(root, "data", file);
  return loadData(readFileSync(path, "utf8"), path, model.meta);
}

describe("fit with the per-subject stage in worker threads", () => {
  for (const [name, file] of [
    ["lotka_volterra", "lotka_volterra.csv"],
    ["growth_sparse", "growth_sparse.csv"],
    ["growth_diet", "growth_diet.csv"],
  ] as const)
    it(`${file}: 2 workers give the in-thread fit`, async () => {
      const { model, url } = await generated(name);
      const d = data(model, file);
      const serial = fit(model, d);
      const threaded = await fitAsync(model, d, { workers: 2, modelModule: url });
      expect(numbers(threaded)).toBe(numbers(serial));
    }, 120_000);

  it("estimateAsync (the CLI's path) gives estimate's result, quality check included", async () => {
    const { model, url } = await generated("lotka_volterra");
    const d = data(model, "lotka_volterra.csv");
    const strip = (r: FitResult) => numbers({ ...r, quality: { ...r.quality!, seconds: 0 } });
    expect(strip(await estimateAsync(model, d, { workers: 3, modelModule: url }))).toBe(strip(estimate(model, d)));
  }, 120_000);

  it("auto keeps a small population in this thread", () => {
    expect(stagesPay(0.0004, 800)).toBe(false); // 1,000 Lotka-Volterra subjects: 0.4 s in all
    expect(stagesPay(0.0004, 9800)).toBe(true); // 10,000: 4 s
  });
});

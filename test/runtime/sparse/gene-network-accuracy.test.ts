// Accuracy on the bundled gene-network data sets, compared with their truth
// files (data/gene_network_linear.truth.json, data/gene_network_quadratic.truth.json).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadModel } from "../../../src/cli/load-model.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { fitSparse } from "../../../src/runtime/sparse/fit-sparse.js";
import { scoreTerms } from "../../../src/runtime/sparse/score.js";

async function setup(spec: string, name: string) {
  const { model } = await loadModel(spec);
  const file = `data/${name}.csv`;
  const data = loadData(readFileSync(file, "utf8"), file, model.meta);
  const truth = JSON.parse(readFileSync(`data/${name}.truth.json`, "utf8")) as { theta: Record<string, number>; omega_sd: Record<string, number> };
  return { model, data, truth };
}

/** Truth without the constant terms: the wiring alone (the constants are always kept). */
function wiring(theta: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(theta).filter(([k]) => !k.endsWith(":1")));
}

describe("gene_network_linear.csv (20 genes, 20 subjects) against gene_network_linear.truth.json", async () => {
  const { model, data, truth } = await setup("specs/gene_network.nlme", "gene_network_linear");
  const fit = fitSparse(model, data);

  it("selects the support with F1 >= 0.8 and median relative error <= 15%", () => {
    const all = scoreTerms(fit.terms!, truth.theta);
    expect(all.f1).toBeGreaterThanOrEqual(0.8);
    expect(all.medianRelativeError).toBeLessThanOrEqual(0.15);
    const edges = scoreTerms(fit.terms!.filter((t) => t.term !== "1"), wiring(truth.theta));
    expect(edges.f1).toBeGreaterThanOrEqual(0.8);
    expect(edges.medianRelativeError).toBeLessThanOrEqual(0.15);
  });

  it("estimates the production variability (omega of the constants) within a factor 1.5 in median", () => {
    const ratios = fit.terms!.filter((t) => t.term === "1").map((t) => t.omega! / truth.omega_sd[`d_${t.equation}/dt:1`]!);
    ratios.sort((a, b) => a - b);
    const median = ratios[ratios.length >> 1]!;
    expect(median).toBeGreaterThan(1 / 1.5);
    expect(median).toBeLessThan(1.5);
  });

  it("pooling the subjects as one trajectory (no subject effects) selects markedly worse", () => {
    const pooled = fitSparse(model, data, { subjectEffects: "pooled", test: "none", pairs: 0 });
    const good = scoreTerms(fit.terms!.filter((t) => t.term !== "1"), wiring(truth.theta));
    const bad = scoreTerms(pooled.terms!.filter((t) => t.term !== "1"), wiring(truth.theta));
    expect(bad.f1).toBeLessThan(good.f1 - 0.2);
    expect(bad.medianRelativeError).toBeGreaterThan(2 * good.medianRelativeError);
  });
});

describe("gene_network_quadratic.csv (10 genes, degree-2 dictionary) against gene_network_quadratic.truth.json", async () => {
  const { model, data, truth } = await setup("specs/gene_network_quadratic.nlme", "gene_network_quadratic");

  it("selects the support with F1 >= 0.7 and median relative error <= 20%, including the quadratic terms", () => {
    const fit = fitSparse(model, data);
    const score = scoreTerms(fit.terms!, truth.theta);
    expect(score.f1).toBeGreaterThanOrEqual(0.7);
    expect(score.medianRelativeError).toBeLessThanOrEqual(0.2);
    for (const key of Object.keys(truth.theta).filter((k) => k.includes("*"))) {
      const [eq, term] = key.replace(/^d_/, "").split("/dt:");
      expect(fit.terms!.some((t) => t.equation === eq && t.term === term), key).toBe(true);
    }
  });
});

import { describe, expect, it } from "vitest";
import { model as gene } from "../../../generated/gene_network.js";
import { NEGATIVE, networkEdges, networkSvg, POSITIVE } from "../../../src/runtime/report/network-svg.js";
import { truthFit } from "./fixtures.js";

const term = (equation: string, t: string, estimate: number) => ({ equation, term: t, estimate, omega: null, stability: 1 });

describe("networkEdges", () => {
  const states = ["a", "b", "c"];
  it("draws an edge from each state in a term to the equation's state, never a self edge or a constant", () => {
    const edges = networkEdges(states, [
      term("d_a/dt", "1", 1),
      term("d_a/dt", "a", -1),
      term("d_a/dt", "b", 0.5),
      term("d/dt(c)", "a*b", -0.2),
      term("d_b/dt", "b*c", 0.3),
      term("d_c/dt", "a^2", 0.1),
    ]);
    expect(edges.map((e) => `${states[e.from]}>${states[e.to]}${e.product ? "*" : ""}`)).toEqual(["b>a", "a>c*", "b>c*", "c>b*", "a>c"]);
  });

  it("skips terms that name no known state", () => {
    expect(networkEdges(states, [term("d_z/dt", "a", 1), term("d_a/dt", "q", 1)])).toEqual([]);
  });
});

describe("networkSvg", () => {
  it("has one node per state and one coloured arrow per edge (truth of data/gene_network_linear.csv)", () => {
    const fit = truthFit(gene, "gene_network_linear.truth.json");
    const names = gene.meta.states.map((s) => s.name);
    const svg = networkSvg(names, fit.terms!);
    // Every gene has a constant, a self term and two regulators in the truth file.
    expect(fit.terms!.length).toBe(80);
    expect(svg).toContain('data-edges="40"');
    expect((svg.match(/<path class="edge"/g) ?? []).length).toBe(40);
    expect((svg.match(/<g class="node">/g) ?? []).length).toBe(20);
    const positive = fit.terms!.filter((t) => t.term !== "1" && t.term !== t.equation.slice(2, -3) && t.estimate > 0).length;
    expect((svg.match(new RegExp(`stroke="${POSITIVE}"`, "g")) ?? []).length).toBe(positive);
    expect((svg.match(new RegExp(`stroke="${NEGATIVE}"`, "g")) ?? []).length).toBe(40 - positive);
    expect(svg).toContain("<title>g7 → dg1/dt: g7 (-0.3279)</title>");
  });

  it("fades an arrow by its term's selection probability and names it, with the threshold, in the title", () => {
    const stable = { ...term("d_a/dt", "b", 0.5), stability: 1 };
    const shaky = { ...term("d_b/dt", "a", -0.5), stability: 0.56 };
    const svg = networkSvg(["a", "b"], [stable, shaky], { stabilityThreshold: 0.5, stabilityOf: "of 50 half-samples of subjects" });
    expect(svg).toContain('data-stability="1"');
    expect(svg).toContain('data-stability="0.56"');
    expect(svg).toContain('stroke-opacity="0.9"');
    expect(svg).toContain('stroke-opacity="0.59"');
    expect(svg).toContain("selected in 56% of 50 half-samples of subjects (threshold 50%)");
    expect(svg).toContain("selected in 100% of 50 half-samples of subjects (threshold 50%)");
  });

  it("escapes state names", () => {
    const svg = networkSvg(["<x>", "y&"], [term("d_<x>/dt", "y&", 1)]);
    expect(svg).not.toContain("<x>");
    expect(svg).toContain("&lt;x&gt;");
    expect(svg).toContain("y&amp;");
    expect(svg).toContain('data-edges="1"');
  });
});

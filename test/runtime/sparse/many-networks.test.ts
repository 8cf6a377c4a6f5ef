// Selection judged over several simulated networks (seeded truth from
// src/runtime/sparse/simulate-network.ts), not one bundled draw. The bench
// (`npm run bench -- sparse-many`) runs 10 networks per setting and every
// method; this test runs 3 per setting, on seeds the bench does not use, with
// the default method and the pooled baseline, and holds them to the issue-15
// targets.
import { describe, expect, it } from "vitest";
import { runSettings, SETTINGS } from "../../../bench/sparse-many.js";

const NETWORKS = 3;
type Summary = Record<"f1" | "precision" | "recall", { median: number; worst: number }>;

function setting(name: string) {
  const s = SETTINGS.find((x) => x.name === name)!;
  return { ...s, seed: s.seed + 500 };
}

describe(`sparse selection over ${NETWORKS} fresh networks per setting (truth: the simulator's coefficients)`, () => {
  it("10 genes, degree-2 library (66 terms per equation), 40 subjects: median F1 >= 0.9, worst >= 0.8", { timeout: 300_000 }, async () => {
    const out = await runSettings([setting("quadratic10")], { default: {} }, NETWORKS);
    const s = out["quadratic10"]!["default"] as Summary;
    expect(s.f1.median).toBeGreaterThanOrEqual(0.9);
    expect(s.f1.worst).toBeGreaterThanOrEqual(0.8);
    expect(s.precision.median).toBeGreaterThanOrEqual(0.9);
  });

  it("20 genes, linear library, 30 subjects: median F1 >= 0.95, and the pooled baseline (no subject effects) is worse", { timeout: 300_000 }, async () => {
    const out = await runSettings([setting("linear20")], { default: {}, pooled: { subjectEffects: "pooled", test: "none", pairs: 0 } }, NETWORKS);
    const s = out["linear20"]!["default"] as Summary;
    const pooled = out["linear20"]!["pooled"] as Summary;
    expect(s.f1.median).toBeGreaterThanOrEqual(0.95);
    expect(pooled.f1.worst).toBeLessThan(s.f1.worst - 0.2);
  });
});

// Every finding of the quality check (src/runtime/quality) has a number and a long explanation in the registry,
// and `nlme explain` finds it by name or number.
import { describe, expect, it } from "vitest";
import { codeNumber, codes, explain } from "../../src/diagnostics/codes.js";
import { qualityCodeNumbers } from "../../src/diagnostics/codes-quality.js";
import type { QualityCode } from "../../src/runtime/fit-quality.js";

// Typed as a record over the union: a new QualityCode without an entry here fails the type-check.
const ALL: Record<QualityCode, true> = {
  "poor-fit": true,
  "subjects-poorly-fit": true,
  "prediction-diverges": true,
  "simulation-failed": true,
  "prediction-unavailable": true,
  "wrong-sign": true,
  "negative-decay": true,
  "at-search-bound": true,
  "few-rows": true,
};

describe("quality finding codes", () => {
  it("each has an N5xxx number, a title naming it and a long explanation", () => {
    expect(Object.keys(qualityCodeNumbers).sort()).toEqual(Object.keys(ALL).sort());
    const numbers = new Set<string>();
    for (const name of Object.keys(ALL)) {
      const n = codeNumber(name);
      expect(n).toMatch(/^N5\d{3}$/);
      numbers.add(n);
      const info = explain(name)!;
      expect(info, name).toBeDefined();
      expect(info).toBe(codes[n]);
      expect(info.title.startsWith(`${name}:`)).toBe(true);
      expect(info.explanation.length).toBeGreaterThan(150);
    }
    expect(numbers.size).toBe(Object.keys(ALL).length);
  });
});

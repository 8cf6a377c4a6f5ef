// The dictionary's size is counted before it is expanded (a 20-state degree-9 polynomial has 10 million terms: the
// fuzz campaign ran out of memory expanding it), so the count must equal the expansion wherever both are cheap.
import { describe, expect, it } from "vitest";
import { polynomialTermCount, polynomialTerms } from "../../src/check/layout.js";

describe("polynomialTermCount", () => {
  it("equals the number of terms polynomialTerms expands, with and without the constant", () => {
    for (let n = 1; n <= 7; n++)
      for (let degree = 1; degree <= 4; degree++)
        for (const constant of [true, false]) {
          const over = Array.from({ length: n }, (_, i) => i);
          const names = over.map((i) => `x${i}`);
          expect(polynomialTermCount(n, degree, constant), `n ${n} degree ${degree}`).toBe(polynomialTerms(over, names, degree, constant).length);
        }
  });

  it("counts without expanding: 20 states at degree 9", () => {
    expect(polynomialTermCount(20, 9, true)).toBe(10_015_005);
  });
});

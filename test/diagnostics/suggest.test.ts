import { describe, expect, it } from "vitest";
import { editDistance, quoteList, suggest } from "../../src/diagnostics/suggest.js";

describe("editDistance", () => {
  it("counts a transposition as one edit and a case change as one", () => {
    expect(editDistance("thetaS", "thetSa")).toBe(1);
    expect(editDistance("abc", "ABC")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
  });
});

describe("suggest", () => {
  it("offers the name equal up to `_` and case alone", () => {
    expect(suggest("thetaS", ["theta_S", "theta_L", "delta_S"])).toEqual(["theta_S"]);
    expect(suggest("lognormal", ["logNormal", "normal", "logitNormal"])).toEqual(["logNormal"]);
  });
  it("keeps at most 3, nearest first, within a length-dependent threshold", () => {
    expect(suggest("kx", ["ka", "ke", "kb", "kc", "zz"])).toEqual(["ka", "ke", "kb"]);
    expect(suggest("k", ["q", "kkkk"])).toEqual(["q"]);
    expect(suggest("ab", ["xyz"])).toEqual([]);
  });
  it("never suggests the name itself", () => {
    expect(suggest("a", ["a"])).toEqual([]);
  });
  it("quotes lists", () => {
    expect(quoteList(["a", "b", "c"])).toBe("`a`, `b` or `c`");
    expect(quoteList(["a"])).toBe("`a`");
  });
});

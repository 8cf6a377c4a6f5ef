import { describe, expect, it } from "vitest";
import { escapeHtml, formatNumber, formatPercent } from "../../../src/runtime/report/format.js";

describe("escapeHtml", () => {
  it("escapes the five characters that matter in text and attributes", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    expect(escapeHtml("plain text 1/day")).toBe("plain text 1/day");
  });
});

describe("formatNumber", () => {
  it("prints 4 significant digits, exponents for very small or large values, a dash for missing", () => {
    expect(formatNumber(0.0029056)).toBe("0.002906");
    expect(formatNumber(191.05)).toBe("191.1");
    expect(formatNumber(1.5208e-5)).toBe("1.521e-5");
    expect(formatNumber(123456)).toBe("1.235e+5");
    expect(formatNumber(2)).toBe("2");
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(-0.5)).toBe("-0.5");
    expect(formatNumber(null)).toBe("–");
    expect(formatNumber(NaN)).toBe("–");
    expect(formatPercent(0.0512)).toBe("5.1%");
    expect(formatPercent(null)).toBe("–");
  });
});

import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { LineIndex, render, summary, toJson } from "../../src/diagnostics/render.js";

const span = (text: string, needle: string, nth = 0) => {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  return { start: at, end: at + needle.length };
};

/** Column of the first caret on the line after `lineText`'s row, relative to the code column. */
function caretUnder(out: string, row: string, mark = "^"): string {
  const lines = out.split("\n");
  const i = lines.findIndex((l) => l.includes(row));
  const code = lines[i]!;
  const under = lines[i + 1]!;
  const start = under.indexOf(mark);
  const len = under.slice(start).match(new RegExp(`^\\${mark}+`))![0].length;
  return [...code].slice(start, start + len).join("");
}

describe("render", () => {
  const text = "model m\nstates {\n  x\n}\ndynamics {\n  d/dt x = thetaS * x\n}\n";
  const d: Diagnostic = {
    severity: "error",
    code: "N1001",
    message: "unknown name `thetaS`",
    span: span(text, "thetaS"),
    label: "not declared in this model",
    labels: [{ span: span(text, "x"), message: "state declared here" }],
    notes: ["a note"],
    help: "a parameter with a similar name exists: `theta_S`",
  };

  it("puts carets under the span and the location in 1-based line:col", () => {
    const out = render([d], { file: "x.nlme", text, color: false });
    expect(out).toContain("error[N1001]: unknown name `thetaS`");
    expect(out).toContain(" --> x.nlme:6:12");
    expect(caretUnder(out, "d/dt x = thetaS")).toBe("thetaS");
    expect(caretUnder(out, "3 |   x", "-")).toBe("x");
    expect(out).toContain("= note: a note");
    expect(out).toContain("help: a parameter with a similar name exists: `theta_S`");
    expect(out).toContain("\n...\n"); // lines 3 and 6 are not adjacent
  });

  it("keeps carets aligned after tabs and wide characters", () => {
    const t = "model m\n\tdoc \"日本\" k = 日本 + kk\n";
    const diag: Diagnostic = { severity: "warning", code: "N2011", message: "m", span: span(t, "kk"), label: "here" };
    const out = render([diag], { file: "t.nlme", text: t, color: false });
    const lines = out.split("\n");
    const i = lines.findIndex((l) => l.includes("kk"));
    // Display width: a tab is 4 columns and each CJK character 2, so the caret sits under `kk` on screen.
    const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u3000-\u9fff]/.test(ch) ? 2 : 1), 0);
    const before = lines[i]!.slice(0, lines[i]!.indexOf("kk"));
    expect(lines[i + 1]!.indexOf("^^")).toBe(width(before));
    expect(out).toContain(" --> t.nlme:2:"); // column counted in characters
  });

  it("handles a multi-line span and spans at the end of the text", () => {
    const t = "a = 1 +\n    2\n";
    const multi: Diagnostic = { severity: "error", code: "N2001", message: "m", span: { start: 4, end: 13 }, label: "whole expression" };
    const eof: Diagnostic = { severity: "error", code: "N0002", message: "eof", span: { start: t.length, end: t.length } };
    const out = render([multi, eof], { file: "f", text: t, color: false });
    expect(out).toContain("1 | a = 1 +\n  |     ^^^");
    expect(out).toContain("2 |     2\n  |     ^ whole expression");
    expect(out).toMatch(/error\[N0002\]: eof\n --> f:3:1/);
  });

  it("ends with a footer counting every severity, and colours only on request", () => {
    const w: Diagnostic = { ...d, severity: "warning", code: "N3003" };
    const n: Diagnostic = { ...d, severity: "note", code: "N2005" };
    expect(summary([d, d, w, n], "x.nlme")).toBe("2 errors, 1 warning, 1 note in x.nlme");
    const plain = render([d, w], { file: "x.nlme", text, color: false });
    expect(plain.trimEnd().split("\n").pop()).toBe("1 error, 1 warning in x.nlme");
    expect(plain).not.toMatch(/\u001b\[/);
    expect(render([d], { file: "x.nlme", text, color: true })).toMatch(/\u001b\[/);
    expect(render([], { file: "x.nlme", text })).toBe("");
  });

  it("prints diagnostics in source order", () => {
    const later: Diagnostic = { ...d, message: "later", span: span(text, "x", 2) };
    const first: Diagnostic = { ...d, message: "first", span: span(text, "states") };
    const out = render([later, first], { file: "x.nlme", text, color: false });
    expect(out.indexOf("first")).toBeLessThan(out.indexOf("later"));
  });
});

describe("toJson", () => {
  it("gives LSP ranges (0-based line, UTF-16 character) and related information", () => {
    const text = "model m\n  é = thetaS\n";
    const d: Diagnostic = {
      severity: "warning",
      code: "N1001",
      message: "m",
      span: span(text, "thetaS"),
      labels: [{ span: span(text, "model"), message: "other" }],
      help: "h",
    };
    const [j] = toJson([d], "x.nlme", text);
    expect(j).toEqual({
      range: { start: { line: 1, character: 6 }, end: { line: 1, character: 12 } },
      severity: 2,
      code: "N1001",
      source: "nlme",
      message: "m",
      relatedInformation: [{ location: { uri: "x.nlme", range: { start: { line: 0, character: 0 }, end: { line: 0, character: 5 } } }, message: "other" }],
      notes: [],
      help: "h",
    });
  });

  it("LineIndex agrees with a naive scan", () => {
    const text = "ab\n\ncd\r\nef";
    const idx = new LineIndex(text);
    for (let o = 0; o <= text.length; o++) {
      const before = text.slice(0, o);
      const line = before.split("\n").length - 1;
      expect(idx.lineOf(o)).toBe(line);
    }
    expect(idx.lineText(2)).toBe("cd");
  });

  it("prints at most `limit` diagnostics, then how many more, while the footer counts them all", () => {
    const t = Array.from({ length: 120 }, (_, i) => `x${i}`).join("\n");
    const many: Diagnostic[] = Array.from({ length: 120 }, (_, i) => ({ severity: "error", code: "N1001", message: `unknown x${i}`, span: span(t, `x${i}\n`) }));
    const out = render(many, { file: "f", text: t, color: false });
    expect(out.match(/error\[N1001\]/g)).toHaveLength(50);
    expect(out).toContain("... and 70 more");
    expect(out).toContain("120 errors in f");
  });

  it("shows a window of a very long line around its mark, not the whole line", () => {
    const t = `${"a".repeat(100_000)} bad ${"b".repeat(100_000)}`;
    const out = render([{ severity: "error", code: "N0001", message: "m", span: span(t, "bad"), label: "here" }], { file: "f", text: t, color: false });
    expect(out.length).toBeLessThan(800);
    expect(caretUnder(out, "bad")).toBe("bad");
  });
});


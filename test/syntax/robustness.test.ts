// parse() must never throw, whatever the input, and every diagnostic must
// point inside the text. Seeded so failures reproduce.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "../../src/syntax/parse.js";
import { reservedWords } from "../../grammar/tokens.js";
import { drafts, specs } from "./helpers.js";

function checkResult(text: string): void {
  const { ast, diagnostics } = parse(text);
  expect(typeof ast).toBe("object");
  expect(Array.isArray(ast.comments)).toBe(true);
  for (const d of diagnostics) {
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeGreaterThanOrEqual(d.span.start);
    expect(d.span.end).toBeLessThanOrEqual(text.length);
    expect(d.code).toMatch(/^N0\d{3}$/);
    expect(d.code).not.toBe("N0099");
  }
}

const pieces = [
  ...reservedWords, "d/dt", "x", "theta_S", "W", "g", "1", "0.5", ".5", "1e-3", "1..40", "..", "{", "}", "(", ")", "[", "]",
  ",", ":", "=", "+=", "~", "+", "-", "*", "/", "^", ".", '"doc"', '"open', "# c", "// c", ";", "$", "é", "\u0000", "'",
];

describe("parse never throws", () => {
  it("on token soup", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...pieces), fc.constantFrom(" ", "\n", "", "  ")), { maxLength: 60 }), (parts) => {
        checkResult(parts.map(([p, s]) => p + s).join(""));
      }),
      { seed: 7, numRuns: 300 },
    );
  });
  it("on arbitrary strings", () => {
    fc.assert(fc.property(fc.string({ maxLength: 80, unit: "binary" }), checkResult), { seed: 11, numRuns: 200 });
  });
  it("on random single edits of every spec and draft", () => {
    const models = [...specs, ...drafts].map((m) => m.text);
    const edit = fc.record({
      model: fc.nat({ max: models.length - 1 }),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      op: fc.constantFrom("delete", "insert", "replace", "deleteLine", "duplicate"),
      piece: fc.constantFrom(...pieces),
    });
    fc.assert(
      fc.property(edit, ({ model, at, op, piece }) => {
        const text = models[model]!;
        const i = Math.floor(at * text.length);
        const mutated =
          op === "delete" ? text.slice(0, i) + text.slice(i + 1)
          : op === "insert" ? text.slice(0, i) + piece + text.slice(i)
          : op === "replace" ? text.slice(0, i) + piece + text.slice(i + piece.length)
          : op === "deleteLine" ? text.slice(0, text.lastIndexOf("\n", i) + 1) + text.slice(text.indexOf("\n", i) + 1)
          : text.slice(0, i) + text.slice(i, i + 20) + text.slice(i);
        checkResult(mutated);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
  it("on empty input, deep nesting, long sign runs and unterminated strings", () => {
    for (const text of ["", "\n\n", "model", '"', "model m\nderived { y = " + "(".repeat(5000) + "x" + ")".repeat(5000) + " }",
      "model m\nderived { y = " + "-".repeat(5000) + "x }", "model m\nderived { y = x" + "^x".repeat(3000) + " }",
      "model m\nstates { C \"abc\\", "{".repeat(3000), "model m\n" + "states { C }\n".repeat(300)]) {
      checkResult(text);
    }
    const deep = parse("model m\nderived { y = " + "(".repeat(500) + "x" + ")".repeat(500) + " }");
    expect(deep.diagnostics.map((d) => d.code)).toEqual(["N0012"]);
  });
  it("reports errors in two sections in one run", () => {
    const { diagnostics } = parse("model m\nstates {\n  C ~\n}\nobserve {\n  y = C ~ nope\n}\n");
    expect(diagnostics.length).toBe(2);
  });
});

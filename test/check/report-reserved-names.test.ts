// The parser rejects keywords as names (N0010); the checker keeps the
// guarantee for ASTs built any other way.
import { describe, expect, it } from "vitest";
import { check } from "../../src/check/check.js";
import type { ModelFile } from "../../src/syntax/ast.js";

const s = { start: 0, end: 1 };
const name = (text: string) => ({ text, span: s });

describe("report-reserved-names", () => {
  it("rejects a keyword used as a state name and never throws on a partial tree", () => {
    const ast: ModelFile = {
      span: s,
      name: name("m"),
      states: { span: s, keyword: name("states"), items: [{ span: s, name: name("exp"), latent: false }] },
      dictionaries: [],
      penalties: [],
      duplicateBlocks: [],
      comments: [],
    };
    const r = check(ast);
    expect(r.diagnostics.map((d) => d.code)).toContain("N1007");
    expect(r.ok).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { allTokens, lexerOptions, nlmeLexer, reservedWords } from "../../grammar/tokens.js";
import { Lexer } from "../../grammar/chevrotain.js";
import { isRealToken } from "../../grammar/is-real-token.js";

function lex(text: string): string[] {
  const r = nlmeLexer.tokenize(text);
  expect(r.errors).toEqual([]);
  return r.tokens.map((t) => `${t.tokenType.name}:${t.image}`);
}

describe("tokens", () => {
  it("pass Chevrotain's lexer definition checks, which the shared lexer skips at start-up", () => {
    const checked = new Lexer(allTokens, lexerOptions(true));
    expect(checked.lexerDefinitionErrors).toEqual([]);
    expect((checked as unknown as { lexerDefinitionWarning: unknown[] }).lexerDefinitionWarning).toEqual([]);
    expect(lexerOptions().skipValidations).toBe(true);
  });
  it("places every token of a multi-line text at its line and column (the tokens' line_breaks flags)", () => {
    const text = 'model m # note\r\n  d/dt x = -k * x // decay\n\n"doc" "open\n\t1..4 .5e3 += log10(y)\r  \f\v{ [a, b] }: ~ ^ /';
    const r = nlmeLexer.tokenize(text);
    const all = [...r.tokens, ...(r.groups["comments"] ?? []), ...(r.groups["invalid"] ?? [])];
    expect(all.length).toBeGreaterThan(25);
    for (const t of all) {
      // Lines end at \n, \r\n or a lone \r (Chevrotain's line terminators).
      const before = text.slice(0, t.startOffset);
      const breaks = before.match(/\r\n|\r|\n/g) ?? [];
      const lineStart = Math.max(before.lastIndexOf("\n"), before.lastIndexOf("\r")) + 1;
      expect([t.image, t.startLine, t.startColumn]).toEqual([t.image, breaks.length + 1, t.startOffset - lineStart + 1]);
      expect(t.endLine).toBe(t.startLine);
    }
  });
  it("splits ranges from numbers", () => {
    expect(lex("1..40")).toEqual(["NumberLit:1", "DotDot:..", "NumberLit:40"]);
    expect(lex("0.5 .5 1e-3 2.7E+2")).toEqual(["NumberLit:0.5", "NumberLit:.5", "NumberLit:1e-3", "NumberLit:2.7E+2"]);
  });
  it("reads d/dt as one token but d / dt and d/dtx as division", () => {
    expect(lex("d/dt C")).toEqual(["DDt:d/dt", "Identifier:C"]);
    expect(lex("d / dt")).toEqual(["Identifier:d", "Slash:/", "Identifier:dt"]);
    expect(lex("d/dtx")).toEqual(["Identifier:d", "Slash:/", "Identifier:dtx"]);
  });
  it("keywords yield to longer identifiers, and the longest keyword wins", () => {
    expect(lex("constants constant constantly log10 log logx in index")).toEqual([
      "Kw_constants:constants", "Kw_constant:constant", "Identifier:constantly", "Kw_log10:log10", "Kw_log:log",
      "Identifier:logx", "Kw_in:in", "Identifier:index",
    ]);
  });
  it("sends comments to their own group and strings keep escapes", () => {
    const r = nlmeLexer.tokenize('a # one\nb // two\n"x \\" y"');
    expect(r.tokens.map((t) => t.image)).toEqual(["a", "b", '"x \\" y"']);
    expect((r.groups["comments"] ?? []).map((t) => t.image)).toEqual(["# one", "// two"]);
  });
  it("every reserved word of docs/language.md is a keyword token", () => {
    expect(reservedWords).toContain("since_dose");
    for (const w of reservedWords) expect(lex(w)[0]).toBe(`Kw_${w}:${w}`);
  });
  it("isRealToken rejects EOF-like and inserted tokens", () => {
    const [t] = nlmeLexer.tokenize("a").tokens;
    expect(isRealToken(t)).toBe(true);
    expect(isRealToken(undefined)).toBe(false);
    expect(isRealToken({ ...t!, startOffset: NaN })).toBe(false);
    expect(isRealToken({ ...t!, isInsertedInRecovery: true })).toBe(false);
  });
});

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diagramsHtml, diagramsHtmlPath, grammarJson, grammarJsonPath } from "../../grammar/build-diagrams.js";

describe("committed grammar artifacts", () => {
  it("grammar/grammar.json matches the parser (run `npm run diagrams` after a grammar change)", () => {
    expect(readFileSync(grammarJsonPath, "utf8")).toBe(grammarJson());
  });
  it("grammar/diagrams.html matches the parser", () => {
    expect(readFileSync(diagramsHtmlPath, "utf8")).toBe(diagramsHtml());
  });
});

// `npm run diagrams`: writes the railroad diagrams of the grammar
// (grammar/diagrams.html) and its serialized productions (grammar/grammar.json).
// Both are committed; test/grammar/diagrams.test.ts fails when they are stale.
// The HTML loads Chevrotain's diagram renderer from unpkg (Chevrotain's
// default): fine for a docs page, but it needs network access to display.
import { createSyntaxDiagramsCode } from "./chevrotain.js";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { nlmeParser } from "./parser.js";

export function grammarJson(): string {
  return JSON.stringify(nlmeParser.getSerializedGastProductions(), null, 2) + "\n";
}

export function diagramsHtml(): string {
  return createSyntaxDiagramsCode(nlmeParser.getSerializedGastProductions(), {
    resourceBase: "https://unpkg.com/chevrotain@11.2.0/diagrams/",
  });
}

export const grammarJsonPath = fileURLToPath(new URL("./grammar.json", import.meta.url));
export const diagramsHtmlPath = fileURLToPath(new URL("./diagrams.html", import.meta.url));

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(grammarJsonPath, grammarJson());
  writeFileSync(diagramsHtmlPath, diagramsHtml());
  console.log(`wrote ${grammarJsonPath} and ${diagramsHtmlPath}`);
}

// Golden diagnostics for files with syntax errors. Each `errors/X.nlme` has
// `errors/X.expected.json` beside it; run with UPDATE_GOLDEN=1 to rewrite them.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "../../src/syntax/parse.js";
import { codes } from "../../src/diagnostics/codes.js";
import { lineCol, root } from "./helpers.js";

const dir = `${root}test/syntax/errors`;
const cases = readdirSync(dir).filter((f) => f.endsWith(".nlme")).sort();

function summary(text: string) {
  return parse(text).diagnostics.map((d) => ({
    code: d.code,
    at: lineCol(text, d.span.start),
    message: d.message,
    ...(d.label !== undefined ? { label: d.label } : {}),
    ...(d.help !== undefined ? { help: d.help } : {}),
  }));
}

describe("syntax error goldens", () => {
  it("has cases", () => expect(cases.length).toBeGreaterThanOrEqual(5));
  for (const file of cases) {
    it(file, () => {
      const text = readFileSync(`${dir}/${file}`, "utf8");
      const actual = summary(text);
      const goldenPath = `${dir}/${file.replace(/\.nlme$/, ".expected.json")}`;
      if (process.env["UPDATE_GOLDEN"] === "1" || !existsSync(goldenPath)) {
        writeFileSync(goldenPath, JSON.stringify(actual, null, 2) + "\n");
      }
      expect(actual).toEqual(JSON.parse(readFileSync(goldenPath, "utf8")));
    });
  }
  it("reports the three independent errors of three-errors.nlme, one per section", () => {
    const text = readFileSync(`${dir}/three-errors.nlme`, "utf8");
    const lines = parse(text).diagnostics.map((d) => lineCol(text, d.span.start).split(":")[0]);
    expect(lines).toEqual(["11", "15", "19"]);
  });
  it("every emitted code is registered, and no message leaks parser jargon", () => {
    for (const file of cases) {
      for (const d of parse(readFileSync(`${dir}/${file}`, "utf8")).diagnostics) {
        expect(codes[d.code], d.code).toBeDefined();
        expect(d.message).not.toMatch(/Exception|Identifier|NumberLit|LCurly|RCurly|Kw_|-->|token of type/);
        expect(d.message).toMatch(/^[a-z`]/);
        expect(d.message).not.toMatch(/\.$/);
      }
    }
  });
});

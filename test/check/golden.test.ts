// Golden diagnostics: each `cases/<case>.nlme` starts with `# expect: CODES`
// and is checked against `<case>.expected.txt`, the rendered output without
// colour. `UPDATE_GOLDEN=1 npx vitest run test/check` rewrites the goldens
// (the codes in the header are still asserted).
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyse } from "../../src/front-end.js";
import { render } from "../../src/diagnostics/render.js";
import { codes } from "../../src/diagnostics/codes.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "cases");
const cases = readdirSync(dir).filter((f) => f.endsWith(".nlme")).sort();
const update = process.env["UPDATE_GOLDEN"] === "1";

function expectedCodes(text: string): string[] {
  const m = /^# expect:(.*)$/m.exec(text);
  if (!m) throw new Error("case without `# expect:` header");
  return m[1]!.trim().split(/\s+/).filter(Boolean).sort();
}

describe("golden diagnostics", () => {
  it("has enough cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const file of cases) {
    it(file, () => {
      const text = readFileSync(join(dir, file), "utf8");
      const result = analyse(text, `cases/${file}`);
      expect(result.diagnostics.map((d) => d.code).sort()).toEqual(expectedCodes(text));
      for (const d of result.diagnostics) expect(codes[d.code], `${d.code} is registered`).toBeDefined();
      const rendered = render(result.diagnostics, { file: `cases/${file}`, text, color: false });
      const golden = join(dir, file.replace(/\.nlme$/, ".expected.txt"));
      if (update || !existsSync(golden)) writeFileSync(golden, rendered);
      expect(rendered).toBe(readFileSync(golden, "utf8"));
    });
  }
});

describe("golden specifics", () => {
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  it("suggests the near name for a typo", () => {
    const r = analyse(read("unknown-name-typo.nlme"), "x");
    expect(r.diagnostics[0]!.help).toContain("`theta_S`");
  });
  it("reports a product of parameters at the product's span, naming both", () => {
    const text = read("nonlinear-product.nlme");
    const d = analyse(text, "x").diagnostics.find((x) => x.code === "N2001")!;
    expect(text.slice(d.span.start, d.span.end)).toBe("theta_S * delta_Ab");
    expect(d.label).toContain("`theta_S` and `delta_Ab`");
  });
});

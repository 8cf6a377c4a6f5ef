// writeExport puts every file in place or none: temp names first, then renames.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { exportFiles, writeExport } from "../../../src/runtime/export/project.js";
import { FIXTURES } from "./fixtures/index.js";

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), "nlme-export-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function listAll(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe("writeExport", () => {
  it("writes the Monolix project, the nlmixr2 script and fit.json", () => {
    const f = FIXTURES.logistic!;
    const dir = fresh();
    const files = exportFiles(f.meta, f.fit);
    writeExport(dir, files);
    expect(listAll(dir)).toEqual(["fit.json", "monolix/model.txt", "monolix/project.mlxtran", "nlmixr2/model.R"]);
    expect(JSON.parse(readFileSync(join(dir, "fit.json"), "utf8"))).toEqual(f.fit);
    expect(readFileSync(join(dir, "nlmixr2/model.R"), "utf8")).toBe(files["nlmixr2/model.R"]);
  });

  it("leaves nothing behind when one file cannot be written", () => {
    const dir = fresh();
    // `blocked` is a file, so `blocked/x.txt` cannot be created.
    writeFileSync(join(dir, "blocked"), "");
    writeFileSync(join(dir, "a.txt"), "old");
    expect(() => writeExport(dir, { "a.txt": "new", "blocked/x.txt": "x" })).toThrow();
    expect(listAll(dir)).toEqual(["a.txt", "blocked"]);
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("old");
  });

  it("refuses paths outside the output directory", () => {
    const dir = fresh();
    expect(() => writeExport(join(dir, "out"), { "../escape.txt": "x" })).toThrow(/leaves the output directory/);
    expect(existsSync(join(dir, "escape.txt"))).toBe(false);
  });
});

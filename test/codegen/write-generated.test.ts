// `compileSpecs`: the committed generated/ is what the specs compile to, the
// output is all or nothing, and files land atomically with an index.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileSpecs, renderSpecs, runtimeImportFrom } from "../../src/codegen/write-generated.js";
import { ENTRY_POINTS } from "../../src/cli/commands/compile.js";
import { REPO, SPEC_FILES } from "./support/specs.js";

const OUT = join(REPO, "test-output", "write-generated");

describe("compileSpecs", () => {
  it("generated/ is up to date with specs/ (run `npm run generate` when this fails)", async () => {
    // Rendered exactly as `nlme compile` (and so `npm run generate`) does.
    const rendered = await renderSpecs(
      SPEC_FILES.map((f) => join(REPO, f)),
      join(REPO, "generated"),
      { entryPoints: ENTRY_POINTS },
    );
    expect(rendered.failures).toEqual([]);
    for (const [name, text] of rendered.files) {
      const path = join(REPO, "generated", name);
      expect(existsSync(path), `generated/${name} is missing`).toBe(true);
      expect(readFileSync(path, "utf8") === text, `generated/${name} is stale`).toBe(true);
    }
  });

  it("imports the runtime as ../src/runtime/index.js from generated/", () => {
    expect(runtimeImportFrom(join(REPO, "generated"))).toBe("../src/runtime/index.js");
    expect(runtimeImportFrom(join(REPO, "test-output", "generated"))).toBe("../../src/runtime/index.js");
  });

  it("writes every module and an index, leaving no temporary files", async () => {
    rmSync(OUT, { recursive: true, force: true });
    const specs = ["specs/logistic.nlme", "specs/pk_oral.nlme"].map((f) => join(REPO, f));
    const result = await compileSpecs(specs, OUT);
    expect(result.failures).toEqual([]);
    expect(readdirSync(OUT).sort()).toEqual(["index.ts", "logistic.ts", "pk_oral.ts"]);
    const index = readFileSync(join(OUT, "index.ts"), "utf8");
    expect(index).toContain('export { model as logistic } from "./logistic.js";');
    expect(index).toContain('export { model as pk_oral } from "./pk_oral.js";');
    expect(readFileSync(join(OUT, "logistic.ts"), "utf8")).toContain('from "../../src/runtime/index.js"');
    // Compiling one more spec later keeps the others in the index.
    await compileSpecs([join(REPO, "specs/ebola_pasin.nlme")], OUT);
    const again = readFileSync(join(OUT, "index.ts"), "utf8");
    expect(again).toContain("logistic");
    expect(again).toContain("ebola_pasin");
  });

  it("writes nothing when any spec has errors", async () => {
    const dir = join(OUT, "bad");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const bad = join(dir, "bad.nlme");
    writeFileSync(bad, "model bad\ntime t in days\nstates {\n  X\n}\ndynamics {\n  d/dt X = k * X\n}\n");
    const out = join(dir, "out");
    const result = await compileSpecs([join(REPO, "specs/logistic.nlme"), bad], out);
    expect(result.failures.map((f) => f.file)).toEqual([bad]);
    expect(result.failures[0]!.diagnostics.some((d) => d.severity === "error")).toBe(true);
    expect(result.written).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it("rejects two specs that define the same model", async () => {
    const dir = join(OUT, "twice");
    mkdirSync(dir, { recursive: true });
    const copy = join(dir, "logistic-copy.nlme");
    writeFileSync(copy, readFileSync(join(REPO, "specs/logistic.nlme"), "utf8"));
    const result = await compileSpecs([join(REPO, "specs/logistic.nlme"), copy], join(dir, "out"));
    expect(result.failures.map((f) => f.file)).toEqual([copy]);
    expect(result.written).toEqual([]);
  });
});

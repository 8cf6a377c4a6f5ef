// The pipeline's arrows point one way. These tests read the import lines of
// every source file, so a wrong-way import fails here before it can tangle the tree.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { files, imports, root, sourceOf } from "./source-files.js";

const COMPILER = ["grammar/", "src/syntax/", "src/check/", "src/ir/", "src/codegen/", "src/cli/", "src/diagnostics/", "src/front-end"];
const COMPILER_PACKAGES = ["chevrotain", "ts-morph", "prettier", "typescript", "commander"];

/**
 * What each runtime folder may import besides itself (docs/design.md has the
 * map and the reasons). Paths are relative to src/runtime; a folder name
 * allows the whole folder. Every folder may use numeric/ and the shared types
 * model.ts and fit-result.ts; index.ts and model-entry.ts sit on top and may
 * import anything.
 */
const RUNTIME_RULES: Record<string, string[]> = {
  numeric: [],
  threads: [],
  data: [],
  population: [],
  rows: ["data", "population/subject-rows.ts"],
  estimate: ["data", "rows", "population", "threads"],
  sparse: ["data", "rows", "population"],
  simulate: ["data"],
  quality: ["data", "rows", "simulate"],
  refine: ["data", "simulate", "threads"],
  export: ["data", "quality/export-warning.ts", "refine/as-first-guess.ts"],
  report: ["data", "rows", "simulate", "export", "quality", "refine"],
};
const SHARED = ["numeric", "model.ts", "fit-result.ts", "fit-quality.ts", "flip-flop.ts"];

describe("layers", () => {
  it("each runtime folder imports only the folders below it (docs/design.md)", () => {
    const bad: string[] = [];
    const folders = new Set(Object.keys(RUNTIME_RULES));
    for (const f of files("src/runtime")) {
      const rel = f.slice("src/runtime/".length);
      const folder = rel.includes("/") ? rel.slice(0, rel.indexOf("/")) : null;
      if (folder === null) {
        // The shared types at the top import no runtime module but one another.
        if (SHARED.includes(rel))
          for (const i of imports(f))
            if (i.startsWith("src/runtime/") && !SHARED.includes(sourceOf(i).slice("src/runtime/".length))) bad.push(`${f} imports ${i}`);
        continue;
      }
      if (!folders.has(folder)) {
        bad.push(`${f}: src/runtime/${folder}/ is not in the map of RUNTIME_RULES (and docs/design.md)`);
        continue;
      }
      const allowed = [folder, ...SHARED.filter((s) => folder !== "numeric" || s === "numeric"), ...RUNTIME_RULES[folder]!];
      for (const i of imports(f)) {
        if (!i.startsWith("src/runtime/")) continue;
        const target = sourceOf(i).slice("src/runtime/".length);
        if (!allowed.some((a) => target === a || target.startsWith(`${a}/`))) bad.push(`${f} imports ${i}`);
      }
    }
    expect(bad).toEqual([]);
  });


  it("the runtime imports nothing from the compiler", () => {
    const bad = files("src/runtime").flatMap((f) =>
      imports(f)
        .filter((i) => COMPILER.some((c) => i.startsWith(c)) || COMPILER_PACKAGES.includes(i))
        .map((i) => `${f} imports ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it("generated modules import only the runtime entry point", () => {
    const bad = files("generated").flatMap((f) =>
      imports(f)
        .filter((i) => i !== "src/runtime/index.js" && !i.startsWith("generated/"))
        .map((i) => `${f} imports ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it("the grammar knows nothing of later stages", () => {
    const later = ["src/check/", "src/ir/", "src/codegen/", "src/cli/", "src/runtime/"];
    const bad = files("grammar").flatMap((f) => imports(f).filter((i) => later.some((c) => i.startsWith(c))).map((i) => `${f} imports ${i}`));
    expect(bad).toEqual([]);
  });

  it("a generated module fits and exports from a plain script without loading the compiler", () => {
    // The README's example in its own process, with a loader hook that names every module it resolves.
    const run = spawnSync(process.execPath, ["--import", "./test/architecture/register-record-loads.mjs", "--import", "tsx", "examples/fit-orange.ts"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^r = 0\.00\d+, K = \d+/);
    expect(run.stdout).toContain("monolix/project.mlxtran");
    const loaded = run.stderr.split("\n").filter((l) => l.startsWith("loaded ")).map((l) => l.slice(7));
    expect(loaded.some((u) => u.includes("/src/runtime/estimate/fit.ts"))).toBe(true);
    const compiler = loaded.filter((u) => COMPILER.some((c) => u.includes(`/${c}`)) || COMPILER_PACKAGES.some((p) => u.includes(`/node_modules/${p}/`)));
    expect(compiler).toEqual([]);
  });
});

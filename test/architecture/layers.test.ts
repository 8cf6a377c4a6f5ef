// The pipeline's arrows point one way. These tests read the import lines of
// every source file, so a wrong-way import fails here before it can tangle the tree.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

function files(dir: string): string[] {
  const abs = join(root, dir);
  return readdirSync(abs).flatMap((name) => {
    const path = join(abs, name);
    if (statSync(path).isDirectory()) return files(relative(root, path));
    return name.endsWith(".ts") ? [relative(root, path)] : [];
  });
}

/** Every module specifier a file imports, resolved to a repository path when relative. */
function imports(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"/g), ...text.matchAll(/import\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!);
  return specs.map((s) => (s.startsWith(".") ? relative(root, resolve(root, dirname(file), s)) : s));
}

const COMPILER = ["grammar/", "src/syntax/", "src/check/", "src/ir/", "src/codegen/", "src/cli/", "src/diagnostics/", "src/front-end"];
const COMPILER_PACKAGES = ["chevrotain", "ts-morph", "prettier", "typescript", "commander"];

describe("layers", () => {
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

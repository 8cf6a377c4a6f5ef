// Golden exports of every spec (the generated module's meta, a fixture fit from
// fixtures/, the data in data/): monolix/project.mlxtran, monolix/model.txt and nlmixr2/model.R are
// compared byte for byte with golden/<model>/; UPDATE_GOLDEN=1
// rewrites them. Every export also passes the structural self-check.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { exportFiles } from "../../../src/runtime/export/project.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import { checkMonolixProject } from "../../../src/runtime/export/mlxtran-check.js";
import { FIXTURES } from "./fixtures/index.js";
import { generatedModel } from "./fixtures/generated.js";

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), "golden");
const COMPARED = ["monolix/project.mlxtran", "monolix/model.txt", "nlmixr2/model.R"];
const update = process.env.UPDATE_GOLDEN === "1";

describe("export goldens", () => {
  for (const [name, f] of Object.entries(FIXTURES)) {
    it(name, async () => {
      // The committed generated module's meta is what users export; the hand-built one only stands in
      // for variants that no spec compiles to.
      const meta = (await generatedModel(name))?.meta ?? f.meta;
      const data = loadData(readFileSync(new URL(`../../../data/${f.dataFile}`, import.meta.url), "utf8"), f.dataFile, meta);
      const files = exportFiles(meta, f.fit, data);
      expect(checkMonolixProject(files)).toEqual([]);
      expect(JSON.parse(files["fit.json"]!)).toEqual(f.fit);
      for (const rel of COMPARED) {
        const path = join(GOLDEN, name, rel);
        if (update || !existsSync(path)) {
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, files[rel]!);
          if (!update) throw new Error(`golden ${path} was missing and has been written; rerun`);
        }
        expect(files[rel], rel).toBe(readFileSync(path, "utf8"));
      }
    });
  }

  it("exports without data pass the self-check too (default data layout)", () => {
    for (const f of Object.values(FIXTURES)) {
      const files = exportFiles(f.meta, f.fit);
      expect(files["monolix/data.csv"]).toBeUndefined();
      expect(checkMonolixProject(files)).toEqual([]);
    }
  });

  it("the generated modules' meta, when present, exports and passes the self-check", async () => {
    for (const [name, f] of Object.entries(FIXTURES)) {
      const generated = await generatedModel(name);
      if (!generated) continue;
      const data = loadData(
        readFileSync(new URL(`../../../data/${f.dataFile}`, import.meta.url), "utf8"),
        f.dataFile,
        generated.meta,
      );
      expect(checkMonolixProject(exportFiles(generated.meta, f.fit, data)), name).toEqual([]);
    }
  });
});

// Golden copies of generated code, so that any change to what the compiler
// emits shows up in review. `UPDATE_GOLDEN=1 npx vitest run test/codegen`
// rewrites them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { emitModule } from "../../src/codegen/emit-module.js";
import { specIr } from "./support/specs.js";

const GOLDEN = new URL("./golden/", import.meta.url);
const update = process.env.UPDATE_GOLDEN === "1";

describe("golden generated code", () => {
  for (const name of ["logistic", "antibody_clairon", "lotka_volterra"]) {
    it(`specs/${name}.nlme`, async () => {
      const text = await emitModule(specIr(`specs/${name}.nlme`), { source: `specs/${name}.nlme` });
      const file = new URL(`${name}.ts.golden`, GOLDEN);
      if (update || !existsSync(file)) {
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(file, text);
        if (!update) throw new Error(`wrote missing golden ${file.pathname}; check it in and rerun`);
      }
      expect(text).toBe(readFileSync(file, "utf8"));
    });
  }
});

// The CLI's cache of compiled models: a hit must give what a miss gives, the
// IR and the notes included, though it runs neither the parser nor the checker.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadModel, SpecError } from "../../src/cli/load-model.js";
import { analyse } from "../../src/front-end.js";
import type { Env } from "../../src/runtime/model.js";
import { root } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "nlme-load-model-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadModel", () => {
  it("serves the same model, IR and notes from the cache as from a fresh compile", async () => {
    // A spec text no earlier run has cached: the first load is a miss.
    const spec = join(dir, "clairon.nlme");
    writeFileSync(spec, `${readFileSync(join(root, "specs/antibody_clairon.nlme"), "utf8")}\n# ${process.pid} ${Date.now()}\n`);
    const miss = await loadModel(spec);
    const hit = await loadModel(spec);
    expect(miss.notes).toContain("latent");
    expect(hit.notes).toBe(miss.notes);
    expect(hit.ir).toEqual(analyse(readFileSync(spec, "utf8"), spec).ir);
    expect(hit.model.meta).toEqual(miss.model.meta);
    const x = new Float64Array([2, 3]);
    const theta = new Float64Array(miss.model.nParams).fill(0.5);
    const a = new Float64Array(2);
    const b = new Float64Array(2);
    const env: Env = { sinceDose: 3, dose: 1, cov: new Float64Array(0) };
    miss.model.rhs(x, theta, 10, env, a);
    hit.model.rhs(x, theta, 10, env, b);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it("caches nothing for a spec with errors, and says why every time", async () => {
    const spec = join(dir, "bad.nlme");
    writeFileSync(spec, readFileSync(join(root, "specs/logistic.nlme"), "utf8").replace("r * C", "rr * C"));
    for (let i = 0; i < 2; i++) {
      const error = await loadModel(spec).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SpecError);
      expect((error as SpecError).rendered).toContain("unknown name `rr`");
    }
  });
});

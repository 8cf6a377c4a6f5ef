// `nlme fit` and the quality check: the summary under the table, `warning:`
// lines on stderr, the `quality` section of --json, and --strict's exit code 3.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nlme } from "./run-cli.js";
import { LINEAR_DECAY } from "../runtime/quality/specs.js";

// A deliberately wrong model for data/logistic.csv (linear decay of growing curves). Tree growth on
// growth_sparse.csv was the first example; it now fits (test/runtime/estimate/sparse-designs.test.ts).
const tmp = mkdtempSync(join(tmpdir(), "nlme-fit-quality-"));
const decay = join(tmp, "decay.nlme");
writeFileSync(decay, LINEAR_DECAY);

describe("nlme fit: quality", () => {
  it("a fit that does not describe its data prints warnings on stderr; --strict turns them into exit code 3", () => {
    const run = nlme(["fit", decay, "--data", "data/logistic.csv"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/quality: \d+ warning\(s\)/);
    expect(run.stderr).toMatch(/warning\[[a-z-]+\]: /);
    expect(run.stderr).toMatch(/help: /);
    const strict = nlme(["fit", decay, "--data", "data/logistic.csv", "--strict", "--json"]);
    expect(strict.status).toBe(3);
    const fit = JSON.parse(strict.stdout);
    expect(fit.quality.summary.verdict).toBe("warnings");
    expect(fit.quality.findings[0]).toMatchObject({ severity: "warning" });
    expect(fit.quality.subjects).toHaveLength(30);
  }, 60_000);

  it("a fit that passes prints the summary and exits 0 even with --strict", () => {
    const run = nlme(["fit", "specs/logistic.nlme", "--data", "data/orange.csv", "--strict"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/quality: 5 of 5 subjects predicted/);
    expect(run.stdout).toMatch(/quality: ok/);
    expect(run.stderr).not.toMatch(/warning\[/);
  }, 60_000);
});

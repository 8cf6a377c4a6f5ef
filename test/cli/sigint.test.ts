// SIGINT at random moments of `nlme fit --out DIR --report` (20 runs, seeded
// delays spread over the whole run): afterwards DIR is either absent or
// complete, and no staging or temporary file is left beside it. Real
// processes, because the point is what a signal does to one.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const EXPECTED = ["fit.json", "monolix/project.mlxtran", "monolix/model.txt", "monolix/data.csv", "nlmixr2/model.R", "report.html"];

function fitThenSignal(out: string, delayMs: number | undefined): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number; stderr: string }> {
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(root, "bin/nlme.js"), "fit", "specs/logistic.nlme", "--data", "data/orange.csv", "--out", out, "--report"], { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const timer = delayMs === undefined ? undefined : setTimeout(() => child.kill("SIGINT"), delayMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, ms: performance.now() - started, stderr });
    });
  });
}

describe("SIGINT during fit --out DIR --report", () => {
  it("never leaves a partial DIR or a temporary file (20 runs)", async () => {
    const parent = mkdtempSync(join(tmpdir(), "nlme-sigint-"));
    // One uninterrupted run measures how long a run takes here (and warms the model cache).
    const full = await fitThenSignal(join(parent, "full"), undefined);
    expect(full.code, full.stderr).toBe(0);
    for (const f of EXPECTED) expect(existsSync(join(parent, "full", f)), f).toBe(true);
    const delays = fc.sample(fc.integer({ min: 0, max: Math.round(full.ms * 1.1) }), { seed: 16, numRuns: 20 });
    const outcomes: string[] = [];
    for (let batch = 0; batch < delays.length; batch += 4) {
      const runs = await Promise.all(delays.slice(batch, batch + 4).map((d, k) => fitThenSignal(join(parent, `run${batch + k}`), d)));
      runs.forEach((r, k) => {
        const out = join(parent, `run${batch + k}`);
        outcomes.push(`${delays[batch + k]} ms: ${r.signal ?? r.code}, ${existsSync(out) ? "complete" : "absent"}`);
        expect(r.stderr).not.toContain("internal error");
        if (existsSync(out)) {
          for (const f of EXPECTED) expect(existsSync(join(out, f)), `${out}/${f} after SIGINT at ${delays[batch + k]} ms`).toBe(true);
          expect(() => JSON.parse(readFileSync(join(out, "fit.json"), "utf8"))).not.toThrow();
        } else expect(r.signal === "SIGINT" || r.code !== 0, `exit 0 without ${out}`).toBe(true);
      });
    }
    expect(readdirSync(parent).filter((f) => f.startsWith(".") || f.includes("tmp")), outcomes.join("\n")).toEqual([]);
    // The delays must have hit both sides: some runs killed, some complete.
    expect(outcomes.some((o) => o.includes("absent"))).toBe(true);
  }, 300_000);
});

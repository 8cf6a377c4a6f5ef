// CI runs with a `CI` variable set, which turns picocolors' global switch on;
// captured output must still be plain text unless the stream is a terminal.
import { describe, expect, it } from "vitest";
import { wantsColor } from "../../src/cli/colors.js";
import { runCli } from "../fuzz/harness.js";

const tty = { write: () => true, isTTY: true };
const pipe = { write: () => true };

describe("colour follows the stream written to", () => {
  it("NO_COLOR wins, then FORCE_COLOR, then whether the stream is a terminal; CI alone does not colour", () => {
    expect(wantsColor(pipe, {})).toBe(false);
    expect(wantsColor(pipe, { CI: "true" })).toBe(false);
    expect(wantsColor(tty, {})).toBe(true);
    expect(wantsColor(tty, { NO_COLOR: "1" })).toBe(false);
    expect(wantsColor(pipe, { FORCE_COLOR: "1" })).toBe(true);
    expect(wantsColor(pipe, { FORCE_COLOR: "0" })).toBe(false);
    expect(wantsColor(tty, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false);
  });

  it("an error printed to a captured stream carries no escape codes, even with CI set", async () => {
    const saved = process.env.CI;
    process.env.CI = "true";
    try {
      const run = await runCli(["simulate", "specs/logistic.nlme", "--params", '{"theta": {"r": 0.003}, "x0": {"C": 30}}', "--times", "0:10:1"]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: /m);
      expect(run.stderr).not.toContain("\u001b[");
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});

// `--workers`: a count or "auto"; anything else is a usage error (exit 2) found before any fitting.
import { describe, expect, it } from "vitest";
import { parseWorkers } from "../../src/cli/commands/fit.js";
import { UsageError } from "../../src/cli/exit.js";

describe("--workers", () => {
  it("reads a count, auto, and auto when absent", () => {
    expect(parseWorkers(undefined)).toBe("auto");
    expect(parseWorkers("auto")).toBe("auto");
    expect(parseWorkers("0")).toBe(0);
    expect(parseWorkers("2")).toBe(2);
  });

  it("refuses what is not a count of threads, saying what to give", () => {
    for (const bad of ["two", "-1", "1.5", "", "1000"]) {
      expect(() => parseWorkers(bad)).toThrow(UsageError);
      try {
        parseWorkers(bad);
      } catch (error) {
        expect((error as UsageError).message).toContain("--workers");
        expect((error as UsageError).help).toMatch(/--workers 2/);
      }
    }
  });
});

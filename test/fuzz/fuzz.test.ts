// The short fuzz campaign of `npm test` (fixed seed, about a minute):
// generated spec text, CSV text, fit.json, CLI options and simulate
// parameters, each run through the real CLI in-process and judged by
// harness.ts. `npm run fuzz` runs the long campaign (>= 10,000 cases).
import { describe, expect, it } from "vitest";
import { formatTable, runCampaign } from "./campaign.js";

const PER_CLASS = 100;

describe("fuzz (short campaign)", () => {
  it("no crash, no hang, no partial output on any generated input", async () => {
    const counts = { "spec text": PER_CLASS, "CSV text": PER_CLASS, "fit.json": PER_CLASS, "CLI options": PER_CLASS, "simulate params": PER_CLASS };
    const { table, failures } = await runCampaign(counts, 20261207);
    const report = `${formatTable(table)}\n${failures.map((f) => JSON.stringify(f)).join("\n")}`;
    expect(table.reduce((n, s) => n + s.cases, 0)).toBe(5 * PER_CLASS);
    expect(failures, report).toEqual([]);
    // The generators must reach both sides: accepted inputs and rejected ones, in every class but spec text.
    for (const s of table) expect(s.codes[0] ?? 0, `${s.name}: no accepted case`).toBeGreaterThan(0);
  }, 600_000);
});

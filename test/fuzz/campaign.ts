// A fuzz campaign: every class sampled with a fixed seed, every case judged
// (harness.ts), and a table of what happened. Used by the fuzz test (small)
// and by `npm run fuzz` (>= 10,000 cases).
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { cliOptions, csvText, fitJsonClass, root, simulateParams, specText, type FuzzClass } from "./classes.js";
import { clean, freshDir, judge, runCli, type Verdict } from "./harness.js";

export interface ClassSummary {
  name: string;
  cases: number;
  crashes: number;
  hangs: number;
  partial: number;
  /** Exit codes seen, by code. */
  codes: Record<number, number>;
  seconds: number;
}

export interface Failure {
  class: string;
  index: number;
  verdict: Verdict;
  why: string;
  args: string[];
  stderr: string;
}

/** A real fit.json to corrupt: written once per campaign by the CLI itself. */
async function baseFitJson(): Promise<string> {
  const dir = freshDir("nlme-fuzz-base-");
  const run = await runCli(["fit", join(root, "specs/logistic.nlme"), "--data", join(root, "data/orange.csv"), "--out", join(dir, "fit")]);
  if (run.code !== 0) throw new Error(`could not make the base fit.json: ${run.stderr}`);
  const text = readFileSync(join(dir, "fit/fit.json"), "utf8");
  clean(dir);
  return text;
}

export async function runCampaign(counts: Record<string, number>, seed: number, onProgress?: (line: string) => void, onCase?: (cls: number, index: number) => void): Promise<{ table: ClassSummary[]; failures: Failure[] }> {
  const classes: FuzzClass<never>[] = [specText, csvText, fitJsonClass(await baseFitJson()), cliOptions, simulateParams] as unknown as FuzzClass<never>[];
  const table: ClassSummary[] = [];
  const failures: Failure[] = [];
  for (const [k, cls] of classes.entries()) {
    const n = counts[cls.name] ?? 0;
    if (n === 0) continue;
    const summary: ClassSummary = { name: cls.name, cases: 0, crashes: 0, hangs: 0, partial: 0, codes: {}, seconds: 0 };
    const started = performance.now();
    const recipes = fc.sample(cls.arbitrary, { seed: seed + k, numRuns: n });
    for (const [i, recipe] of recipes.entries()) {
      onCase?.(k, i);
      const dir = freshDir("nlme-fuzz-");
      const work = join(dir, "case");
      mkdirSync(work);
      const c = cls.build(recipe, work);
      const judged = await judge(c, work);
      clean(dir);
      summary.cases++;
      summary.codes[judged.run.code] = (summary.codes[judged.run.code] ?? 0) + 1;
      if (judged.verdict === "crash") summary.crashes++;
      if (judged.verdict === "hang") summary.hangs++;
      if (judged.verdict === "partial") summary.partial++;
      if (judged.verdict !== "ok") {
        failures.push({ class: cls.name, index: i, verdict: judged.verdict, why: judged.why ?? "", args: c.args.map((a) => (a.length > 200 ? `${a.slice(0, 200)}...` : a)), stderr: judged.run.stderr.slice(0, 1500) });
      }
      if (onProgress && (i + 1) % 250 === 0) onProgress(`${cls.name}: ${i + 1}/${n}`);
    }
    summary.seconds = (performance.now() - started) / 1000;
    table.push(summary);
  }
  return { table, failures };
}

export function formatTable(table: ClassSummary[]): string {
  const rows = table.map((s) => [s.name, String(s.cases), String(s.crashes), String(s.hangs), String(s.partial), Object.entries(s.codes).map(([c, n]) => `${c}:${n}`).join(" "), s.seconds.toFixed(0)]);
  const total = table.reduce((a, s) => ({ cases: a.cases + s.cases, crashes: a.crashes + s.crashes, hangs: a.hangs + s.hangs, partial: a.partial + s.partial, seconds: a.seconds + s.seconds }), { cases: 0, crashes: 0, hangs: 0, partial: 0, seconds: 0 });
  rows.push(["total", String(total.cases), String(total.crashes), String(total.hangs), String(total.partial), "", total.seconds.toFixed(0)]);
  const head = ["class", "cases", "crashes", "hangs", "partial outputs", "exit codes", "seconds"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((x, i) => x.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

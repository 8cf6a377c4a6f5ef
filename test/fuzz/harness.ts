// Runs one `nlme` invocation in-process and judges it by the rules every
// input must obey: a documented exit code (0, 1, 2), never "internal error",
// nothing written when the command fails (no output directory, no staging or
// temporary file left beside it), and an answer within a time limit.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/program.js";

export interface CaseRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  /** main threw instead of returning a code. */
  thrown?: unknown;
}

export async function runCli(args: string[]): Promise<CaseRun> {
  let stdout = "";
  let stderr = "";
  const started = performance.now();
  try {
    const code = await main(["node", "nlme", ...args], {
      stdout: { write: (s: string) => void (stdout.length < 1_000_000 && (stdout += s)) },
      stderr: { write: (s: string) => void (stderr.length < 1_000_000 && (stderr += s)) },
    });
    return { code, stdout, stderr, ms: performance.now() - started };
  } catch (thrown) {
    return { code: -1, stdout, stderr, ms: performance.now() - started, thrown };
  }
}

export type Verdict = "ok" | "crash" | "hang" | "partial";

export interface FuzzCase {
  /** Arguments after `nlme`. */
  args: string[];
  /** The output path this case may write (file or directory), fresh before the run. */
  out?: string;
  /** Seconds before the case counts as a hang (checked after it returns: in-process code cannot be interrupted). */
  limit?: number;
}

export interface Judged {
  verdict: Verdict;
  why?: string;
  run: CaseRun;
}

/** Files a staged or atomic write leaves while in progress. */
function leftovers(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.includes(".nlme-tmp-") || /\.tmp(-|$)/.test(f) || f.includes(".tmp-")) : [];
}

export async function judge(c: FuzzCase, workDir: string): Promise<Judged> {
  const run = await runCli(c.args);
  const limit = (c.limit ?? 10) * 1000;
  if (run.thrown !== undefined) return { verdict: "crash", why: `main threw: ${String(run.thrown)}`, run };
  if (run.stderr.includes("internal error")) return { verdict: "crash", why: "internal error", run };
  if (![0, 1, 2].includes(run.code)) return { verdict: "crash", why: `exit code ${run.code}`, run };
  // `check --format json` reports on stdout; every other failure must say why on stderr.
  if (run.code !== 0 && run.stderr.trim() === "" && !run.stdout.includes('"diagnostics"')) return { verdict: "crash", why: `exit ${run.code} without a message`, run };
  const stray = leftovers(workDir);
  if (stray.length > 0) return { verdict: "partial", why: `left ${stray.join(", ")}`, run };
  if (c.out && run.code !== 0 && existsSync(c.out)) return { verdict: "partial", why: `exit ${run.code} but ${c.out} was written`, run };
  if (run.ms > limit) return { verdict: "hang", why: `${Math.round(run.ms)} ms`, run };
  return { verdict: "ok", run };
}

export function freshDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function clean(path: string | undefined): void {
  if (path) rmSync(path, { recursive: true, force: true });
}

// Runs the real `nlme` command in a child process, as a user would, from the
// TypeScript sources (through tsx) so that the tests see the code as it is now,
// with no build step between an edit and a test. The built package is tested by
// test/package/pack-install.test.ts.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

export const root = resolve(import.meta.dirname, "../..");

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function nlme(args: string[], options: { cwd?: string } = {}): CliRun {
  const run = spawnSync(process.execPath, [resolve(root, "test/cli/nlme-from-sources.mjs"), ...args], {
    cwd: options.cwd ?? root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

// Runs the real `nlme` command in a child process, as a user would.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

export const root = resolve(import.meta.dirname, "../..");

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function nlme(args: string[], options: { cwd?: string } = {}): CliRun {
  const run = spawnSync(process.execPath, [resolve(root, "bin/nlme.js"), ...args], {
    cwd: options.cwd ?? root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

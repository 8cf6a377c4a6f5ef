// One run of the built command (`node bin/nlme.js ...`, the path a user takes) in a child process, timed by
// /usr/bin/time: wall seconds, CPU seconds (user + system, every thread) and peak resident memory. Its stdout
// (the fit as JSON with --json) is parsed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const TIME = "/usr/bin/time";

export interface CliRun {
  wallSeconds: number;
  /** User + system CPU seconds of the process and its threads (null without /usr/bin/time). */
  cpuSeconds: number | null;
  peakRssMb: number | null;
  json: Record<string, unknown>;
}

export function runCli(args: string[]): CliRun {
  if (!existsSync(join(root, "dist/cli/main.js"))) throw new Error("bench: the command is not built: run `npm run build`");
  const dir = mkdtempSync(join(tmpdir(), "bench-cli-"));
  const stats = join(dir, "time.txt");
  const timed = existsSync(TIME);
  const command = timed ? [TIME, "-f", "%e %U %S %M", "-o", stats, process.execPath] : [process.execPath];
  const t0 = performance.now();
  const out = spawnSync(command[0]!, [...command.slice(1), join(root, "bin/nlme.js"), ...args], { cwd: root, encoding: "utf8", maxBuffer: 1 << 28 });
  const wall = (performance.now() - t0) / 1000;
  try {
    if (out.status !== 0) throw new Error(`bench: nlme ${args.join(" ")} failed (${out.status}): ${out.stderr.slice(-2000)}`);
    const json = JSON.parse(out.stdout) as Record<string, unknown>;
    if (!timed) return { wallSeconds: wall, cpuSeconds: null, peakRssMb: null, json };
    const [e, u, s, m] = readFileSync(stats, "utf8").trim().split(/\s+/).slice(-4).map(Number);
    return { wallSeconds: e!, cpuSeconds: Number((u! + s!).toFixed(2)), peakRssMb: Math.round(m! / 1024), json };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Start-up of the built CLI (`bin/nlme.js`, plain Node, no tsx), each command
// in a fresh process as a user runs it. The floor, a hello-world commander CLI,
// is measured in the same run with its runs alternated with ours, so that load
// from other processes on the machine hits both alike.
//
// CPU time (user + system) is the children's, read from /proc/self/stat after
// each child is reaped (Linux; 10 ms ticks, so it is summed over the runs and
// divided); wall time is the median. `npm run bench -- startup` runs this alone.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const NLME = join(REPO, "bin/nlme.js");
const HELLO = join(REPO, "bench/hello-commander.mjs");
const RUNS = 10;
const TICKS_PER_SECOND = 100;

/** Targets of issue 17, in seconds of CPU (R nlme's SSlogis fit of Orange measured 0.43 s CPU on this machine). */
const TARGETS = { helpRatio: 2, check: 0.35, compile: 0.8, orangeFit: 0.43 };

interface Case {
  name: string;
  args: string[];
  /** Run before measuring, e.g. to fill the compiled-model cache. */
  warm?: boolean;
}

/** CPU seconds of every reaped child so far, or undefined where /proc is missing. */
function childrenCpu(): number | undefined {
  if (!existsSync("/proc/self/stat")) return undefined;
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 16 and 17 of proc(5), cutime and cstime; the slice starts at field 3.
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
}

function run(script: string, args: string[]): number {
  const t0 = performance.now();
  const child = spawnSync(process.execPath, [script, ...args], { cwd: REPO, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const wall = (performance.now() - t0) / 1000;
  if (child.status !== 0) throw new Error(`${script} ${args.join(" ")} exited with ${child.status}: ${child.stderr}`);
  return wall;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const r3 = (x: number | undefined): number | null => (x === undefined ? null : Math.round(x * 1000) / 1000);

interface Timing {
  cpuS: number | null;
  wallS: number;
}

/** Alternates the floor and the case, RUNS times each. */
function measure(c: Case): { floor: Timing; command: Timing } {
  if (c.warm) run(NLME, c.args);
  const walls = { floor: [] as number[], command: [] as number[] };
  const cpu = { floor: 0, command: 0 };
  for (let i = 0; i < RUNS; i++) {
    for (const which of ["floor", "command"] as const) {
      const before = childrenCpu();
      walls[which].push(which === "floor" ? run(HELLO, ["--help"]) : run(NLME, c.args));
      const after = childrenCpu();
      if (before !== undefined && after !== undefined) cpu[which] += after - before;
    }
  }
  const timing = (which: "floor" | "command"): Timing => ({ cpuS: existsSync("/proc/self/stat") ? r3(cpu[which] / RUNS) : null, wallS: r3(median(walls[which]))! });
  return { floor: timing("floor"), command: timing("command") };
}

export async function benchStartup(): Promise<object> {
  // Measure the build of these sources, not whatever dist/ was left behind.
  const build = spawnSync("npm", ["run", "build", "--silent"], { cwd: REPO, encoding: "utf8", shell: process.platform === "win32" });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}${build.stdout}`);
  const out = mkdtempSync(join(tmpdir(), "nlme-bench-startup-"));
  try {
    const cases: Case[] = [
      { name: "help", args: ["--help"] },
      { name: "check", args: ["check", "specs/logistic.nlme"] },
      { name: "compile", args: ["compile", "specs/logistic.nlme", "--out", out] },
      { name: "orangeFit", args: ["fit", "specs/logistic.nlme", "--data", "data/orange.csv"], warm: true },
    ];
    const results: Record<string, object> = {};
    for (const c of cases) {
      process.stderr.write(`bench: startup ${c.name}...\n`);
      const m = measure(c);
      const target = c.name === "help" ? `cpu within ${TARGETS.helpRatio}x of the floor` : `cpu < ${TARGETS[c.name as keyof typeof TARGETS]} s`;
      const met =
        m.command.cpuS === null || m.floor.cpuS === null
          ? null
          : c.name === "help"
            ? m.command.cpuS <= TARGETS.helpRatio * m.floor.cpuS
            : m.command.cpuS < TARGETS[c.name as keyof typeof TARGETS];
      results[c.name] = {
        command: `nlme ${c.args.join(" ").replace(out, "<tmp>")}`,
        ...m.command,
        floorCpuS: m.floor.cpuS,
        floorWallS: m.floor.wallS,
        ratioCpu: m.command.cpuS !== null && m.floor.cpuS ? r3(m.command.cpuS / m.floor.cpuS) : null,
        target,
        met,
      };
    }
    return { runs: RUNS, floor: "node bench/hello-commander.mjs --help", ...results };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

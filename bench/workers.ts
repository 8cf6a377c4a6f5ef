// What worker threads gave (issues 14 and 17), measured on the path a user takes: the built command, `nlme fit
// --workers 1` (this thread) against `--workers 2`, each in a fresh process (/usr/bin/time: wall, CPU of every
// thread, peak memory), alternated run by run, with the machine's load average before and after (a second
// thread only helps when a second core is free; on a shared machine the CPU seconds say what the threads cost).
// - fit: Lotka-Volterra at 1,000 and 10,000 subjects (the per-subject stage in workers, estimate/fit-async.ts);
// - refine: antibody_clairon (100 subjects) and pk_oral_sparse (12 x 10) by `fit --refine` (SAEM's per-subject
//   work in workers, refine/refine-async.ts); the refinement's own seconds beside the command's.
// The numbers of the fit and of the refinement must not depend on the threads: checked here too.
// Opt-in: `npm run bench -- workers` (BENCH_WORKERS_REPEATS, default 2).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { model } from "../generated/lotka_volterra.js";
import { writeMonolixData } from "../src/runtime/data/write-data.js";
import { runCli, type CliRun } from "./cli-run.js";
import { simulateLotkaVolterra } from "./simulate.js";

const round = (x: number, d = 3) => Number(x.toFixed(d));
const load = () => loadavg().map((x) => round(x, 2));

type Fit = { seconds: number; settings: { phaseSeconds: Record<string, number> }; quality?: { seconds: number }; refined?: Refined; parameters: Record<string, { estimate: number }> };
type Refined = { seconds: number; settings: { phaseSeconds: Record<string, number>; workers: number }; parameters: Record<string, { estimate: number }>; logLikelihood: { value: number } };

/** The fit and refinement without their clocks and thread counts: must be equal across threads. */
function numbers(f: Fit): string {
  const r = f.refined;
  return JSON.stringify({ p: f.parameters, r: r ? { p: r.parameters, ll: r.logLikelihood.value } : null });
}

function compare(label: string, args: string[], repeats: number, summarise: (run: CliRun) => object): object {
  const runs: Record<string, object[]> = { "1": [], "2": [] };
  let reference: string | undefined;
  for (let r = 0; r < repeats; r++)
    for (const w of ["1", "2"]) {
      const run = runCli([...args, "--workers", w]);
      const fit = run.json as unknown as Fit;
      reference ??= numbers(fit);
      if (numbers(fit) !== reference) throw new Error(`bench workers: ${label} gave other numbers with --workers ${w}`);
      runs[w]!.push({ wallSeconds: run.wallSeconds, cpuSeconds: run.cpuSeconds, peakRssMb: run.peakRssMb, loadAverage: load(), ...summarise(run) });
      process.stderr.write(`bench workers: ${label} --workers ${w} (${r + 1}/${repeats}) ${run.wallSeconds}s\n`);
    }
  const best = (w: string) => Math.min(...runs[w]!.map((x) => (x as { wallSeconds: number }).wallSeconds));
  return { case: label, command: `nlme ${args.join(" ")} --workers 1|2`, runs, bestWallSeconds: { "1": best("1"), "2": best("2") }, speedupOfBest: round(best("1") / best("2"), 2) };
}

export async function benchWorkers(): Promise<object> {
  const repeats = Number(process.env.BENCH_WORKERS_REPEATS ?? 2);
  const before = load();
  const cases: object[] = [];
  const dir = mkdtempSync(join(tmpdir(), "bench-workers-"));
  try {
    for (const n of (process.env.BENCH_WORKER_SIZES ?? "1000,10000").split(",").map(Number)) {
      const file = join(dir, `lv${n}.csv`);
      writeFileSync(file, writeMonolixData(simulateLotkaVolterra({ subjects: n, seed: 7, noise: 0.05 }), model.meta).csv);
      cases.push(
        compare(`fit lotka_volterra ${n} subjects`, ["fit", "specs/lotka_volterra.nlme", "--data", file, "--json"], repeats, (run) => {
          const f = run.json as unknown as Fit;
          return { fitSeconds: round(f.seconds), smoothingAndAssemblySeconds: round(f.settings.phaseSeconds.smoothingAndAssembly!), qualitySeconds: f.quality ? round(f.quality.seconds) : null };
        }),
      );
    }
    for (const [spec, data] of [
      ["specs/antibody_clairon.nlme", "data/antibody_clairon.csv"],
      ["specs/pk_oral_sparse.nlme", "data/pk_oral_sparse.csv"],
    ] as const)
      cases.push(
        compare(`refine ${data}`, ["fit", spec, "--data", data, "--refine", "--json"], repeats, (run) => {
          const r = (run.json as unknown as Fit).refined!;
          return { refineSeconds: round(r.seconds), workersUsed: r.settings.workers, phaseSeconds: r.settings.phaseSeconds };
        }),
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    what: "the built command, --workers 1 (this thread) against --workers 2, each run a fresh process; wall and CPU seconds (every thread) by /usr/bin/time; the fit's and refinement's numbers checked equal across threads",
    cpus: cpus().length,
    loadAverage: { before, after: load() },
    repeats,
    cases,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${JSON.stringify(await benchWorkers(), null, 2)}\n`);

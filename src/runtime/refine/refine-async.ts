// `refineAsync`: the refinement with its per-subject work (the E-step's kernel sweeps, the Newton step's
// sensitivities, importance sampling, conditional modes, Louis' samples) spread over worker threads when that
// pays. The numbers are those of `refine` with the same seed, whatever the number of threads (every subject draws
// from its own stream, sums run in subject order).
import type { Dataset } from "../data/dataset.js";
import type { FitResult, RefinedFit } from "../fit-result.js";
import type { CompiledModel } from "../model.js";
import { autoThreads, type WorkersOption } from "../threads/pool.js";
import { runAsync } from "../threads/steps.js";
import { refineSteps, type ChosenRunner, type RefineOptions, type RunnerProbe } from "./refine.js";
import { LocalRunner } from "./subject-tasks.js";
import { WorkerRunner } from "./worker-runner.js";

export interface AsyncRefineOptions extends RefineOptions {
  /** Worker threads: 0 or 1 = this thread, N = N threads, "auto" (default) = the idle cores (`autoThreads`) when it pays (`pays`). */
  workers?: WorkersOption;
  /** URL of the compiled model's module, which each worker imports; without it everything runs in this thread. */
  modelModule?: string;
}

/**
 * Below these a second thread is not worth what it costs: one to three task round trips per iteration and the
 * workers' start (loading the runtime and the model, a cold JIT). `npm run bench -- workers` (2 cores, load 9-14):
 * antibody_clairon, 100 subjects at tens of ms of solves per iteration, refined 1.48x faster with 2 threads for
 * 15-30% more CPU; pk_oral_sparse, 12 subjects at a few ms, gained seconds of wall at that load but little in all.
 */
const MIN_ITERATION_SECONDS = 0.01;
const MIN_TOTAL_SECONDS = 3;

/** Whether worker threads pay for a refinement whose probe measured one solve of every subject. */
export function pays(probe: Pick<RunnerProbe, "solveSeconds" | "solvesPerIteration" | "iterations">): boolean {
  const perIteration = probe.solveSeconds * probe.solvesPerIteration;
  return perIteration >= MIN_ITERATION_SECONDS && perIteration * probe.iterations >= MIN_TOTAL_SECONDS;
}

export async function refineAsync(model: CompiledModel, data: Dataset, firstGuess: FitResult | undefined, options: AsyncRefineOptions = {}): Promise<RefinedFit> {
  const choose = async (probe: RunnerProbe): Promise<ChosenRunner> => {
    const requested = options.workers ?? "auto";
    const threads = Math.min(requested === "auto" ? autoThreads() : Math.floor(requested), probe.chains.length);
    const inThread = new LocalRunner(probe.layout, probe.chains);
    if (options.modelModule === undefined || threads < 2) return inThread;
    if (requested === "auto" && !pays(probe)) return inThread;
    return WorkerRunner.start(options.modelModule, probe.layout, probe.chains, probe.subjects, threads);
  };
  return (await runAsync(refineSteps(model, data, firstGuess, options, choose))).refined;
}

// `fitAsync`: the dense fit with its per-subject stage (smoothing, row form, weak-form rows, Gram sums) in worker
// threads when the population is large enough to pay. The result is the in-thread fit's, bit for bit: each
// subject's stage is the same function wherever it runs, and its pooled residuals join in subject order.
import type { Dataset } from "../data/dataset.js";
import type { FitResult } from "../fit-result.js";
import type { CompiledModel } from "../model.js";
import { WeakFormWorkspace } from "../rows/weak-form.js";
import { autoThreads, startPool, type WorkersOption } from "../threads/pool.js";
import { runAsync } from "../threads/steps.js";
import { fitSteps } from "./fit.js";
import type { FitOptions } from "./options.js";
import type { StageTask, StageWorkerData } from "./stage-worker.js";
import { subjectStage, type StageSettings, type SubjectStage } from "./subject-stage.js";

export interface AsyncFitOptions extends FitOptions {
  /** Worker threads: 0 or 1 = this thread, N = N threads, "auto" (default) = the idle cores (`autoThreads`) when it pays (`stagesPay`). */
  workers?: WorkersOption;
  /** URL of the compiled model's module, which each worker imports; without it everything runs in this thread. */
  modelModule?: string;
}

/** Subjects timed in this thread before "auto" decides (their stages are kept). */
const PROBE_SUBJECTS = 200;
/** Subjects per task: few enough messages, small enough to balance two threads. */
const CHUNK = 500;
/**
 * Below this much work left the stages stay here: starting the workers and copying the subjects to them is not won
 * back. `npm run bench -- workers` (2 cores, load 9-14): 1,000 Lotka-Volterra subjects gained nothing with 2 threads
 * (6.57 against 6.53 s best wall), 10,000 gained 1.63x at best.
 */
const MIN_REMAINING_SECONDS = 1.5;

/** Whether worker threads pay for `remaining` subjects at the measured seconds per subject. */
export function stagesPay(secondsPerSubject: number, remaining: number): boolean {
  return secondsPerSubject * remaining >= MIN_REMAINING_SECONDS;
}

export async function fitAsync(model: CompiledModel, data: Dataset, options: AsyncFitOptions = {}): Promise<FitResult> {
  return runAsync(fitSteps(model, data, options, (settings) => stages(model, data, settings, options)));
}

async function stages(model: CompiledModel, data: Dataset, settings: StageSettings, options: AsyncFitOptions): Promise<(SubjectStage | undefined)[] | null> {
  const requested = options.workers ?? "auto";
  const n = data.subjects.length;
  const threads = Math.min(requested === "auto" ? autoThreads() : Math.floor(requested), n);
  if (options.modelModule === undefined || threads < 2 || settings.keep) return null;
  const out: (SubjectStage | undefined)[] = [];
  if (requested === "auto") {
    const ws = new WeakFormWorkspace(model);
    const started = performance.now();
    const probe = Math.min(n, PROBE_SUBJECTS);
    for (let i = 0; i < probe; i++) out.push(subjectStage(model, settings, ws, data.subjects[i]!, i));
    if (!stagesPay((performance.now() - started) / 1000 / probe, n - probe)) {
      for (let i = probe; i < n; i++) out.push(subjectStage(model, settings, ws, data.subjects[i]!, i));
      return out;
    }
  }
  const { onProgress, ...plain } = settings.options;
  const workerData: StageWorkerData = { modelModule: options.modelModule, settings: { ...settings, options: plain } };
  const pool = await startPool("estimate/stage-worker", threads, workerData);
  try {
    const chunk = Math.min(CHUNK, Math.ceil((n - out.length) / threads));
    const offsets: number[] = [];
    for (let from = out.length; from < n; from += chunk) offsets.push(from);
    let done = out.length;
    const results = await Promise.all(
      offsets.map(async (offset) => {
        const r = await pool.run<(SubjectStage | null)[]>({ subjects: data.subjects.slice(offset, offset + chunk), offset } satisfies StageTask);
        done += r.length;
        onProgress?.(done, n);
        return r;
      }),
    );
    for (const r of results) for (const st of r) out.push(st ?? undefined);
  } finally {
    await pool.close();
  }
  return out;
}

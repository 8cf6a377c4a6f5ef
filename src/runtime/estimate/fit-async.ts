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
import { packSubjects, subjectTransfers, unpackStages } from "./stage-transfer.js";
import { subjectStage, type StageSettings, type SubjectStage } from "./subject-stage.js";

export interface AsyncFitOptions extends FitOptions {
  /** Worker threads: 0 or 1 = this thread, N = N threads, "auto" (default) = the idle cores (`autoThreads`) when it pays (`stagesPay`). */
  workers?: WorkersOption;
  /** URL of the compiled model's module, which each worker imports; without it everything runs in this thread. */
  modelModule?: string;
}

/** Subjects timed in this thread before "auto" decides (their stages are kept). */
const PROBE_SUBJECTS = 200;
/** Subjects per task at most: few messages (80 for 10,000 subjects), small enough for the threads to end together. */
const WORKER_CHUNK = 125;
/** Subjects this thread does between looks at the workers' messages (a few milliseconds). */
const MAIN_CHUNK = 25;
/** Tasks a worker holds: it starts the next as soon as it ends one, while this thread is busy with its own share. */
const TASKS_PER_WORKER = 2;
/**
 * Below this much work left the stages stay here: starting the workers is not won back. This thread takes its share
 * of the subjects while the workers start, so what is lost is the packing, and what is won about half of what is left
 * once a worker is warm: a worker took 0.3 s to load and its first 250 LV subjects 0.4 s (0.07 s warm) on a loaded
 * 2-core machine. Was 1.5 s while this thread only waited for the workers.
 */
const MIN_REMAINING_SECONDS = 1;

/** Whether worker threads pay for `remaining` subjects at the measured seconds per subject. */
export function stagesPay(secondsPerSubject: number, remaining: number): boolean {
  return secondsPerSubject * remaining >= MIN_REMAINING_SECONDS;
}

export async function fitAsync(model: CompiledModel, data: Dataset, options: AsyncFitOptions = {}): Promise<FitResult> {
  return runAsync(fitSteps(model, data, options, (settings) => stages(model, data, settings, options)));
}

/**
 * Every subject's stage, this thread and `threads - 1` workers taking chunks from the front of the subjects in
 * turn: this thread a few subjects at a time, looking at the workers' messages in between (their results, and
 * the next tasks they are handed), the workers larger chunks packed both ways (stage-transfer.ts). Where a stage
 * ran does not change it, and the stages join in subject order (fit.ts), so the fit is the same bit for bit.
 */
async function stages(model: CompiledModel, data: Dataset, settings: StageSettings, options: AsyncFitOptions): Promise<(SubjectStage | undefined)[] | null> {
  const requested = options.workers ?? "auto";
  const subjects = data.subjects;
  const n = subjects.length;
  const threads = Math.min(requested === "auto" ? autoThreads() : Math.floor(requested), n);
  if (options.modelModule === undefined || threads < 2 || settings.keep) return null;
  const out: (SubjectStage | undefined)[] = new Array<SubjectStage | undefined>(n);
  const ws = new WeakFormWorkspace(model);
  let next = 0;
  let done = 0;
  const onProgress = settings.options.onProgress;
  const here = (count: number): void => {
    const end = Math.min(n, next + count);
    done += end - next;
    for (; next < end; next++) out[next] = subjectStage(model, settings, ws, subjects[next]!, next);
  };
  if (requested === "auto") {
    const started = performance.now();
    here(PROBE_SUBJECTS);
    if (!stagesPay((performance.now() - started) / 1000 / next, n - next)) {
      here(n - next);
      return out;
    }
  }
  const { onProgress: _, ...plain } = settings.options;
  const workerData: StageWorkerData = { modelModule: options.modelModule, settings: { ...settings, options: plain } };
  const workers = threads - 1;
  const pool = await startPool("estimate/stage-worker", workers, workerData, { tasksPerWorker: TASKS_PER_WORKER });
  const shape = { d: model.nStates, p: model.nParams, outputs: model.meta.observations.length };
  let pending = 0;
  let failure: unknown;
  const tasks: Promise<void>[] = [];
  const send = (): void => {
    while (pending < workers * TASKS_PER_WORKER && next < n) {
      const offset = next;
      const count = Math.min(WORKER_CHUNK, n - next, Math.max(MAIN_CHUNK, Math.ceil((n - next) / (2 * threads))));
      const packed = packSubjects(subjects.slice(offset, offset + count));
      if (!packed) {
        here(count);
        continue;
      }
      next += count;
      pending++;
      const task = pool.run<Float64Array>({ subjects: packed, offset } satisfies StageTask, subjectTransfers(packed)).then(
        (result) => {
          unpackStages(result, shape, subjects, offset).forEach((st, k) => (out[offset + k] = st));
          pending--;
          done += count;
          onProgress?.(done, n);
        },
        (error: unknown) => {
          pending--;
          failure ??= error;
        },
      );
      tasks.push(task);
    }
  };
  try {
    while (next < n && failure === undefined) {
      send();
      here(MAIN_CHUNK);
      onProgress?.(done, n);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The workers' last tasks: waited for, not polled (this thread would take the core a worker needs).
    await Promise.all(tasks);
    if (failure !== undefined) throw failure;
  } finally {
    await pool.close();
  }
  return out;
}

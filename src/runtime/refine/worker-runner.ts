// SAEM's per-subject work in worker threads: the subjects split into one contiguous range per thread, each task
// carrying its range's states there and back. Results come back per subject and are merged in subject order, so
// the numbers are those of the in-thread runner (subject-tasks.ts) for any number of threads.
import type { Subject } from "../data/dataset.js";
import { startPool, type WorkerPool } from "../threads/pool.js";
import type { KernelCounts, SubjectChain, WalkScales } from "./chain.js";
import type { ChainRunner, FixedContribution, LouisSample, Proposal, SubjectLogLik, SweepStream } from "./chain-runner.js";
import { packStates, unpackStates } from "./chain-states.js";
import type { Layout } from "./layout.js";
import type { Population, PopulationFactors } from "./population.js";
import { addCounts, type Task, type TaskResult } from "./subject-tasks.js";
import type { RefineWorkerData, WorkerReply, WorkerTask } from "./worker.js";

export class WorkerRunner implements ChainRunner {
  private readonly ranges: [number, number][];

  private constructor(
    private readonly pool: WorkerPool,
    private readonly chains: SubjectChain[],
  ) {
    const n = chains.length;
    const size = Math.ceil(n / pool.threads);
    this.ranges = [];
    for (let from = 0; from < n; from += size) this.ranges.push([from, Math.min(n, from + size)]);
  }

  get threads(): number {
    return this.pool.threads;
  }

  static async start(modelModule: string, layout: Layout, chains: SubjectChain[], subjects: Subject[], threads: number): Promise<WorkerRunner> {
    // The covariate terms' functions stay here: the chains carry their values (`covariates`).
    const plain: Layout = { ...layout, effects: layout.effects.map(({ value: _value, ...e }) => e) };
    const data: RefineWorkerData = { modelModule, layout: plain, subjects, covariates: chains.map((ch) => ch.covariates) };
    return new WorkerRunner(await startPool("refine/worker", threads, data), chains);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** One task per range, `make` giving the range's task; the chains take the states that come back. */
  private async each(make: (from: number, to: number) => Task): Promise<TaskResult[]> {
    const replies = await Promise.all(
      this.ranges.map(([from, to]) => this.pool.run<WorkerReply>({ task: make(from, to), from, to, states: packStates(this.chains, from, to) } satisfies WorkerTask)),
    );
    replies.forEach((r, k) => unpackStates(this.chains, this.ranges[k]![0], this.ranges[k]![1], r.states, true));
    return replies.map((r) => r.result);
  }

  async refresh(pop: Population): Promise<void> {
    await this.each(() => ({ op: "refresh", pop }));
  }

  async sweep(pop: Population, factors: PopulationFactors, kernels: KernelCounts, scales: WalkScales, stream: SweepStream, louis = false): Promise<(LouisSample | null)[]> {
    const results = await this.each(() => ({ op: "sweep", pop, factors, kernels, scales: { component: scales.component, joint: scales.joint }, ...stream, louis }));
    for (const r of results) addCounts(scales, r.counts!);
    return results.flatMap((r) => r.louis ?? []);
  }

  async fixed(pop: Population, omegaInverse: Float64Array, h: Float64Array, cached: (Float64Array[] | null)[]): Promise<(FixedContribution | null)[]> {
    const results = await this.each((from, to) => ({ op: "fixed", pop, omegaInverse, h, cached: cached.slice(from, to) }));
    return results.flatMap((r) => r.fixed!);
  }

  async importance(pop: Population, proposal: Proposal, samples: number, seed: number): Promise<SubjectLogLik[]> {
    const results = await this.each((from, to) => ({ op: "importance", pop, mean: proposal.mean.slice(from, to), covariance: proposal.covariance.slice(from, to), samples, seed }));
    return results.flatMap((r) => r.logLik!);
  }

  async modes(pop: Population, start: Float64Array[], spread: Float64Array[]): Promise<Float64Array[]> {
    const results = await this.each((from, to) => ({ op: "modes", pop, start: start.slice(from, to), spread: spread.slice(from, to) }));
    return results.flatMap((r) => r.modes!);
  }
}

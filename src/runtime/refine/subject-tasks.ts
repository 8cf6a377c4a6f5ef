// The per-subject work of SAEM (kernel sweeps, re-solves, the Newton step's sensitivities, importance sampling,
// conditional modes, Louis' samples) as plain-data tasks over a range of subjects, so that this thread and worker
// threads run the very same code. Every random draw comes from the subject's own stream (seed, phase, iteration,
// subject), and whatever is summed over subjects is summed by the caller in subject order: the numbers do not
// depend on how the subjects are split over threads.
import { streamRng } from "../numeric/random.js";
import type { KernelCounts, SubjectChain, WalkScales } from "./chain.js";
import type { ChainRunner, FixedContribution, LouisSample, Proposal, SubjectLogLik, SweepStream } from "./chain-runner.js";
import { Louis } from "./fisher.js";
import { fixedContribution } from "./fixed-step.js";
import { subjectLogLik } from "./importance.js";
import type { Layout } from "./layout.js";
import { STREAM } from "./streams.js";
import { subjectMode } from "./modes.js";
import { factorise, type Population, type PopulationFactors } from "./population.js";


export type Task =
  | { op: "refresh"; pop: Population }
  | {
      op: "sweep";
      pop: Population;
      factors: PopulationFactors;
      kernels: KernelCounts;
      scales: { component: Float64Array; joint: number };
      seed: number;
      phase: number;
      iteration: number;
      /** Also each subject's Louis sample at its new state (the posterior phase). */
      louis: boolean;
    }
  /** Per subject of the range: `cached` sensitivities to its random effects, or null to compute them. */
  | { op: "fixed"; pop: Population; omegaInverse: Float64Array; h: Float64Array; cached: (Float64Array[] | null)[] }
  | { op: "importance"; pop: Population; mean: Float64Array[]; covariance: Float64Array[]; samples: number; seed: number }
  | { op: "modes"; pop: Population; start: Float64Array[]; spread: Float64Array[] };

/** Per-subject outputs are in range order. */
export interface TaskResult {
  counts?: { accepted: Float64Array; tried: Float64Array; jointAccepted: number; jointTried: number };
  louis?: (LouisSample | null)[];
  fixed?: (FixedContribution | null)[];
  logLik?: SubjectLogLik[];
  modes?: Float64Array[];
}

/** Runs `task` on subjects [from, to) of `chains` (per-subject inputs of the task are indexed from `from`). */
export function perform(layout: Layout, chains: SubjectChain[], from: number, to: number, task: Task): TaskResult {
  const range = chains.slice(from, to);
  switch (task.op) {
    case "refresh":
      for (const ch of range) ch.refresh(task.pop);
      return {};
    case "sweep": {
      const nR = layout.random.length;
      const scales: WalkScales = {
        component: task.scales.component,
        joint: task.scales.joint,
        accepted: new Float64Array(nR),
        tried: new Float64Array(nR),
        jointAccepted: 0,
        jointTried: 0,
      };
      const louis = task.louis ? new Louis(layout, task.pop, 0) : null;
      const samples: (LouisSample | null)[] = [];
      range.forEach((ch, k) => {
        ch.sweep(task.pop, task.factors, task.kernels, scales, streamRng(task.seed, task.phase, task.iteration, from + k));
        if (louis) samples.push(louis.sample(ch));
      });
      const counts = { accepted: scales.accepted, tried: scales.tried, jointAccepted: scales.jointAccepted, jointTried: scales.jointTried };
      return louis ? { counts, louis: samples } : { counts };
    }
    case "fixed":
      return { fixed: range.map((ch, k) => fixedContribution(layout, ch, task.pop, task.omegaInverse, task.h, task.cached[k]!)) };
    case "importance":
      return {
        logLik: range.map((ch, k) => subjectLogLik(layout, ch, task.pop, task.mean[k]!, task.covariance[k]!, task.samples, streamRng(task.seed, STREAM.importance, 0, from + k))),
      };
    case "modes": {
      const factors = factorise(task.pop, layout.random.length);
      return { modes: range.map((ch, k) => subjectMode(layout, ch, task.pop, factors, task.start[k]!, task.spread[k]!)) };
    }
  }
}

/** Adds a sweep's acceptance counts to the shared scales (integers: the order of the sums does not matter). */
export function addCounts(scales: WalkScales, counts: NonNullable<TaskResult["counts"]>): void {
  for (let r = 0; r < scales.accepted.length; r++) {
    scales.accepted[r]! += counts.accepted[r]!;
    scales.tried[r]! += counts.tried[r]!;
  }
  scales.jointAccepted += counts.jointAccepted;
  scales.jointTried += counts.jointTried;
}

/** Everything in this thread, synchronously. */
export class LocalRunner implements ChainRunner {
  constructor(
    private readonly layout: Layout,
    private readonly chains: SubjectChain[],
  ) {}

  private run(task: Task): TaskResult {
    return perform(this.layout, this.chains, 0, this.chains.length, task);
  }

  refresh(pop: Population): void {
    this.run({ op: "refresh", pop });
  }

  sweep(pop: Population, factors: PopulationFactors, kernels: KernelCounts, scales: WalkScales, stream: SweepStream, louis = false): (LouisSample | null)[] {
    const r = this.run({ op: "sweep", pop, factors, kernels, scales: { component: scales.component, joint: scales.joint }, ...stream, louis });
    addCounts(scales, r.counts!);
    return r.louis ?? [];
  }

  fixed(pop: Population, omegaInverse: Float64Array, h: Float64Array, cached: (Float64Array[] | null)[]): (FixedContribution | null)[] {
    return this.run({ op: "fixed", pop, omegaInverse, h, cached }).fixed!;
  }

  importance(pop: Population, proposal: Proposal, samples: number, seed: number): SubjectLogLik[] {
    return this.run({ op: "importance", pop, mean: proposal.mean, covariance: proposal.covariance, samples, seed }).logLik!;
  }

  modes(pop: Population, start: Float64Array[], spread: Float64Array[]): Float64Array[] {
    return this.run({ op: "modes", pop, start, spread }).modes!;
  }
}

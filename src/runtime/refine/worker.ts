// A worker thread of the refinement (piscina): it builds every subject's chain once from the pool's data (the
// compiled model's module, the layout, the subjects), then runs tasks on ranges of them, the states coming with
// each task (chain-states.ts).
import { workerData } from "piscina";
import type { Subject } from "../data/dataset.js";
import { importModel } from "../threads/model-module.js";
import { SubjectChain } from "./chain.js";
import { packStates, unpackStates, type ChainStates } from "./chain-states.js";
import type { Layout } from "./layout.js";
import { SubjectPredictor } from "./predict.js";
import { perform, type Task, type TaskResult } from "./subject-tasks.js";

export interface RefineWorkerData {
  /** URL of the compiled model's module (it exports `model`). */
  modelModule: string;
  layout: Layout;
  subjects: Subject[];
  covariates: Float64Array[];
}

export interface WorkerTask {
  task: Task;
  from: number;
  to: number;
  states: ChainStates;
}

export interface WorkerReply {
  result: TaskResult;
  states: ChainStates;
}

const data = workerData as RefineWorkerData;
let chains: SubjectChain[] | undefined;

/** At the first task, not at the top level (threads/model-module.ts says why). */
async function start(): Promise<SubjectChain[]> {
  const model = await importModel(data.modelModule);
  return data.subjects.map((s, i) => new SubjectChain(new SubjectPredictor(model, data.layout, s), data.layout, data.covariates[i]));
}

export default async function run({ task, from, to, states }: WorkerTask): Promise<WorkerReply> {
  chains ??= await start();
  unpackStates(chains, from, to, states, false);
  for (let i = from; i < to; i++) chains[i]!.predictor.solves = 0;
  const result = perform(data.layout, chains, from, to, task);
  return { result, states: packStates(chains, from, to) };
}

// A worker thread of the refinement (piscina): it builds every subject's chain once from the pool's data (the
// compiled model's module, the layout, the subjects), then runs tasks on ranges of them, the states coming with
// each task (chain-states.ts).
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { workerData } from "piscina";
import type { Subject } from "../data/dataset.js";
import type { CompiledModel } from "../model.js";
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

/**
 * The model's module is loaded at the first task, not at the top level: from the sources, tsx's loader reaches a
 * worker thread only through `require` (Node 20), which cannot load a module that awaits at its top level; a
 * TypeScript module is therefore required, a JavaScript one imported.
 */
async function start(): Promise<SubjectChain[]> {
  const url = data.modelModule;
  const mod = url.endsWith(".ts") ? (createRequire(import.meta.url)(fileURLToPath(url)) as { model: CompiledModel }) : ((await import(url)) as { model: CompiledModel });
  return data.subjects.map((s, i) => new SubjectChain(new SubjectPredictor(mod.model, data.layout, s), data.layout, data.covariates[i]));
}

export default async function run({ task, from, to, states }: WorkerTask): Promise<WorkerReply> {
  chains ??= await start();
  unpackStates(chains, from, to, states, false);
  for (let i = from; i < to; i++) chains[i]!.predictor.solves = 0;
  const result = perform(data.layout, chains, from, to, task);
  return { result, states: packStates(chains, from, to) };
}

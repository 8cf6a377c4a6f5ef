// A worker thread of the dense fit (piscina): the per-subject stage (subject-stage.ts) of the subjects it is handed,
// packed both ways (stage-transfer.ts).
import { move, workerData } from "piscina";
import type { CompiledModel } from "../model.js";
import { WeakFormWorkspace } from "../rows/weak-form.js";
import { importModel } from "../threads/model-module.js";
import { packStages, unpackSubjects, type PackedSubjects } from "./stage-transfer.js";
import { subjectStage, type StageSettings } from "./subject-stage.js";

export interface StageWorkerData {
  modelModule: string;
  /** Without functions (the progress callback stays in the main thread). */
  settings: StageSettings;
}

export interface StageTask {
  subjects: PackedSubjects;
  /** Index of the first subject in the data set. */
  offset: number;
}

const data = workerData as StageWorkerData;
let ctx: { model: CompiledModel; ws: WeakFormWorkspace } | undefined;

/**
 * The chunk's stages, packed; a subject with integral rows keeps its smoothed curves (with methods, which do not
 * cross threads) and is marked to be done again in the main thread.
 */
export default async function run({ subjects, offset }: StageTask): Promise<unknown> {
  if (!ctx) {
    const model = await importModel(data.modelModule);
    ctx = { model, ws: new WeakFormWorkspace(model) };
  }
  const { model, ws } = ctx;
  const stages = unpackSubjects(subjects).map((s, k) => subjectStage(model, data.settings, ws, s, offset + k));
  return move(packStages(stages, { d: model.nStates, p: model.nParams, outputs: model.meta.observations.length }));
}

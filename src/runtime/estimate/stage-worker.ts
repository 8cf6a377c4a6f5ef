// A worker thread of the dense fit (piscina): the per-subject stage (subject-stage.ts) of the subjects it is handed.
import { workerData } from "piscina";
import type { Subject } from "../data/dataset.js";
import type { CompiledModel } from "../model.js";
import { WeakFormWorkspace } from "../rows/weak-form.js";
import { importModel } from "../threads/model-module.js";
import { subjectStage, type StageSettings, type SubjectStage } from "./subject-stage.js";

export interface StageWorkerData {
  modelModule: string;
  /** Without functions (the progress callback stays in the main thread). */
  settings: StageSettings;
}

export interface StageTask {
  subjects: Subject[];
  /** Index of the first subject in the data set. */
  offset: number;
}

const data = workerData as StageWorkerData;
let ctx: { model: CompiledModel; ws: WeakFormWorkspace } | undefined;

/**
 * Per subject, its stage, or null for a subject with integral rows: those keep their smoothed curves (with
 * methods, which do not cross threads) and are done again in the main thread.
 */
export default async function run({ subjects, offset }: StageTask): Promise<(SubjectStage | null)[]> {
  if (!ctx) {
    const model = await importModel(data.modelModule);
    ctx = { model, ws: new WeakFormWorkspace(model) };
  }
  const { model, ws } = ctx;
  return subjects.map((s, k) => {
    const stage = subjectStage(model, data.settings, ws, s, offset + k);
    return stage.kept?.form === "integral" || stage.curves ? null : stage;
  });
}

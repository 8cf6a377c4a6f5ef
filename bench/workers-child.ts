// Worker side of `bench/workers.ts`: the per-subject work of a dense fit
// (smoothing, weak-form assembly, Gram sums) on the subjects it is handed.
import { parentPort, workerData } from "node:worker_threads";
import { perSubjectWork } from "./subject-work.js";
import type { Subject } from "../src/runtime/data/dataset.js";

const { subjects, offset } = workerData as { subjects: Subject[]; offset: number };
parentPort!.postMessage(perSubjectWork(subjects, offset));

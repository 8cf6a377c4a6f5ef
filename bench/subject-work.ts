// The per-subject work of a dense Lotka-Volterra fit, for `bench/workers.ts`
// (in its own thread) and `bench/workers-child.ts` (in a worker).
import { model } from "../generated/lotka_volterra.js";
import { newNoise, smoothState } from "../src/runtime/rows/curves.js";
import { assembleSubject, WeakFormWorkspace } from "../src/runtime/rows/weak-form.js";
import { gramSums } from "../src/runtime/population/subject-rows.js";
import type { Subject } from "../src/runtime/data/dataset.js";

/** The per-subject work; returns a checksum (the y'y of every state's rows) so that nothing is optimised away. */
export function perSubjectWork(subjects: Subject[], offset: number): number {
  const ws = new WeakFormWorkspace(model);
  const noise = newNoise(model);
  const unit = new Float64Array(model.nStates).fill(1);
  let checksum = 0;
  subjects.forEach((s, i) => {
    const curves = Array.from({ length: model.nStates }, (_, k) => smoothState(model, s, k, [], { undersmooth: 0.1 }, true, noise).pieces);
    const sys = assembleSubject(ws, s, offset + i, curves, unit);
    if (sys) for (let k = 0; k < model.nStates; k++) checksum += gramSums(sys, { labels: sys.rowState, label: k }).yty;
  });
  return checksum;
}

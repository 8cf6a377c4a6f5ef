// The per-subject stage of the dense fit: smooth the subject's outputs (unless the shared smoother did), choose
// its row form, assemble its rows and reduce them to per-state Gram sums. Subjects are independent here, so the
// stage may run in worker threads (fit-async.ts): each subject pools its smoothing residuals into its own
// accumulator, added to the population's in subject order, so the numbers do not depend on where it ran.
import type { Subject } from "../data/dataset.js";
import type { CompiledModel } from "../model.js";
import { gramSums, profileNuisance } from "../population/subject-rows.js";
import { NOISE_KEYS, newNoise, smoothState, type OutputNoise } from "../rows/curves.js";
import { chooseRowForm, integralRows, rowsOfState } from "../rows/integral-rows.js";
import type { SmoothOptions } from "../rows/smooth.js";
import { assembleStats, assembleSubject, jumpTimes, WeakFormWorkspace, type CurvePiece, type SubjectSystem } from "../rows/weak-form.js";
import type { DenseSubject } from "./log-scale.js";
import type { FitOptions } from "./options.js";

/** What the stage of every subject shares. */
export interface StageSettings {
  options: FitOptions;
  smoothing: SmoothOptions;
  weighted: boolean;
  /** Re-weighting needs each subject's rows and curves again (and test-function rows). */
  keep: boolean;
}

export interface SubjectStage {
  /** Absent: the subject had too few observations for any row. */
  kept?: DenseSubject;
  /** With `keep`: the rows and the curves. */
  system?: SubjectSystem;
  curves?: CurvePiece[][];
  /** The subject's own smoothing residuals, pooled. */
  noise: OutputNoise[];
  censoredDropped: number;
}

/** A subject's stage; `shared`, per state, the curves of every subject from the shared smoother. */
export function subjectStage(model: CompiledModel, settings: StageSettings, ws: WeakFormWorkspace, subject: Subject, index: number, shared?: Map<number, CurvePiece[][]>): SubjectStage {
  const { options, smoothing, weighted, keep } = settings;
  const d = model.nStates;
  const noise = newNoise(model);
  let censoredDropped = 0;
  const perState: CurvePiece[][] = [];
  for (let k = 0; k < d; k++) {
    const own = shared?.get(k);
    if (own) {
      perState.push(own[index]!);
      continue;
    }
    const smoothed = smoothState(model, subject, k, jumpTimes(model, subject, k), smoothing, weighted, noise);
    censoredDropped += smoothed.censoredDropped;
    perState.push(smoothed.pieces);
  }
  // Sparse subjects get integral rows (see chooseRowForm); re-weighting works on test-function rows only.
  const form = keep ? "weak" : options.rowForm === "weak" || options.rowForm === "integral" ? options.rowForm : chooseRowForm(perState, options.tests);
  const integral = form === "integral" ? integralRows(model, subject, perState, { curve: options.integralCurve }) : null;
  if (integral) {
    const byState = Array.from({ length: d }, (_, k) => rowsOfState(integral, k, model.nParams));
    const kept: DenseSubject = { id: subject.id, index, form: "integral", byState, curves: perState, perState: byState.map((b) => gramSums(profileNuisance(b.rows, b.nuisance))) };
    return { kept, noise, censoredDropped };
  }
  if (!keep) {
    // Without re-weighting only the Gram sums are kept: they are summed as the rows are made.
    const perStateStats = assembleStats(ws, subject, perState, { tests: options.tests });
    return perStateStats ? { kept: { id: subject.id, index, form: "weak", perState: perStateStats }, noise, censoredDropped } : { noise, censoredDropped };
  }
  const sys = assembleSubject(ws, subject, index, perState, new Float64Array(d).fill(1), { tests: options.tests });
  if (!sys) return { noise, censoredDropped };
  const kept: DenseSubject = { id: subject.id, index, form: "weak", perState: Array.from({ length: d }, (_, k) => gramSums(sys, { labels: sys.rowState, label: k })) };
  return { kept, system: sys, curves: perState, noise, censoredDropped };
}

/** Adds a subject's pooled residuals to the population's (each sum apart, so their order does not matter). */
export function addNoise(into: OutputNoise[], from: OutputNoise[]): void {
  for (let o = 0; o < into.length; o++) {
    const acc = into[o]!;
    const s = from[o]!;
    for (const key of NOISE_KEYS) acc[key] += s[key];
  }
}

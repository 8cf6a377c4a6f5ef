// Model-first forms of the runtime functions, so that a generated module can
// bind its own model as the first argument (`estimate(data)`, `exportMonolix(fit)`).
import type { CompiledModel } from "./model.js";
import type { Dataset } from "./data/dataset.js";
import type { FitResult } from "./fit-result.js";
import { loadData, type LoadOptions } from "./data/load-data.js";
import { exportFiles } from "./export/project.js";
import { fit, type FitOptions } from "./estimate/fit.js";
import { fitAsync, type AsyncFitOptions } from "./estimate/fit-async.js";
import { fitSparse, type SparseOptions } from "./sparse/fit-sparse.js";
import type { ExportOptions } from "./export/plan.js";
import { checkFit, type QualityOptions } from "./quality/check-fit.js";

/** Parse a long NLME CSV for this model. */
export function loadDataFor(model: CompiledModel, text: string, file: string, options?: LoadOptions): Dataset {
  return loadData(text, file, model.meta, options);
}

/** Every file of the Monolix project, the nlmixr2 script and fit.json, keyed by relative path. */
export function exportModel(model: CompiledModel, fit: FitResult, data?: Dataset, options?: ExportOptions): Record<string, string> {
  return exportFiles(model.meta, fit, data, options);
}

/**
 * Fit a model: the sparse estimator when the spec declares a penalty (dictionary
 * models), the dense weak-form mixed model otherwise. Every fit then passes
 * the quality check (`fit.quality`): its individual predictions against its
 * data, signs and search bounds.
 */
export function estimate(model: CompiledModel, data: Dataset, options: FitOptions & SparseOptions & { quality?: QualityOptions } = {}): FitResult {
  return checked(model, data, options, model.meta.penalty ? fitSparse(model, data, options) : fit(model, data, options));
}

/**
 * `estimate` with the dense fit's per-subject stage in worker threads when the population is large enough to pay
 * (`workers`, `modelModule`: estimate/fit-async.ts); the same result as `estimate`.
 */
export async function estimateAsync(model: CompiledModel, data: Dataset, options: AsyncFitOptions & SparseOptions & { quality?: QualityOptions } = {}): Promise<FitResult> {
  return checked(model, data, options, model.meta.penalty ? fitSparse(model, data, options) : await fitAsync(model, data, options));
}

function checked(model: CompiledModel, data: Dataset, options: { quality?: QualityOptions }, result: FitResult): FitResult {
  // Only the dense path adds covariate effects to its population step so far: say so rather than drop them silently.
  const declared = model.meta.parameters.flatMap((p) => (p.covariateEffects ?? []).map((e) => e.name));
  if (declared.length > 0 && result.covariateEffects === undefined)
    result.notes.push(
      `The covariate effects of the spec (${declared.join(", ")}) are not estimated on this estimator's path yet (models with latent states or a penalty): the fit is made without them, and the exports start them at 0.`,
    );
  result.quality = checkFit(model, data, result, options.quality);
  return result;
}

// The runtime's one entry point: everything a generated module (or a user's
// script using one) needs, and nothing from the compiler.
export type * from "./model.js";
export type * from "./data/dataset.js";
export type * from "./fit-result.js";
export { DataError } from "./data/dataset.js";
export { UnsupportedModelError } from "./estimate/unsupported.js";
export { fit, type FitOptions } from "./estimate/fit.js";
export { loadData } from "./data/load-data.js";
export { simulateSubject } from "./simulate/simulate.js";
export { simulateDataset } from "./simulate/simulate-data.js";
export { exportFiles, writeExport } from "./export/project.js";
export { fitSparse, type SparseOptions } from "./sparse/fit-sparse.js";
export { loadDataFor, exportModel, estimate, estimateAsync } from "./model-entry.js";
export { fitAsync, type AsyncFitOptions } from "./estimate/fit-async.js";
export { refine, type RefineOptions } from "./refine/refine.js";
export { refineAsync, type AsyncRefineOptions } from "./refine/refine-async.js";

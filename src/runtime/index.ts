// The runtime's one entry point: everything a generated module (or a user's
// script using one) needs, and nothing from the compiler.
export type * from "./model.js";
export type * from "./dataset.js";
export type * from "./fit-result.js";
export { DataError } from "./dataset.js";
export { fit, type FitOptions } from "./estimate.js";
export { loadData } from "./load-data.js";
export { simulateSubject } from "./simulate.js";
export { simulateDataset } from "./simulate-data.js";
export { exportFiles, writeExport } from "./export-project.js";
export { fitSparse, type SparseOptions } from "./sparse/fit-sparse.js";
export { loadDataFor, exportModel, estimate } from "./model-entry.js";
export type * from "./refine/result.js";
export { refine, type RefineOptions } from "./refine/refine.js";

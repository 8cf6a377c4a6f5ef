// The runtime's one entry point: everything a generated module (or a user's
// script using one) needs, and nothing from the compiler.
export type * from "./model.js";
export type * from "./dataset.js";
export type * from "./fit-result.js";

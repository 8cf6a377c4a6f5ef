// Stands in for the runtime entry point when testing `entryPoints`: the same
// types as the real one, plus two functions that report how they were called.
import type { CompiledModel } from "../../../src/runtime/model.js";

export type * from "../../../src/runtime/model.js";

export function fit(model: CompiledModel, data: string, options: { seed: number }): { fn: string; model: string; args: unknown[] } {
  return { fn: "fit", model: model.meta.name, args: [data, options] };
}

export function simulate(model: CompiledModel, subjects: number): { fn: string; model: string; args: unknown[] } {
  return { fn: "simulate", model: model.meta.name, args: [subjects] };
}

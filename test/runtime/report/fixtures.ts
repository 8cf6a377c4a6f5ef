// Shared inputs of the report tests: bundled data sets, the committed generated
// models, and FitResults built from the truth files (so that report checks do
// not depend on the estimator's accuracy).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Dataset } from "../../../src/runtime/data/dataset.js";
import type { FitResult } from "../../../src/runtime/fit-result.js";
import { loadData } from "../../../src/runtime/data/load-data.js";
import type { CompiledModel } from "../../../src/runtime/model.js";

export const DATA_DIR = join(import.meta.dirname, "../../../data");

export function dataset(model: CompiledModel, file: string): Dataset {
  const path = join(DATA_DIR, file);
  return loadData(readFileSync(path, "utf8"), `data/${file}`, model.meta);
}

interface Truth {
  theta: Record<string, number>;
  omega_sd: Record<string, number>;
  individual: Record<string, Record<string, number>>;
}

export function truth(file: string): Truth {
  return JSON.parse(readFileSync(join(DATA_DIR, file), "utf8")) as Truth;
}

/** Truth keys name dictionary terms as `d_g3/dt:g1*g7`; other parameters by name. */
function parameterOf(model: CompiledModel, key: string): string | undefined {
  const m = /^d_(.+)\/dt:(.+)$/.exec(key);
  if (!m) return model.meta.parameters.some((p) => p.name === key) ? key : undefined;
  const state = model.meta.states.findIndex((s) => s.name === m[1]);
  return model.meta.parameters.find((p) => p.dictionaryTerm?.state === state && p.dictionaryTerm.term === m[2])?.name;
}

/** A FitResult whose estimates are the truth file's values (what a perfect estimator would report). */
export function truthFit(model: CompiledModel, truthFile: string, overrides: Partial<FitResult> = {}): FitResult {
  const t = truth(truthFile);
  const parameters: FitResult["parameters"] = {};
  const terms: NonNullable<FitResult["terms"]> = [];
  for (const [key, value] of Object.entries(t.theta)) {
    const name = parameterOf(model, key);
    if (!name) throw new Error(`truth key ${key} names no parameter of ${model.meta.name}`);
    const omega = t.omega_sd[key] ?? null;
    parameters[name] = { estimate: value, se: null, omega };
    const m = /^(d_.+\/dt):(.+)$/.exec(key);
    if (m) terms.push({ equation: m[1]!, term: m[2]!, estimate: value, omega, stability: 1 });
  }
  const individual: FitResult["individual"] = {};
  for (const [id, row] of Object.entries(t.individual)) {
    const out: Record<string, number> = {};
    for (const [key, value] of Object.entries(row)) {
      const name = parameterOf(model, key);
      if (name) out[name] = value;
    }
    individual[id] = out;
  }
  const dictionary = model.meta.dictionaries.length > 0;
  return {
    model: model.meta.name,
    subjects: Object.keys(individual).length,
    seconds: 0.5,
    parameters,
    omegaCorrelation: {},
    residual: {},
    individual,
    derived: {},
    omega: { names: [], matrix: [] },
    unidentifiable: [],
    notes: [],
    ...(dictionary ? { terms } : {}),
    settings: { estimator: "truth (test fixture)" },
    ...overrides,
  };
}

// Test-local specs for the quality check, compiled through the CLI's loader.
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadModel } from "../../../src/cli/load-model.js";
import type { CompiledModel } from "../../../src/runtime/model.js";

/** The tree-growth model of issue 12 (`d/dt H = kA - k * H`), as a user wrote it for growth_sparse.csv. */
export const GROWTH = `model growth
time t in years

states {
  H  "height"
}

parameters {
  kA ~ random
  k  ~ random
}

dynamics {
  d/dt H = kA - k * H
}

observe {
  height = H  ~ proportional
}
`;

/** A deliberately wrong model for the logistic data: linear decay where the data grow and saturate. */
export const LINEAR_DECAY = `model decay
time age in days

states {
  C  "trunk circumference, mm"
}

parameters {
  k ~ random
}

dynamics {
  d/dt C = - k * C
}

observe {
  circumference = C  ~ proportional
}
`;

export async function compileSpec(name: string, text: string): Promise<CompiledModel> {
  const dir = join(tmpdir(), "weakform-nlme-quality-tests");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.nlme`);
  writeFileSync(path, text);
  return (await loadModel(path)).model;
}

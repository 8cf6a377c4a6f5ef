// A seeded simulated network and its compiled model, for the tests.
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadModel } from "../../../src/cli/load-model.js";
import type { CompiledModel } from "../../../src/runtime/model.js";
import { simulateNetwork, type NetworkSpec, type SimulatedNetwork } from "../../../src/runtime/sparse/simulate-network.js";

export async function simulatedNetwork(spec: NetworkSpec): Promise<SimulatedNetwork & { model: CompiledModel }> {
  const sim = simulateNetwork(spec);
  const dir = join(tmpdir(), "weakform-nlme-sparse-tests");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `network_${spec.genes}.nlme`);
  writeFileSync(path, sim.spec);
  const { model } = await loadModel(path);
  return { ...sim, model };
}

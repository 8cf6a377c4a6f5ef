// The repository's specs through the real front end.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { analyse } from "../../../src/front-end.js";
import type { ModelIr } from "../../../src/ir/model.js";

export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
export const SPEC_FILES = readdirSync(`${REPO}specs`)
  .filter((f) => f.endsWith(".nlme"))
  .sort()
  .map((f) => `specs/${f}`);

/** Specs outside specs/ that must compile too: the real-data examples and the pharmacokinetic check models. */
export const EXTRA_SPEC_FILES = [
  ...readdirSync(`${REPO}examples`).filter((f) => f.endsWith(".nlme")).sort().map((f) => `examples/${f}`),
  ...readdirSync(`${REPO}test/check/pk-models`).filter((f) => f.endsWith(".nlme")).sort().map((f) => `test/check/pk-models/${f}`),
];

export function specIr(file: string): ModelIr {
  const result = analyse(readFileSync(`${REPO}${file}`, "utf8"), file);
  if (!result.ir) throw new Error(`${file} does not analyse clean: ${result.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`);
  return result.ir;
}

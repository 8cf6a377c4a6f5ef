// Puts a whole export on disk: the Monolix project, the nlmixr2 script and
// fit.json. Nothing is half-written: every file goes to a temporary name
// beside its target first, and only when all of them are written are they
// renamed into place (a rename within a directory is atomic on POSIX).
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Dataset } from "../data/dataset.js";
import type { FitResult } from "../fit-result.js";
import type { ModelMeta } from "../model.js";
import type { ExportOptions } from "./plan.js";
import { exportMonolix } from "./monolix.js";
import { renderNlmixr2 } from "./nlmixr2.js";
import { qualityWarningComment } from "../quality/export-warning.js";
import { REFINED_BANNER, refinedAsFirstGuess } from "../refine/as-first-guess.js";

export type ExportTarget = "monolix" | "nlmixr2";

/** Every file of an export, keyed by path relative to the output directory. */
export function exportFiles(
  meta: ModelMeta,
  fit: FitResult,
  data?: Dataset,
  options: ExportOptions & { targets?: ExportTarget[] } = {},
): Record<string, string> {
  const targets = options.targets ?? ["monolix", "nlmixr2"];
  // A refined fit exports its SAEM estimates as initial values, and every file says so at the top.
  const start = refinedAsFirstGuess(fit);
  const initialStates = fit.refined ? { ...start.initialStates, ...options.initialStates } : options.initialStates;
  // SAEM's initial states hold at its own t0 (time 0 when covariates act on them): the exports start there.
  const t0 = options.t0 ?? (fit.refined && Object.keys(start.initialStates).length > 0 ? fit.refined.t0 : undefined);
  const { files, plan } = exportMonolix(meta, start.fit, data, { ...options, ...(initialStates ? { initialStates } : {}), ...(t0 !== undefined ? { t0 } : {}) });
  const out: Record<string, string> = {};
  if (targets.includes("monolix")) Object.assign(out, files);
  if (targets.includes("nlmixr2")) out["nlmixr2/model.R"] = renderNlmixr2(plan);
  if (fit.refined) {
    if (out["monolix/model.txt"]) out["monolix/model.txt"] = out["monolix/model.txt"].replace("initial values in project.mlxtran are weak-form first guesses", REFINED_BANNER);
    if (out["monolix/project.mlxtran"]) out["monolix/project.mlxtran"] = `; ${REFINED_BANNER}\n${out["monolix/project.mlxtran"]}`;
    if (out["nlmixr2/model.R"]) out["nlmixr2/model.R"] = `# ${REFINED_BANNER}\n${out["nlmixr2/model.R"]}`;
  }
  // A fit whose quality check warns says so at the top of the files a modeller opens.
  for (const [rel, marker] of [["monolix/project.mlxtran", ";"], ["monolix/model.txt", ";"], ["nlmixr2/model.R", "#"]] as const) {
    const header = qualityWarningComment(fit, marker);
    if (header && out[rel] !== undefined) out[rel] = header + out[rel];
  }
  out["fit.json"] = JSON.stringify(fit, null, 2) + "\n";
  return out;
}

/** Writes `files` under `dir`; on any failure removes what it wrote and rethrows. */
export function writeExport(dir: string, files: Record<string, string>): string[] {
  const tag = `.tmp-${process.pid}-${Math.floor(Math.random() * 1e9).toString(36)}`;
  const staged: { tmp: string; target: string }[] = [];
  try {
    for (const [rel, text] of Object.entries(files)) {
      if (rel.startsWith("/") || rel.split(/[\\/]/).includes(".."))
        throw new Error(`export path ${rel} leaves the output directory`);
      const target = join(dir, rel);
      mkdirSync(dirname(target), { recursive: true });
      const tmp = target + tag;
      staged.push({ tmp, target });
      writeFileSync(tmp, text);
    }
  } catch (e) {
    for (const s of staged) rmSync(s.tmp, { force: true });
    throw e;
  }
  for (const s of staged) renameSync(s.tmp, s.target);
  return staged.map((s) => s.target);
}

import { resolve } from "node:path";
import type { Command } from "commander";
import { io } from "../io.js";
import type { FitResult } from "../../runtime/fit-result.js";
import type { Dataset } from "../../runtime/data/dataset.js";
import type { CompiledModel } from "../../runtime/model.js";
import { progressBar } from "../progress.js";
import { InputError, UsageError } from "../exit.js";
import { checkOutputDir, writeOutputDir } from "../output.js";
import { readDataFile } from "../read-data.js";
import { checkDataScale, dataWarnings } from "../data-warnings.js";

export interface FitCommandOptions {
  data: string;
  out?: string;
  json?: boolean;
  columns?: string;
  reweight?: boolean;
  report?: boolean;
  strict?: boolean;
  refine?: boolean;
  seed?: string;
  workers?: string;
}

/** The roles a data column can play, each read from the column of its own name unless remapped. */
const ROLES = ["ID", "TIME", "DV", "OBSID", "AMT", "EVID", "MDV", "CENS", "LIMIT", "YTYPE", "DVID", "ADM", "CMT"];

/** `--columns TIME=time,DV=conc` -> { TIME: "time", DV: "conc" } */
export function parseColumns(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const out: Record<string, string> = {};
  const help = "write it as OURS=THEIRS, e.g. --columns TIME=time,DV=conc";
  for (const pair of text.split(",")) {
    const parts = pair.split("=").map((s) => s.trim());
    const [ours, theirs] = parts;
    if (parts.length !== 2 || !ours || !theirs) throw new UsageError(`bad --columns entry '${pair.slice(0, 200)}'`, help);
    if (ours.toUpperCase() in out) throw new UsageError(`--columns names ${ours.toUpperCase()} twice`, help);
    out[ours.toUpperCase()] = theirs;
  }
  // Two roles read from one column would silently make, e.g., DV a copy of TIME.
  const seen = new Map<string, string>();
  for (const role of ROLES) if (!(role in out)) seen.set(role.toLowerCase(), role);
  for (const [ours, theirs] of Object.entries(out)) {
    const other = seen.get(theirs.toLowerCase());
    if (other) {
      const help = ROLES.includes(other) && !(other in out) ? `${theirs} is where ${other} is read by default: map ${other} to another column too, e.g. --columns ${ours}=${theirs},${other}=other_column` : "each column of the file plays one role";
      throw new UsageError(`--columns maps both ${other} and ${ours} to the column '${theirs}'`, help);
    }
    seen.set(theirs.toLowerCase(), ours);
  }
  return out;
}

export async function readData(path: string, model: CompiledModel, columns?: Record<string, string>): Promise<Dataset> {
  return readDataFile(path, model.meta, columns);
}

export interface FitRun {
  model: CompiledModel;
  data: Dataset;
  fit: FitResult;
  notes: string;
}

export async function runFit(spec: string, options: FitCommandOptions): Promise<FitRun> {
  parseWorkers(options.workers); // a bad --workers is found before the fit
  const { loadModel } = await import("../load-model.js");
  const { estimateAsync } = await import("../../runtime/model-entry.js");
  const loaded = await loadModel(spec);
  const meta = loaded.model.meta;
  // Both check clean (a model may be compiled for simulation only), but neither can be fitted.
  if (meta.observations.length === 0) {
    throw new InputError(`${spec} observes nothing: there is no output to fit the data to`, "add an `observe` section naming what the data's DV measures, e.g. `observe { y = C ~ proportional }`");
  }
  if (meta.dictionaries.length > 0 && !meta.penalty) {
    throw new InputError(
      `${spec} has a dictionary but no penalty: every term of it would be estimated with a random effect, which takes hours and selects nothing`,
      "add a penalty after the dynamics, e.g. `penalty lasso(W, lambda = cv)`",
    );
  }
  const data = await readData(options.data, loaded.model, parseColumns(options.columns));
  checkDataScale(data);
  const bar = progressBar("fitting");
  let result: FitResult;
  try {
    result = await estimateAsync(loaded.model, data, { reweight: options.reweight, onProgress: bar.update, workers: parseWorkers(options.workers), modelModule: loaded.moduleUrl });
  } finally {
    bar.stop();
  }
  result.settings = { ...result.settings, spec: resolve(spec), data: resolve(options.data) };
  // Kept apart from the estimator's notes: these are about the data as read, before any fitting.
  const warnings = dataWarnings(data);
  if (warnings.length > 0) result.dataWarnings = warnings;
  if (options.refine) result.refined = await runRefine(loaded.model, data, result, options.seed, { workers: options.workers, moduleUrl: loaded.moduleUrl });
  return { model: loaded.model, data, fit: result, notes: loaded.notes };
}

/** `--workers`: a count (0 or 1: this thread) or "auto"; the same numbers whatever it is. */
export function parseWorkers(text: string | undefined): number | "auto" {
  if (text === undefined || text === "auto") return "auto";
  const n = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n <= 256)) throw new UsageError(`bad --workers '${text.slice(0, 40)}'`, "give a number of threads (0 or 1: none), or auto, e.g. --workers 2");
  return n;
}

/** SAEM from the first guess (`--refine`, `nlme refine`); `moduleUrl` is the compiled model's module, for worker threads. */
export async function runRefine(model: CompiledModel, data: Dataset, fit: FitResult, seed: string | undefined, threads: { workers?: string; moduleUrl?: string } = {}): Promise<NonNullable<FitResult["refined"]>> {
  const { refineAsync } = await import("../../runtime/refine/refine-async.js");
  const { RefineError } = await import("../../runtime/refine/layout.js");
  const s = seed === undefined ? 1 : Number(seed);
  if (!Number.isInteger(s)) throw new UsageError(`bad --seed '${seed}'`, "give an integer, e.g. --seed 1");
  const workers = parseWorkers(threads.workers);
  const bar = progressBar("refining (SAEM)");
  try {
    return await refineAsync(model, data, fit, { seed: s, onProgress: bar.update, workers, ...(threads.moduleUrl ? { modelModule: threads.moduleUrl } : {}) });
  } catch (error) {
    if (error instanceof RefineError) throw new UsageError(`cannot refine ${model.meta.name}: ${error.message}`, "fit without --refine to get the first guess alone");
    throw error;
  } finally {
    bar.stop();
  }
}

export async function writeFitOutputs(run: FitRun, out: string, options: { report?: boolean; specPath?: string } = {}): Promise<string[]> {
  const { exportFiles } = await import("../../runtime/export/project.js");
  const files = exportFiles(run.model.meta, run.fit, run.data);
  if (options.report) {
    const { renderReport } = await import("../../runtime/report/report-html.js");
    files["report.html"] = renderReport(run.model, run.data, run.fit, { specPath: options.specPath });
  }
  return writeOutputDir(out, files);
}

export function registerFit(program: Command): void {
  program
    .command("fit")
    .description("fit a spec to data by the weak form; print the estimates, optionally write the Monolix/nlmixr2 exports")
    .argument("<spec>", ".nlme file")
    .requiredOption("--data <csv>", "long NLME data: ID, TIME, DV (+ OBSID, AMT, EVID, MDV, CENS, covariates)")
    .option("--out <dir>", "write fit.json, monolix/ and nlmixr2/ here")
    .option("--json", "print the fit as one JSON object on stdout")
    .option("--columns <map>", "rename columns, e.g. TIME=time,DV=conc")
    .option("--reweight", "WENDy-style iteratively re-weighted pass")
    .option("--report", "also write report.html (plots of the fit) in --out")
    .option("--refine", "then refine the first guess to the maximum-likelihood estimate by SAEM (solves the ODE)")
    .option("--seed <n>", "seed of the SAEM refinement (default 1)")
    .option("--workers <n>", "worker threads for the per-subject work: a number (0 or 1: none) or auto (default: the idle cores, when the data are large enough to pay); the numbers do not depend on it")
    .option("--strict", "exit with code 3 when the quality check warns that the fit does not describe the data")
    .addHelpText("after", "\nExample:\n  nlme fit specs/logistic.nlme --data data/orange.csv --out out/orange --report\n  nlme fit specs/lotka_volterra.nlme --data data/lotka_volterra.csv --json\n\nEvery fit is checked against its data (individual predictions, signs, search bounds): a summary follows the\ntable, warnings go to stderr, the JSON has a \"quality\" section.\n\nExit codes: 0 fitted, 1 spec or data errors, 2 misuse, 3 fitted with quality warnings (only with --strict).")
    .action(async (spec: string, options: FitCommandOptions) => {
      if (options.report && options.out === undefined) throw new UsageError("--report needs --out", "add --out DIR, e.g. --out out/fit");
      // A bad --out is found before the fit, not after minutes of it.
      if (options.out !== undefined) checkOutputDir(options.out);
      const { estimatesTable } = await import("../estimates-table.js");
      const { qualitySummary, qualityWarningText } = await import("../quality-summary.js");
      const run = await runFit(spec, options);
      const warnings = run.fit.dataWarnings ?? [];
      for (const w of warnings) io.err(`warning: ${w}\n`);
      if (options.json) io.out(`${JSON.stringify(run.fit)}\n`);
      else {
        if (run.notes) io.err(run.notes);
        io.out(estimatesTable(run.fit));
        if (run.fit.refined) io.out(`\n${(await import("../refined-table.js")).refinedTable(run.fit.refined)}`);
        io.out(qualitySummary(run.fit));
      }
      const qualityWarnings = qualityWarningText(run.fit);
      io.err(qualityWarnings);
      if (options.out !== undefined) {
        const written = await writeFitOutputs(run, options.out, { report: options.report, specPath: spec });
        if (!options.json) io.out(`\nwrote ${written.length} files under ${options.out}/\n`);
      }
      if (options.strict && qualityWarnings) {
        const { EXIT_QUALITY } = await import("../exit.js");
        io.exit(EXIT_QUALITY);
      }
    });
}

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { FitResult } from "../../runtime/fit-result.js";
import type { Dataset } from "../../runtime/data/dataset.js";
import type { CompiledModel } from "../../runtime/model.js";
import { progressBar } from "../progress.js";
import { UsageError } from "../exit.js";

export interface FitCommandOptions {
  data: string;
  out?: string;
  json?: boolean;
  columns?: string;
  reweight?: boolean;
  report?: boolean;
  strict?: boolean;
}

/** `--columns TIME=time,DV=conc` -> { TIME: "time", DV: "conc" } */
export function parseColumns(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const out: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const [ours, theirs] = pair.split("=").map((s) => s.trim());
    if (!ours || !theirs) throw new UsageError(`bad --columns entry '${pair}'`, "write it as OURS=THEIRS, e.g. --columns TIME=time,DV=conc");
    out[ours.toUpperCase()] = theirs;
  }
  return out;
}

export async function readData(path: string, model: CompiledModel, columns?: Record<string, string>): Promise<Dataset> {
  const { loadData } = await import("../../runtime/data/load-data.js");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new UsageError(`cannot read data file ${path}`, "give the path of a CSV file with ID, TIME, DV columns");
  }
  return loadData(text, path, model.meta, { columns });
}

export interface FitRun {
  model: CompiledModel;
  data: Dataset;
  fit: FitResult;
  notes: string;
}

export async function runFit(spec: string, options: FitCommandOptions): Promise<FitRun> {
  const { loadModel } = await import("../load-model.js");
  const { estimate } = await import("../../runtime/model-entry.js");
  const loaded = await loadModel(spec);
  const data = await readData(options.data, loaded.model, parseColumns(options.columns));
  const bar = progressBar("fitting");
  let result: FitResult;
  try {
    result = estimate(loaded.model, data, { reweight: options.reweight, onProgress: bar.update });
  } finally {
    bar.stop();
  }
  result.settings = { ...result.settings, spec: resolve(spec), data: resolve(options.data) };
  return { model: loaded.model, data, fit: result, notes: loaded.notes };
}

export async function writeFitOutputs(run: FitRun, out: string, options: { report?: boolean; specPath?: string } = {}): Promise<string[]> {
  const { exportFiles, writeExport } = await import("../../runtime/export/project.js");
  const files = exportFiles(run.model.meta, run.fit, run.data);
  if (options.report) {
    const { renderReport } = await import("../../runtime/report/report-html.js");
    files["report.html"] = renderReport(run.model, run.data, run.fit, { specPath: options.specPath });
  }
  return writeExport(out, files);
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
    .option("--strict", "exit with code 3 when the quality check warns that the fit does not describe the data")
    .addHelpText("after", "\nExample:\n  nlme fit specs/logistic.nlme --data data/orange.csv --out out/orange --report\n  nlme fit specs/lotka_volterra.nlme --data data/lotka_volterra.csv --json\n\nEvery fit is checked against its data (individual predictions, signs, search bounds): a summary follows the\ntable, warnings go to stderr, the JSON has a \"quality\" section.\n\nExit codes: 0 fitted, 1 spec or data errors, 2 misuse, 3 fitted with quality warnings (only with --strict).")
    .action(async (spec: string, options: FitCommandOptions) => {
      if (options.report && !options.out) throw new UsageError("--report needs --out", "add --out DIR, e.g. --out out/fit");
      const { estimatesTable } = await import("../estimates-table.js");
      const { qualitySummary, qualityWarningText } = await import("../quality-summary.js");
      const run = await runFit(spec, options);
      if (options.json) process.stdout.write(`${JSON.stringify(run.fit)}\n`);
      else {
        if (run.notes) process.stderr.write(run.notes);
        process.stdout.write(estimatesTable(run.fit));
        process.stdout.write(qualitySummary(run.fit));
      }
      const warnings = qualityWarningText(run.fit);
      process.stderr.write(warnings);
      if (options.out) {
        const written = await writeFitOutputs(run, options.out, { report: options.report, specPath: spec });
        if (!options.json) process.stdout.write(`\nwrote ${written.length} files under ${options.out}/\n`);
      }
      if (options.strict && warnings) {
        const { EXIT_QUALITY } = await import("../exit.js");
        process.exitCode = EXIT_QUALITY;
      }
    });
}

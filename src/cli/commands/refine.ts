import { resolve } from "node:path";
import type { Command } from "commander";
import type { FitResult } from "../../runtime/fit-result.js";
import { parseWorkers, readData, runRefine, writeFitOutputs } from "./fit.js";
import { UsageError } from "../exit.js";
import { parseFitJson } from "../fit-json.js";
import { io } from "../io.js";
import { checkOutputDir } from "../output.js";
import { readTextFile } from "../read-spec.js";

interface RefineCommandOptions {
  data?: string;
  spec?: string;
  seed?: string;
  workers?: string;
  out?: string;
  json?: boolean;
  report?: boolean;
}

export function registerRefine(program: Command): void {
  program
    .command("refine")
    .description("refine a saved first guess (fit.json) to the maximum-likelihood estimate by SAEM")
    .argument("<fit>", "fit.json written by `nlme fit --out`")
    .option("--data <csv>", "the data (default: the one recorded in fit.json)")
    .option("--spec <file>", "the spec (default: the one recorded in fit.json)")
    .option("--seed <n>", "seed (default 1)")
    .option("--workers <n>", "worker threads for the per-subject work: a number (0 or 1: none) or auto (default); the numbers do not depend on it")
    .option("--out <dir>", "write fit.json (with its `refined` section) and the exports, now starting from the refined values")
    .option("--json", "print the fit, with its `refined` section, as one JSON object on stdout")
    .option("--report", "also write report.html in --out")
    .addHelpText("after", "\nExample:\n  nlme refine out/orange/fit.json --data data/orange.csv --out out/orange")
    .action(async (fitPath: string, options: RefineCommandOptions) => {
      if (options.report && options.out === undefined) throw new UsageError("--report needs --out", "add --out DIR, e.g. --out out/fit");
      if (options.out !== undefined) checkOutputDir(options.out);
      parseWorkers(options.workers);
      const fit: FitResult = parseFitJson(readTextFile(fitPath, "fit.json", 200_000_000, "give the fit.json that `nlme fit --out DIR` wrote"), fitPath);
      const spec = options.spec ?? (fit.settings.spec as string | undefined);
      if (!spec) throw new UsageError(`${fitPath} does not say which spec it fits`, "pass --spec SPEC");
      const dataPath = options.data ?? (fit.settings.data as string | undefined);
      if (!dataPath) throw new UsageError(`${fitPath} does not say which data it fits`, "pass --data CSV");
      const { loadModel } = await import("../load-model.js");
      const loaded = await loadModel(spec);
      if (loaded.model.meta.name !== fit.model) throw new UsageError(`${fitPath} is a fit of '${fit.model.slice(0, 80)}', but ${spec} defines '${loaded.model.meta.name}'`, "pass the spec the fit was made with: --spec SPEC");
      const data = await readData(dataPath, loaded.model);
      fit.refined = await runRefine(loaded.model, data, fit, options.seed, { workers: options.workers, moduleUrl: loaded.moduleUrl });
      fit.settings = { ...fit.settings, spec: resolve(spec), data: resolve(dataPath) };
      if (options.json) io.out(`${JSON.stringify(fit)}\n`);
      else {
        const { estimatesTable } = await import("../estimates-table.js");
        const { refinedTable } = await import("../refined-table.js");
        io.out(`${estimatesTable(fit)}\n${refinedTable(fit.refined)}`);
      }
      if (options.out !== undefined) {
        const written = await writeFitOutputs({ model: loaded.model, data, fit, notes: "" }, options.out, { report: options.report, specPath: spec });
        if (!options.json) io.out(`\nwrote ${written.length} files under ${options.out}/\n`);
      }
    });
}

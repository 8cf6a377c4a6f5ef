import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { FitResult } from "../../runtime/fit-result.js";
import { readData, runRefine, writeFitOutputs } from "./fit.js";
import { UsageError } from "../exit.js";

interface RefineCommandOptions {
  data?: string;
  spec?: string;
  seed?: string;
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
    .option("--out <dir>", "write fit.json (with its `refined` section) and the exports, now starting from the refined values")
    .option("--json", "print the fit, with its `refined` section, as one JSON object on stdout")
    .option("--report", "also write report.html in --out")
    .addHelpText("after", "\nExample:\n  nlme refine out/orange/fit.json --data data/orange.csv --out out/orange")
    .action(async (fitPath: string, options: RefineCommandOptions) => {
      if (options.report && !options.out) throw new UsageError("--report needs --out", "add --out DIR, e.g. --out out/fit");
      let fit: FitResult;
      try {
        fit = JSON.parse(readFileSync(fitPath, "utf8")) as FitResult;
      } catch (error) {
        throw new UsageError(`cannot read ${fitPath}: ${(error as Error).message}`, "give the fit.json that `nlme fit --out DIR` wrote");
      }
      const spec = options.spec ?? (fit.settings?.spec as string | undefined);
      if (!spec) throw new UsageError(`${fitPath} does not say which spec it fits`, "pass --spec SPEC");
      const dataPath = options.data ?? (fit.settings?.data as string | undefined);
      if (!dataPath) throw new UsageError(`${fitPath} does not say which data it fits`, "pass --data CSV");
      const { loadModel } = await import("../load-model.js");
      const loaded = await loadModel(spec);
      if (loaded.model.meta.name !== fit.model) throw new UsageError(`${fitPath} is a fit of '${fit.model}', but ${spec} defines '${loaded.model.meta.name}'`, "pass the spec the fit was made with: --spec SPEC");
      const data = await readData(dataPath, loaded.model);
      fit.refined = await runRefine(loaded.model, data, fit, options.seed);
      fit.settings = { ...fit.settings, spec: resolve(spec), data: resolve(dataPath) };
      if (options.json) process.stdout.write(`${JSON.stringify(fit)}\n`);
      else {
        const { estimatesTable } = await import("../estimates-table.js");
        const { refinedTable } = await import("../refined-table.js");
        process.stdout.write(`${estimatesTable(fit)}\n${refinedTable(fit.refined)}`);
      }
      if (options.out) {
        const written = await writeFitOutputs({ model: loaded.model, data, fit, notes: "" }, options.out, { report: options.report, specPath: spec });
        if (!options.json) process.stdout.write(`\nwrote ${written.length} files under ${options.out}/\n`);
      }
    });
}

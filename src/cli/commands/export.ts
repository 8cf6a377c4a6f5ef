import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { FitResult } from "../../runtime/fit-result.js";
import { readData } from "./fit.js";
import { UsageError } from "../exit.js";

export function registerExport(program: Command): void {
  program
    .command("export")
    .description("write a Monolix project or an nlmixr2 script from a saved fit.json")
    .argument("<target>", "monolix or nlmixr2")
    .argument("<fit>", "fit.json written by `nlme fit --out`")
    .requiredOption("--out <dir>", "output directory")
    .option("--spec <file>", "the spec (default: the one recorded in fit.json)")
    .option("--data <csv>", "the data (default: the one recorded in fit.json)")
    .addHelpText("after", "\nExample:\n  nlme export monolix out/orange/fit.json --out out/orange-mlx")
    .action(async (target: string, fitPath: string, options: { out: string; spec?: string; data?: string }) => {
      if (target !== "monolix" && target !== "nlmixr2") throw new UsageError(`unknown export target '${target}'`, "use `monolix` or `nlmixr2`");
      let fit: FitResult;
      try {
        fit = JSON.parse(readFileSync(fitPath, "utf8")) as FitResult;
      } catch (error) {
        throw new UsageError(`cannot read ${fitPath}: ${(error as Error).message}`, "give the fit.json that `nlme fit --out DIR` wrote");
      }
      const spec = options.spec ?? (fit.settings?.spec as string | undefined);
      if (!spec) throw new UsageError(`${fitPath} does not say which spec it fits`, "pass --spec SPEC");
      const { loadModel } = await import("../load-model.js");
      const { exportFiles, writeExport } = await import("../../runtime/export/project.js");
      const { model } = await loadModel(spec);
      if (model.meta.name !== fit.model) throw new UsageError(`${fitPath} is a fit of '${fit.model}', but ${spec} defines '${model.meta.name}'`, "pass the spec the fit was made with: --spec SPEC");
      const dataPath = options.data ?? (fit.settings?.data as string | undefined);
      const data = dataPath ? await readData(dataPath, model) : undefined;
      const files = exportFiles(model.meta, fit, data, { targets: [target] });
      delete files["fit.json"];
      for (const path of writeExport(options.out, files)) process.stdout.write(`wrote ${path}\n`);
    });
}

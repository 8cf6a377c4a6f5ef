import type { Command } from "commander";
import { io } from "../io.js";
import { readData } from "./fit.js";
import { InputError, UsageError } from "../exit.js";
import { parseFitJson } from "../fit-json.js";
import { checkOutputDir, writeOutputDir } from "../output.js";
import { readTextFile } from "../read-spec.js";

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
      if (target !== "monolix" && target !== "nlmixr2") throw new UsageError(`unknown export target '${target.slice(0, 40)}'`, "use `monolix` or `nlmixr2`");
      checkOutputDir(options.out);
      const fit = parseFitJson(readTextFile(fitPath, "fit.json", 200_000_000, "give the fit.json that `nlme fit --out DIR` wrote"), fitPath);
      const spec = options.spec ?? (fit.settings.spec as string | undefined);
      if (!spec) throw new UsageError(`${fitPath} does not say which spec it fits`, "pass --spec SPEC");
      const { loadModel } = await import("../load-model.js");
      const { exportFiles } = await import("../../runtime/export/project.js");
      const { model } = await loadModel(spec);
      if (model.meta.name !== fit.model) throw new UsageError(`${fitPath} is a fit of '${fit.model.slice(0, 80)}', but ${spec} defines '${model.meta.name}'`, "pass the spec the fit was made with: --spec SPEC");
      const outputs = model.meta.observations.map((o) => o.name);
      const unknown = Object.keys(fit.residual).filter((o) => !outputs.includes(o));
      if (unknown.length > 0) throw new InputError(`${fitPath}: residual names ${unknown[0]!.slice(0, 40)}, which is not an output of ${model.meta.name} (${outputs.join(", ")})`, "pass the spec the fit was made with: --spec SPEC");
      const dataPath = options.data ?? (fit.settings.data as string | undefined);
      const data = dataPath ? await readData(dataPath, model) : undefined;
      const files = exportFiles(model.meta, fit, data, { targets: [target] });
      delete files["fit.json"];
      for (const path of writeOutputDir(options.out, files)) io.out(`wrote ${path}\n`);
    });
}

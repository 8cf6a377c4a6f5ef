import type { Command } from "commander";
import { wantsColor } from "../colors.js";
import { io } from "../io.js";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { readSpec } from "../read-spec.js";
import { EXIT_ERRORS, EXIT_OK, UsageError } from "../exit.js";

export function registerCheck(program: Command): void {
  program
    .command("check")
    .description("parse and check specs; print every diagnostic")
    .argument("<spec...>", ".nlme files")
    .option("--format <format>", "text or json", "text")
    .option("--no-color", "plain text output")
    .addHelpText("after", "\nExample:\n  nlme check specs/*.nlme\n  nlme check specs/logistic.nlme --format json\n\nExit codes: 0 clean (warnings allowed), 1 errors, 2 misuse.")
    .action(async (specs: string[], options: { format: string; color: boolean }) => {
      const { analyse } = await import("../../front-end.js");
      const { render, toJson } = await import("../../diagnostics/render.js");
      if (options.format !== "text" && options.format !== "json") {
        throw new UsageError(`unknown format '${options.format}'`, "use --format text or --format json");
      }
      let failed = false;
      const json: unknown[] = [];
      for (const path of specs) {
        const spec = readSpec(path);
        const { diagnostics } = analyse(spec.text, spec.path);
        failed ||= hasErrors(diagnostics);
        if (options.format === "json") {
          json.push({ file: spec.path, diagnostics: toJson(diagnostics, spec.path, spec.text) });
        } else if (diagnostics.length > 0) {
          io.err(render(diagnostics, { file: spec.path, text: spec.text, color: options.color && wantsColor(io.stderr) }));
        } else {
          io.out(`${spec.path}: ok\n`);
        }
      }
      if (options.format === "json") io.out(`${JSON.stringify(json, null, 2)}\n`);
      io.exit(failed ? EXIT_ERRORS : EXIT_OK);
    });
}

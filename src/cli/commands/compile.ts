import type { Command } from "commander";
import { wantsColor } from "../colors.js";
import { io } from "../io.js";
import { EXIT_ERRORS, EXIT_OK } from "../exit.js";
import { checkOutputDir, writeOutputDir } from "../output.js";
import { readSpec } from "../read-spec.js";

/** Runtime functions every generated module re-exports with its model bound. */
export const ENTRY_POINTS = ["estimate", "simulate:simulateSubject", "loadData:loadDataFor", "exportMonolix:exportModel"];

export function registerCompile(program: Command): void {
  program
    .command("compile")
    .description("compile specs into standalone TypeScript estimator modules")
    .argument("<spec...>", ".nlme files")
    .option("--out <dir>", "output directory", "generated")
    .addHelpText("after", "\nExample:\n  nlme compile specs/*.nlme              # what `npm run generate` does\n  nlme compile my-model.nlme --out build/\n\nNothing is written when any spec has errors. Exit codes: 0 written, 1 spec errors, 2 misuse.")
    .action(async (specs: string[], options: { out: string }) => {
      const { render } = await import("../../diagnostics/render.js");
      const { renderSpecs } = await import("../../codegen/write-generated.js");
      for (const path of specs) readSpec(path); // clear "no such file" before any work
      checkOutputDir(options.out);
      const result = await renderSpecs(specs, options.out, { entryPoints: ENTRY_POINTS, readText: (file) => readSpec(file).text });
      for (const f of [...result.failures, ...result.warnings]) {
        io.err(render(f.diagnostics, { file: f.file, text: f.text, color: wantsColor(io.stderr) }));
      }
      if (result.failures.length > 0) {
        io.err(`nothing written: fix the errors above first\n`);
        io.exit(EXIT_ERRORS);
        return;
      }
      for (const path of writeOutputDir(options.out, result.files)) io.out(`wrote ${path}\n`);
      io.exit(EXIT_OK);
    });
}

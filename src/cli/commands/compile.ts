import type { Command } from "commander";
import { EXIT_ERRORS, EXIT_OK } from "../exit.js";
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
      const { compileSpecs } = await import("../../codegen/write-generated.js");
      for (const path of specs) readSpec(path); // clear "no such file" before any work
      const result = await compileSpecs(specs, options.out, { entryPoints: ENTRY_POINTS });
      for (const f of [...result.failures, ...result.warnings]) {
        process.stderr.write(render(f.diagnostics, { file: f.file, text: f.text }));
      }
      if (result.failures.length > 0) {
        process.stderr.write(`nothing written: fix the errors above first\n`);
        process.exitCode = EXIT_ERRORS;
        return;
      }
      for (const path of result.written) process.stdout.write(`wrote ${path}\n`);
      process.exitCode = EXIT_OK;
    });
}

import type { Command } from "commander";
import { wantsColor } from "../colors.js";
import { io } from "../io.js";
import { writeFileAtomic } from "../../runtime/data/write-atomic.js";
import { armSignalCleanup } from "../output.js";
import { readSpec } from "../read-spec.js";
import { EXIT_ERRORS, EXIT_OK } from "../exit.js";

export function registerFmt(program: Command): void {
  program
    .command("fmt")
    .description("rewrite specs in the canonical layout (in place), or check that they are")
    .argument("<spec...>", ".nlme files")
    .option("--check", "change nothing; exit 1 when a file is not formatted")
    .addHelpText("after", "\nExample:\n  nlme fmt specs/*.nlme\n  nlme fmt --check specs/*.nlme   # in CI\n\nExit codes: 0 formatted, 1 syntax errors or (with --check) unformatted files, 2 misuse.")
    .action(async (specs: string[], options: { check?: boolean }) => {
      const { format } = await import("../../syntax/print.js");
      const { render } = await import("../../diagnostics/render.js");
      let failed = false;
      for (const path of specs) {
        const spec = readSpec(path);
        const result = format(spec.text);
        if (result.diagnostics.some((d) => d.severity === "error")) {
          io.err(render(result.diagnostics, { file: spec.path, text: spec.text, color: wantsColor(io.stderr) }));
          failed = true;
          continue;
        }
        if (result.text === spec.text) continue;
        if (options.check) {
          io.err(`${spec.path}: not formatted (run: nlme fmt ${spec.path})\n`);
          failed = true;
        } else {
          armSignalCleanup();
          writeFileAtomic(spec.path, result.text);
          io.out(`formatted ${spec.path}\n`);
        }
      }
      io.exit(failed ? EXIT_ERRORS : EXIT_OK);
    });
}

import type { Command } from "commander";
import { io } from "../io.js";
import { codeNumber, codes, explain } from "../../diagnostics/codes.js";
import { UsageError } from "../exit.js";

export function registerExplain(program: Command): void {
  program
    .command("explain")
    .description("explain a diagnostic code, or list them all")
    .argument("[code]", "e.g. N2001, or a quality finding such as poor-fit")
    .addHelpText("after", "\nExample:\n  nlme explain N2001\n  nlme explain        # list every code")
    .action((code: string | undefined) => {
      if (code === undefined) {
        for (const [name, info] of Object.entries(codes).sort()) io.out(`${name}  ${info.title}\n`);
        return;
      }
      const info = explain(code);
      if (!info) throw new UsageError(`unknown code '${code}'`, "run `nlme explain` to list every code");
      io.out(`${codeNumber(code)}: ${info.title}\n\n${info.explanation}\n`);
    });
}

// The `nlme` command line. Each command lives in `commands/`; this file only
// wires them to commander and maps failures to the documented exit codes:
// 0 success, 1 the input has errors (diagnostics, bad data), 2 misuse.
import { createRequire } from "node:module";
import type * as Commander from "commander";
import { registerCommands } from "./commands/index.js";
import { EXIT_MISUSE, reportFailure } from "./exit.js";

// require(), not import: commander's ES entry wraps its CommonJS one, which Node would scan for export names on every start.
const { Command, CommanderError } = createRequire(import.meta.url)("commander") as typeof Commander;

const program = new Command();
program
  .name("nlme")
  .description("Compile and fit population ODE models (NLME-ODE) by the weak form, and export first guesses to Monolix and nlmixr2.")
  .version("0.1.0")
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version exit through here with code 0.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_MISUSE;
  } else {
    process.exitCode = reportFailure(error);
  }
}

// The `nlme` command line. Each command lives in `commands/`; this file only
// wires them to commander and maps failures to the documented exit codes:
// 0 success, 1 the input has errors (diagnostics, bad data), 2 misuse.
import { Command, CommanderError } from "commander";
import { registerCommands } from "./commands/index.js";
import { EXIT_MISUSE, reportFailure } from "./exit.js";

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

// The `nlme` command line as a function: `main(argv, streams)` builds a fresh
// commander program, runs it and returns the exit code. Each command lives in
// `commands/`; failures map to exit codes in one place (`reportFailure`):
// 0 success, 1 the input has errors (diagnostics, bad data), 2 misuse.
import { createRequire } from "node:module";
import type * as Commander from "commander";
import { registerCommands } from "./commands/index.js";
import { EXIT_MISUSE, reportFailure } from "./exit.js";
import { io, withStreams, type CliStreams } from "./io.js";
import { cleanupOnSignals } from "./output.js";

// require(), not import: commander's ES entry wraps its CommonJS one, which Node would scan for export names on every start.
const { Command, CommanderError } = createRequire(import.meta.url)("commander") as typeof Commander;

function buildProgram(): Commander.Command {
  const program = new Command();
  program
    .name("nlme")
    .description("Compile and fit population ODE models (NLME-ODE) by the weak form, and export first guesses to Monolix and nlmixr2.")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();
  registerCommands(program);
  return program;
}

/** Run `nlme` with `argv` as process.argv would be (node, script, args...). */
export async function main(argv: string[], streams?: CliStreams): Promise<number> {
  const { exitCode } = await withStreams(streams, async () => {
    const release = cleanupOnSignals();
    try {
      await buildProgram().parseAsync(argv);
    } catch (error) {
      if (error instanceof CommanderError) {
        // --help and --version exit through here with code 0.
        io.exit(error.exitCode === 0 ? 0 : EXIT_MISUSE);
      } else {
        io.exit(reportFailure(error));
      }
    } finally {
      release();
    }
  });
  return exitCode;
}

// The floor for `nlme --help`: the smallest CLI built on the same argument parser.
import { Command } from "commander";

const program = new Command();
program.name("hello").description("says hello").version("1.0.0");
program
  .command("greet")
  .argument("<name>", "who to greet")
  .action((name) => process.stdout.write(`hello ${name}\n`));
program.parse(process.argv);

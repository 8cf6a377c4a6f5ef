import type { Command } from "commander";
import { registerCheck } from "./check.js";
import { registerFmt } from "./fmt.js";
import { registerExplain } from "./explain.js";
import { registerFit } from "./fit.js";
import { registerCompile } from "./compile.js";
import { registerSimulate } from "./simulate.js";
import { registerExport } from "./export.js";
import { registerDemo } from "./demo.js";
import { registerRefine } from "./refine.js";

export function registerCommands(program: Command): void {
  registerCheck(program);
  registerFmt(program);
  registerCompile(program);
  registerFit(program);
  registerRefine(program);
  registerSimulate(program);
  registerExport(program);
  registerDemo(program);
  registerExplain(program);
}

import type { Command } from "commander";
import { registerCheck } from "./check.js";
import { registerFmt } from "./fmt.js";
import { registerExplain } from "./explain.js";
import { registerFit } from "./fit.js";

export function registerCommands(program: Command): void {
  registerCheck(program);
  registerFmt(program);
  registerFit(program);
  registerExplain(program);
}

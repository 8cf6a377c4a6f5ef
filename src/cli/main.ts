// The `nlme` command: runs `main` (program.ts) on the process's own arguments.
import { main } from "./program.js";

process.exitCode = await main(process.argv);

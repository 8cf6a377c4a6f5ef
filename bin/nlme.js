#!/usr/bin/env node
// The `nlme` command: the JavaScript build of src/cli/main.ts (`npm run build`,
// run by `npm ci` and `npm pack`). No TypeScript loader: plain Node starts it.
import { existsSync } from "node:fs";
import module from "node:module";

const main = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(main)) {
  process.stderr.write("error: nlme is not built (no dist/)\nhelp: run `npm run build` in the repository, or `npm ci`, which builds it\n");
  process.exit(2);
}
// Node 22.1+ keeps compiled code between runs; older versions start without it.
module.enableCompileCache?.();
await import(main.href);

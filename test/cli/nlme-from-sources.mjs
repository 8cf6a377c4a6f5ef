// The `nlme` command run from the TypeScript sources through tsx, for the CLI
// tests: what bin/nlme.js was before the build. Resolved from this file, so it
// works from any working directory.
import { register } from "tsx/esm/api";

register();
await import("../../src/cli/main.ts");

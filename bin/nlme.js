#!/usr/bin/env node
// The `nlme` command. The product ships as TypeScript run through tsx, so the
// same sources serve the CLI, the tests and users' scripts without a build step.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");

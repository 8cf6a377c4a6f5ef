// `npm run build` (run by `npm ci` through `prepare`, and by `npm pack`): the
// TypeScript sources to JavaScript in dist/, in two parts.
//
//   dist/cli/      the `nlme` command, bundled by esbuild: one module for what
//                  every command needs and one chunk per lazily imported part
//                  (the compiler, the code generator, the estimator, the report),
//                  so a start resolves and reads a few files, not a hundred.
//                  Packages stay external: they are the package's dependencies.
//   dist/runtime/  what compiled models import ("weakform-nlme/runtime"), by tsc,
//                  module for module, with the type declarations users'
//                  TypeScript needs.
//
// Both with source maps. dist/ starts empty, so a deleted module cannot linger.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });

const tscBin = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin/tsc");
const tsc = spawnSync(process.execPath, [tscBin, "-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

await build({
  entryPoints: ["src/cli/main.ts"],
  absWorkingDir: root,
  outdir: "dist/cli",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});

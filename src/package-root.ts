// Where this copy of weakform-nlme lives: the repository when run from the
// TypeScript sources (tsx, vitest), the installed package when run from the
// build in dist/. Both layouts are found the same way, by walking up to the
// package.json that names us, so no module hard-codes how deep it sits.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_NAME = "weakform-nlme";

/** True in the JavaScript build: its modules are `.js`, the sources `.ts`. */
export const BUILT = import.meta.url.endsWith(".js");

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json naming ${PACKAGE_NAME} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The directory holding our package.json, specs/ and (when built) dist/. */
export const PACKAGE_ROOT = findRoot();

/** The directory of the running code: src/ in the sources; in the build, dist/cli/, which holds the whole bundled CLI. */
export const CODE_DIR = dirname(fileURLToPath(import.meta.url));

// Write a text file so that readers see either the old content or the new one,
// never a half-written file: write a temporary file in the same directory
// (same file system, so rename is atomic), flush it, then rename over the target.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

let counter = 0;

/** Temporary files being written now: a CLI removes them when interrupted by a signal. */
export const pendingTemporaryFiles = new Set<string>();

/** Atomically replace `path` with `text` (UTF-8). The directory must exist. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.${counter++}.tmp`);
  let fd: number | undefined;
  pendingTemporaryFiles.add(tmp);
  try {
    fd = openSync(tmp, "wx", 0o644);
    writeSync(fd, text, null, "utf8");
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    pendingTemporaryFiles.delete(tmp);
  }
}

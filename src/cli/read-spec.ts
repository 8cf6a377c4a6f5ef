import { isAscii } from "node:buffer";
import { readFileSync, statSync } from "node:fs";
import { UsageError } from "./exit.js";

export interface SpecFile {
  path: string;
  text: string;
}

/** Real specs are a few kilobytes (the largest bundled one under 4 kB); a 256 kB one still checks in about a second. */
export const MAX_SPEC_BYTES = 256_000;

function size(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.ceil(bytes / 1e3)} kB`;
}

function refuse(path: string, error: unknown, what = "spec"): never {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") throw new UsageError(`no such file: ${path}`, what === "spec" ? "give the path of a .nlme spec, e.g. specs/logistic.nlme" : `check the path of the ${what} file`);
  if (code === "EISDIR") throw new UsageError(`${path} is a directory`, what === "spec" ? `pass the spec files inside it, e.g. ${path}/*.nlme` : `give the ${what} file itself`);
  if (code === "EACCES" || code === "EPERM") throw new UsageError(`cannot read ${path}: permission denied`, "check the file's permissions");
  if (code === "ELOOP") throw new UsageError(`cannot read ${path}: too many levels of symbolic links`, "a symbolic link points (through others) back to itself; give the real file");
  if (code === "ENOTDIR") throw new UsageError(`no such file: ${path} (a part of the path is a file)`, "check the path");
  if (code === "ENAMETOOLONG") throw new UsageError(`cannot read ${path.slice(0, 200)}...: the path is too long`, "check the path");
  throw error;
}

/** Read a spec: a regular file (never a FIFO or a device, which would block or never end) of bounded size. */
export function readSpec(path: string): SpecFile {
  return { path, text: readTextFile(path, "spec", MAX_SPEC_BYTES, "a model spec is a few kilobytes; is this the right file?") };
}

/** Any input file the CLI reads (spec, data, fit.json, --params file): regular, bounded, without a byte-order mark. */
export function readTextFile(path: string, what: string, maxBytes: number, sizeHelp: string): string {
  checkInputFile(path, what, maxBytes, sizeHelp);
  let text: string;
  try {
    const bytes = readFileSync(path);
    // A pure-ASCII file (most data files) decodes to the same string as latin1, without UTF-8's validation: a
    // 38 MB CSV reads in about half the time.
    text = isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
  } catch (error) {
    refuse(path, error, what);
  }
  // Editors on Windows may start a UTF-8 file with a byte-order mark: it is not part of the spec.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

/** readTextFile's checks before reading: the path names a regular file of at most `maxBytes`; a UsageError if not. */
export function checkInputFile(path: string, what: string, maxBytes: number, sizeHelp: string): void {
  if (path === "") throw new UsageError(`the ${what} path is empty`, `give the path of the ${what} file`);
  if (path.includes("\0")) throw new UsageError(`the ${what} path contains a NUL character`, `give the path of the ${what} file`);
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    refuse(path, error, what);
  }
  if (stat.isDirectory()) refuse(path, Object.assign(new Error(), { code: "EISDIR" }), what);
  if (!stat.isFile()) throw new UsageError(`${path} is not a regular file`, `give a ${what} file (not a pipe, a device or a socket)`);
  if (stat.size > maxBytes) {
    throw new UsageError(`${path} is ${size(stat.size)}: a ${what} file is limited to ${size(maxBytes)}`, sizeHelp);
  }
}

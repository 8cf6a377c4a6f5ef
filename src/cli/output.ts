// Every file a command writes goes through here. A command's outputs are
// staged in a temporary sibling of the target and moved into place in one
// synchronous step, so a run leaves either the old state or the complete new
// one. While anything is staged, SIGINT/SIGTERM remove the staging area before
// the process dies (Node runs signal handlers between synchronous steps, so a
// signal never lands inside the final moves).
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { pendingTemporaryFiles, writeFileAtomic } from "../runtime/data/write-atomic.js";
import { UsageError } from "./exit.js";

const staging = new Set<string>();
let armed = false;
let runs = 0;

function onSignal(signal: NodeJS.Signals): void {
  for (const path of [...staging, ...pendingTemporaryFiles]) rmSync(path, { recursive: true, force: true });
  staging.clear();
  disarm();
  // Die of the same signal, so the caller sees how we ended (exit status 130/143).
  process.kill(process.pid, signal);
}

function disarm(): void {
  if (!armed) return;
  process.removeListener("SIGINT", onSignal);
  process.removeListener("SIGTERM", onSignal);
  armed = false;
}

/**
 * From the first write of a run to its end, SIGINT/SIGTERM are handled: Node
 * then delivers them between synchronous steps, so a write in progress is
 * finished (or its staging removed) before the process dies. Before any
 * write, a signal keeps its default effect: a long fit stops at once.
 */
export function armSignalCleanup(): void {
  if (armed || runs === 0) return;
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  armed = true;
}

/** Run a synchronous write with signals held, then let a signal that came meanwhile act (and disarm when we armed). */
export async function withSignalsHeld(write: () => void): Promise<void> {
  const wasArmed = armed;
  armSignalCleanup();
  try {
    write();
  } finally {
    // One turn of the event loop: a signal that arrived during the write is delivered now.
    await new Promise((resolve) => setImmediate(resolve));
    if (!wasArmed) disarm();
  }
}

/** Scope one CLI run; returns the function that ends it (and removes the handlers). */
export function cleanupOnSignals(): () => void {
  runs++;
  return () => {
    if (--runs === 0) disarm();
  };
}

/** Places no one writes results to, and where Node's own mkdir can block (/proc). */
const SYSTEM_ROOTS = ["/proc", "/sys", "/dev"];

function checkTarget(path: string, flag: string, kind: "directory" | "file"): string {
  if (path.trim() === "") throw new UsageError(`${flag} is empty`, `give a ${kind}, e.g. ${flag} ${kind === "directory" ? "out/fit" : "sim.csv"}`);
  if (path.includes("\0")) throw new UsageError(`${flag} contains a NUL character`, `give a ${kind} name`);
  const abs = resolve(path);
  if (SYSTEM_ROOTS.some((root) => abs === root || abs.startsWith(root + sep))) {
    throw new UsageError(`${flag} ${path} is inside ${abs.split(sep).slice(0, 2).join(sep)}, a system directory`, `write somewhere of your own, e.g. ${flag} out/`);
  }
  if (basename(abs).length > 200) throw new UsageError(`${flag} ${path}: the name is too long for a file system`, "choose a shorter name");
  let stat;
  try {
    stat = statSync(abs);
  } catch {
    return abs;
  }
  if (kind === "directory" && !stat.isDirectory()) throw new UsageError(`${flag} ${path} exists and is not a directory`, `give a directory (it is created when missing), e.g. ${flag} ${path}.d`);
  if (kind === "file" && stat.isDirectory()) throw new UsageError(`${flag} ${path} is a directory`, `give a file name, e.g. ${flag} ${join(path, "sim.csv")}`);
  if (kind === "file" && !stat.isFile()) throw new UsageError(`${flag} ${path} is not a regular file`, "give the name of a file to write");
  return abs;
}

function cannotWrite(path: string, flag: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENAMETOOLONG") {
    const name = basename((error as NodeJS.ErrnoException).path ?? path);
    return new UsageError(`cannot write ${name.slice(0, 60)}...: the file name is too long`, "output files are named after the model: give the model a shorter name");
  }
  const reason =
    code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EROFS" ? "read-only file system" : code === "ENOSPC" ? "no space left" : code === "ENAMETOOLONG" ? "a name is too long" : code === "ENOTDIR" ? "a part of the path is a file, not a directory" : ((error as Error).message ?? String(error));
  return new UsageError(`cannot write ${flag} ${path}: ${reason}`, "choose a place you can write to");
}

/** Check an output directory before any work is done, so a long fit is not lost to a bad --out. */
export function checkOutputDir(path: string, flag = "--out"): void {
  checkTarget(path, flag, "directory");
}

export function checkOutputFile(path: string, flag = "--out"): void {
  checkTarget(path, flag, "file");
}

/**
 * Write `files` (relative path -> text) under `dir`, all or nothing. Existing
 * files of `dir` that are not in `files` are kept. Returns the paths written.
 */
export function writeOutputDir(dir: string, files: Record<string, string> | Map<string, string>, flag = "--out"): string[] {
  const target = checkTarget(dir, flag, "directory");
  const entries = files instanceof Map ? [...files] : Object.entries(files);
  for (const [rel] of entries) {
    if (rel.startsWith("/") || rel.split(/[\\/]/).includes("..")) throw new Error(`output path ${rel} leaves the output directory`);
  }
  const parent = dirname(target);
  try {
    mkdirSync(parent, { recursive: true });
  } catch (error) {
    throw cannotWrite(dir, flag, error);
  }
  armSignalCleanup();
  const tmp = join(parent, `.${basename(target).slice(0, 100)}.nlme-tmp-${process.pid}-${Math.floor(Math.random() * 1e9).toString(36)}`);
  staging.add(tmp);
  try {
    for (const [rel, text] of entries) {
      mkdirSync(dirname(join(tmp, rel)), { recursive: true });
      writeFileSync(join(tmp, rel), text);
    }
    if (!existsSync(target)) {
      renameSync(tmp, target);
    } else {
      // Check every move before making the first, so a clash cannot leave half the outputs.
      for (const [rel] of entries) {
        const dest = join(target, rel);
        if (existsSync(dest) && lstatSync(dest).isDirectory()) throw new UsageError(`cannot write ${dest}: it is a directory`, `remove it or choose another ${flag}`);
        for (let up = dirname(dest); up.length > target.length; up = dirname(up)) {
          if (existsSync(up) && !lstatSync(up).isDirectory()) throw new UsageError(`cannot write ${dest}: ${up} is a file`, `remove it or choose another ${flag}`);
        }
      }
      for (const [rel] of entries) {
        const dest = join(target, rel);
        mkdirSync(dirname(dest), { recursive: true });
        renameSync(join(tmp, rel), dest);
      }
      rmSync(tmp, { recursive: true, force: true });
    }
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    if (error instanceof UsageError) throw error;
    throw cannotWrite(dir, flag, error);
  } finally {
    staging.delete(tmp);
  }
  return entries.map(([rel]) => join(dir, rel));
}

/** Write one file atomically (temporary sibling, then rename). */
export function writeOutputFile(path: string, text: string, flag = "--out"): void {
  const target = checkTarget(path, flag, "file");
  armSignalCleanup();
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileAtomic(target, text);
  } catch (error) {
    throw cannotWrite(path, flag, error);
  }
}

/** Names in `dir` that a staged write left behind (none, unless a run was killed with SIGKILL). */
export function leftoverStaging(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.includes(".nlme-tmp-") || f.endsWith(".tmp")) : [];
}

import pc from "picocolors";
import { DataError } from "../runtime/data/dataset.js";

export const EXIT_OK = 0;
export const EXIT_ERRORS = 1;
export const EXIT_MISUSE = 2;
/** `fit --strict`: the fit ran but its quality check warns that it does not describe the data. */
export const EXIT_QUALITY = 3;

/** A problem the user can fix by changing how they called us. */
export class UsageError extends Error {
  constructor(message: string, readonly help?: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Print a failure the way every command does, and return its exit code. */
export function reportFailure(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`${pc.red("error")}: ${error.message}\n${error.help ? `help: ${error.help}\n` : ""}`);
    return EXIT_MISUSE;
  }
  if (error instanceof DataError) {
    process.stderr.write(`${pc.red("error")}: ${error.message}\n`);
    return EXIT_ERRORS;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${pc.red("internal error")}: ${message}\nThis is a bug in nlme: please report it with the command you ran.\n`);
  return EXIT_ERRORS;
}

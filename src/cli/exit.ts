// The one place where a failure becomes what the user sees and an exit code.
// Every user mistake is a typed error with a `help:` line (or rendered
// diagnostics); "internal error" is kept for our own bugs.
import { paint } from "./colors.js";
import { DataError } from "../runtime/data/dataset.js";
import { io } from "./io.js";

export const EXIT_OK = 0;
export const EXIT_ERRORS = 1;
export const EXIT_MISUSE = 2;
/** `fit --strict`: the fit ran but its quality check warns that it does not describe the data. */
export const EXIT_QUALITY = 3;

/** A problem the user can fix by changing how they called us (exit 2). */
export class UsageError extends Error {
  constructor(message: string, readonly help?: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The content of an input (a --params object, a fit.json) is wrong (exit 1). */
export class InputError extends Error {
  constructor(message: string, readonly help?: string) {
    super(message);
    this.name = "InputError";
  }
}

/** Diagnostics already rendered (a spec that does not check): printed as they are (exit 1). */
export class RenderedError extends Error {
  constructor(readonly rendered: string) {
    super(rendered);
    this.name = "RenderedError";
  }
}

/** At most this much of one message is printed: inputs can be megabytes, and messages echo them. */
const MAX_MESSAGE = 2000;

function clip(text: string): string {
  return text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE)}... (${text.length - MAX_MESSAGE} more characters)`;
}

function named(error: unknown, name: string): error is Error {
  return error instanceof Error && error.name === name;
}

function userError(message: string, help: string | undefined, code: number): number {
  const pc = paint.err;
  io.err(`${pc.red("error")}: ${clip(message)}\n${help ? `help: ${clip(help)}\n` : ""}`);
  return code;
}

/** Print a failure the way every command does, and return its exit code. */
export function reportFailure(error: unknown): number {
  const pc = paint.err;
  if (error instanceof UsageError) return userError((error as Error).message, error.help, EXIT_MISUSE);
  if (error instanceof InputError) return userError((error as Error).message, error.help, EXIT_ERRORS);
  if (error instanceof RenderedError) {
    io.err(error.rendered);
    return EXIT_ERRORS;
  }
  // Errors of lazily loaded modules are known by name, so that this file loads neither the compiler nor the solvers.
  if (named(error, "SpecError") && typeof (error as { rendered?: unknown }).rendered === "string") {
    io.err((error as unknown as { rendered: string }).rendered);
    return EXIT_ERRORS;
  }
  if (error instanceof DataError) return userError((error as Error).message, undefined, EXIT_ERRORS);
  // A model form the estimator does not fit yet is the user's to change, not our bug.
  if (named(error, "UnsupportedModelError")) return userError((error as Error).message, undefined, EXIT_ERRORS);
  if (named(error, "SimulationError")) return userError((error as Error).message, "fix --params (theta, omega, x0, doses, correlation) or --times so they fit the model", EXIT_ERRORS);
  if (named(error, "OdeError")) {
    return userError(`the model's equations could not be solved: ${error.message}`, "check the parameter values and initial states in --params; values far from the data's scale make the equations stiff or make them blow up", EXIT_ERRORS);
  }
  if (named(error, "ExportError")) return userError((error as Error).message, "check the fit.json and the spec it was made with", EXIT_ERRORS);
  const errno = error as NodeJS.ErrnoException;
  if (errno instanceof Error && typeof errno.code === "string" && typeof errno.syscall === "string") {
    // The system refused (permissions, disk full, a path that went away): not our bug, not a misuse.
    return userError(errno.message, "check the paths you gave and that you may read and write them", EXIT_ERRORS);
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.err(`${pc.red("internal error")}: ${clip(message)}\nThis is a bug in nlme: please report it with the command you ran.\n`);
  return EXIT_ERRORS;
}

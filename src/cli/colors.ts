// Colour follows the stream being written, not the process: the CLI runs
// in-process with captured streams (tests, the fuzz suite), and picocolors'
// own switch turns colour on whenever a `CI` variable is set, which put
// escape codes into captured, non-terminal output.
import pc from "picocolors";
import { io, type CliStream } from "./io.js";

type Colors = ReturnType<typeof pc.createColors>;

/** NO_COLOR wins, then FORCE_COLOR (anything but "0"), then whether the stream is a terminal. */
export function wantsColor(stream: CliStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0";
  return stream.isTTY === true;
}

/** Colours for text bound for stdout (`out`) or stderr (`err`), decided at the time of writing. */
export const paint = {
  get out(): Colors {
    return pc.createColors(wantsColor(io.stdout));
  },
  get err(): Colors {
    return pc.createColors(wantsColor(io.stderr));
  },
};

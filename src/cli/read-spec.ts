import { readFileSync } from "node:fs";
import { UsageError } from "./exit.js";

export interface SpecFile {
  path: string;
  text: string;
}

export function readSpec(path: string): SpecFile {
  try {
    return { path, text: readFileSync(path, "utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`no such file: ${path}`, "give the path of a .nlme spec, e.g. specs/logistic.nlme");
    if (code === "EISDIR") throw new UsageError(`${path} is a directory`, `pass the spec files inside it, e.g. ${path}/*.nlme`);
    throw error;
  }
}

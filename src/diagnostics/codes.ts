// The registry of stable diagnostic codes. N0xxx syntax, N1xxx names,
// N2xxx linearity and structure, N3xxx observations and error models,
// N4xxx exports. Each code has a one-line title and a longer explanation
// (shown by `nlme explain CODE`). Codes are never reused or renumbered.
import { syntaxCodes } from "./codes-syntax.js";
import { checkCodes } from "./codes-check.js";

export interface CodeInfo {
  title: string;
  explanation: string;
}

export const codes: Record<string, CodeInfo> = { ...syntaxCodes, ...checkCodes };

export function explain(code: string): CodeInfo | undefined {
  return codes[code.toUpperCase()];
}

// The registry of stable diagnostic codes. N0xxx syntax, N1xxx names,
// N2xxx linearity and structure, N3xxx observations and error models,
// N4xxx exports, N5xxx findings of the quality check of a fit. Each code has a one-line title and a longer explanation
// (shown by `nlme explain CODE`). Codes are never reused or renumbered.
import { syntaxCodes } from "./codes-syntax.js";
import { checkCodes } from "./codes-check.js";
import { qualityCodeNumbers, qualityCodes } from "./codes-quality.js";

export interface CodeInfo {
  title: string;
  explanation: string;
}

export const codes: Record<string, CodeInfo> = { ...syntaxCodes, ...checkCodes, ...qualityCodes };

/** The number of a code given by number or, for the quality check's findings, by name (`poor-fit` -> `N5001`). */
export function codeNumber(code: string): string {
  return qualityCodeNumbers[code.toLowerCase()] ?? code.toUpperCase();
}

/** By number (`N2001`) or, for the quality check's findings, by name (`poor-fit`). */
export function explain(code: string): CodeInfo | undefined {
  return codes[codeNumber(code)];
}

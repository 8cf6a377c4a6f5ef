import type { CodeInfo } from "./codes.js";

/** N1xxx names, N2xxx linearity and structure, N3xxx observations. Owned by the check stage. */
export const checkCodes: Record<string, CodeInfo> = {};

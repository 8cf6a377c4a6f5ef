import type { CodeInfo } from "./codes.js";

/** N0xxx: lexing and parsing. Owned by the syntax stage. */
export const syntaxCodes: Record<string, CodeInfo> = {};

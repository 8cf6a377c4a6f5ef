// Chevrotain marks tokens it did not read from the text (EOF, tokens inserted
// by recovery) with a missing offset: NaN up to 11.x, -1 from 13.x. This is
// the one place that knows which, so a version move is a one-line change.
import { EOF, tokenMatcher, type IToken } from "./chevrotain.js";

export function isRealToken(token: IToken | undefined): token is IToken {
  if (token === undefined || tokenMatcher(token, EOF)) return false;
  if (token.isInsertedInRecovery) return false;
  const start = token.startOffset;
  return Number.isFinite(start) && start >= 0;
}

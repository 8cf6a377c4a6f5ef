// "Did you mean" for data columns and observation ids: names ranked by edit
// distance, compared case-insensitively because column names are matched that way.

/**
 * Restricted Damerau-Levenshtein distance (optimal string alignment). A change
 * of case alone costs 1: callers that match case-insensitively lower-case first.
 * The one edit distance of the product: the compiler's suggestions use it too.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la === lb) return 1;
  const cols = lb.length + 1;
  let before = new Array<number>(cols).fill(0);
  let prev = Array.from({ length: cols }, (_, j) => j);
  for (let i = 1; i <= la.length; i++) {
    const cur = new Array<number>(cols).fill(0);
    cur[0] = i;
    for (let j = 1; j < cols; j++) {
      const cost = la[i - 1] === lb[j - 1] ? 0 : 1;
      let best = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && la[i - 1] === lb[j - 2] && la[i - 2] === lb[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      cur[j] = best;
    }
    before = prev;
    prev = cur;
  }
  return prev[cols - 1]!;
}

/** All candidates, nearest to `name` first (stable for ties). */
export function byNearness(name: string, candidates: readonly string[]): string[] {
  return candidates
    .map((c, i) => ({ c, i, d: editDistance(name.toLowerCase(), c.toLowerCase()) }))
    .sort((x, y) => x.d - y.d || x.i - y.i)
    .map((x) => x.c);
}

/**
 * Candidates close enough to be a plausible typo of `name`: within an edit
 * distance that grows with the length, or one name containing the other
 * (e.g. `TIME_H` for `TIME`).
 */
export function nearNames(name: string, candidates: readonly string[]): string[] {
  const n = name.toLowerCase();
  const limit = n.length <= 3 ? 1 : 2;
  return byNearness(name, candidates).filter((c) => {
    const l = c.toLowerCase();
    if (l === "") return false;
    return editDistance(n, l) <= limit || (l.length >= 2 && (l.includes(n) || n.includes(l)));
  });
}

// "Did you mean" for data columns and observation ids: names ranked by edit
// distance, compared case-insensitively because column names are matched that way.

/** Levenshtein distance between two strings (case-insensitive). */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[t.length]!;
}

/** All candidates, nearest to `name` first (stable for ties). */
export function byNearness(name: string, candidates: readonly string[]): string[] {
  return candidates
    .map((c, i) => ({ c, i, d: editDistance(name, c) }))
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

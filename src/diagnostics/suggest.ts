// The one "did you mean" helper (graphql-js suggestionList, Elm nearbyNames).
// Callers pass only the names of the namespace that makes sense at the use
// site, so a typo in a parameter list is never "corrected" to a state.

import { editDistance } from "../runtime/data/near-names.js";

export { editDistance };

/**
 * Up to `max` candidates close to `input`, nearest first (ties keep the
 * candidates' order). The threshold grows with the length of the input
 * (graphql-js: floor(0.4 * length) + 1), so short names only match
 * one-edit typos. A candidate that differs only by `_` or case also matches.
 */
export function suggest(input: string, candidates: Iterable<string>, max = 3): string[] {
  const threshold = Math.floor(input.length * 0.4) + 1;
  const squash = (s: string): string => s.toLowerCase().replace(/_/g, "");
  const scored: { name: string; distance: number; order: number }[] = [];
  const seen = new Set<string>();
  let order = 0;
  for (const name of candidates) {
    if (name === input || seen.has(name)) continue;
    seen.add(name);
    const distance = squash(name) === squash(input) ? 0.5 : editDistance(input, name);
    if (distance <= threshold) scored.push({ name, distance, order: order++ });
  }
  scored.sort((x, y) => x.distance - y.distance || x.order - y.order);
  // A name equal up to case and `_` is almost surely the one meant: offer it alone.
  const exactish = scored.filter((s) => s.distance < 1);
  return (exactish.length ? exactish : scored).slice(0, max).map((s) => s.name);
}

/** "`a`", "`a` or `b`", "`a`, `b` or `c`". */
export function quoteList(names: readonly string[], conjunction = "or"): string {
  const q = names.map((n) => `\`${n}\``);
  if (q.length <= 1) return q.join("");
  return `${q.slice(0, -1).join(", ")} ${conjunction} ${q[q.length - 1]}`;
}

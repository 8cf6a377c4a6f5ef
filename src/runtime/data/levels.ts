// Levels of a categorical covariate: read from the data as labels, ordered so
// that a subject's code (what `env.cov` and `Subject.covariates` hold) is the
// index of its level, 0 being the reference (whose effect is zero).

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Sorted order: numerically when every label is a number (`2` before `10`), else as text. */
export function sortLevels(labels: Iterable<string>): string[] {
  const all = [...new Set(labels)];
  if (all.every((l) => NUMBER.test(l))) return all.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  return all.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The label of `levels` that a spec's `reference = ...` names: the same text, else the same number (`2` and `2.0`). */
export function findReference(levels: string[], reference: string): string | undefined {
  if (levels.includes(reference)) return reference;
  if (NUMBER.test(reference)) return levels.find((l) => NUMBER.test(l) && Number(l) === Number(reference));
  return undefined;
}

/** Levels in code order: the reference first (declared, else the first sorted), then the others sorted. */
export function orderLevels(labels: Iterable<string>, reference?: string): string[] {
  const sorted = sortLevels(labels);
  const ref = reference === undefined ? sorted[0] : findReference(sorted, reference);
  if (ref === undefined) return sorted;
  return [ref, ...sorted.filter((l) => l !== ref)];
}

// Robust summaries of a sample, shared by the estimators' outlier rules and
// the reporting of population values taken from individual estimates.

export function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
}

/** Sample standard deviation (n - 1 denominator). */
export function sd(v: number[]): number {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, v.length - 1));
}

/** The k-th smallest of x (reordered in place): Hoare's selection, linear time where a sort of millions is not. */
function select(x: Float64Array, k: number): number {
  let lo = 0;
  let hi = x.length - 1;
  while (lo < hi) {
    const pivot = x[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (x[i]! < pivot) i++;
      while (x[j]! > pivot) j--;
      if (i <= j) {
        const tmp = x[i]!;
        x[i++] = x[j]!;
        x[j--] = tmp;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return x[k]!;
  }
  return x[k]!;
}

/** Median of x (reordered in place). */
export function medianInPlace(x: Float64Array): number {
  const m = x.length >> 1;
  if (x.length % 2) return select(x, m);
  const upper = select(x, m);
  let lower = Number.NEGATIVE_INFINITY;
  for (let u = 0; u < m; u++) if (x[u]! > lower) lower = x[u]!;
  return 0.5 * (lower + upper);
}

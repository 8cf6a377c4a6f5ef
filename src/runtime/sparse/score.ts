// Support recovery and coefficient accuracy of a sparse fit against known
// values (simulation truth files name terms `d_g3/dt:g1*g7`).

export interface SupportScore {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  f1: number;
  /** Median |estimate - truth| / |truth| over the correctly selected terms (NaN when none). */
  medianRelativeError: number;
}

/** `truth`: term key `d_<state>/dt:<term>` -> value; zero values count as absent. */
export function scoreTerms(terms: { equation: string; term: string; estimate: number }[], truth: Record<string, number>): SupportScore {
  const want = new Map(Object.entries(truth).filter(([, v]) => v !== 0));
  let tp = 0;
  let fp = 0;
  const errors: number[] = [];
  const found = new Set<string>();
  for (const t of terms) {
    const key = `d_${t.equation}/dt:${t.term}`;
    const v = want.get(key);
    if (v === undefined) fp++;
    else {
      tp++;
      found.add(key);
      errors.push(Math.abs(t.estimate - v) / Math.abs(v));
    }
  }
  const fn = [...want.keys()].filter((k) => !found.has(k)).length;
  errors.sort((a, b) => a - b);
  const mid = errors.length / 2;
  const median = errors.length === 0 ? Number.NaN : errors.length % 2 ? errors[Math.floor(mid)]! : (errors[mid - 1]! + errors[mid]!) / 2;
  return { truePositives: tp, falsePositives: fp, falseNegatives: fn, f1: (2 * tp) / Math.max(2 * tp + fp + fn, 1), medianRelativeError: median };
}

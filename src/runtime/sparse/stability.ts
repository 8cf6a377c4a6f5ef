// How often a term is selected when the subjects change: across the K
// cross-validation fits (each leaves 1/K of the subjects out) and, for
// stability selection (Meinshausen & Buehlmann 2010), across random halves of
// the subjects. A term that only some subsets select is likely a false positive.
import { createRng } from "../numeric/random.js";
import { sumGrams, type Gram } from "./gram.js";

/** Fraction of coefficient vectors in which each column is non-zero. */
export function selectionFrequency(coefs: Float64Array[], m: number): Float64Array {
  const freq = new Float64Array(m);
  if (coefs.length === 0) return freq;
  for (const w of coefs) for (let j = 0; j < m; j++) if (w[j] !== 0) freq[j] += 1;
  for (let j = 0; j < m; j++) freq[j] = freq[j]! / coefs.length;
  return freq;
}

/**
 * Selection frequency over `draws` random halves of the subjects (seeded):
 * `fit(train)` returns the coefficients of one fit on the half's Gram.
 */
export function subsampleFrequency(grams: Gram[], draws: number, seed: number, fit: (train: Gram) => Float64Array): Float64Array {
  const m = grams[0]!.m;
  const rng = createRng(seed);
  const n = grams.length;
  const half = Math.max(1, Math.floor(n / 2));
  const coefs: Float64Array[] = [];
  const order = Array.from({ length: n }, (_, i) => i);
  for (let b = 0; b < draws; b++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    coefs.push(
      fit(
        sumGrams(
          order.slice(0, half).map((i) => grams[i]!),
          m,
        ),
      ),
    );
  }
  return selectionFrequency(coefs, m);
}

export interface PairFrequency {
  /** Fraction of the 2B halves whose selection contains each column. */
  frequency: Float64Array;
  /** Mean number of columns a half selects (q in the error bound). */
  meanSelected: number;
}

/**
 * Complementary pairs stability selection (Shah & Samworth 2013): `pairs`
 * seeded random splits of the subjects into two disjoint halves, the whole
 * selection procedure run on each half (`select(halfGrams)` returns column
 * indices). The frequency is the selection probability of each column under
 * subsampling of subjects; keeping the columns at or above a threshold pi
 * bounds the expected number of false selections (see `falseSelectionBound`).
 */
export function complementaryPairs(grams: Gram[], pairs: number, seed: number, select: (half: Gram[]) => number[]): PairFrequency {
  const m = grams[0]!.m;
  const rng = createRng(seed);
  const n = grams.length;
  const half = Math.floor(n / 2);
  const frequency = new Float64Array(m);
  const order = Array.from({ length: n }, (_, i) => i);
  let selected = 0;
  let runs = 0;
  for (let b = 0; b < pairs; b++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const part of [order.slice(0, half), order.slice(half, 2 * half)]) {
      if (part.length === 0) continue;
      const chosen = select(part.map((i) => grams[i]!));
      for (const j of chosen) frequency[j] += 1;
      selected += chosen.length;
      runs++;
    }
  }
  for (let j = 0; j < m; j++) frequency[j] = runs > 0 ? frequency[j]! / runs : 0;
  return { frequency, meanSelected: runs > 0 ? selected / runs : 0 };
}

/**
 * Bound on the expected number of false selections among `candidates`
 * columns when keeping those selected with probability >= pi (> 0.5) and a
 * half selects q columns on average: q^2 / ((2 pi - 1) candidates)
 * (Meinshausen & Buehlmann 2010, Theorem 1, under their exchangeability and
 * better-than-random-guessing assumptions; Shah & Samworth 2013 show it holds
 * for complementary pairs). A guide, not a guarantee: dictionary columns are
 * not exchangeable.
 */
export function falseSelectionBound(q: number, pi: number, candidates: number): number {
  if (!(pi > 0.5) || candidates <= 0) return Number.POSITIVE_INFINITY;
  return (q * q) / ((2 * pi - 1) * candidates);
}

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

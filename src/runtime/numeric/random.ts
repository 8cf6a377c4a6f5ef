// Seeded pseudo-random numbers: every random step of the product takes a seed,
// so a run is reproducible bit for bit (same seed -> same numbers on any machine).

/** A seeded generator: uniform draws in [0, 1) and standard normal draws. */
export interface Rng {
  /** Uniform on [0, 1), 32 bits of resolution. */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
}

/**
 * mulberry32 (Tommy Ettinger, public domain): 32-bit state, period 2^32, ample for
 * simulation studies of millions of draws (not for cryptography). Normals by the
 * Box-Muller transform, caching the second value of each pair.
 */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  // Integer seeds map to distinct states; fractional parts are folded in so 1.5 != 1.
  let state = (Math.trunc(seed) ^ Math.round((seed % 1) * 0x9e3779b9)) >>> 0;
  let spare = 0;
  let hasSpare = false;

  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };

  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const u1 = 1 - uniform();
    const u2 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    hasSpare = true;
    return r * Math.cos(2 * Math.PI * u2);
  };

  return { uniform, normal };
}

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

/** murmur3's 32-bit finaliser: every input bit moves every output bit. */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * An independent stream for one unit of work, e.g. (seed, subject, iteration): its numbers depend on the keys
 * alone, not on what other streams drew before, so work split over threads in any way draws the same numbers.
 * Keys are hashed into the generator's state (a seed that differs in one key gives an unrelated stream).
 */
export function streamRng(seed: number, ...keys: number[]): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  let h = mix32((Math.trunc(seed) ^ Math.round((seed % 1) * 0x9e3779b9)) >>> 0);
  for (const k of keys) h = mix32((h ^ mix32((k >>> 0) + 0x9e3779b9)) + 0x7f4a7c15);
  return createRng(h);
}

// The outer loop of variable projection: a bounded, deterministic search over
// one scalar (an estimated latent rate such as ka) of a profiled objective
// whose other unknowns are solved in closed form inside. A coarse grid in the
// log of the rate guards against the local minima the profile can have (a
// depot rate close to the elimination rate mimics it), then golden-section
// refines the best bracket. No randomness, no starting value.

export interface OuterSearchOptions {
  /** Grid points over [lo, hi] in log scale before the refinement (default 25). */
  grid?: number;
  /** Stop when the bracket is narrower than this in log (default 1e-4, i.e. 0.01% of the rate). */
  logTolerance?: number;
  /** Golden-section iterations at most (default 60). */
  maxIterations?: number;
}

export interface OuterSearchResult {
  /** The minimiser (on the rate scale). */
  value: number;
  objective: number;
  /** Objective evaluations spent. */
  evaluations: number;
  /** The minimiser is at (within one grid step of) a bound: the data may not determine the rate. */
  atBound: boolean;
}

/** Minimise `objective(rate)` over rate in [lo, hi] (0 < lo < hi), searching in log(rate). */
export function searchLogScale(
  objective: (rate: number) => number,
  lo: number,
  hi: number,
  options: OuterSearchOptions = {},
): OuterSearchResult {
  if (!(lo > 0) || !(hi > lo)) throw new RangeError(`outer search needs 0 < lo < hi, got [${lo}, ${hi}]`);
  const nGrid = Math.max(3, options.grid ?? 25);
  const tol = options.logTolerance ?? 1e-4;
  const a0 = Math.log(lo);
  const b0 = Math.log(hi);
  const step = (b0 - a0) / (nGrid - 1);
  let evaluations = 0;
  const f = (u: number): number => {
    evaluations++;
    const v = objective(Math.exp(u));
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  let best = 0;
  let bestValue = Number.POSITIVE_INFINITY;
  for (let i = 0; i < nGrid; i++) {
    const v = f(a0 + step * i);
    if (v < bestValue) {
      bestValue = v;
      best = i;
    }
  }
  let a = a0 + step * Math.max(0, best - 1);
  let b = a0 + step * Math.min(nGrid - 1, best + 1);
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = b - g * (b - a);
  let x2 = a + g * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  const maxIt = options.maxIterations ?? 60;
  for (let it = 0; it < maxIt && b - a > tol; it++) {
    if (f1 <= f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - g * (b - a);
      f1 = f(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + g * (b - a);
      f2 = f(x2);
    }
  }
  let u = a0 + step * best;
  let objectiveValue = bestValue;
  if (Math.min(f1, f2) <= bestValue) {
    u = f1 <= f2 ? x1 : x2;
    objectiveValue = Math.min(f1, f2);
  }
  const atBound = u - a0 < step || b0 - u < step;
  return { value: Math.exp(u), objective: objectiveValue, evaluations, atBound };
}

// Small seeded regression problems for the sparse solvers' unit tests.
import { createRng } from "../../../src/runtime/numeric/random.js";
import type { Gram } from "../../../src/runtime/sparse/gram.js";

export interface Problem {
  x: Float64Array[];
  y: Float64Array;
  m: number;
}

/** n rows, m correlated columns, y = X w + noise. */
export function regression(n: number, w: number[], noise: number, seed: number, correlation = 0.3): Problem {
  const rng = createRng(seed);
  const m = w.length;
  const x: Float64Array[] = [];
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const common = rng.normal();
    const row = Float64Array.from({ length: m }, () => Math.sqrt(1 - correlation) * rng.normal() + Math.sqrt(correlation) * common);
    x.push(row);
    let acc = noise * rng.normal();
    for (let j = 0; j < m; j++) acc += row[j]! * w[j]!;
    y[r] = acc;
  }
  return { x, y, m };
}

export function gramOf(rows: Float64Array[], y: ArrayLike<number>): Gram {
  const m = rows[0]!.length;
  const g: Gram = { n: rows.length, m, xx: new Float64Array(m * m), xy: new Float64Array(m), yy: 0 };
  rows.forEach((row, r) => {
    g.yy += y[r]! * y[r]!;
    for (let j = 0; j < m; j++) {
      g.xy[j] += row[j]! * y[r]!;
      for (let k = 0; k < m; k++) g.xx[j * m + k] += row[j]! * row[k]!;
    }
  });
  return g;
}

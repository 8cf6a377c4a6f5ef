// The one interface between a row builder and the population step. Every way
// of turning a subject's data into linear rows (dense weak form, latent-state
// weak/integral/exponential rows) hands over `SubjectRows`; the mixed model
// sees a subject only through `gramSums` of them. A new row form or a new
// population method then meets the others here instead of adding a fourth copy.

/** One subject's linear rows y ~ G c (already scaled or whitened by their builder). */
export interface SubjectRows {
  /** Number of rows. */
  rows: number;
  /** Number of columns (coefficients). */
  cols: number;
  /** Row-major rows x cols design. */
  g: Float64Array;
  y: Float64Array;
}

/** Sufficient statistics of a subject's rows: all the mixed model needs of them. */
export interface SubjectStats {
  /** Number of (whitened) rows. */
  n: number;
  /** G'G, p x p row-major. */
  gtg: Float64Array;
  /** G'y. */
  gty: Float64Array;
  /** y'y. */
  yty: number;
}

/**
 * G'G, G'y, y'y of the rows; with `only`, of the rows whose label is
 * `only.label` (e.g. the dense builder's rows of one state, scaled later).
 * The lower triangle is summed and mirrored: each entry is the same sum in the
 * same row order as a full product, bit for bit.
 */
export function gramSums(r: SubjectRows, only?: { labels: Int32Array; label: number }): SubjectStats {
  const p = r.cols;
  const gtg = new Float64Array(p * p);
  const gty = new Float64Array(p);
  let yty = 0;
  let n = 0;
  for (let i = 0; i < r.rows; i++) {
    if (only && only.labels[i] !== only.label) continue;
    n++;
    const yi = r.y[i]!;
    yty += yi * yi;
    for (let j = 0; j < p; j++) {
      const gj = r.g[i * p + j]!;
      if (gj === 0) continue;
      gty[j] += gj * yi;
      for (let k = 0; k <= j; k++) gtg[j * p + k] += gj * r.g[i * p + k]!;
    }
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) gtg[k * p + j] = gtg[j * p + k]!;
  return { n, gtg, gty, yty };
}

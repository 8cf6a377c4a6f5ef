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

/**
 * Profile out per-subject nuisance columns (an X(t_0) per curve piece): a
 * Householder reflection per nuisance column is applied to [G y], and the
 * rows that only determine the nuisance are dropped. What is left are the
 * rows of the other columns, orthogonal to the nuisance ones (6 samples with
 * one X(t_0) give 5 rows); least squares on them gives the same estimate as
 * with the nuisance columns kept. A nuisance column of zeros is skipped.
 */
export function profileNuisance(r: SubjectRows, nuisance: readonly number[]): SubjectRows & { dropped: number } {
  const keep: number[] = [];
  for (let j = 0; j < r.cols; j++) if (!nuisance.includes(j)) keep.push(j);
  const n = r.rows;
  const q = keep.length;
  const w = q + 1;
  // a: the kept columns and y; v: the nuisance columns, both transformed in place.
  const a = new Float64Array(n * w);
  const v = new Float64Array(n * nuisance.length);
  for (let i = 0; i < n; i++) {
    keep.forEach((j, c) => (a[i * w + c] = r.g[i * r.cols + j]!));
    a[i * w + q] = r.y[i]!;
    nuisance.forEach((j, c) => (v[i * nuisance.length + c] = r.g[i * r.cols + j]!));
  }
  let top = 0;
  const m = nuisance.length;
  for (let c = 0; c < m && top < n; c++) {
    let norm = 0;
    for (let i = top; i < n; i++) norm += v[i * m + c]! ** 2;
    norm = Math.sqrt(norm);
    if (!(norm > 0)) continue;
    const alpha = v[top * m + c]! > 0 ? -norm : norm;
    const h = new Float64Array(n - top);
    for (let i = top; i < n; i++) h[i - top] = v[i * m + c]!;
    h[0] = h[0]! - alpha;
    let hh = 0;
    for (const x of h) hh += x * x;
    if (!(hh > 0)) {
      top++;
      continue;
    }
    const reflect = (buf: Float64Array, width: number, col: number): void => {
      let s = 0;
      for (let i = top; i < n; i++) s += h[i - top]! * buf[i * width + col]!;
      const f = (2 * s) / hh;
      for (let i = top; i < n; i++) buf[i * width + col] -= f * h[i - top]!;
    };
    for (let k = c; k < m; k++) reflect(v, m, k);
    for (let k = 0; k < w; k++) reflect(a, w, k);
    top++;
  }
  const rows = n - top;
  const g = new Float64Array(rows * q);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < q; c++) g[i * q + c] = a[(i + top) * w + c]!;
    y[i] = a[(i + top) * w + q]!;
  }
  return { rows, cols: q, g, y, dropped: top };
}

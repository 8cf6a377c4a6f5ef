// Sufficient statistics of one least-squares problem y ~ X w: X'X, X'y, y'y and
// the row count. Every sparse step (LASSO path, folds, eBIC, SPLS) works on
// these only, so leaving subjects out is a subtraction, never a re-assembly.

export interface Gram {
  /** Rows behind the sums. */
  n: number;
  /** Columns. */
  m: number;
  /** X'X, m x m row-major. */
  xx: Float64Array;
  /** X'y. */
  xy: Float64Array;
  yy: number;
}

export function emptyGram(m: number): Gram {
  return { n: 0, m, xx: new Float64Array(m * m), xy: new Float64Array(m), yy: 0 };
}

/** Sum of Gram statistics over a subset (e.g. the subjects of the training folds). */
export function sumGrams(grams: Gram[], m: number): Gram {
  const out = emptyGram(m);
  for (const g of grams) addInto(out, g, 1);
  return out;
}

export function addInto(target: Gram, g: Gram, sign: 1 | -1): void {
  target.n += sign * g.n;
  target.yy += sign * g.yy;
  for (let k = 0; k < g.xx.length; k++) target.xx[k] += sign * g.xx[k]!;
  for (let k = 0; k < g.xy.length; k++) target.xy[k] += sign * g.xy[k]!;
}

/**
 * Remove column `col` by projecting y and the other columns onto its
 * orthogonal complement (within this Gram's rows):
 *     X~'X~ = X'X - X'u u'X / u'u,   u = X[:, col].
 * Applied per subject with `col` the constant term, this absorbs each
 * subject's own production rate: what is left is shared by all subjects.
 * The returned Gram has m - 1 columns (col dropped).
 */
export function partialOut(g: Gram, col: number): Gram {
  const m = g.m;
  const uu = g.xx[col * m + col]!;
  const keep: number[] = [];
  for (let j = 0; j < m; j++) if (j !== col) keep.push(j);
  const r = keep.length;
  const out = emptyGram(r);
  out.n = Math.max(0, g.n - 1);
  const inv = uu > 0 ? 1 / uu : 0;
  for (let a = 0; a < r; a++) {
    const ja = keep[a]!;
    const ua = g.xx[ja * m + col]!;
    out.xy[a] = g.xy[ja]! - ua * g.xy[col]! * inv;
    for (let b = 0; b < r; b++) {
      const jb = keep[b]!;
      out.xx[a * r + b] = g.xx[ja * m + jb]! - ua * g.xx[col * m + jb]! * inv;
    }
  }
  out.yy = g.yy - g.xy[col]! * g.xy[col]! * inv;
  return out;
}

/** The sub-problem on columns `cols` (in that order). */
export function restrict(g: Gram, cols: number[]): Gram {
  const r = cols.length;
  const out = emptyGram(r);
  out.n = g.n;
  out.yy = g.yy;
  for (let a = 0; a < r; a++) {
    out.xy[a] = g.xy[cols[a]!]!;
    for (let b = 0; b < r; b++) out.xx[a * r + b] = g.xx[cols[a]! * g.m + cols[b]!]!;
  }
  return out;
}

/** Residual sum of squares ||y - X w||^2 from the sums. */
export function rss(g: Gram, w: Float64Array): number {
  const m = g.m;
  let acc = g.yy;
  for (let j = 0; j < m; j++) {
    const wj = w[j]!;
    if (wj === 0) continue;
    acc -= 2 * wj * g.xy[j]!;
    let row = 0;
    for (let k = 0; k < m; k++) row += g.xx[j * m + k]! * w[k]!;
    acc += wj * row;
  }
  return Math.max(acc, 0);
}

/** Column scales s_j = sqrt(X'X_jj / n): the LASSO runs on X diag(1/s). Zero columns get scale 0 (never selected). */
export function columnScales(g: Gram): Float64Array {
  const s = new Float64Array(g.m);
  const n = Math.max(g.n, 1);
  for (let j = 0; j < g.m; j++) {
    const v = g.xx[j * g.m + j]! / n;
    s[j] = v > 0 && Number.isFinite(v) ? Math.sqrt(v) : 0;
  }
  return s;
}

// Tests for the selected terms: a term stays only if its refitted effect is
// distinguishable from zero. The weak-form rows of one subject overlap (they
// share its smoothed curve) and a subject's coefficients may differ from the
// population's, so the row-wise (iid) standard errors of the mixed-model refit
// are too small (on a degree-2 network, 1.5-4 times smaller than the
// clustered ones; absent terms had row-wise |z| up to 6.7 where the clustered
// |z| was at most 2.6, stand-ins for true terms aside). The unit of
// independent information is the subject: the standard errors here are
// cluster-robust by subject (sandwich, CR1), computed from the per-subject
// Grams alone: score_i = X_i'y_i - X_i'X_i beta.
//
// The search is stepwise on those tests: drop the least significant term
// while it is below the critical value; then offer every excluded candidate
// and add the most significant one if it clears the same value (a term that
// the LASSO replaced by a correlated product, e.g. g9 by g9*g9, comes back and
// its stand-in then drops out); repeat until nothing changes.
import { cholesky, choleskyInverse } from "../numeric/linalg.js";
import { normalQuantile } from "../numeric/normal-quantile.js";
import type { Gram } from "./gram.js";

export interface Wald {
  beta: Float64Array;
  se: Float64Array;
  z: Float64Array;
  /** Residual sum of squares of the pooled fit. */
  rss: number;
}

/** Least squares on `cols` of the summed Grams with subject-clustered standard errors; null when singular. */
export function clusterWald(grams: Gram[], cols: number[]): Wald | null {
  const r = cols.length;
  const m = grams[0]!.m;
  const a = new Float64Array(r * r);
  const b = new Float64Array(r);
  let yy = 0;
  // Indexes straight into each subject's Gram: this runs for every candidate of every stepwise move.
  for (const g of grams) {
    yy += g.yy;
    for (let i = 0; i < r; i++) {
      const row = cols[i]! * m;
      b[i] += g.xy[cols[i]!]!;
      for (let k = 0; k < r; k++) a[i * r + k] += g.xx[row + cols[k]!]!;
    }
  }
  const l = Float64Array.from(a);
  if (r > 0 && !cholesky(l, r)) return null;
  const inv = new Float64Array(r * r);
  choleskyInverse(l, r, inv);
  const beta = new Float64Array(r);
  for (let i = 0; i < r; i++) for (let k = 0; k < r; k++) beta[i] += inv[i * r + k]! * b[k]!;
  let rss = yy;
  for (let i = 0; i < r; i++) rss -= beta[i]! * b[i]!;
  const meat = new Float64Array(r * r);
  const s = new Float64Array(r);
  for (const g of grams) {
    for (let i = 0; i < r; i++) {
      const row = cols[i]! * m;
      let acc = g.xy[cols[i]!]!;
      for (let k = 0; k < r; k++) acc -= g.xx[row + cols[k]!]! * beta[k]!;
      s[i] = acc;
    }
    for (let i = 0; i < r; i++) for (let k = 0; k < r; k++) meat[i * r + k] += s[i]! * s[k]!;
  }
  const n = grams.length;
  const small = n > 1 ? n / (n - 1) : 1;
  const half = new Float64Array(r * r);
  for (let i = 0; i < r; i++)
    for (let k = 0; k < r; k++) {
      let acc = 0;
      for (let c = 0; c < r; c++) acc += inv[i * r + c]! * meat[c * r + k]!;
      half[i * r + k] = acc;
    }
  const se = new Float64Array(r);
  const z = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    let v = 0;
    for (let c = 0; c < r; c++) v += half[i * r + c]! * inv[c * r + i]!;
    se[i] = Math.sqrt(Math.max(v * small, 0));
    z[i] = se[i]! > 0 ? beta[i]! / se[i]! : beta[i] === 0 ? 0 : Number.POSITIVE_INFINITY;
  }
  return { beta, se, z, rss };
}

export interface PruneOptions {
  /** Two-sided level of each test before the multiplicity correction (default 0.05). */
  alpha: number;
  /** Bonferroni over the candidate columns (default true): the critical value is the (1 - alpha / 2m) normal quantile. */
  bonferroni: boolean;
  /** Offer excluded candidates for re-entry (default true). */
  reenter: boolean;
  /** Columns never dropped nor tested (always in the model). */
  keep: number[];
  /**
   * Per column, the columns of its factors when it is a product (g4*g10 -> [g4, g10]), else empty. A selected
   * product whose factors are out is offered to be joined by them as a group: on a degree-2 library the LASSO
   * often picks g4*g10 for g4 + g10, and neither factor alone is significant beside the product.
   */
  factors: number[][];
}

export interface Pruned {
  support: number[];
  /** The critical |z| used. */
  critical: number;
  /** |z| of each column of the final support, in the support's order. */
  z: number[];
}

/** Stepwise pruning of `support` (column indices of the Grams) by subject-clustered Wald tests. */
export function waldPrune(grams: Gram[], support: number[], options: Partial<PruneOptions> = {}): Pruned {
  const m = grams[0]!.m;
  const keep = new Set(options.keep ?? []);
  const alpha = options.alpha ?? 0.05;
  const tested = Math.max(1, m - keep.size);
  const critical = normalQuantile(1 - alpha / (2 * (options.bonferroni === false ? 1 : tested)));
  const current = [...new Set([...support, ...keep])].sort((x, y) => x - y);
  const seen = new Set<string>();
  for (let step = 0; step < 4 * m; step++) {
    // Backward: the weakest tested term below the critical value goes.
    const w = clusterWald(grams, current);
    if (w) {
      let worst = -1;
      current.forEach((j, a) => {
        if (!keep.has(j) && Math.abs(w.z[a]!) < critical && (worst < 0 || Math.abs(w.z[a]!) < Math.abs(w.z[worst]!))) worst = a;
      });
      if (worst >= 0) {
        current.splice(worst, 1);
        continue;
      }
    } else {
      // Singular: drop the last tested column (numerically redundant).
      let drop = current.length - 1;
      while (drop >= 0 && keep.has(current[drop]!)) drop--;
      if (drop < 0) break;
      current.splice(drop, 1);
      continue;
    }
    if (options.reenter === false) break;
    // Forward: the most significant excluded candidate, if it clears the same value.
    let best = -1;
    let bestZ = critical;
    for (let j = 0; j < m; j++) {
      if (current.includes(j) || grams.every((g) => g.xx[j * m + j] === 0)) continue;
      const trial = [...current, j];
      const t = clusterWald(grams, trial);
      const zj = t ? Math.abs(t.z[trial.length - 1]!) : 0;
      if (zj > bestZ) {
        bestZ = zj;
        best = j;
      }
    }
    let group: number[] = best >= 0 ? [best] : [];
    for (const j of current) {
      const missing = (options.factors?.[j] ?? []).filter((f) => !current.includes(f));
      if (missing.length < 2) continue;
      const trial = [...current, ...missing];
      const t = clusterWald(grams, trial);
      const zmin = t ? Math.min(...missing.map((_, a) => Math.abs(t.z[current.length + a]!))) : 0;
      if (zmin > bestZ) {
        bestZ = zmin;
        group = missing;
      }
    }
    let next: number[] | null = group.length > 0 ? [...current, ...group] : null;
    if (!next && w) {
      // Swap: a product or square stands in for its factors (g4*g4 for g4): its factors replace it when they are
      // significant in its place and fit better.
      let bestRss = w.rss;
      for (const j of current) {
        const missing = (options.factors?.[j] ?? []).filter((f) => !current.includes(f));
        if (missing.length === 0 || keep.has(j)) continue;
        const trial = [...current.filter((k) => k !== j), ...missing];
        const t = clusterWald(grams, trial);
        if (!t || t.rss >= bestRss) continue;
        const base = trial.length - missing.length;
        if (missing.every((_, a) => Math.abs(t.z[base + a]!) > critical)) {
          bestRss = t.rss;
          next = trial;
        }
      }
    }
    if (!next) break;
    next.sort((x, y) => x - y);
    const key = next.join(",");
    // A support met before means the search is cycling: stop at the current one.
    if (seen.has(key)) break;
    seen.add(key);
    current.splice(0, current.length, ...next);
  }
  const final = clusterWald(grams, current);
  return { support: current, critical, z: current.map((_, a) => (final ? Math.abs(final.z[a]!) : 0)) };
}

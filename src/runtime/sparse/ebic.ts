// Extended BIC (Chen & Chen 2008) along a path:
//     eBIC = n log(RSS / n) + df log(n) + 2 gamma df log(m)
// with df the support size and m the number of candidate terms. The weak-form
// rows of one subject overlap (neighbouring bumps share data), so n is an
// effective row count that the caller may pass (default: the Gram's rows).
import { rss, type Gram } from "./gram.js";

export interface EbicOptions {
  /** gamma in [0, 1] (default 0.5); 0 gives the ordinary BIC. */
  gamma?: number;
  /** Effective number of independent rows (default g.n). */
  nEffective?: number;
  /** Columns that are always in (not counted as selected), e.g. unpenalised ones. */
  free?: number;
}

export function ebicPath(g: Gram, coefs: Float64Array[], options: EbicOptions = {}): { values: Float64Array; best: number } {
  const n = options.nEffective ?? Math.max(g.n, 1);
  const gamma = options.gamma ?? 0.5;
  const m = g.m - (options.free ?? 0);
  const scale = n / Math.max(g.n, 1);
  const values = Float64Array.from(coefs, (w) => {
    let df = 0;
    for (const v of w) if (v !== 0) df++;
    df -= options.free ?? 0;
    const r = Math.max(rss(g, w) * scale, 1e-300);
    return n * Math.log(r / n) + Math.max(df, 0) * (Math.log(n) + 2 * gamma * Math.log(Math.max(m, 1)));
  });
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k]! < values[best]!) best = k;
  return { values, best };
}

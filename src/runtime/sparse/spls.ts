// Sparse partial least squares for one response (Chun & Keles 2010, the
// univariate case of their SPLS-NIPALS algorithm). At each of K steps the
// direction is the soft-thresholded covariance of the columns with the current
// residual, z_j = X_j'(y - X beta), thresholded at eta * max|z|; the active set
// grows by the surviving columns, and beta is refitted as the k-component PLS
// fit on the active columns. For one response, k-component PLS is least
// squares in the Krylov space {c, S c, ..., S^(k-1) c} (S = X_A'X_A, c = X_A'y),
// so everything runs on the Gram matrix. Useful when states are strongly
// correlated, where the LASSO picks one of a correlated group at random.
import { solveSpd } from "../numeric/linalg.js";
import { columnScales, type Gram } from "./gram.js";

export interface SplsOptions {
  /** Sparsity in [0, 1): larger keeps fewer columns. */
  eta: number;
  /** Number of PLS components (>= 1). */
  K: number;
  /** Column scales (default from the Gram). */
  scales?: Float64Array;
}

/** Coefficients in the original units; zero outside the active set. */
export function spls(g: Gram, options: SplsOptions): Float64Array {
  const m = g.m;
  const scales = options.scales ?? columnScales(g);
  const n = Math.max(g.n, 1);
  const s = new Float64Array(m * m);
  const c = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    if (scales[j] === 0) continue;
    c[j] = g.xy[j]! / (n * scales[j]!);
    for (let k = 0; k < m; k++) if (scales[k] !== 0) s[j * m + k] = g.xx[j * m + k]! / (n * scales[j]! * scales[k]!);
  }
  const eta = Math.min(Math.max(options.eta, 0), 0.999999);
  const beta = new Float64Array(m);
  const active = new Set<number>();
  for (let step = 1; step <= Math.max(1, options.K); step++) {
    const z = new Float64Array(m);
    let zmax = 0;
    for (let j = 0; j < m; j++) {
      let acc = c[j]!;
      for (let k = 0; k < m; k++) if (beta[k] !== 0) acc -= s[j * m + k]! * beta[k]!;
      z[j] = scales[j] === 0 ? 0 : acc;
      zmax = Math.max(zmax, Math.abs(z[j]!));
    }
    if (zmax === 0) break;
    for (let j = 0; j < m; j++) if (Math.abs(z[j]!) > eta * zmax) active.add(j);
    const cols = [...active].sort((a, b) => a - b);
    const fitted = plsKrylov(s, c, m, cols, step);
    beta.fill(0);
    cols.forEach((j, a) => (beta[j] = fitted[a]!));
  }
  return Float64Array.from(beta, (b, j) => (scales[j]! > 0 ? b / scales[j]! : 0));
}

/** k-component PLS on columns `cols`: least squares restricted to an orthonormalised Krylov basis. */
function plsKrylov(s: Float64Array, c: Float64Array, m: number, cols: number[], k: number): Float64Array {
  const r = cols.length;
  const sa = new Float64Array(r * r);
  const ca = new Float64Array(r);
  cols.forEach((j, a) => {
    ca[a] = c[j]!;
    cols.forEach((l, b) => (sa[a * r + b] = s[j * m + l]!));
  });
  const basis: Float64Array[] = [];
  let v = Float64Array.from(ca);
  for (let i = 0; i < Math.min(k, r); i++) {
    // Gram-Schmidt twice for stability.
    for (let pass = 0; pass < 2; pass++)
      for (const u of basis) {
        let dot = 0;
        for (let a = 0; a < r; a++) dot += u[a]! * v[a]!;
        for (let a = 0; a < r; a++) v[a] = v[a]! - dot * u[a]!;
      }
    let norm = 0;
    for (let a = 0; a < r; a++) norm += v[a]! * v[a]!;
    norm = Math.sqrt(norm);
    if (!(norm > 1e-12)) break;
    const u = Float64Array.from(v, (x) => x / norm);
    basis.push(u);
    const next = new Float64Array(r);
    for (let a = 0; a < r; a++) {
      let acc = 0;
      for (let b = 0; b < r; b++) acc += sa[a * r + b]! * u[b]!;
      next[a] = acc;
    }
    v = next;
  }
  const q = basis.length;
  const out = new Float64Array(r);
  if (q === 0) return out;
  // Solve (V'SV) alpha = V'c; beta = V alpha.
  const vsv = new Float64Array(q * q);
  const vc = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    const ui = basis[i]!;
    for (let a = 0; a < r; a++) vc[i] += ui[a]! * ca[a]!;
    for (let j = 0; j < q; j++) {
      const uj = basis[j]!;
      let acc = 0;
      for (let a = 0; a < r; a++) {
        let row = 0;
        for (let b = 0; b < r; b++) row += sa[a * r + b]! * uj[b]!;
        acc += ui[a]! * row;
      }
      vsv[i * q + j] = acc;
    }
  }
  const alpha = solveSpd(vsv, q, vc);
  if (!alpha) return out;
  for (let i = 0; i < q; i++) for (let a = 0; a < r; a++) out[a] += alpha[i]! * basis[i]![a]!;
  return out;
}

/** The (eta, K) grid searched when the spec leaves them to cross-validation. */
export function splsGrid(m: number, eta?: number, K?: number): { eta: number; K: number }[] {
  const etas = eta !== undefined ? [eta] : [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];
  const ks = K !== undefined ? [K] : Array.from({ length: Math.min(5, Math.max(1, m)) }, (_, i) => i + 1);
  const grid: { eta: number; K: number }[] = [];
  // Sparsest first (large eta, few components), as the CV one-SE rule expects.
  for (const e of etas) for (const k of ks) grid.push({ eta: e, K: k });
  return grid;
}

// Small dense linear algebra on row-major Float64Array matrices. The estimator's
// matrices are tiny (p x p with p the number of parameters, or a subject's
// rows), so plain loops beat any library call overhead and allocate nothing
// when the caller passes its own buffers. The one decomposition run once per fit
// (the eigen-analysis for rank) comes from ml-matrix.
import { createRequire } from "node:module";
import type * as MlMatrix from "ml-matrix";

// require(), not import: ml-matrix's ES entry re-exports a 150 kB CommonJS file, which Node
// would first scan for its export names, tens of milliseconds of every fit's start.
const { EigenvalueDecomposition, Matrix } = createRequire(import.meta.url)("ml-matrix") as typeof MlMatrix;

/** In-place Cholesky A = L L^T of an n x n SPD matrix (lower triangle written, upper zeroed). False if not SPD. */
export function cholesky(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= a[j * n + k]! * a[j * n + k]!;
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / ljj;
    }
    for (let k = j + 1; k < n; k++) a[j * n + k] = 0;
  }
  return true;
}

/** Solve L L^T x = b in place (b overwritten by x), L from `cholesky`. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

/** Solve L x = b in place (forward substitution only). */
export function forwardSolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

/** log det of A from its Cholesky factor. */
export function choleskyLogDet(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]!);
  return 2 * s;
}

/** Inverse of an SPD matrix from its Cholesky factor, into `out` (n x n); `col`: work space of n, when the caller has one. */
export function choleskyInverse(l: Float64Array, n: number, out: Float64Array, col: Float64Array = new Float64Array(n)): void {
  for (let j = 0; j < n; j++) {
    col.fill(0);
    col[j] = 1;
    choleskySolve(l, n, col);
    for (let i = 0; i < n; i++) out[i * n + j] = col[i]!;
  }
}

/**
 * Symmetric eigen-decomposition (ml-matrix): eigenvalues to `values` in descending order, eigenvectors to the
 * columns of `vectors` (row-major n x n). Called once per fit, on p x p, so a library call costs nothing here.
 */
export function symmetricEigen(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array): void {
  const rows = Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, i * n + n)));
  const eig = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const order = eig.realEigenvalues.map((v, k) => ({ v, k })).sort((x, y) => y.v - x.v);
  const v = eig.eigenvectorMatrix;
  order.forEach(({ v: value, k }, j) => {
    values[j] = value;
    for (let i = 0; i < n; i++) vectors[i * n + j] = v.get(i, k);
  });
}

/** Solve the SPD system A x = b (A copied, not modified); null when A is not SPD. */
export function solveSpd(a: Float64Array, n: number, b: Float64Array): Float64Array | null {
  const l = Float64Array.from(a);
  if (!cholesky(l, n)) return null;
  const x = Float64Array.from(b);
  choleskySolve(l, n, x);
  return x;
}

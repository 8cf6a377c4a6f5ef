// The shared (borrowing-strength) smoother against the per-subject P-spline on the growth_sparse design:
// `npx tsx scripts/shared-smoother-accuracy.ts [n] [seed0]` draws n seeded populations (14 subjects x 6 samples,
// H = kA/k + (1 - kA/k) e^{-kt}, kA 4.8, k 0.08 log-normal 0.1 / 0.05, proportional noise 3%), smooths every
// subject both ways (and pchip for the value) and prints the relative RMSE of the curve and of its derivative
// against the noise-free truth on a fine grid over the samples' span, and the noise estimate b.
// Figures in test/runtime/rows/shared-smoother.test.ts.
import { growthPopulation, smootherErrors } from "../test/runtime/rows/shared-smoother-fixture.js";
const n = Number(process.argv[2] ?? 10);
const seed0 = Number(process.argv[3] ?? 100);
const rows: Record<string, number>[] = [];
for (let s = 0; s < n; s++) {
  const pop = growthPopulation(seed0 + s);
  const e = smootherErrors(pop);
  rows.push(e);
  console.log(seed0 + s, JSON.stringify(Object.fromEntries(Object.entries(e).map(([k, v]) => [k, Number(v.toPrecision(3))]))));
}
const med = (v: number[]) => { const a = [...v].sort((x, y) => x - y); const m = a.length >> 1; return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2; };
console.log("median", JSON.stringify(Object.fromEntries(Object.keys(rows[0]!).map((k) => [k, Number(med(rows.map((r) => r[k]!)).toPrecision(3))]))));

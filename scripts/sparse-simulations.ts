// The sparse designs of issue 12 re-simulated: `npx tsx scripts/sparse-simulations.ts growth|pk|antibody [n] [seed0]`
// simulates n data sets (seeds seed0..seed0+n-1) with the truth values and the design of data/<design>_sparse.csv
// (pk: one dose of 4.6 for everyone, the median of the bundled doses), fits each through the bundled log-normal
// spec and prints every estimate and the medians against the truth. Figures in test/runtime/estimate/sparse-designs.test.ts.
// With REFINE=1 each fit is then refined by SAEM (seed 1) and the refined values are printed beside it (`refined_*`).
import { loadModel } from "../src/cli/load-model.js";
import { loadData } from "../src/runtime/data/load-data.js";
import { fit } from "../src/runtime/estimate/fit.js";
import { refine } from "../src/runtime/refine/refine.js";
import { simulateDataset, type DatasetSpec } from "../src/runtime/simulate/simulate-data.js";
const [which, nStr, seed0Str] = process.argv.slice(2);
const designs: Record<string, { spec: string; sim: Omit<DatasetSpec, "seed"> }> = {
  growth: { spec: "specs/growth_sparse.nlme", sim: { theta: { kA: 4.8, k: 0.08 }, omega: { kA: 0.1, k: 0.05 }, re: "lognormal", x0: { H: 1 }, times: [2, 4, 8, 12, 16, 22], noise: { height: { b: 0.03 } }, subjects: 14 } },
  pk: { spec: "specs/pk_oral_sparse.nlme", sim: { theta: { ka: 2.2, ka_over_V: 4.0, ke: 0.07 }, omega: { ka: 0.3, ka_over_V: 0.3, ke: 0.15 }, re: "lognormal", times: [0.25, 0.5, 1, 2, 3.5, 5, 7, 9, 12, 24], doses: [{ time: 0, amount: 4.6 }], noise: { conc: { b: 0.1 } }, subjects: 12 } },
  antibody: { spec: "specs/antibody_clairon_sparse.nlme", sim: { theta: { theta: 18.7, fM2: 4.5, delta_Ab: 0.03 }, omega: { theta: 0.5, fM2: 0.8 }, re: "lognormal", times: [0, 14, 21, 35, 60, 120, 200], doses: [{ time: 0, amount: 1 }, { time: 21, amount: 1 }], noise: { log10_Ab: { a: 0.23 } }, subjects: 50 } },
};
const d = designs[which!]!;
const { model } = await loadModel(d.spec);

const n = Number(nStr ?? 10);
const seed0 = Number(seed0Str ?? 100);
const rows: Record<string, number>[] = [];
for (let s = 0; s < n; s++) {
  const csv = simulateDataset(model, { ...d.sim, seed: seed0 + s, ...(process.env.NOISEFREE ? { noise: Object.fromEntries(Object.keys(d.sim.noise).map((k) => [k, {}])) } : {}) });
  const data = loadData(csv, `sim${s}.csv`, model.meta, {});
  const r = fit(model, data, process.env.FIT_OPTIONS ? JSON.parse(process.env.FIT_OPTIONS) : {});
  const row: Record<string, number> = {};
  for (const [k, v] of Object.entries(r.parameters)) {
    row[k] = v.estimate;
    if (v.omega !== null) row[`omega_${k}`] = v.omega;
  }
  if (process.env.REFINE) {
    const refined = refine(model, data, r, { seed: 1 });
    for (const [k, v] of Object.entries(refined.parameters)) {
      row[`refined_${k}`] = v.estimate;
      if (v.omega !== null) row[`refined_omega_${k}`] = v.omega;
    }
    row["refined_logLik"] = refined.logLikelihood.value;
  }
  rows.push(row);
  console.log(s, JSON.stringify(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v.toPrecision(4))]))));
}
const med = (v: number[]) => { const a = [...v].sort((x, y) => x - y); const m = a.length >> 1; return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2; };
const truth: Record<string, number> = { ...d.sim.theta, ...Object.fromEntries(Object.entries(d.sim.omega ?? {}).map(([k, v]) => [`omega_${k}`, v])) };
for (const k of Object.keys(truth)) truth[`refined_${k}`] = truth[k]!;
console.log("median", JSON.stringify(Object.fromEntries(Object.keys(rows[0]!).map((k) => [k, [Number(med(rows.map((r) => r[k]!)).toPrecision(4)), truth[k], truth[k] ? Number((med(rows.map((r) => r[k]!)) / truth[k]! - 1).toFixed(3)) : null]]))));

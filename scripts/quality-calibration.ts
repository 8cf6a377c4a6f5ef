// Calibration of the quality check's thresholds (src/runtime/quality/thresholds.ts):
// fits seeded simulations of every bundled example with its own (right) model,
// and of deliberately wrong models, and prints the check's figures per run as
// JSON lines. Run: npx tsx scripts/quality-calibration.ts [seeds]   (default 5)
// The designs follow the bundled data sets (sampling times, doses, noise, random
// effects from their truth files); the thresholds must separate the two groups.
import { loadModel } from "../src/cli/load-model.js";
import { loadData } from "../src/runtime/data/load-data.js";
import { estimate } from "../src/runtime/model-entry.js";
import { simulateDataset, type DatasetSpec } from "../src/runtime/simulate/simulate-data.js";

type Case = { name: string; spec: string; fitSpec?: string; right: boolean; design: Omit<DatasetSpec, "seed"> };

const WRONG_DECAY = `model decay
time age in days
states {
  C  "trunk circumference, mm"
}
parameters {
  k ~ random
}
dynamics {
  d/dt C = - k * C
}
observe {
  circumference = C  ~ proportional
}
`;
const GROWTH = `model growth
time t in years
states {
  H  "height"
}
parameters {
  kA ~ random
  k  ~ random
}
dynamics {
  d/dt H = kA - k * H
}
observe {
  height = H  ~ proportional
}
`;

const logistic: Omit<DatasetSpec, "seed"> = {
  theta: { r: 0.003, q: 1.5789e-5 }, omega: { r: 0.0006, q: 3.158e-6 }, x0: { C: 30 },
  times: [118, 250, 484, 664, 1004, 1231, 1372, 1582], noise: { circumference: { b: 0.03 } }, subjects: 30,
};
const cases: Case[] = [
  { name: "logistic", spec: "specs/logistic.nlme", right: true, design: logistic },
  { name: "orange-like (5 trees)", spec: "specs/logistic.nlme", right: true, design: { ...logistic, subjects: 5, noise: { circumference: { b: 0.05 } } } },
  {
    name: "lotka_volterra", spec: "specs/lotka_volterra.nlme", right: true,
    design: {
      theta: { a: 0.7, b: 0.3, c: 0.25, d: 0.6 }, omega: { a: 0.105, b: 0.045, c: 0.0375, d: 0.09 }, x0: { x: 2, y: 1 },
      times: Array.from({ length: 40 }, (_, i) => i * 0.5), noise: { prey: { b: 0.05 }, predator: { b: 0.05 } }, subjects: 50,
    },
  },
  {
    name: "antibody_clairon", spec: "specs/antibody_clairon.nlme", right: true,
    design: {
      theta: { theta: 18.7, fM2: 4.5, delta_Ab: 0.03 }, omega: { theta: 0.5, fM2: 0.8 }, re: "lognormal",
      times: [0, 2, 7, 14, 21, 28, 35, 60, 90, 120], doses: [{ time: 0, amount: 1 }, { time: 21, amount: 1 }],
      noise: { log10_Ab: { a: 0.1 } }, subjects: 100,
    },
  },
  {
    name: "ebola_pasin", spec: "specs/ebola_pasin.nlme", right: true,
    design: {
      theta: { theta_S: 611, theta_L: 3.5, delta_Ab: 0.025 }, omega: { theta_S: 0.35, theta_L: 0.4 }, re: "lognormal", x0: { S: 0, L: 0, Ab: 10 },
      times: [0, 7, 14, 28, 56, 63, 70, 84, 120, 180, 270, 365, 372, 379, 393, 450, 540, 730],
      doses: [{ time: 0, amount: 1 }, { time: 56, amount: 1 }, { time: 365, amount: 1 }], noise: { log10_titre: { a: 0.11 } }, subjects: 60,
    },
  },
  {
    name: "pk_oral", spec: "specs/pk_oral.nlme", right: true,
    design: {
      theta: { ka: 1.5, ka_over_V: 3, ke: 0.08 }, omega: { ka: 0.45, ka_over_V: 0.9, ke: 0.012 },
      times: [0.25, 0.5, 1, 2, 3.5, 5, 7, 9, 12, 24], doses: [{ time: 0, amount: 4.5 }], noise: { conc: { b: 0.1 } }, subjects: 24,
    },
  },
  { name: "WRONG: logistic data, linear decay model", spec: "specs/logistic.nlme", fitSpec: WRONG_DECAY, right: false, design: logistic },
  {
    name: "growth_sparse design (right model; today's estimator gets k < 0)", spec: GROWTH, right: true,
    design: {
      theta: { kA: 4.8, k: 0.08 }, omega: { kA: 0.1, k: 0.05 }, re: "lognormal", x0: { H: 1 },
      times: [2, 4, 8, 12, 16, 22], noise: { height: { b: 0.03 } }, subjects: 14,
    },
  },
];

async function modelOf(spec: string) {
  if (spec.endsWith(".nlme")) return (await loadModel(spec)).model;
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const file = join(mkdtempSync(join(tmpdir(), "nlme-cal-")), "model.nlme");
  writeFileSync(file, spec);
  return (await loadModel(file)).model;
}

const seeds = Number(process.argv[2] ?? 5);
for (const c of cases.filter((c) => !process.env.ONLY || c.name.startsWith(process.env.ONLY))) {
  const sim = await modelOf(c.spec);
  const fitModel = c.fitSpec ? await modelOf(c.fitSpec) : sim;
  for (let seed = 1; seed <= seeds; seed++) {
    const csv = simulateDataset(sim, { ...c.design, seed });
    const data = loadData(csv, `${c.name}#${seed}`, fitModel.meta);
    const fit = estimate(fitModel, data);
    const q = fit.quality!;
    const poorShare = q.summary.poorlyFit / Math.max(1, q.summary.predicted);
    const estimates = Object.fromEntries(Object.entries(fit.parameters).map(([k, v]) => [k, Number(v.estimate.toPrecision(3))]));
    console.log(JSON.stringify({
      case: c.name, right: c.right, seed, medianRms: round(q.summary.medianRmsIwres), shareAbove3: round(q.summary.shareAbove3),
      poorShare: round(poorShare), above5: round(q.subjects.filter((s) => (s.rmsIwres ?? 0) > 5).length / Math.max(1, q.summary.predicted)), rowsPerParameter: round(q.summary.rowsPerParameter), estimates,
      warnings: q.findings.filter((f) => f.severity === "warning").map((f) => f.code),
      notes: q.findings.filter((f) => f.severity === "note").map((f) => f.code),
      fitSeconds: round(fit.seconds), checkSeconds: round(q.seconds),
    }));
  }
}

function round(x: number | null): number | null {
  return x === null ? null : Number(x.toPrecision(3));
}

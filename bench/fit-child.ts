// One Lotka-Volterra fit in a fresh process, for `bench/fit.ts`: reads the CSV
// it is given, fits it, and prints one JSON line with its phases, its CPU time
// and its peak resident memory (the kernel's high-water mark for this process).
import { readFileSync } from "node:fs";
import { model } from "../generated/lotka_volterra.js";
import { loadData } from "../src/runtime/data/load-data.js";
import { fit } from "../src/runtime/estimate/fit.js";

const file = process.argv[2]!;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const data = loadData(readFileSync(file, "utf8"), file, model.meta);
const t1 = performance.now();
const result = fit(model, data);
const t2 = performance.now();
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({
    loadSeconds: (t1 - t0) / 1000,
    fitSeconds: (t2 - t1) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    phases: result.settings.phaseSeconds,
    theta: Object.fromEntries(Object.entries(result.parameters).map(([k, v]) => [k, v.estimate])),
    residual: result.residual,
  })}\n`,
);
